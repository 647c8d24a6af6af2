"""Questions, points and partial credit: a config's ``ask`` says what is graded and what each
answer is worth (issue 15, item 2)."""

import json

import pytest
from helpers import SEED_TEXT, assert_refused, runner

from mlpstep.cli.app import app

ASK = """\
ask:
  - a1
  - {name: W1n, points: 4, partial: true}
  - {name: w20n, points: 2, visibility: after_due_date}
  - {name: loss, points: 3}
"""

RIGHT = {
    "a1": "[[2], [13], [0], [0]]",
    "W1n": "[[0.4, -0.6, -1, 0], [-2.8, -1.8, 0, -1]]",
    "w20n": "[[-0.1], [2.1]]",
    "loss": "28",
}


def answers_text(**changed) -> str:
    values = {**RIGHT, **changed}
    return "".join(f"{name}: {value}\n" for name, value in values.items() if value is not None)


@pytest.fixture
def quiz(tmp_path, monkeypatch):
    """The seed asking four questions worth 1 + 4 + 2 + 3 = 10 points; a function writing answers."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "quiz.yaml").write_text(SEED_TEXT + ASK)

    def write(name="mine.yaml", **changed):
        (tmp_path / name).write_text(answers_text(**changed))
        return name

    return write


def check_json(*args):
    result = runner.invoke(app, ["check", "quiz.yaml", *args, "--json"])
    return result, json.loads(result.stdout)


def test_all_right_scores_every_point(quiz):
    result, report = check_json(quiz())
    assert result.exit_code == 0
    file = report["files"][0]
    assert (file["score"], file["max_score"], file["correct"], file["total"]) == (10.0, 10.0, 4, 4)
    assert [a["points"] for a in file["answers"]] == [1.0, 4.0, 2.0, 3.0]


def test_partial_credit_is_points_times_the_share_of_right_cells(quiz):
    # 2 of W1n's 8 cells wrong: 4 x 6/8 = 3 points
    _, report = check_json(quiz(W1n="[[9, -0.6, -1, 0], [-2.8, -1.8, 0, 9]]"))
    w1n = report["files"][0]["answers"][1]
    assert (w1n["name"], w1n["correct"], w1n["points"], w1n["max_points"]) == ("updated.W1", False, 3.0, 4.0)
    assert report["files"][0]["score"] == 9.0


def test_without_partial_one_wrong_cell_loses_every_point(quiz):
    _, report = check_json(quiz(w20n="[[-0.1], [9]]"))
    assert report["files"][0]["answers"][2]["points"] == 0.0
    assert report["files"][0]["score"] == 8.0


def test_a_partial_answer_of_the_wrong_shape_earns_nothing(quiz):
    _, report = check_json(quiz(W1n="[[0.4, -0.6], [-2.8, -1.8]]"))
    assert report["files"][0]["answers"][1]["points"] == 0.0


def test_a_missing_question_is_wrong_and_an_unasked_answer_is_not_graded(quiz):
    name = quiz(loss=None)
    with open(name, "a") as file:
        file.write("z1: [[2], [13], [-4], [-15]]\n")
    result, report = check_json(name)
    assert result.exit_code == 1
    answers = report["files"][0]["answers"]
    assert [a["written_as"] for a in answers] == ["a1", "W1n", "w20n", "loss"]  # the config's order; no z1
    assert answers[3]["hint"] == "missing: no answer given" and answers[3]["points"] == 0.0
    assert (report["files"][0]["score"], report["files"][0]["max_score"]) == (7.0, 10.0)


def test_the_table_reports_points(quiz):
    result = runner.invoke(app, ["check", "quiz.yaml", quiz(W1n="[[9, -0.6, -1, 0], [-2.8, -1.8, 0, 0]]")])
    assert "W1n (updated.W1)   3/4 points" in result.stdout  # 2 of 8 cells wrong
    assert result.stdout.strip().splitlines()[-2] == "mine.yaml: 9/10 points (3/4 correct)"


def test_fractional_points_and_the_class_summary(quiz):
    bob = quiz("bob.yaml", W1n="[[9, -0.6, -1, 0], [-2.8, -1.8, 0, -1]]")  # 4 x 7/8 = 3.5
    result = runner.invoke(app, ["check", "quiz.yaml", quiz(), bob])
    assert "│ 10/10  │" in result.stdout and "│ 9.5/10 │" in result.stdout
    _, report = check_json(quiz(), bob)
    assert report["summary"]["mean_score"] == 9.75 and report["summary"]["mean_fraction"] == 0.975


def test_an_unreadable_file_could_have_earned_every_point(quiz, tmp_path):
    (tmp_path / "broken.yaml").write_text("a1: [2, 13\n")
    _, report = check_json(quiz(), "broken.yaml")
    assert (report["files"][1]["score"], report["files"][1]["max_score"]) == (0.0, 10.0)


def test_without_ask_every_answer_is_one_point(tmp_path):
    (tmp_path / "mine.yaml").write_text("a1: [2, 13, 0, 0]\nloss: 27\n")
    result = runner.invoke(app, ["check", "configs/seed.yaml", str(tmp_path / "mine.yaml"), "--json"])
    file = json.loads(result.stdout)["files"][0]
    assert (file["score"], file["max_score"]) == (1.0, 2.0)
    assert [(a["points"], a["max_points"]) for a in file["answers"]] == [(1.0, 1.0), (0.0, 1.0)]


def test_answers_writes_a_key_and_a_template_of_exactly_the_questions(quiz):
    blank = runner.invoke(app, ["answers", "quiz.yaml", "--blank"]).stdout
    assert [line for line in blank.splitlines() if not line.startswith("#")] == [
        "a1:  # 4x1", "W1n:  # 2x4", "w20n:  # 2x1", "loss:  # a number"
    ]  # fmt: skip
    key = runner.invoke(app, ["answers", "quiz.yaml", "--digits", "4"]).stdout
    (open("key.yaml", "w")).write(key)
    _, report = check_json("key.yaml")
    assert report["files"][0]["score"] == 10.0


@pytest.mark.parametrize(
    "ask, fragments",
    [
        ("ask: []\n", ["ask: ", "give a list of answer names"]),
        ("ask: [{name: W1n, points: 0}]\n", ["ask[0].points", "give a positive number"]),
        ("ask: [{name: W1n, points: .inf}]\n", ["ask[0].points"]),
        ("ask: [{name: W1n, points: 1e308}, {name: a1, points: 1e308}]\n", ["ask[0].points", "up to 10,000"]),
        ("ask: [{name: W1n, partial: yes please}]\n", ["ask[0].partial", "true or false"]),
        ("ask: [{name: W1n, visibility: later}]\n", ["ask[0].visibility", "after_due_date"]),
        ("ask: [{name: W1n, pionts: 2}]\n", ["ask[0].", "pionts"]),
        ("ask: [a1, a1]\n", ["ask[1]", "asked twice"]),
        ("ask: [W1n]\ngrading: {expect: all}\n", ["ask", "leave out grading.expect"]),
    ],
)
def test_a_wrong_ask_is_refused_at_its_path(tmp_path, ask, fragments):
    (tmp_path / "c.yaml").write_text(SEED_TEXT + ask)
    assert_refused(runner.invoke(app, ["run", str(tmp_path / "c.yaml")]), *fragments)


def test_an_unknown_or_repeated_name_is_refused_when_checking(tmp_path):
    (tmp_path / "a.yaml").write_text("a1: [2, 13, 0, 0]\n")
    for ask, fragments in (("ask: [a1, W9n]\n", ["ask[1]", "W9n is not an answer name"]),
                           ("ask: [a1, forward.a1]\n", ["ask[1]", "forward.a1 again"])):  # fmt: skip
        (tmp_path / "c.yaml").write_text(SEED_TEXT + ask)
        assert_refused(runner.invoke(app, ["check", str(tmp_path / "c.yaml"), str(tmp_path / "a.yaml")]), *fragments)


def test_ask_and_expect_option_together_are_refused(quiz):
    result = runner.invoke(app, ["check", "quiz.yaml", quiz(), "--expect", "all"])
    assert_refused(result, "--expect", "ask")


@pytest.mark.parametrize(
    "ask",
    ["~", "1", "a1", "{a1: 1}", "[~]", "[{}]", "[{name: 1}]", "[{name: ''}]", "[{name: a1, points: '2'}]",
     "[{name: a1, points: true}]", "[{name: a1, points: .nan}]", "[[a1]]", "[{name: [a1]}]",
     "[{name: a1, visibility: 1}]", "[{name: a1, partial: 1}]"],
)  # fmt: skip
def test_an_ask_that_is_no_list_of_questions_is_refused_cleanly(tmp_path, ask):
    (tmp_path / "c.yaml").write_text(SEED_TEXT + f"ask: {ask}\n")
    assert_refused(runner.invoke(app, ["run", str(tmp_path / "c.yaml")]), "ask")
