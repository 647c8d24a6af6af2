"""The outputs teachers use (issue 15, item 6): Gradescope's results.json, one test per question
the config asks, and a CSV gradebook for any LMS."""

import csv
import io
import json
from pathlib import Path

import pytest
import test_points
from helpers import ROOT, SEED, SEED_TEXT, assert_refused, runner
from test_points import ASK, answers_text

from mlpstep.cli.app import app

# Gradescope's documented results.json (gradescope-autograders.readthedocs.io, "Output format")
RESULTS_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}  # fmt: skip
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}  # fmt: skip
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}

quiz = test_points.quiz
"""The fixture of test_points: the seed asking four questions, and a function writing answers."""


def gradescope(*args):
    result = runner.invoke(app, ["check", "quiz.yaml", *args, "--format", "gradescope"])
    return result, json.loads(result.stdout)


def test_gradescope_has_one_test_per_question_with_its_points_and_visibility(quiz):
    result, results = gradescope(quiz(W1n="[[9, -0.6, -1, 0], [-2.8, -1.8, 0, -1]]", w20n="[[-0.1], [9]]"))
    assert result.exit_code == 1
    assert set(results) <= RESULTS_KEYS and all(set(test) <= TEST_KEYS for test in results["tests"])
    assert results["score"] == 1 + 3.5 + 0 + 3 and results["stdout_visibility"] == "hidden"
    assert results["output"] == "7.5/10 points (2/4 answers correct)"
    tests = results["tests"]
    assert [t["name"] for t in tests] == ["forward.a1 (a1)", "updated.W1 (W1n)", "updated.w20 (w20n)", "loss"]
    assert [(t["score"], t["max_score"]) for t in tests] == [(1.0, 1.0), (3.5, 4.0), (0.0, 2.0), (3.0, 3.0)]
    assert [t["visibility"] for t in tests] == ["visible", "visible", "after_due_date", "visible"]
    assert [t["status"] for t in tests] == ["passed", "failed", "failed", "passed"]
    assert {t["visibility"] for t in tests} <= VISIBILITIES
    assert tests[1]["output"] == "partly right: 7 of 8 entries (3.5/4 points)\nwrong entries: W1n[0][0]"
    assert tests[2]["output"] == "wrong\nwrong entries: w20n[1][0]"


def test_gradescope_never_shows_the_expected_value_unless_revealed(quiz):
    mine = quiz(w20n="[[-0.1], [9]]", loss=None)
    _, hidden = gradescope(mine)
    assert "2.1" not in json.dumps(hidden) and "28" not in json.dumps(hidden)
    _, revealed = gradescope(mine, "--reveal")
    assert revealed["tests"][2]["output"].endswith("\nexpected: [[-0.1], [2.1]]")
    assert revealed["tests"][3]["output"] == "wrong\nhint: missing: no answer given\nexpected: 28"
    assert revealed["tests"][1]["output"] == "correct"  # a right answer (worth partial credit) needs no reveal


def test_reveal_is_for_gradescope_only(quiz):
    assert_refused(runner.invoke(app, ["check", "quiz.yaml", quiz(), "--reveal"]), "--reveal", "gradescope")


def rows(result):
    return list(csv.reader(io.StringIO(result.stdout)))


def test_the_csv_gradebook_has_a_row_per_file_and_a_column_per_question(quiz, tmp_path):
    bob = quiz("bob.yaml", W1n="[[9, -0.6, -1, 0], [-2.8, -1.8, 0, -1]]", loss=None)
    (tmp_path / "carol.yaml").write_text("a1: [2, 13\n")
    result = runner.invoke(app, ["check", "quiz.yaml", quiz(), bob, "carol.yaml", "--format", "csv"])
    assert result.exit_code == 2  # carol's file cannot be read
    assert rows(result) == [
        ["file", "student", "score", "max_score", "a1", "W1n", "w20n", "loss"],
        ["mine.yaml", "", "10", "10", "1", "4", "2", "3"],
        ["bob.yaml", "", "6.5", "10", "1", "3.5", "2", "0"],
        ["carol.yaml", "", "0", "10", "", "", "", ""],
    ]


def test_the_csv_without_ask_has_a_point_per_answer(tmp_path):
    (tmp_path / "a.yaml").write_text("a1: [2, 13, 0, 0]\nloss: 27\n")
    result = runner.invoke(app, ["check", SEED, str(tmp_path / "a.yaml"), "--format", "csv"])
    assert rows(result) == [["file", "student", "score", "max_score", "a1", "loss"],
                            [str(tmp_path / "a.yaml"), "", "1", "2", "1", "0"]]  # fmt: skip


@pytest.mark.parametrize("name", ["=HYPERLINK(1).yaml", "+1.yaml", "-x.yaml", "@SUM.yaml"])
def test_a_file_name_that_looks_like_a_formula_stays_text(quiz, name):
    quiz(name)
    result = runner.invoke(app, ["check", "--format", "csv", "quiz.yaml", "--", name])
    assert rows(result)[1][0] == "'" + name


def test_a_file_name_with_a_comma_quote_or_line_break_keeps_its_row(quiz):
    name = 'a, "b"\nc.yaml'
    quiz(name)
    result = runner.invoke(app, ["check", "quiz.yaml", name, "--format", "csv"])
    assert [row[:3] for row in rows(result)] == [["file", "student", "score"], [name, "", "10"]]


