"""Rich text of a trace, for people at a terminal.

Matrices are laid out here, as lines of rich ``Text`` in brackets, not as rich
Tables: a Table measures every cell through several layers of renderables,
which took longer than the step itself (about 50 ms for the seed's seventeen
small matrices). Lines of Text render in about a millisecond.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.console import Console
from rich.text import Text

from ..errors import printable
from ..model import Trace, shape_text
from .document import LINES, Entry, Section, header_lines, scalar_text
from .text import as_2d, format_number, kept

if TYPE_CHECKING:
    from ..gradcheck import Check

GAP = 3
"""Spaces between matrices side by side."""
KINKS_LISTED = 12
"""Most entries at a kink gradcheck's table names (then how many more)."""


def print_trace(
    trace: Trace, parts: list[Section], full: bool = False, precision: int = 8, console: Console | None = None
) -> None:
    """The header, then each section: matrices side by side, the loss as lines, the losses with bars."""
    console = console or Console()
    network, details = header_lines(trace)

    def prose(text: Text) -> list[Text]:  # words wrap at the terminal's edge; matrices never do
        return list(text.wrap(console, console.width))

    def worked(entry: Entry) -> list[Text]:  # --explain: under the value it explains
        return [line for text in entry.worked for line in prose(Text(f"e.g. {text}", style="dim"))]

    lines = [*prose(Text(network, style="bold")), *prose(Text(details, style="dim")), Text()]
    for part in parts:
        lines.append(rule(part.title, console.width))
        blocks = []
        for entry in part.entries:
            if entry.path == "losses":
                print_lines(console, lines)
                console.print(_losses_table(trace, full))
            elif entry.path in LINES:  # after the matrices before it, as every format orders them
                lines += side_by_side(blocks, console.width) + prose(_line(trace, entry)) + worked(entry)
                blocks = []
            else:
                block = matrix_block(
                    entry.value,
                    entry.title,
                    full,
                    precision=precision,
                    marked=entry.at_kink,
                    width=None if full else console.width,
                )
                blocks.append(block + worked(entry))
        lines += side_by_side(blocks, console.width)
        for note in dict.fromkeys(e.kink_note for e in part.entries if e.at_kink is not None):
            lines += prose(Text(f"° {note}", style="yellow"))
        lines.append(Text())
    print_lines(console, lines)


def print_lines(console: Console, lines: list[Text]) -> None:
    """Print and empty ``lines`` in one go, uncut: a line wider than the terminal wraps there."""
    if lines:
        console.print(Text("\n").join(lines), soft_wrap=True)
        lines.clear()


def print_gradcheck(checks: list[Check], tol: float, console: Console) -> None:
    """gradcheck's table: a row per gradient, then the entries left out at a kink, then the tally."""
    from rich.table import Table

    table = Table("gradient", "entries", "max abs error", "max rel error", "", title_justify="left")
    for c in checks:
        kinks = f" ({len(c.not_differentiable)} at a kink)" if c.not_differentiable else ""
        table.add_row(f"dL/d{c.name}", str(c.entries), f"{c.max_abs:.2e}", f"{c.max_rel:.2e}",
                      ("[green]ok[/]" if c.ok else "[bold red]over tolerance[/]") + kinks)  # fmt: skip
    console.print(table)
    for reason in dict.fromkeys(c.reason for c in checks if c.reason):
        entries = [f"dL/d{c.name}" + "".join(f"[{i}]" for i in index)
                   for c in checks if c.reason == reason for index in c.not_differentiable]  # fmt: skip
        more = f", and {len(entries) - KINKS_LISTED:,} more" if len(entries) > KINKS_LISTED else ""
        console.print(f"{', '.join(entries[:KINKS_LISTED])}{more}: {reason}; left out", markup=False, highlight=False,
                      soft_wrap=True)  # fmt: skip
    bad = [c.name for c in checks if not c.ok]
    console.print(
        f"{len(checks) - len(bad)}/{len(checks)} within {tol:g}" + (f"; over: {', '.join(bad)}" if bad else "")
    )


def rule(title: str, width: int) -> Text:
    """``title ──────``, across the terminal."""
    return Text.assemble((title, "rule.text"), " ", ("─" * max(width - len(title) - 1, 0), "rule.line"))


def _line(trace: Trace, entry: Entry) -> Text:
    """``L = 28.000000000000693``, ``learning rate = 0.1``, ``optimizer: sgd``."""
    if isinstance(entry.value, str):
        return Text.assemble((entry.title, "bold"), ": ", entry.value)
    line = Text.assemble((entry.title, "bold"), " = ", (scalar_text(entry), "bold cyan"))
    if entry.path == "loss_after":
        change = trace.loss_after - trace.loss
        verdict = "lower" if change < 0 else "higher"
        line.append(f"   {verdict} by {abs(change):.8g}" if change else "   unchanged", style="dim")
    return line


