"""Names: one entry of any value (``W1n[0][1]``, ``a1[2]``) and a config's course names (``names:
{w5: "W2[0][0]"}``), everywhere a name is accepted: answers files, --only, --explain, --expect."""

import json
import re

import numpy as np
import pytest
from helpers import SEED, SEED_TEXT, assert_refused, deadline, runner

from mlpstep.cli.app import app
from mlpstep.engine import step
from mlpstep.errors import ConfigError, OptionError
from mlpstep.loading.config import load, validate
from mlpstep.quantities import answer_names, answer_paths, expected_value, locate, quantity_shapes

ROWS = "configs/rows.yaml"
MAZUR = "configs/mazur.yaml"

MAZUR_POST = """\
# Matt Mazur, "A Step by Step Backpropagation Example": every number of his post, by his names
net_h1: 0.3775
out_h1: 0.593269992
out_h2: 0.596884378
net_o1: 1.105905967
out_o1: 0.75136507
out_o2: 0.772928465
E_total: 0.298371109
out_o1.grad: 0.74136507      # dE_total/dout_o1
net_o1.grad: 0.138498562     # dE_total/dnet_o1
w5.grad: 0.082167041         # dE_total/dw5
w5+: 0.35891648
w6+: 0.408666186
w7+: 0.511301270
w8+: 0.561370121
out_h1.grad: 0.036350306     # dE_total/dout_h1
w1.grad: 0.000438568         # dE_total/dw1
w1+: 0.149780716
w2+: 0.19956143
w3+: 0.24975114
w4+: 0.29950229
"""


def check(config, text, tmp_path, *options):
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    return runner.invoke(app, ["check", config, str(path), "--json", *options])


def answers_of(result):
    return {answer["written_as"]: answer for answer in json.loads(result.stdout)["files"][0]["answers"]}


def test_mazur_post_checks_number_by_number_by_his_names(tmp_path):
    result = check(MAZUR, MAZUR_POST, tmp_path)
    answers = answers_of(result)
    assert result.exit_code == 0, result.stdout
    assert len(answers) == 20 and all(answer["correct"] for answer in answers.values())
    assert answers["w5.grad"]["name"] == "grads.W2[0][0]" and answers["w5+"]["name"] == "updated.W2[0][0]"
    assert answers["net_o1.grad"]["expected"] == pytest.approx(0.138498562, abs=5e-10)
    assert answers["E_total"]["name"] == "loss" and answers["out_h2"]["name"] == "forward.a1[0][1]"


def test_a_wrong_number_of_mazur_is_named_as_he_wrote_it(tmp_path):
    result = runner.invoke(app, ["check", MAZUR, "-"], input="w5+: 0.4\nw1.grad: 0.000438568\n")
    assert result.exit_code == 1
    assert "✗ w5+ (updated.W2[0][0])" in result.stdout and "✓ w1.grad (grads.W1[0][0])" in result.stdout


@pytest.mark.parametrize(
    "config,text",
    [
        (SEED, "W1n[0][1]: -0.6\nW1n[1,0]: -2.8\na1[1]: 13\nz2.grad[1]: -1\ngrads.W1[1][0]: 28\nloss: 28.0\n"),
        (ROWS, "W1n[1][0]: -0.6\nW1n[0,1]: -2.8\na1[1]: 13\nz2.grad[1]: -1\ngrads.W1[0][1]: 28\nb1n[2]: -1\n"),
    ],
)
def test_single_entries_are_graded_as_numbers_in_both_layouts(config, text, tmp_path):
    result = check(config, text, tmp_path)
    assert result.exit_code == 0, result.stdout
    assert all(answer["correct"] for answer in answers_of(result).values())


def test_an_entry_is_keyed_by_its_path_and_index_and_shown_as_written(tmp_path):
    answers = answers_of(check(SEED, "a1[1]: 13\nw10n[0]: -1.2\n", tmp_path))
    assert answers["a1[1]"]["name"] == "forward.a1[1][0]"  # a flat index on a column
    assert answers["w10n[0]"]["name"] == "updated.w10[0][0]" and answers["w10n[0]"]["expected"] == -1.1999999999998616


