"""The terminal layout drawn by hand: boxes and grids that line up and fit the terminal."""

import numpy as np
import pytest
from rich.cells import cell_len

from mlpstep.present.render import boxed_table, matrix_block, side_by_side

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


def test_a_matrix_wider_than_the_width_keeps_columns_from_each_end():
    value = np.arange(250.0).reshape(5, 50) / 7  # 5x50: not elided by count (250 entries), 600 cells wide
    lines = plain(matrix_block(value, "z2", width=100))
    assert max(cell_len(line) for line in lines) <= 100
    first = lines[2].split()
    assert first[1:4] == ["0", "0.14285714", "0.28571429"] and first[-2] == "7"  # z2[0, :3] ... z2[0, 49]
    assert "⋯" in first and len(first) < 52
    assert plain(matrix_block(value, "z2", width=100 * 10)) == plain(matrix_block(value, "z2"))  # fits: all of it


def test_a_matrix_elided_by_count_is_narrowed_to_the_width_too():
    lines = plain(matrix_block(np.full((40, 40), -1.2345678e-5), "W", width=40))
    assert max(cell_len(line) for line in lines) <= 40
    assert lines[2].split()[1:] == ["-1.2345678e-05", "⋯", "-1.2345678e-05", "│"]
