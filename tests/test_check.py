"""mlpstep check: grading hand-worked answers, the tolerance rule, hints, and the grader's outputs."""

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import SEED, runner

import mlpstep
from mlpstep.cli.app import app
from mlpstep.grade.answers import half_unit, read_answers, write_answers
from mlpstep.grade.grading import grade
from mlpstep.grade.tolerance import Tolerance
from mlpstep.quantities import answer_names

SEED_TO_4_DECIMALS = """\
a1: [[2.0000], [13.0000], [0.0000], [0.0000]]
a2: [[1.0000], [0.0000]]
loss: 28.0000
z2.grad: [[1.0000], [-1.0000]]
a1.grad: [[2.0000], [2.0000], [2.0000], [2.0000]]
W1n: [[0.4000, -0.6000, -1.0000, 0.0000], [-2.8000, -1.8000, 0.0000, -1.0000]]
W2n: [[0.8000, -0.8000], [-0.3000, 0.3000], [1.0000, -1.0000], [1.0000, -1.0000]]
w10n: [[-1.2000], [-1.2000], [-1.0000], [-1.0000]]
w20n: [[-0.1000], [2.1000]]
"""


def trace_of(config):
    return mlpstep.step(mlpstep.load(config))


def graded(config, text, tmp_path, tolerance=Tolerance()):
    """The graded answers of ``text``, by name as written."""
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    trace = trace_of(config)
    submission = read_answers(str(path), answer_names(trace))
    return {answer.written_as: answer for answer in grade(trace, submission, tolerance)}


def check(*args, **kwargs):
    return runner.invoke(app, ["check", *args], **kwargs)


def checked_json(config, text, tmp_path, *options) -> tuple[int, dict]:
    """The exit code of checking ``text`` alone with --json, and its file's report."""
    path = tmp_path / "a.yaml"
    path.write_text(text)
    result = check(config, str(path), "--json", *options)
    (graded_file,) = json.loads(result.stdout)["files"]
    return result.exit_code, graded_file


# -- the done-when of the issue ---------------------------------------------------------


