"""Error carried forward (issue 15, item 3): a wrong answer that follows from the student's own
earlier answers says so and earns the configured credit."""

import json

import numpy as np
import pytest
from helpers import SEED, SEED_TEXT, runner

import mlpstep
from mlpstep.cli.app import app
from mlpstep.grade.carry import rules
from mlpstep.quantities import answer_paths, expected_value

CONFIGS = ["configs/seed.yaml", "configs/rows.yaml", "configs/batch.yaml", "configs/mazur.yaml",
           "configs/sigmoid_squared.yaml", "configs/three_layer.yaml", "configs/adam.yaml"]  # fmt: skip


def shared_bias(tmp_path):
    path = tmp_path / "shared.yaml"
    path.write_text(SEED_TEXT.replace("bias: [0, 2]", "bias: 0.5").replace("layers:", "layout: rows\nlayers:", 1)
                    .replace("[[1, 0, -1, 0], [0, 1, 0, -1]]", "[[1, 0], [0, 1], [-1, 0], [0, -1]]")
                    .replace("[[1, -1], [1, -1], [1, -1], [1, -1]]", "[[1, 1, 1, 1], [-1, -1, -1, -1]]"))  # fmt: skip
    return str(path)


@pytest.fixture(params=CONFIGS + ["shared"])
def trace(request, tmp_path):
    config = shared_bias(tmp_path) if request.param == "shared" else request.param
    return mlpstep.step(mlpstep.load(config))


def covered(trace):
    return [path for path in answer_paths(trace) if rules(trace, path)]


def test_every_quantity_with_a_formula_takes_part(trace):
    paths = set(covered(trace))
    L = len(trace.problem.layers)
    expected = {p for p in answer_paths(trace) if not p.startswith("final") and p != "final_loss"}
    expected -= {"forward.z1"}  # from x and W1, which are given
    expected -= {f"updated.{name}" for name in trace.problem.freeze}
    if trace.shown > 1 and trace.problem.optimizer.keeps_state:
        expected -= {p for p in expected if p.startswith("updated.")}
    assert paths == expected and f"forward.a{L}" in paths


def test_each_formula_of_the_right_inputs_is_the_right_value(trace):
    """Every rule, fed the step's own values, gives the step's value: the formulas are the engine's."""
    for path in covered(trace):
        for _inputs, formula in rules(trace, path):
            value = formula(lambda p: expected_value(trace, p))
            np.testing.assert_allclose(value, expected_value(trace, path), rtol=1e-9, atol=1e-12, err_msg=path)


def test_an_answer_worked_from_a_wrong_input_gets_the_credit(trace, tmp_path):
    """For every quantity: one input made wrong (each entry + 1), the answer worked from it."""
    rng = np.random.default_rng(0)
    for path in covered(trace):
        inputs, formula = rules(trace, path)[0]
        source = inputs[0]
        wrong_input = expected_value(trace, source) + rng.integers(1, 3, np.shape(expected_value(trace, source)))
        follows = formula(
            lambda p, source=source, wrong=wrong_input: wrong if p == source else expected_value(trace, p)
        )
        if np.allclose(follows, expected_value(trace, path), rtol=1e-3, atol=1e-9):
            continue  # the wrong input changes nothing here (a ReLU that is off, a frozen path): just right
        answers = {source: wrong_input.tolist(), path: np.asarray(follows).tolist()}
        graded = grade(trace, answers, tmp_path)
        assert graded[path]["hint"].startswith("follows from your "), (path, graded[path]["hint"])
        assert graded[path]["points"] == 1.0 and not graded[path]["correct"]


def grade(trace, answers, tmp_path, *options):
    """Grade ``answers`` (paths -> values) by the CLI, for the trace's config; by path."""
    from mlpstep.grade.answers import read_answers
    from mlpstep.grade.carry import carry_forward
    from mlpstep.grade.grading import grade as grade_answers
    from mlpstep.grade.tolerance import Tolerance
    from mlpstep.quantities import answer_names

    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    submission = read_answers(str(path), answer_names(trace))
    graded = grade_answers(trace, submission, Tolerance())
    carry_forward(trace, graded, Tolerance(), *options)
    return {a.path: {"hint": a.hint, "points": a.points, "correct": a.correct} for a in graded}


def check_json(tmp_path, text, *options, config=SEED):
    (tmp_path / "a.yaml").write_text(text)
    result = runner.invoke(app, ["check", config, str(tmp_path / "a.yaml"), "--json", *options])
    return {a["written_as"]: a for a in json.loads(result.stdout)["files"][0]["answers"]}


# the seed worked by hand with a1's first entry 3 instead of 2, and dL/da1 of 3s instead of 2s
CHAIN = """\
a1: [3, 13, 0, 0]
z2: [16, -14]
loss: 30
a1.grad: [3, 3, 3, 3]
z1.grad: [3, 3, 0, 0]
W1.grad: [[9, 9, 0, 0], [42, 42, 0, 0]]
w10.grad: [3, 3, 0, 0]
W1n: [[0.1, -0.9, -1, 0], [-4.2, -3.2, 0, -1]]
"""