def _losses_table(trace: Trace, full: bool):
    """The loss before every step and after the last, with bars from the lowest to the highest;
    a long run keeps its first and last ten steps unless ``full``."""
    from rich import box
    from rich.table import Table

    losses = [*trace.losses, trace.final_loss]
    low, high = min(losses), max(losses)
    logarithmic = low > 0 and high > 10 * low  # a steep first drop would flatten every later bar
    scale = np.log if logarithmic else (lambda v: v)
    bars = f"{low:.4g} … {high:.4g}" + (", log scale" if logarithmic else "")
    table = Table("step", "loss", bars, box=box.SIMPLE_HEAD, show_edge=False)
    shown = (
        range(len(losses)) if full or len(losses) <= 21 else [*range(10), None, *range(len(losses) - 11, len(losses))]
    )
    for k in shown:
        if k is None:
            table.add_row("⋮", "", "")
            continue
        label = str(k + 1) if k < len(trace.losses) else "after"
        style = "bold" if k + 1 == trace.shown else ""
        fraction = (scale(losses[k]) - scale(low)) / (scale(high) - scale(low)) if high > low else 1.0
        table.add_row(label, Text(repr(losses[k]), style=style), _bar(fraction))
    return table


def _bar(fraction: float, width: int = 30) -> str:
    """At least one eighth of a cell, so the lowest loss still shows."""
    eighths = max(1, round(fraction * width * 8))
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def side_by_side(blocks: list[list[Text]], width: int) -> list[Text]:
    """Blocks of lines packed in a grid of columns, as many as fit in ``width``, ``GAP`` apart;
    a block wider than ``width`` goes alone, uncut."""
    lines: list[Text] = []
    row: list[list[Text]] = []
    for block in blocks:
        if _width(block) <= width:
            row.append(block)
            continue
        lines += _grid(row, width) + block
        row = []
    return lines + _grid(row, width)