def test_seed_answers_to_4_decimals_are_all_correct(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(SEED_TO_4_DECIMALS)
    result = check(SEED, str(path))
    assert result.exit_code == 0, result.output
    assert f"{path}: 9/9 correct" in result.stdout


def test_wrong_answer_names_the_wrong_cells_and_the_mistake(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("W1n: [[1.6, 0.6, -1, 0], [2.8, 3.8, 0, -1]]\n")
    result = check(SEED, str(path))
    assert result.exit_code == 1
    assert "✗ W1n (updated.W1)   the gradient was added: W1 + 0.1 dL/dW1; the update subtracts it" in result.stdout
    assert "1.6*" in result.stdout and "3.8*" in result.stdout and "-1*" not in result.stdout


# -- the tolerance rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,half", [("0.40", 0.005), ("2", 0.5), ("6.91e-13", 5e-16), ("-1.5E2", 5.0), (".5", 0.05), ("3.", 0.5)]
)
def test_half_a_unit_of_the_last_decimal_written(text, half):
    assert half_unit(text) == pytest.approx(half, rel=1e-12)


CONFIGS = [
    "configs/seed.yaml",
    "configs/batch.yaml",
    "configs/rows.yaml",
    "configs/three_layer.yaml",
    "configs/mazur.yaml",
]


@pytest.mark.parametrize("decimals", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("config", CONFIGS)
def test_without_the_floor_every_value_rounded_to_any_decimals_is_correct(tmp_path, config, decimals):
    key = tmp_path / "key.yaml"
    key.write_text(write_answers(trace_of(config), decimals))
    result = check(config, str(key), "--min-rtol", "0")
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize("digits", [3, 4, 6, 8])
@pytest.mark.parametrize("config", CONFIGS)
def test_every_value_rounded_to_three_or_more_significant_digits_is_correct(tmp_path, config, digits):
    key = tmp_path / "key.yaml"
    key.write_text(_significant(write_answers(trace_of(config)), digits))
    result = check(config, str(key))
    assert result.exit_code == 0, result.stdout


def _significant(text: str, digits: int) -> str:
    """Every number of an answers file rounded to ``digits`` significant digits."""
    import re

    return re.sub(r"(?<![\w.])-?[0-9][0-9.]*(?:e-?[0-9]+)?", lambda m: f"{float(m.group()):.{digits}g}", text)


NO_FLOOR = Tolerance(min_rtol=0)


def test_trailing_zeros_keep_their_precision(tmp_path):
    # 0.40 claims two decimals: 0.404 rounds to it, 0.406 does not
    assert graded({**_one_unit(0.404)}, "a1: 0.40", tmp_path, NO_FLOOR)["a1"].correct
    assert not graded({**_one_unit(0.406)}, "a1: 0.40", tmp_path, NO_FLOOR)["a1"].correct
    assert graded({**_one_unit(0.406)}, "a1: 0.4", tmp_path, NO_FLOOR)["a1"].correct


def test_a_whole_number_allows_half_a_unit(tmp_path):
    assert graded(_one_unit(2.49), "a1: 2", tmp_path, NO_FLOOR)["a1"].correct
    assert not graded(_one_unit(2.51), "a1: 2", tmp_path, NO_FLOOR)["a1"].correct


def test_scientific_notation_uses_the_mantissa_decimals(tmp_path):
    assert graded(SEED, "a2: [1, 6.91e-13]", tmp_path)["a2"].correct  # a2[1] = 6.9144e-13, within 5e-16
    assert not graded(SEED, "a2: [1, 6.92e-13]", tmp_path)["a2"].correct


def test_rtol_and_atol_replace_the_rule(tmp_path):
    loose = Tolerance(rtol=0.1)
    assert graded(SEED, "loss: 30", tmp_path, loose)["loss"].correct  # within 10% of 28
    assert not graded(SEED, "loss: 28", tmp_path, Tolerance(atol=1e-15))["loss"].correct
    path = tmp_path / "a.yaml"
    path.write_text("loss: 28\n")
    assert check(SEED, str(path), "--atol", "1e-15").exit_code == 1
    assert check(SEED, str(path)).exit_code == 0


def _one_unit(target_a1: float) -> dict:
    """A one-weight linear layer whose a1 is exactly target_a1."""
    return {
        "input": [1],
        "label": 0,
        "loss": "squared",
        "learning_rate": 0.1,
        "layers": [{"weights": [[target_a1]], "bias": [0], "activation": "linear"}],
    }


# -- names and shapes ----------------------------------------------------------------------


def test_notebook_names_and_json_paths_are_both_accepted(tmp_path):
    answers = graded(
        SEED,
        "a1: [2, 13, 0, 0]\nforward.z2: [15, -13]\ngrads:\n  W1: [[6, 6, 0, 0], [28, 28, 0, 0]]\n"
        "updated.w20: [-0.1, 2.1]\nW2.grad: [[2, -2], [13, -13], [0, 0], [0, 0]]\n",
        tmp_path,
    )
    assert all(answer.correct for answer in answers.values())
    assert {answer.path for answer in answers.values()} == {
        "forward.a1",
        "forward.z2",
        "grads.W1",
        "updated.w20",
        "grads.W2",
    }


def test_rows_layout_names_its_biases_b(tmp_path):
    answers = graded(
        "configs/rows.yaml", "b1n: [-1.2, -1.2, -1, -1]\nb2.grad: [1, -1]\nz1: [[2, 13, -4, -15]]", tmp_path
    )
    assert all(answer.correct for answer in answers.values())


def test_run_json_output_checks_as_answers(tmp_path):
    out = runner.invoke(app, ["run", SEED, "--json"]).stdout
    result = check(SEED, "-", input=out)
    assert result.exit_code == 0 and "17/17 correct" in result.stdout


def test_transposed_answer_is_wrong_with_a_hint(tmp_path):
    answer = graded(SEED, "W1.grad: [[6, 28], [6, 28], [0, 0], [0, 0]]", tmp_path)["W1.grad"]
    assert not answer.correct
    assert answer.hint == "transposed: this is W1.gradᵀ; W is n_in x n_out in the columns layout"


def test_transposed_square_matrix_is_caught_too(tmp_path):
    config = {
        "input": [1, 2],
        "label": [0, 0],
        "loss": "squared",
        "learning_rate": 0.1,
        "layers": [{"weights": [[1, 2], [3, 4]], "bias": [0, 0], "activation": "linear"}],
    }
    trace = trace_of(config)
    transposed = trace.updated["W1"].T.tolist()
    assert graded(config, f"W1n: {transposed}", tmp_path)["W1n"].hint.startswith("transposed")


def test_wrongly_shaped_answer_says_the_expected_shape(tmp_path):
    answer = graded(SEED, "W1n: [[0.4, -0.6, -1], [-2.8, -1.8, 0]]", tmp_path)["W1n"]
    assert not answer.correct and answer.hint == "shape 2x3, but W1n is 2x4"


def test_wrong_flat_column_is_shown_as_a_column(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("z1.grad: [2, 2, 2, 2]\n")
    result = check(SEED, str(path))
    assert result.exit_code == 1 and "given   4x1" in result.stdout and "2*" in result.stdout


def test_column_vector_may_be_written_flat_and_a_1x1_as_a_number(tmp_path):
    assert graded(SEED, "w10n: [-1.2, -1.2, -1, -1]", tmp_path)["w10n"].correct
    assert graded("configs/sigmoid_squared.yaml", "a2: 0.6068", tmp_path)["a2"].correct


# -- mistake hints ------------------------------------------------------------------------

HINTS = [
    # (config, answer line, expected hint)
    (SEED, "z1.grad: [2, 2, 2, 2]", "this is dL/da1: the derivative relu'(z1) is left out"),
    (SEED, "a1.grad: [2, 2, 0, 0]", "this is dL/dz1: relu'(z1) belongs to dL/dz1, not dL/da1"),
    (SEED, "W1.grad: [[6, 6, 6, 6], [28, 28, 28, 28]]", "the derivative relu'(z1) is left out of dL/dz1"),
    (SEED, "z2.grad: [-1, 1]", "opposite sign"),
    (
        SEED,
        "W1n: [[1.6, 0.6, -1, 0], [2.8, 3.8, 0, -1]]",
        "the gradient was added: W1 + 0.1 dL/dW1; the update subtracts it",
    ),
    (SEED, "W1n: [[6, 6, 0, 0], [28, 28, 0, 0]]", "this is the gradient dL/dW1, not the updated W1"),
    (SEED, "W1.grad: [[0.4, -0.6, -1, 0], [-2.8, -1.8, 0, -1]]", "the updated W1, not the gradient dL/dW1"),
    (SEED, "W1.grad: [[0.6, 0.6, 0, 0], [2.8, 2.8, 0, 0]]", "the step 0.1 dL/dW1, not the gradient dL/dW1"),
    (SEED, "W1n: [[0.6, 0.6, 0, 0], [2.8, 2.8, 0, 0]]", "this is only the step 0.1 dL/dW1: subtract it from W1"),
    (SEED, "W1n: [[-5, -6, -1, 0], [-28, -27, 0, -1]]", "the learning rate is left out: W1 - dL/dW1"),
    (SEED, "W1n: [[1, 0, -1, 0], [0, 1, 0, -1]]", "this is W1 before the update"),
    (SEED, "a1: [2, 13, -4, -15]", "this is z1: relu was not applied"),
    (SEED, "z1: [2, 13, 0, 0]", "this is a1 = relu(z1), not z1"),
    (SEED, "w20n: [[-0.09], [2.09]]", "truncated instead of rounded: round the last digit to nearest"),
    (SEED, "a1: [15, -13]", "shape 2, but a1 is 4x1"),
    ("configs/three_layer.yaml", "z2.grad: [[0, 0], [0, 0], [0, 0]]", None),  # a value of its own: no hint
    (SEED, "W1n: [[0.5, -0.6, -1, 0], [-2.8, -1.8, 0, -1]]", None),  # one cell off: no hint
    (SEED, "w20n: [[-0.11], [2.11]]", None),  # wrong, but not by truncation
    # zeros written as whole numbers match any small candidate by chance: no hint
    (SEED, "w10.grad: [0, 0, 0, 0]", None),
    (SEED, "w20n: [0, 0]", None),
    (SEED, "z2.grad: [0, 0]", None),
    ("configs/sigmoid_squared.yaml", "W1n: [[0, 0, 0], [0, 0, 0]]", None),
    # the output layer's derivative left out (dL/da2 = 2(a2 - y) given for dL/dz2)
    ("configs/sigmoid_squared.yaml", "z2.grad: -0.7865", "this is dL/da2: the derivative sigmoid'(z2) is left out"),
    ("configs/sigmoid_squared.yaml", "w20.grad: -0.7865", "the derivative sigmoid'(z2) is left out of dL/dz2"),
    (SEED, "a1: [[2, 13, 0, 0]]", "transposed: this is a1ᵀ; z and a are n x batch in the columns layout"),
]


@pytest.mark.parametrize("config,line,hint", HINTS)
def test_mistake_hint(tmp_path, config, line, hint):
    (answer,) = graded(config, line, tmp_path).values()
    assert not answer.correct
    assert answer.hint == hint


def test_mean_versus_sum_over_the_batch(tmp_path):
    trace = trace_of("configs/batch.yaml")
    summed = (trace.grads["W1"] * 3).tolist()
    assert graded("configs/batch.yaml", f"W1.grad: {summed}", tmp_path)["W1.grad"].hint == (
        "summed over the batch instead of averaged (x3)"
    )
    total = trace.loss * 3
    assert (
        graded("configs/batch.yaml", f"loss: {total}", tmp_path)["loss"].hint
        == "summed over the batch instead of averaged (x3)"
    )


def test_value_of_a_neighbouring_layer(tmp_path):
    trace = trace_of("configs/three_layer.yaml")
    a2 = trace.forward["a2"].tolist()
    assert (
        graded("configs/three_layer.yaml", f"a3: {a2}", tmp_path)["a3"].hint == "the value of a2, a neighbouring layer"
    )


# -- files, names and exit codes ----------------------------------------------------------


def test_unknown_name_is_a_problem_of_the_file_listing_the_valid_ones(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("W1new: [[1]]\n")
    result = check(SEED, str(path))
    assert result.exit_code == 2 and result.stderr == ""
    assert (
        "! W1new: unknown answer name (did you mean W1n?)\nvalid names: z1, a1, z2, a2, loss, z2.grad" in result.stdout
    )


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "no answers"),
        ("# nothing\n", "no answers"),
        ("[1, 2]", "a mapping of names"),
        ("a1: [1, 2", "YAML syntax error"),
    ],
)
def test_empty_and_garbage_files_are_invalid(tmp_path, text, message):
    path = tmp_path / "a.yaml"
    path.write_text(text)
    result = check(SEED, str(path))
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "text,message",
    [
        ("a1: [2, x, 0, 0]", "a1[1]: 'x' is text"),
        ("a1: .nan", "a1: not a finite number"),
        ("a1: [[1, 2], [3]]", "a1: ragged"),
    ],
)
def test_an_answer_that_is_not_numbers_is_wrong_and_a_problem_and_the_rest_is_graded(tmp_path, text, message):
    path = tmp_path / "a.yaml"
    path.write_text(text + "\nloss: 28\n")
    result = check(SEED, str(path))
    assert result.exit_code == 2, result.output
    assert f"✗ a1 (forward.a1)   not graded: {message}" in result.stdout and f"! {message}" in result.stdout
    assert "✓ loss" in result.stdout and ": 1/2 correct" in result.stdout