def test_an_entry_and_its_whole_value_are_both_graded_but_an_entry_twice_is_a_problem(tmp_path):
    result = check(SEED, "W1n: [[0.4, -0.6, -1, 0], [-2.8, -1.8, 0, -1]]\nW1n[0][1]: -0.6\nW1n[0,1]: -0.6\n", tmp_path)
    report = json.loads(result.stdout)["files"][0]
    assert [answer["name"] for answer in report["answers"]] == ["updated.W1", "updated.W1[0][1]"]
    assert report["problems"] == ["W1n[0,1]: a second answer for updated.W1[0][1]; keep one (the first is graded)"]


def test_an_entry_counts_its_value_as_answered(tmp_path):
    report = json.loads(check(SEED, "a1[1]: 13\n", tmp_path).stdout)["files"][0]
    assert report["unanswered"] == 16  # of 17 values


def test_the_floor_of_an_entry_is_relative_to_its_whole_value(tmp_path):
    # a2 = [1, 6.9e-13]: 0 is right for the small one beside the 1, in the whole value as alone
    answers = answers_of(check(SEED, "a2[1]: 0\nz2.grad[1]: -1.0\n", tmp_path))
    assert answers["a2[1]"]["correct"]


def test_a_wrong_entry_gets_the_hint_of_its_cell(tmp_path):
    answers = answers_of(check(SEED, "z2.grad[0]: -1.0\nW2.grad[1][0]: -13\n", tmp_path))
    assert answers["z2.grad[0]"]["hint"] == "opposite sign" and answers["W2.grad[1][0]"]["hint"] == "opposite sign"


@pytest.mark.parametrize(
    "line,problem",
    [
        ("W1n[2][0]: 1", "W1n[2][0]: W1n is 2x4, so index 2 is out of range (0 to 1)"),
        ("W1n[0]: 1", "W1n[0]: W1n is 2x4; write 2 indices, e.g. W1n[0,0]"),
        ("a1[0][0][0]: 1", "a1[0][0][0]: a1 is 4x1; write 2 indices, e.g. a1[0,0]"),
        ("a1[x]: 1", "a1[x]: a1 is 4x1; write 2 indices, e.g. a1[0,0]"),
    ],
)
def test_an_index_that_does_not_fit_is_a_problem_of_the_file(line, problem, tmp_path):
    result = check(SEED, f"{line}\na1: [2, 13, 0, 0]\n", tmp_path)
    report = json.loads(result.stdout)["files"][0]
    assert result.exit_code == 2 and report["problems"] == [problem] and report["correct"] == 1


@pytest.mark.parametrize("option", ["--only", "--explain"])
@pytest.mark.parametrize(
    "name,message",
    [
        ("[", "names nothing in this run"),
        ("loss[5]", "loss[5]: loss is a number; write it without an index"),
        ("W1n[0]x", "names nothing in this run"),
    ],
)
def test_a_name_that_is_no_entry_is_refused_in_one_line(option, name, message):
    result = runner.invoke(app, ["run", SEED, option, name])
    assert result.exit_code == 2 and "internal error" not in result.stderr
    if option == "--only":
        assert_refused(result, message)


def test_an_index_on_a_number_is_a_problem_of_the_file(tmp_path):
    report = json.loads(check(SEED, "loss[5]: 28\nloss_after[]: 0.105\n", tmp_path).stdout)["files"][0]
    assert report["problems"] == ["loss[5]: loss is a number; write it without an index"]
    assert [answer["name"] for answer in report["answers"]] == ["loss_after"]


def test_expect_takes_entries_and_course_names(tmp_path):
    result = check(MAZUR, "w5+: 0.35891648\n", tmp_path, "--expect", "w5+,w1.grad,W1n[1][1]")
    report = json.loads(result.stdout)["files"][0]
    assert (report["correct"], report["total"]) == (1, 3)
    assert [answer["name"] for answer in report["answers"] if answer["hint"] == "missing: no answer given"] == [
        "grads.W1[0][0]",
        "updated.W1[1][1]",
    ]


@pytest.mark.parametrize(
    "config,updated,forward",
    [(SEED, {"W1[0][1]": -0.6}, {"a1[1][0]": 13.0}), (ROWS, {"W1[0][1]": -2.8}, {"a1[0][1]": 13.0})],
)
def test_only_shows_one_entry_alone_in_both_layouts(config, updated, forward):
    data = json.loads(runner.invoke(app, ["run", config, "--only", "W1n[0][1],a1[1]", "--json"]).stdout)
    assert data["updated"] == pytest.approx(updated) and data["forward"] == forward