def _grid(blocks: list[list[Text]], width: int) -> list[Text]:
    if not blocks:
        return []
    widths = [_width(block) for block in blocks]
    n = min(len(blocks), max(1, (width + GAP) // (min(widths) + GAP)))  # no more than the narrowest could fill
    while n > 1:  # the most columns that fit, each as wide as its widest block
        columns = [max(widths[j::n]) for j in range(n)]
        if sum(columns) + GAP * (n - 1) <= width:
            break
        n -= 1
    columns = [max(widths[j::n]) for j in range(n)]
    starts = [sum(columns[:j]) + GAP * j for j in range(n)]
    lines = []
    for start in range(0, len(blocks), n):
        row = blocks[start : start + n]
        for k in range(max(len(block) for block in row)):
            line = Text()
            for j, block in enumerate(row):
                if k < len(block):
                    line.append_text(block[k])
                if j < len(row) - 1:
                    line.append(" " * (starts[j + 1] - line.cell_len))
            line.rstrip()
            lines.append(line)
    return lines


def _width(block: list[Text]) -> int:
    return max(line.cell_len for line in block)


def matrix_block(
    value: np.ndarray,
    title: str,
    full: bool = False,
    wrong: np.ndarray | None = None,
    precision: int = 8,
    marked: np.ndarray | None = None,
    texts: np.ndarray | None = None,
    width: int | None = None,
) -> list[Text]:
    """A 0-D, 1-D or 2-D array in brackets, under the line ``title   RxC``.

    Entries are right-aligned in their columns; negative entries are red and
    zeros dim; cells where ``wrong`` is true are marked ``*``, cells where
    ``marked`` is true ``°`` (so the marks survive without colour). ``texts``,
    shaped as ``value``, are shown instead of the numbers (an answer as written).
    A big matrix is elided as NumPy elides it (unless ``full``), and a matrix wider
    than ``width`` cells keeps as many columns from each end as fit (``⋯`` between).
    """

    m = as_2d(value)
    wrong, marked, texts = (None if array is None else as_2d(array) for array in (wrong, marked, texts))
    shape = shape_text(value.shape, "scalar")
    rows, cols = kept(m.shape[0], full, m.size), kept(m.shape[1], full, m.size)
    cells = [[_cell(m, i, j, precision, wrong, marked, texts) for j in cols] for i in rows]
    widths = [max(len(row[c][0]) for row in cells) for c in range(len(cols))]
    if width is not None and _box_width(widths) > width:
        keep = _fitting(cols, widths, width)
        cells = [[row[c] if c is not None else _cell(m, i, None, precision, wrong, marked) for c in keep]
                 for i, row in zip(rows, cells)]  # fmt: skip
        widths = [1 if c is None else widths[c] for c in keep]
    inner = " " * (sum(widths) + GAP * (len(widths) - 1) + 2)
    lines = [Text.assemble((title, "bold"), "   ", (shape, "dim")), Text(f"┌{inner}┐")]
    for row in cells:
        line = Text("│ ")
        for c, (text, style) in enumerate(row):
            line.append(" " * (widths[c] - len(text) + (GAP if c else 0)))
            line.append(text, style)
        line.append(" │")
        lines.append(line)
    lines.append(Text(f"└{inner}┘"))
    return lines


def _box_width(widths: list[int]) -> int:
    """The width of a matrix's brackets around columns ``widths`` wide, ``GAP`` apart."""
    return sum(widths) + GAP * (len(widths) - 1) + 4


def _fitting(cols: list[int | None], widths: list[int], room: int) -> list[int | None]:
    """Positions in ``cols`` (columns ``widths`` wide) to keep in a box at most ``room`` wide: the
    first, then one from each end in turn while they fit, ``None`` (``⋯``) between the two ends."""
    ends = [c for c, j in enumerate(cols) if j is not None]  # an ellipsis already there goes in the new one
    left, right = [ends[0]], []
    used = _box_width([widths[ends[0]], 1])
    while len(left) + len(right) < len(ends):
        c = ends[len(left)] if len(left) <= len(right) else ends[-1 - len(right)]
        if used + GAP + widths[c] > room:
            break
        used += GAP + widths[c]
        (left if len(left) <= len(right) else right).append(c)
    return [*left, None, *reversed(right)]


def _cell(m: np.ndarray, i: int | None, j: int | None, precision: int, wrong, marked, texts=None) -> tuple[str, str]:
    """The text of one cell and its style."""
    if i is None:
        return "⋮", ""
    if j is None:
        return "⋯", ""
    v = m[i, j]
    text = format_number(v, precision) if texts is None else texts[i, j]
    if wrong is not None and wrong[i, j]:
        return text + "*", "bold red"
    if marked is not None and marked[i, j]:
        return text + "°", "yellow"
    return text, "red" if v < 0 else "dim" if v == 0 else ""


def boxed_table(header: list[str], rows: list[list[tuple[str, str]]], width: int) -> list[Text]:
    """A table in rich's default box, as lines: ``rows`` of (text, style) cells under a bold
    ``header``. To fit ``width``, the last column wraps and then the first is cut at its start
    (``…/student1.yaml``: a path ends with what tells files apart). As lines, a class of a
    thousand files prints in milliseconds (a rich Table measures every cell: seconds)."""
    from rich.cells import cell_len

    rows = [[(printable(text), style) for text, style in row] for row in rows]
    widths = [max([cell_len(title)] + [cell_len(row[c][0]) for row in rows]) for c, title in enumerate(header)]
    for c, least in ((-1, 30), (0, 12)):  # what the borders and the other columns leave, within reason
        room = width - (sum(widths) - widths[c]) - 3 * len(widths) - 1
        widths[c] = max(min(widths[c], room), min(widths[c], max(least, cell_len(header[c]))))

    def rule(left: str, fill: str, cross: str, right: str) -> Text:
        return Text(left + cross.join(fill * (w + 2) for w in widths) + right)

    def lines_of(row: list[tuple[str, str]], bar: str) -> list[Text]:
        (first, first_style), *middle, (last, last_style) = row
        parts = _wrapped(last, widths[-1])
        out = []
        for k, part in enumerate(parts):  # the other columns on the first line only
            cells = [(_cut_start(first, widths[0]), first_style), *middle] if k == 0 else [("", "")] * (len(row) - 1)
            line = Text(bar)
            for (text, style), w in zip([*cells, (part, last_style)], widths):
                line.append(" ")
                line.append(text, style)
                line.append(" " * (w - cell_len(text) + 1) + bar)
            out.append(line)
        return out

    lines = [rule("┏", "━", "┳", "┓"), *lines_of([(h, "bold") for h in header], "┃"), rule("┡", "━", "╇", "┩")]
    for row in rows:
        lines += lines_of(row, "│")
    lines.append(rule("└", "─", "┴", "┘"))
    return lines


def _wrapped(text: str, width: int) -> list[str]:
    """Words in lines of at most ``width`` cells; a longer word is cut."""
    from rich.cells import cell_len, chop_cells

    lines, line = [], ""
    for word in text.split(" "):
        joined = f"{line} {word}" if line else word
        if cell_len(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        *whole, word = chop_cells(word, width) or [""]
        lines += whole
        line = word
    return [*lines, line]


def _cut_start(text: str, width: int) -> str:
    """``text``, or ``…`` and as much of its end as fits in ``width`` cells."""
    from rich.cells import cell_len

    if cell_len(text) <= width:
        return text
    while text and cell_len(text) > width - 1:
        text = text[1:]
    return "…" + text
