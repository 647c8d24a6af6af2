"""Reports of graded answers (mlpstep.grade.report), made from graded files directly."""

import numpy as np
import pytest

from mlpstep.grade.grading import REPORTED, Answer, Graded
from mlpstep.grade.report import drawn_cells, json_size, summary, to_gradescope, to_json
from mlpstep.limits import BLOCK_CELLS

W1 = np.array([[0.4, -0.6, -1.0, 0.0], [-2.8, -1.8, 0.0, -1.0]])  # the seed's W1n
WRONG_CELL = np.zeros((2, 4), dtype=bool)
WRONG_CELL[0, 1] = True


def right(path="loss", written_as="loss", value=28.000000000000693):
    return Answer(path, written_as, True, np.array(value), np.array(value))


def wrong_w1():
    """W1n with one wrong cell, [0][1]."""
    given = W1.copy()
    given[0, 1] = 0.6
    return Answer("updated.W1", "W1n", False, W1, given, wrong=WRONG_CELL, hint="opposite sign")


def missing_w1():
    return Answer("updated.W1", "W1n", False, W1, None, hint="missing: no answer given", missing=True)


def big_wrong(n=120):
    """An answer of 2 x 12,000 numbers: more than a file's JSON shows without --full."""
    expected = np.zeros((n, 100))
    return Answer("updated.W1", "W1n", False, expected, expected + 1, wrong=np.ones(expected.shape, dtype=bool))


def values_in(report: dict) -> int:
    return sum(
        np.size(a[key])
        for f in report["files"]
        for a in f["answers"]
        for key in ("expected", "given")
        if a[key] is not None
    )


@pytest.mark.parametrize("full", [True, False])
def test_the_price_of_a_json_report_is_never_below_what_it_writes(full):
    results = [
        Graded("a.yaml", [right(), wrong_w1()]),
        Graded("b.yaml", [right(), big_wrong()]),
        Graded("c.yaml", error="YAML syntax error"),
    ]
    written = values_in(to_json(results, full))
    assert written <= json_size(results, full)
    assert written == (2 + 16 + 2 + 24_000 if full else 2 + 16 + 2)  # without --full the big answer is elided
    assert json_size(results, full) == (written if full else 2 + 16 + REPORTED)


def test_a_file_report_draws_the_wrong_answers_only():
    assert (
        drawn_cells(Graded("a.yaml", [right(), right("forward.a1", "a1", [[2.0], [13.0], [0.0], [0.0]])]), False) == 0
    )
    assert drawn_cells(Graded("a.yaml", [right(), wrong_w1()]), False) == 2 * (8 + BLOCK_CELLS)  # expected and given
    assert drawn_cells(Graded("a.yaml", [missing_w1()]), False) == 8 + BLOCK_CELLS  # nothing given: expected alone
    assert drawn_cells(Graded("a.yaml", [big_wrong()]), False) == 2 * (7 * 7 + BLOCK_CELLS)  # elided as NumPy prints
    assert drawn_cells(Graded("a.yaml", [big_wrong()]), True) == 2 * (12_000 + BLOCK_CELLS)


def test_gradescope_names_wrong_cells_by_the_students_name_and_never_the_expected_values():
    results = to_gradescope(Graded("a.yaml", [right(), wrong_w1(), missing_w1()]))
    assert results["score"] == 1.0 == sum(test["score"] for test in results["tests"])
    assert [test["max_score"] for test in results["tests"]] == [1.0, 1.0, 1.0]
    assert [test["status"] for test in results["tests"]] == ["passed", "failed", "failed"]
    assert results["tests"][1] == {"name": "updated.W1 (W1n)", "score": 0.0, "max_score": 1.0, "status": "failed",
                                   "visibility": "visible",
                                   "output": "wrong\nwrong entries: W1n[0][1]\nhint: opposite sign"}  # fmt: skip
    assert results["tests"][2]["output"] == "wrong\nhint: missing: no answer given"
    assert "-0.6" not in str(results) and "28.000000000000693" not in str(results)
    assert results["output"] == "1/3 answers correct"


def test_gradescope_gives_a_file_that_could_not_be_read_no_tests_and_the_reason():
    assert to_gradescope(Graded("a.yaml", error="YAML syntax error at line 1", expected=17)) == {
        "score": 0.0, "output": "error: YAML syntax error at line 1", "stdout_visibility": "hidden",
        "tests": []}  # fmt: skip


def test_a_summary_of_files_none_could_be_graded_has_no_mean():
    assert summary([Graded("a.yaml", error="YAML syntax error")]) == {
        "files": 1, "graded": 0, "not_gradable": 1, "all_correct": 0, "with_problems": 0,
        "mean_score": None, "mean_fraction": None,
    }  # fmt: skip


def test_a_file_that_answered_nothing_counts_in_the_mean_score_but_has_no_fraction():
    counts = summary([Graded("a.yaml", [right(), wrong_w1()]), Graded("b.yaml", problems=["los: unknown answer name"])])
    assert (counts["graded"], counts["with_problems"]) == (2, 1)
    assert counts["mean_score"] == 0.5 and counts["mean_fraction"] == 0.5