def test_only_takes_course_names():
    result = runner.invoke(app, ["run", MAZUR, "--only", "w5,w5.grad,w5+,E_total", "--json"])
    data = json.loads(result.stdout)
    assert data["given"] == {"W2[0][0]": 0.4} and data["loss"] == 0.2983711087600027
    assert data["grads"] == {"W2[0][0]": 0.08216704056423078} and data["updated"] == {"W2[0][0]": 0.35891647971788465}


def test_only_names_an_entry_by_its_course_name_in_its_title():
    result = runner.invoke(app, ["run", MAZUR, "--only", "out_o1"])
    assert "a2 = sigmoid(z2), entry [0][0] (out_o1)" in result.stdout


@pytest.mark.parametrize("entry", ["W1n[1][0]", "W1n[1,0]", "W1[1,0]", "updated.W1[1][0]"])
def test_explain_takes_every_entry_syntax(entry):
    result = runner.invoke(app, ["run", SEED, "--explain", entry, "--only", "updated"])
    assert result.exit_code == 0 and "W1[1,0] ←" in result.stdout


def test_explain_takes_course_names():
    result = runner.invoke(app, ["run", MAZUR, "--explain", "w5+ w5.grad net_h1", "--only", "forward,grads,updated"])
    assert result.exit_code == 0, result.stderr
    assert "W2[0,0] ← 0.4 - 0.5·0.082167 = 0.358916" in result.stdout


