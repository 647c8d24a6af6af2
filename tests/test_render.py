"""The terminal layout drawn by hand: boxes and grids that line up and fit the terminal."""

import numpy as np
import pytest
from rich.cells import cell_len

from mlpstep.render import boxed_table, matrix_block, side_by_side

HEADER = ["file", "score", "wrong answers"]


def plain(lines) -> list[str]:
    return [line.plain for line in lines]


@pytest.mark.parametrize("width", [40, 80, 120])
def test_a_summary_box_lines_up_and_fits(width):
    rows = [[("/tmp/" + "deep/" * 12 + "student0001.yaml", ""), ("15/17", "red"), ("W1.grad, W1n", "")],
            [("重み.yaml", ""), ("-", ""), ("error: " + "重み" * 20 + ": unknown answer name", "red")],
            [("tab\there.yaml", ""), ("17/17", "green"), ("", "")]]  # fmt: skip
    lines = plain(boxed_table(HEADER, rows, width))
    assert len({cell_len(line) for line in lines}) == 1  # every border in the same column
    assert cell_len(lines[0]) <= max(width, 12 + 5 + 30 + 10)  # the narrowest the columns go
    text = "\n".join(lines)
    assert "…" in text and "0001.yaml" in text  # a long path keeps its end
    assert "\\there.yaml" in text and "\t" not in text  # a control character is shown escaped, not obeyed


def test_a_summary_box_keeps_short_cells_whole():
    lines = plain(boxed_table(HEADER, [[("a.yaml", ""), ("9/9", "green"), ("", "")]], 80))
    assert lines[3] == "│ a.yaml │ 9/9   │               │"


def test_matrices_side_by_side_fill_the_width_and_a_wide_one_goes_alone():
    small = [matrix_block(np.arange(4.0).reshape(2, 2), f"m{k}") for k in range(5)]
    wide = matrix_block(np.arange(30.0).reshape(1, 30) + 1e6, "wide")
    lines = plain(side_by_side([*small[:2], wide, *small[2:]], 40))
    start = next(k for k, line in enumerate(lines) if line.startswith("wide"))
    assert lines[start : start + 4] == plain(wide)  # alone on its own lines, uncut
    others = lines[:start] + lines[start + 4 :]
    assert max(cell_len(line) for line in others) <= 40
    assert [line.count("2x2") for line in others if "2x2" in line] == [2, 3]  # as many side by side as fit