def test_binary_file_is_invalid(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\x00\x01\x02")
    assert check(SEED, str(path)).exit_code == 2


def test_expected_names_that_are_missing_count_as_wrong(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a1: [2, 13, 0, 0]\nW1n:\n")  # W1n left blank
    result = check(SEED, str(path), "--expect", "a1,W1n,loss", "--json")
    assert result.exit_code == 1
    (graded_file,) = json.loads(result.stdout)["files"]
    assert (graded_file["correct"], graded_file["total"]) == (1, 3)
    assert {a["name"]: a["hint"] for a in graded_file["answers"]}["updated.W1"] == "missing: no answer given"


def test_expect_all_and_unknown_expect_names(tmp_path):
    key = tmp_path / "key.yaml"
    key.write_text(write_answers(trace_of(SEED)))
    assert check(SEED, str(key), "--expect", "all").exit_code == 0
    result = check(SEED, str(key), "--expect", "a1,bogus")
    assert result.exit_code == 2 and "--expect: bogus is not an answer name" in result.stderr


def test_blank_template_lists_every_name_and_checks_as_unanswered(tmp_path):
    result = runner.invoke(app, ["answers", SEED, "--blank"])
    assert "W1n:  # 2x4" in result.stdout and "loss:  # a number" in result.stdout
    template = tmp_path / "template.yaml"
    template.write_text(result.stdout)
    assert json.loads(check(SEED, str(template), "--json", "--expect", "all").stdout)["files"][0]["correct"] == 0


def test_answers_paths_style_round_trips(tmp_path):
    out = runner.invoke(app, ["answers", SEED, "--names", "paths"]).stdout
    assert "updated.W1: [[0.4000000000004148," in out
    assert check(SEED, "-", input=out).exit_code == 0


# -- grader mode -----------------------------------------------------------------------


def test_many_files_at_once_with_one_broken(tmp_path):
    (tmp_path / "alice.yaml").write_text(SEED_TO_4_DECIMALS)
    (tmp_path / "bob.yaml").write_text("z1.grad: [2, 2, 2, 2]\nloss: 28\n")
    (tmp_path / "carol.yaml").write_text("a1: [2, 13\n")
    files = [str(tmp_path / name) for name in ("alice.yaml", "bob.yaml", "carol.yaml")]
    result = check(SEED, *files, "--expect", "none")
    assert result.exit_code == 2  # a broken file: invalid input, after every file was graded
    out = result.stdout
    assert "9/9" in out and "1/2" in out and "z1.grad" in out and "error: YAML syntax error" in out
    assert "3 files: 1 all correct, 1 with wrong answers, 1 not gradable" in out


def test_many_files_json(tmp_path):
    (tmp_path / "a.yaml").write_text(SEED_TO_4_DECIMALS)
    (tmp_path / "b.yaml").write_text("W1n: [[1.6, 0.6, -1, 0], [2.8, 3.8, 0, -1]]\n")
    result = check(SEED, str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--json", "--expect", "none")
    assert result.exit_code == 1
    files = json.loads(result.stdout)["files"]
    assert [(f["correct"], f["total"], f["error"]) for f in files] == [(9, 9, None), (0, 1, None)]
    assert files[1]["answers"] == [
        {
            "name": "updated.W1",
            "written_as": "W1n",
            "correct": False,
            "expected": files[1]["answers"][0]["expected"],
            "given": [[1.6, 0.6, -1.0, 0.0], [2.8, 3.8, 0.0, -1.0]],
            "hint": "the gradient was added: W1 + 0.1 dL/dW1; the update subtracts it",
            "points": 0.0,
            "max_points": 1.0,
        }
    ]
    np.testing.assert_allclose(
        files[1]["answers"][0]["expected"], [[0.4, -0.6, -1, 0], [-2.8, -1.8, 0, -1]], atol=1e-11
    )


def test_gradescope_results_json(tmp_path):
    path = tmp_path / "submission.yaml"
    path.write_text("a1: [2, 13, 0, 0]\nz1.grad: [2, 2, 2, 2]\n")
    result = check(SEED, str(path), "--format", "gradescope", "--expect", "none")
    assert result.exit_code == 1
    results = json.loads(result.stdout)
    assert results["score"] == 1.0 and results["output"] == "1/2 answers correct"
    first, second = results["tests"]
    assert first == {"name": "forward.a1 (a1)", "score": 1.0, "max_score": 1.0, "status": "passed",
                     "visibility": "visible", "output": "correct"}  # fmt: skip
    assert second["score"] == 0.0 and second["max_score"] == 1.0 and second["status"] == "failed"
    assert second["output"] == (
        "wrong\nwrong entries: z1.grad[2][0], z1.grad[3][0]\nhint: this is dL/da1: the derivative relu'(z1) is left out"
    )  # never the expected values


def test_gradescope_takes_one_file(tmp_path):
    result = check(SEED, "a.yaml", "b.yaml", "--format", "gradescope")
    assert result.exit_code == 2 and "one answers file" in result.stderr


def test_gradescope_reports_a_broken_submission(tmp_path):
    path = tmp_path / "submission.yaml"
    path.write_text("a1: [2, 13\n")
    result = check(SEED, str(path), "--format", "gradescope")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["output"].startswith("error: YAML syntax error")


def test_invalid_config_stops_before_grading(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a1: 1\n")
    result = check("configs/nope.yaml", str(path))
    assert result.exit_code == 2 and "configs/nope.yaml: no such file" in result.stderr


def test_negative_tolerance_is_refused():
    assert check(SEED, "x.yaml", "--rtol", "-1").exit_code == 2


@pytest.mark.parametrize("config,line,hint", HINTS)
@pytest.mark.parametrize("form", ["table", "json", "gradescope"])
def test_every_wrong_answer_renders_in_every_format(tmp_path, config, line, hint, form):
    path = tmp_path / "a.yaml"
    path.write_text(line + "\n")
    result = check(config, str(path), "--format", form)
    assert result.exit_code == 1, result.output
    if form != "table":
        json.loads(result.stdout)
    elif hint:
        assert hint in result.stdout


def test_a_transposed_row_is_not_taken_for_a_column(tmp_path):
    answer = graded("configs/sigmoid_squared.yaml", "W2n: [[1.0584, -0.9531, 0.5584]]", tmp_path)["W2n"]
    assert not answer.correct and answer.hint.startswith("transposed")
    assert graded("configs/rows.yaml", "z1: [[2], [13], [-4], [-15]]", tmp_path)["z1"].hint.startswith("transposed")


def test_blank_answers_count_as_missing(tmp_path):
    code, graded_file = checked_json(SEED, "a1: [2, 13, 0, 0]\nW1n:\n", tmp_path)
    assert code == 1
    assert (graded_file["correct"], graded_file["total"]) == (1, 2)


def test_an_untouched_template_scores_zero(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text(runner.invoke(app, ["answers", SEED, "--blank"]).stdout)
    result = check(SEED, str(template))
    assert result.exit_code == 1 and "0/17 correct" in result.stdout


def test_empty_mapping_is_not_an_answer(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a1: {}\nloss: 28\n")
    result = check(SEED, str(path))
    assert result.exit_code == 2 and "! a1: a mapping; expected a number" in result.stdout


@pytest.mark.parametrize("text", ["a1: 0e400", "a1: 0e" + "9" * 5000, "loss: " + "9" * 400, "a1: [1e-400, 13, 0, 0]"])
def test_extreme_numbers_never_stop_the_class(tmp_path, text):
    (tmp_path / "a.yaml").write_text(SEED_TO_4_DECIMALS)
    (tmp_path / "b.yaml").write_text(text + "\n")
    result = check(SEED, str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--json")
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output and result.stderr == ""
    first, second = json.loads(result.stdout)["files"]
    assert (first["correct"], first["total"]) == (9, 17)
    assert (second["correct"], second["total"]) == (0, 17)


def test_file_names_are_not_read_as_markup(tmp_path, monkeypatch):
    config = str(Path(SEED).resolve())
    monkeypatch.chdir(tmp_path)
    Path("sub[").mkdir()
    Path("sub[/b].yaml").write_text(SEED_TO_4_DECIMALS)
    Path("[red]y.yaml").write_text(SEED_TO_4_DECIMALS)
    result = check(config, "sub[/b].yaml", "[red]y.yaml", "[bold]missing.yaml")
    assert result.exit_code == 2
    assert "sub[/b].yaml" in result.stdout and "[red]y.yaml" in result.stdout and "[bold]missing.yaml" in result.stdout


def test_non_text_keys_keep_their_place(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("grads: {1: 2}\n")
    result = check(SEED, str(path))
    assert result.exit_code == 2 and "! grads.1: unknown answer name" in result.stdout


def test_mixed_lists_and_numbers_are_refused(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a1: [[1, 2], 3]\n")
    assert "! a1: mixes numbers and lists" in check(SEED, str(path)).stdout


def test_template_from_stdin_names_a_runnable_command():
    result = runner.invoke(app, ["answers", "-", "--blank"], input=open(SEED).read())
    assert "# mlpstep check CONFIG THIS_FILE" in result.stdout


GOLDEN = json.loads(open("tests/golden/torch_cases.json").read())["cases"]


def test_pytorch_values_pasted_at_full_precision_are_correct(tmp_path):
    for case in GOLDEN:
        expected = case["expected"]
        lines = [
            f"{section}.{key}: {json.dumps(value)}"
            for section in ("forward", "grads", "updated")
            for key, value in expected[section].items()
        ] + [f"loss: {json.dumps(expected['loss'])}"]
        answers = graded(case["config"], "\n".join(lines), tmp_path)
        assert all(answer.correct for answer in answers.values()), case["name"]


def test_answers_for_another_step_are_refused_with_the_fix(tmp_path):
    path = tmp_path / "step2.json"
    path.write_text(runner.invoke(app, ["run", "configs/adam.yaml", "--json", "--show-step", "2"]).stdout)
    result = check("configs/adam.yaml", str(path))
    assert (
        result.exit_code == 2
        and "these answers are for step 2, but step 1 is checked; add --show-step 2" in result.stderr
    )
    assert check("configs/adam.yaml", str(path), "--show-step", "2").exit_code == 0


def test_keys_for_a_later_step_and_the_final_parameters(tmp_path):
    key = runner.invoke(app, ["answers", "configs/adam.yaml", "--show-step", "3"]).stdout
    assert "# mlpstep check configs/adam.yaml THIS_FILE --show-step 3" in key and "final.W1:" in key
    assert check("configs/adam.yaml", "-", "--show-step", "3", input=key).exit_code == 0
    answers = graded(
        "configs/adam.yaml",
        "final.W1: [[1.00, 0.00, -1.00, 0.00], [0.00, 1.00, 0.00, -1.00]]\nfinal_loss: 8.5",
        tmp_path,
    )
    assert answers["final_loss"].correct and not answers["final.W1"].correct


def test_a_transposed_bias_gets_the_rule_for_a_bias(tmp_path):
    answers = graded(SEED, "w10n: [[-1.2, -1.2, -1, -1]]\nw10.grad: [[2, 2, 0, 0]]\n", tmp_path)
    for name in ("w10n", "w10.grad"):
        assert answers[name].hint.endswith(
            "the bias w10 is a column, n_out x 1, in the columns layout (or write it flat)"
        )


@pytest.mark.parametrize(
    "text",
    [
        "dL/dz2: [1, -1]\n",
        "dL/dW1: [[6, 6, 0, 0], [28, 28, 0, 0]]\n",
        "dL/dw10: [2, 2, 0, 0]\n",
        "Loss: 28\n",
        "LOSS: 28.0\n",
        "Loss_After: 0.1051\n",
    ],
)
def test_the_labels_run_prints_and_loss_in_any_case_are_answer_names(tmp_path, text):
    path = tmp_path / "a.yaml"
    path.write_text(text)
    result = check(SEED, str(path))
    assert result.exit_code == 0 and "1/1 correct" in result.stdout, result.output


@pytest.mark.parametrize("name,meant", [("dW1", "W1.grad"), ("dz2", "z2.grad"), ("dw10", "w10.grad")])
def test_a_gradient_written_as_d_name_gets_its_name_suggested(tmp_path, name, meant):
    path = tmp_path / "a.yaml"
    path.write_text(f"{name}: 1\n")
    assert f"! {name}: unknown answer name (did you mean {meant}?)" in check(SEED, str(path)).stdout


def test_expect_and_only_take_the_labels_run_prints(tmp_path):
    key = tmp_path / "key.yaml"
    key.write_text(runner.invoke(app, ["answers", SEED]).stdout)
    assert check(SEED, str(key), "--expect", "dL/dW1,Loss").exit_code == 0
    result = runner.invoke(app, ["run", SEED, "--json", "--only", "dL/dW1"])
    assert list(json.loads(result.stdout)["grads"]) == ["W1"]
    assert np.allclose(json.loads(result.stdout)["grads"]["W1"], [[6, 6, 0, 0], [28, 28, 0, 0]])


# -- grading you can trust (issue 13) ------------------------------------------------------

MAZUR = "configs/mazur.yaml"


def _zeros_like_key(config: str) -> str:
    """An answers file of every value of the step, each number replaced by 0."""
    import re

    return re.sub(r"(?<![\w.])-?[0-9][0-9.]*(?:e-?[0-9]+)?", "0", write_answers(trace_of(config)))


def test_an_all_zeros_answers_file_gets_every_nonzero_quantity_wrong(tmp_path):
    path = tmp_path / "zeros.yaml"
    path.write_text(_zeros_like_key(MAZUR))
    result = check(MAZUR, str(path), "--json")
    assert result.exit_code == 1
    (graded_file,) = json.loads(result.stdout)["files"]
    for answer in graded_file["answers"]:
        assert answer["correct"] == (not np.any(answer["expected"])), answer["name"]
    assert graded_file["correct"] == 0  # every value of Mazur's step is nonzero; it was 12/17 before the floor


@pytest.mark.parametrize(
    "text,correct",
    [
        ("loss: 0", False),
        ("loss: 0.3", False),
        ("loss: 0.30", False),
        ("loss: 0.298", True),
        ("loss: 0.2984", True),
        ("W1n: [[0, 0], [0, 0]]", False),
        ("W1.grad: [[0, 0], [0, 0]]", False),
        ("W1.grad: [[0.000439, 0.000877], [0.000498, 0.000995]]", True),
    ],
)
def test_the_precision_floor_needs_three_significant_digits(tmp_path, text, correct):
    (answer,) = graded(MAZUR, text, tmp_path).values()
    assert answer.correct == correct, (answer.expected, answer.hint)


def test_zero_for_a_tiny_value_beside_a_large_one_stays_right(tmp_path):
    assert graded(SEED, "a2: [1, 0]", tmp_path)["a2"].correct  # a2[1] = 6.9e-13 beside 1: within 1e-6 of the largest


def test_exact_values_written_exactly_stay_right(tmp_path):
    answers = graded(
        SEED, "a1: [2, 13, 0, 0]\nloss: 28\nz2.grad: [1, -1]\nW1n: [[0.4, -0.6, -1, 0], [-2.8, -1.8, 0, -1]]", tmp_path
    )
    assert all(answer.correct for answer in answers.values())


def test_a_coarse_answer_rounded_right_is_told_to_give_more_digits(tmp_path):
    answer = graded(MAZUR, "loss: 0.30", tmp_path)["loss"]
    assert not answer.correct
    assert (
        answer.hint
        == "rounded right, but too coarse: give 3 significant digits (within 0.5% of each value; see --min-rtol)"
    )


def test_min_rtol_sets_the_floor_from_the_command_line_and_the_config(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("loss: 0.30\n")  # 0.54% from 0.29837
    assert check(MAZUR, str(path)).exit_code == 1
    assert check(MAZUR, str(path), "--min-rtol", "0.01").exit_code == 0
    assert check(MAZUR, str(path), "--min-rtol", "0").exit_code == 0
    config = tmp_path / "mazur.yaml"
    config.write_text(Path(MAZUR).read_text() + "grading:\n  min_rtol: 0.01\n")
    assert check(str(config), str(path)).exit_code == 0
    assert check(str(config), str(path), "--min-rtol", "0.001").exit_code == 1  # the option wins


def test_min_rtol_with_rtol_is_refused_and_bad_values_name_the_field(tmp_path):
    result = check(SEED, "a.yaml", "--min-rtol", "0.01", "--rtol", "0.1")
    assert result.exit_code == 2 and "--min-rtol is the floor of the written-precision rule" in result.stderr
    config = tmp_path / "c.yaml"
    config.write_text(Path(SEED).read_text() + "grading:\n  min_rtol: 2\n")
    result = check(str(config), "a.yaml")
    assert result.exit_code == 2 and "grading.min_rtol: 2 is not a relative tolerance" in result.stderr


def test_one_unknown_name_never_zeroes_a_submission(tmp_path):
    path = tmp_path / "submission.yaml"
    path.write_text(write_answers(trace_of(SEED)) + "W1_new: [[1]]\nlos: 3\n")
    result = check(SEED, str(path), "--format", "gradescope")
    assert result.exit_code == 2
    results = json.loads(result.stdout)
    assert results["score"] == 17.0 and len(results["tests"]) == 17
    assert results["output"] == (
        "17/17 answers correct\nW1_new: unknown answer name (did you mean W1n?)\n"
        "los: unknown answer name (did you mean loss?)"
    )


def test_every_unknown_name_is_reported_and_the_known_answers_keep_their_verdicts(tmp_path):
    code, graded_file = checked_json(SEED, "a1: [2, 13, 0, 0]\nW1_new: 1\nloss: 27\nfoo: 2\n", tmp_path)
    assert code == 2
    assert [(a["written_as"], a["correct"]) for a in graded_file["answers"]] == [("a1", True), ("loss", False)]
    assert graded_file["problems"] == ["W1_new: unknown answer name (did you mean W1n?)", "foo: unknown answer name"]


def test_a_partial_submission_in_a_class_counts_what_it_left_out_as_wrong(tmp_path):
    (tmp_path / "full.yaml").write_text(write_answers(trace_of(SEED)))
    (tmp_path / "part.yaml").write_text("a1: [2, 13, 0, 0]\nloss: 28\nW1n: [[0.4, -0.6, -1, 0], [-2.8, -1.8, 0, -1]]\n")
    result = check(SEED, str(tmp_path / "full.yaml"), str(tmp_path / "part.yaml"), "--json")
    full, part = json.loads(result.stdout)["files"]
    assert (full["correct"], full["total"]) == (17, 17) and (part["correct"], part["total"]) == (3, 17)
    assert sum(a["hint"] == "missing: no answer given" for a in part["answers"]) == 14


def test_a_single_self_check_file_grades_what_it_answers_and_counts_the_rest(tmp_path):
    path = tmp_path / "part.yaml"
    path.write_text("a1: [2, 13, 0, 0]\nloss: 28\n")
    result = check(SEED, str(path))
    assert result.exit_code == 0
    assert f"{path}: 2/2 correct; 15 of 17 values not answered (--expect all counts them)" in result.stdout
    assert json.loads(check(SEED, str(path), "--json").stdout)["files"][0]["unanswered"] == 15


def test_gradescope_expects_every_value_by_default(tmp_path):
    path = tmp_path / "part.yaml"
    path.write_text("a1: [2, 13, 0, 0]\n")
    results = json.loads(check(SEED, str(path), "--format", "gradescope").stdout)
    assert results["score"] == 1.0 and len(results["tests"]) == 17


def test_the_config_says_what_is_asked(tmp_path):
    config = tmp_path / "seed.yaml"
    config.write_text(Path(SEED).read_text() + "grading:\n  expect: [a1, dL/dW1, W1n]\n")
    path = tmp_path / "part.yaml"
    path.write_text("a1: [2, 13, 0, 0]\n")
    result = check(str(config), str(path), "--json")
    (graded_file,) = json.loads(result.stdout)["files"]
    assert (graded_file["correct"], graded_file["total"]) == (1, 3)
    assert check(str(config), str(path), "--expect", "none").exit_code == 0  # the option wins
    config.write_text(Path(SEED).read_text() + "grading:\n  expect: [a1, W1_new]\n")
    result = check(str(config), str(path))
    assert result.exit_code == 2 and "grading.expect: W1_new is not an answer name" in result.stderr


def test_given_numbers_are_shown_as_written(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("loss_after: 0.10\nw20n: [-0.090, 2.1]\n")
    out = check(SEED, str(path)).stdout
    assert "│ 0.10* │" in out and "│ -0.090* │" in out and "│     2.1 │" in out


KINKED = {
    "input": [1, 1],
    "label": 1,
    "loss": "nll",
    "learning_rate": 0.1,  # z1 = [0, 1]: ReLU's kink at unit 0
    "layers": [
        {"weights": [[1, -1], [-1, 2]], "bias": [0, 0], "activation": "relu"},
        {"weights": [[1, 0], [0, 1]], "bias": [0, 0], "activation": "softmax"},
    ],
}


@pytest.mark.parametrize("used,uses", [(1, 0), (0.5, 0), (0, 1), (0.5, 1), (0, 0.5)])
@pytest.mark.parametrize("name", ["z1.grad", "W1.grad", "w10.grad", "W1n"])
def test_an_answer_worked_with_another_relu_convention_is_told_so(tmp_path, used, uses, name):
    theirs = mlpstep.step(mlpstep.load({**KINKED, "relu_grad_at_zero": used}))
    line = next(line for line in write_answers(theirs).splitlines() if line.startswith(f"{name}:"))
    answer = graded({**KINKED, "relu_grad_at_zero": uses}, line, tmp_path)[name]
    assert not answer.correct
    assert answer.hint == f"you used ReLU'(0) = {used:g}; this problem uses {uses:g} (relu_grad_at_zero)"


def test_the_output_a_given_for_dl_dz_is_the_label_not_subtracted(tmp_path):
    hint = graded(SEED, "z2.grad: [1, 0]", tmp_path)["z2.grad"].hint
    assert hint == "this is a2: the label was not subtracted (dL/dz2 = a2 - y for nll)"
    hint = graded(
        "configs/batch.yaml", "z2.grad: " + _row_of(trace_of("configs/batch.yaml").forward["a2"] / 3), tmp_path
    )
    assert hint["z2.grad"].hint.startswith("this is a2 / 3: the label was not subtracted")


def _row_of(value: np.ndarray) -> str:
    return json.dumps(np.round(value, 6).tolist())


THREE_CLASSES = {
    "input": [1, 2],
    "label": 0,
    "loss": "nll",
    "learning_rate": 0.1,
    "layers": [{"weights": [[0.5, -1, 0.25], [1, 0.5, -0.5]], "bias": [0, 0, 0], "activation": "softmax"}],
}


@pytest.mark.parametrize("k", [1, 2])
def test_the_loss_at_the_wrong_class_is_named(tmp_path, k):
    a = mlpstep.step(mlpstep.load(THREE_CLASSES)).forward["a1"][:, 0]
    answer = graded(THREE_CLASSES, f"loss: {-np.log(a[k]):.4f}", tmp_path)["loss"]
    assert not answer.correct and answer.hint == f"the loss at class {k}; the label is class 0"


def test_dl_da_of_the_output_is_answerable_where_the_loss_is_taken_of_a(tmp_path):
    answer = graded(MAZUR, "a2.grad: [0.7414, -0.2171]", tmp_path)["a2.grad"]  # Mazur's dE/dout_o1, dE/dout_o2
    assert answer.correct and answer.path == "grads.a2"
    assert "a2.grad" in write_answers(trace_of(MAZUR)) and "a2.grad" not in write_answers(trace_of(SEED))
    assert graded(MAZUR, "dL/da2: [-0.7414, 0.2171]", tmp_path)["dL/da2"].hint == "opposite sign"


def test_the_json_of_a_class_has_a_summary(tmp_path):
    (tmp_path / "full.yaml").write_text(write_answers(trace_of(SEED)))
    (tmp_path / "part.yaml").write_text("a1: [2, 13, 0, 0]\nW1_new: 1\n")
    (tmp_path / "broken.yaml").write_text("a1: [2, 13\n")
    files = [str(tmp_path / name) for name in ("full.yaml", "part.yaml", "broken.yaml")]
    report = json.loads(check(SEED, *files, "--json").stdout)
    assert report["summary"] == {
        "files": 3,
        "graded": 2,
        "not_gradable": 1,
        "all_correct": 1,
        "with_problems": 1,
        "mean_score": 9.0,
        "mean_fraction": pytest.approx((1 + 1 / 17) / 2),
    }
    assert [(f["correct"], f["total"]) for f in report["files"]] == [
        (17, 17),
        (1, 17),
        (0, 17),
    ]  # broken: its expected total


def test_a_wide_wrong_answer_fits_the_terminal(tmp_path):
    config = tmp_path / "wide.yaml"
    config.write_text(runner.invoke(app, ["init", "--layers", "4,30,5", "--batch", "50", "--seed", "1"]).stdout)
    path = tmp_path / "a.yaml"
    path.write_text(f"z2: {[[0.1] * 50] * 5}\n")

    def widest(*options: str) -> int:  # of the matrices' lines (the score line names a long temporary path)
        out = check(str(config), str(path), *options, env={"COLUMNS": "100"}).stdout
        return max(len(line) for line in out.splitlines() if line.startswith("    "))

    assert widest() == 100 and widest("--full") > 300


def test_a_file_of_unknown_names_only_is_not_counted_all_correct(tmp_path):
    (tmp_path / "a.yaml").write_text("W1_new: 1\n")
    (tmp_path / "b.yaml").write_text("a1: [2, 13, 0, 0]\n")
    files = [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]
    report = json.loads(check(SEED, *files, "--json", "--expect", "none").stdout)
    assert [(f["correct"], f["total"]) for f in report["files"]] == [(0, 0), (1, 1)]
    assert report["summary"]["all_correct"] == 1


def test_a_key_rounded_to_three_significant_digits_checks_n_of_n(tmp_path):
    key = tmp_path / "key.yaml"
    result = runner.invoke(app, ["answers", MAZUR, "--digits", "3"])
    key.write_text(result.stdout)
    assert result.stderr == "" and "W1.grad: [[0.000439, 0.000877], [0.000498, 0.000995]]" in result.stdout
    assert check(MAZUR, str(key)).stdout.endswith(": 18/18 correct\n")


def test_a_key_too_coarse_for_the_floor_is_written_with_a_warning(tmp_path):
    result = runner.invoke(app, ["answers", MAZUR, "--decimals", "4"])
    assert result.exit_code == 0 and "W1.grad: [[0.0004, 0.0009], [0.0005, 0.0010]]" in result.stdout
    assert result.stderr == (
        "warning: with --decimals 4, check marks 1 of this key's values wrong (W1.grad): its precision "
        "floor wants each within 0.5% of its value; give --digits 3 or more\n"
    )
    assert runner.invoke(app, ["answers", SEED, "--decimals", "4"]).stderr == ""  # the seed's values are whole or tiny


def test_decimals_and_digits_together_are_refused():
    result = runner.invoke(app, ["answers", SEED, "--decimals", "2", "--digits", "3"])
    assert result.exit_code == 2 and result.stderr == "error: --digits: --decimals and --digits both round; give one\n"