def test_a_chain_of_errors_worked_by_hand(tmp_path):
    answers = check_json(tmp_path, CHAIN)
    hints = {name: (a["hint"], a["points"]) for name, a in answers.items()}
    assert hints == {
        "a1": (None, 0.0),
        "z2": ("follows from your a1", 1.0),  # W2ᵀ [3, 13, 0, 0] + [0, 2]
        "loss": ("follows from your z2", 1.0),  # -log softmax([16, -14])[1] = 30
        "a1.grad": (None, 0.0),
        "z1.grad": ("follows from your a1.grad", 1.0),  # ReLU'(z1) = [1, 1, 0, 0]
        "W1.grad": ("follows from your z1.grad", 1.0),  # x [3, 3, 0, 0]ᵀ, x = [3, 14]
        "w10.grad": ("follows from your z1.grad", 1.0),
        "W1n": ("follows from your W1.grad", 1.0),  # W1 - 0.1 W1.grad
    }


def test_half_and_none_credit(tmp_path):
    assert check_json(tmp_path, CHAIN, "--carry-forward", "half")["z2"]["points"] == 0.5
    none = check_json(tmp_path, CHAIN, "--carry-forward", "none")["z2"]
    assert (none["points"], none["hint"]) == (0.0, "follows from your a1")


def test_the_config_sets_the_credit(tmp_path):
    (tmp_path / "c.yaml").write_text(SEED_TEXT + "grading: {carry_forward: half}\n")
    assert check_json(tmp_path, CHAIN, config=str(tmp_path / "c.yaml"))["z2"]["points"] == 0.5
    assert check_json(tmp_path, CHAIN, "--carry-forward", "full", config=str(tmp_path / "c.yaml"))["z2"]["points"] == 1


def test_with_partial_questions_the_credit_is_of_the_points(tmp_path):
    ask = "ask: [a1, {name: z2, points: 4, partial: true}]\ngrading: {carry_forward: half}\n"
    (tmp_path / "c.yaml").write_text(SEED_TEXT + ask)
    assert (
        check_json(tmp_path, "a1: [3, 13, 0, 0]\nz2: [16, -14]\n", config=str(tmp_path / "c.yaml"))["z2"]["points"]
        == 2.0
    )


def test_it_does_not_fire_when_the_inputs_are_right(tmp_path):
    answers = check_json(tmp_path, "a1: [2, 13, 0, 0]\nz2: [16, -14]\n")
    assert answers["z2"]["hint"] != "follows from your a1" and answers["z2"]["points"] == 0.0


def test_it_does_not_fire_without_the_inputs(tmp_path):
    answers = check_json(tmp_path, "z2: [16, -14]\n")
    assert answers["z2"]["hint"] is None and answers["z2"]["points"] == 0.0


def test_it_does_not_fire_when_the_answer_does_not_follow(tmp_path):
    answers = check_json(tmp_path, "a1: [3, 13, 0, 0]\nz2: [17, -14]\n")
    assert answers["z2"]["points"] == 0.0 and answers["z2"]["hint"] is None


def test_it_uses_the_same_tolerance_as_a_direct_answer(tmp_path):
    # z2 from a1 = [3.3, 13, 0, 0] is [16.3, -14.3]: 16.30 is right as written, 16.2 is not (+-0.05)
    assert check_json(tmp_path, "a1: [3.3, 13, 0, 0]\nz2: [16.30, -14.30]\n")["z2"]["points"] == 1.0
    assert check_json(tmp_path, "a1: [3.3, 13, 0, 0]\nz2: [16.2, -14.3]\n")["z2"]["points"] == 0.0


def test_a_gradescope_test_says_it_follows(tmp_path):
    (tmp_path / "a.yaml").write_text("a1: [3, 13, 0, 0]\nz2: [16, -14]\n")
    result = runner.invoke(app, ["check", SEED, str(tmp_path / "a.yaml"), "--format", "gradescope", "--expect", "none"])
    z2 = json.loads(result.stdout)["tests"][1]
    assert (z2["score"], z2["output"]) == (1.0, "wrong\nwrong entries: z2[0][0], z2[1][0]\nhint: follows from your a1")


def test_credit_carried_forward_makes_the_score_read_as_points(tmp_path):
    (tmp_path / "a.yaml").write_text(CHAIN)
    result = runner.invoke(app, ["check", SEED, str(tmp_path / "a.yaml")])
    assert "a.yaml: 6/8 points (0/8 correct); 9 of 17 values not answered" in result.stdout


def test_a_file_costs_at_most_one_more_forward_pass(monkeypatch, tmp_path):
    """Each rule is one layer's work; only loss_after runs the network (a file of wrong answers
    cannot make check run it once per answer)."""
    import mlpstep.grade.carry as carry

    trace = mlpstep.step(mlpstep.load("configs/three_layer.yaml"))
    calls = []
    monkeypatch.setattr(carry, "forward", lambda *args: calls.append(args) or mlpstep.engine.forward(*args))
    answers = {path: (np.asarray(expected_value(trace, path)) * 1.5 + 1).tolist() for path in answer_paths(trace)}
    grade(trace, answers, tmp_path)
    assert len(calls) <= 1