AUTOGRADER = ROOT / "configs" / "run_autograder"


def run_autograder(root, submission: dict[str, str]):
    """The example run_autograder on a fake /autograder tree at ``root``: its results.json."""
    import os
    import subprocess
    import sys

    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "source" / "problem.yaml").write_text(SEED_TEXT + ASK)
    for name, text in submission.items():
        (root / "submission" / name).write_text(text)
    env = {
        **os.environ,
        "AUTOGRADER": str(root),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(["bash", str(AUTOGRADER)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder_grades_the_submission(tmp_path):
    answers = answers_text(W1n="[[9, -0.6, -1, 0], [-2.8, -1.8, 0, -1]]")
    results = run_autograder(tmp_path / "autograder", {"-my answers.yaml": answers, "notes.txt": "hello"})
    assert set(results) <= RESULTS_KEYS and all(set(test) <= TEST_KEYS for test in results["tests"])
    assert results["score"] == 9.5 and len(results["tests"]) == 4


def test_run_autograder_without_an_answers_file_scores_nothing(tmp_path):
    results = run_autograder(tmp_path / "autograder", {"answers.txt": "a1: 1"})
    assert results["score"] == 0 and "no answers file" in results["output"] and results["tests"] == []


def test_run_autograder_reports_a_broken_answers_file(tmp_path):
    results = run_autograder(tmp_path / "autograder", {"answers.yaml": "a1: [2, 13\n"})
    assert results["score"] == 0 and results["output"].startswith("error: YAML syntax error")


def test_the_readme_shows_the_run_autograder_script():
    import re
    import textwrap

    readme = (ROOT / "README.md").read_text()
    blocks = [b for b in re.findall(r"```\w*\n(.*?)```", readme, re.S) if "#!/usr/bin/env bash" in b]
    assert [textwrap.dedent(block) for block in blocks] == [AUTOGRADER.read_text()]


def test_the_csv_heads_each_question_as_the_config_names_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(SEED_TEXT + "ask: [forward.a1, dL/dW1]\n")
    (tmp_path / "a.yaml").write_text("a1: [2, 13, 0, 0]\n")
    assert rows(runner.invoke(app, ["check", "c.yaml", "a.yaml", "--format", "csv"]))[0][4:] == ["forward.a1", "dL/dW1"]


def test_run_autograder_grades_a_variants_class_by_gradescope_s_metadata(tmp_path):
    import os
    import subprocess
    import sys

    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    template = tmp_path / "template.yaml"
    template.write_text(
        "input: {draw: integers, low: -3, high: 3, shape: [2]}\nlabel: {draw: choice, values: [0, 1]}\nloss: nll\n"
        "learning_rate: 0.1\nlayers:\n  - weights: {draw: integers, low: -2, high: 2, shape: [2, 3]}\n"
        "    bias: [0, 0, 0]\n    activation: relu\n  - weights: {draw: integers, low: -2, high: 2, shape: [3, 2]}\n"
        "    bias: [0, 0]\n    activation: softmax\n"
    )
    made = runner.invoke(
        app, ["variants", str(template), "--count", "3", "--seed", "5", "-o", str(root / "source" / "variants")]
    )
    assert made.exit_code == 0, made.output
    key = runner.invoke(app, ["answers", str(root / "source" / "variants" / "2.yaml")]).stdout
    (root / "submission" / "my answers.yaml").write_text(key)  # named by nobody: the metadata says whose
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": "2", "email": "s2@example.edu"}]}))
    env = {
        **os.environ,
        "AUTOGRADER": str(root),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(["bash", str(AUTOGRADER)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 17.0 and len(results["tests"]) == 17  # student 2's own variant: every answer right
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": "3"}]}))
    done = subprocess.run(["bash", str(AUTOGRADER)], env=env, capture_output=True, text=True, timeout=120)
    assert json.loads((root / "results" / "results.json").read_text())["score"] < 17  # against student 3's: wrong


def test_a_variants_class_gradebook_names_each_student(tmp_path):
    import csv
    import io

    variants = tmp_path / "variants"
    for sid in ("s1", "s2"):
        (tmp_path / f"{sid}.yaml").write_text(
            SEED_TEXT.replace("input: [3, 14]", "input: [3, 15]") if sid == "s2" else SEED_TEXT
        )
    variants.mkdir()
    for sid in ("s1", "s2"):
        (variants / f"{sid}.yaml").write_text((tmp_path / f"{sid}.yaml").read_text() + f"student: {sid}\n")
        (tmp_path / f"{sid}-answers.yaml").write_text(
            f"student: {sid}\n" + runner.invoke(app, ["answers", str(variants / f"{sid}.yaml")]).stdout
        )
    files = [str(tmp_path / "s1-answers.yaml"), str(tmp_path / "s2-answers.yaml")]
    rows = list(
        csv.reader(
            io.StringIO(runner.invoke(app, ["check", "--variants", str(variants), *files, "--format", "csv"]).stdout)
        )
    )
    assert [(row[1], row[2], row[3]) for row in rows[1:]] == [("s1", "17", "17"), ("s2", "17", "17")]
    report = json.loads(runner.invoke(app, ["check", "--variants", str(variants), *files, "--json"]).stdout)
    assert [f["student"] for f in report["files"]] == ["s1", "s2"]
