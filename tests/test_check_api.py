"""mlpstep.check from Python (issue 15, item 7): one file of check --json, from a path, a dict
or YAML text."""

import json

import numpy as np
import pytest
from helpers import SEED, SEED_TEXT, runner

import mlpstep
from mlpstep.cli.app import app

MINE = "a1: [2, 13, 0, 0]\nz2: [16, -14]\nloss: 27\n"


def test_to_dict_is_one_file_of_check_json(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(MINE)
    cli = json.loads(runner.invoke(app, ["check", SEED, str(path), "--json"]).stdout)["files"][0]
    assert mlpstep.check(SEED, str(path)).to_dict() == cli
    assert mlpstep.check(SEED, path).to_dict() == cli


def test_yaml_text_a_dict_and_a_problem_grade_alike():
    from_text = mlpstep.check(SEED, MINE).to_dict()
    from_dict = mlpstep.check(mlpstep.load(SEED), {"a1": [2, 13, 0, 0], "z2": np.array([16, -14]), "loss": 27})
    assert from_dict.to_dict() == from_text
    assert from_text["file"] == "answers" and (from_text["score"], from_text["max_score"]) == (1.0, 3.0)


def test_the_result_has_score_and_answers():
    result = mlpstep.check(SEED, {"a1": [3, 13, 0, 0], "z2": [16, -14]})
    assert (result.score, result.max_score) == (1.0, 2.0)
    a1, z2 = result.answers
    assert (a1.name, a1.correct, a1.points, a1.hint) == ("forward.a1", False, 0.0, None)
    assert (z2.name, z2.points, z2.hint) == ("forward.z2", 1.0, "follows from your a1")
    np.testing.assert_allclose(z2.expected, [[15], [-13]], atol=1e-9)
    np.testing.assert_array_equal(z2.given, [[16], [-14]])
    assert mlpstep.check(SEED, {"a1": [3, 13, 0, 0], "z2": [16, -14]}, carry_forward="none").score == 0.0


def test_the_config_questions_and_points_apply(tmp_path):
    config = {**__import__("yaml").safe_load(SEED_TEXT), "ask": [{"name": "loss", "points": 3}, "a1"]}
    result = mlpstep.check(config, "loss: 28\n")
    assert (result.score, result.max_score) == (3.0, 4.0)
    assert [a.name for a in result.answers] == ["loss", "forward.a1"]


def test_answers_that_cannot_be_read_are_an_error_result():
    result = mlpstep.check(SEED, "a1: [2, 13\n")
    assert result.error.startswith("YAML syntax error") and result.to_dict()["score"] == 0.0


def test_answers_of_another_kind_are_refused():
    with pytest.raises(TypeError, match="a path, a dict or YAML text"):
        mlpstep.check(SEED, 42)