@pytest.mark.parametrize(
    "names,message",
    [
        ('{w5: "W2[2][0]"}', "names.w5: W2[2][0]: W2 is 2x2, so index 2 is out of range (0 to 1)"),
        ('{w5: "W9[0][0]"}', "names.w5: 'W9[0][0]' names no value of this network"),
        ('{w5: "W2[0]"}', "names.w5: W2[0]: W2 is 2x2; write 2 indices, e.g. W2[0,0]"),
        ('{a1: "a2[0]"}', "names.a1: a1 already names forward.a1; choose another course name"),
        ('{"w.5": a1}', "names.w.5: not a course name"),
        ("{w5: 3}", "names.w5: 3 is a number; give the name it stands for"),
        ("[w5]", "names: a list; give a mapping of course names to names"),
        ('{w5: "W2[0][0]", w5n: "a1[0]"}', "names.w5n: w5n already names the updated value of w5"),
    ],
)
def test_a_bad_course_name_is_a_config_error_naming_it(names, message, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(re.sub(r"names: \{[^}]*\}", lambda _: f"names: {names}", open(MAZUR).read()))
    assert_refused(runner.invoke(app, ["validate", str(path)]), message)


def test_a_config_declares_course_names_of_entries_and_values():
    problem = load(MAZUR)
    assert problem.names["w5"] == "W2[0][0]" and problem.names["E_total"] == "loss"
    names = answer_names(step(problem))
    assert (names["w5.grad"], names["w5n"], names["w5+"]) == ("grads.W2[0][0]", "updated.W2[0][0]", "updated.W2[0][0]")
    assert "w5" not in names  # the weight before the step is given, not an answer


def test_locate_is_one_function_for_every_place_a_name_is_taken():
    trace = step(load(SEED))
    shapes, names = quantity_shapes(trace.problem), answer_names(trace)
    assert locate("W1n[0][1]", names, shapes, OptionError, "ask") == "updated.W1[0][1]"
    assert locate("W1n", names, shapes, OptionError, "ask") == "updated.W1"
    assert locate("nothing[0]", names, shapes, OptionError, "ask") is None
    with pytest.raises(OptionError, match="^ask: W1n\\[9\\]\\[0\\]: W1n is 2x4, so index 9"):
        locate("W1n[9][0]", names, shapes, OptionError, "ask")


@pytest.mark.parametrize("config", ["configs/seed.yaml", "configs/rows.yaml", "configs/mazur.yaml",
                                    "configs/adam.yaml", "configs/batch.yaml", "configs/three_layer.yaml",
                                    "configs/sigmoid_squared.yaml"])  # fmt: skip
def test_quantity_shapes_are_the_shapes_of_the_step(config):
    trace = step(load(config))
    shapes = quantity_shapes(trace.problem)
    assert {path for path in shapes if not path.startswith("given.")} == set(answer_paths(trace))
    for path in answer_paths(trace):
        assert np.shape(expected_value(trace, path)) == shapes[path]
    assert {f"given.{key}": np.shape(value) for key, value in trace.given.items()} == {
        path: shape for path, shape in shapes.items() if path.startswith("given.")
    }


def test_a_course_name_in_a_dict_config():
    data = {**__import__("yaml").safe_load(SEED_TEXT), "names": {"h3": "a1[2]"}}
    assert answer_names(step(validate(data)))["h3"] == "forward.a1[2][0]"
    with pytest.raises(ConfigError, match="names.h3"):
        validate({**data, "names": {"h3": "a1[7]"}})


def test_answers_writes_a_key_by_the_course_names_that_checks_full():
    key = runner.invoke(app, ["answers", MAZUR, "--names", "course"]).stdout
    assert "\nw5.grad: 0.08216704056423078\nw6.grad:" in key and "\nw1+: 0.1497807161327628\n" in key
    assert "\nE_total: 0.2983711087600027\n" in key and "\nb2.grad: 0.10040032511200075\n" in key  # no course name
    result = runner.invoke(app, ["check", MAZUR, "-", "--expect", "all"], input=key)
    assert result.exit_code == 0 and "38/38 correct" in result.stdout


def test_answers_by_course_names_are_notebook_names_without_them():
    assert (
        runner.invoke(app, ["answers", SEED, "--names", "course"]).stdout
        == runner.invoke(app, ["answers", SEED]).stdout
    )


def test_a_value_asked_for_is_answered_entry_by_entry_and_its_entries_left_out_are_missing(tmp_path):
    result = check(MAZUR, "w1+: 0.149780716\nw2+: 0.19956143\nw3+: 0.24975114\nw4+: 0.29950229\nw5+: 0.35891648\n",
                   tmp_path, "--expect", "W1n,W2n,loss")  # fmt: skip
    report = json.loads(result.stdout)["files"][0]
    assert (report["correct"], report["total"]) == (5, 9)
    missing = [answer["name"] for answer in report["answers"] if answer["hint"] == "missing: no answer given"]
    assert missing == ["updated.W2[0][1]", "updated.W2[1][0]", "updated.W2[1][1]", "loss"]


@pytest.mark.parametrize("name", ["[]" * 100_000 + "x", "a1" + "[]" * 100_000, "a1" + "[0]" * 100_000, "a1[" * 100_000])
def test_a_name_of_many_brackets_is_read_in_linear_time(name):
    trace = step(load(SEED))
    with deadline(5):
        try:
            locate(name, answer_names(trace), quantity_shapes(trace.problem), OptionError, "ask")
        except OptionError as e:
            assert len(str(e)) < 300


@pytest.mark.parametrize("config,name,answer", [(MAZUR, "w5", "w5.grad or w5+"), (SEED, "W1", "W1.grad or W1n")])
def test_a_parameter_before_the_step_is_no_answer_and_says_what_is(config, name, answer, tmp_path):
    report = json.loads(check(config, f"{name}: 0.4\n", tmp_path).stdout)["files"][0]
    assert report["problems"] == [f"{name}: given (the value before the step), not worked out; answer {answer}"]


@pytest.mark.parametrize(
    "explain,lines",
    [
        ("", ["e.g. dL/dW2[0,0] = 0.59327·0.138499 = 0.082167", "e.g. dL/dW2[0,1] = 0.596884·0.138499 = 0.0826676"]),
        ("w5.grad", ["e.g. dL/dW2[0,0] = 0.59327·0.138499 = 0.082167"]),
        ("W2.grad[0,1]", ["e.g. dL/dW2[0,1] = 0.596884·0.138499 = 0.0826676"]),
    ],
)
def test_explain_works_out_the_entries_only_shows_alone(explain, lines):
    result = runner.invoke(app, ["run", MAZUR, "--only", "w5.grad,w6.grad", "--explain", explain])
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if line.startswith("e.g.")] == lines


def test_explain_of_an_entry_only_leaves_out_says_so():
    result = runner.invoke(app, ["run", MAZUR, "--only", "w5.grad", "--explain", "w8.grad"])
    assert_refused(result, "--explain: w8.grad: --only leaves grads.W2[1][1] out; add it to --only")
