"""Rich tables of a trace, for people at a terminal."""

from __future__ import annotations

import numpy as np
from rich import box
from rich.columns import Columns
from rich.console import Console, Group
from rich.measure import Measurement
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from .document import LOSSES, Entry, Section, format_number, header_lines, kept, scalar_text
from .trace import Trace

BRACKETS = box.Box(
    "┌  ┐\n"
    "│  │\n"
    "│  │\n"
    "│  │\n"
    "│  │\n"
    "│  │\n"
    "│  │\n"
    "└  ┘\n"
)
"""Matrix brackets: an edge on each side, no lines inside."""

def print_trace(trace: Trace, parts: list[Section], full: bool = False, precision: int = 8, console: Console | None = None) -> None:
    """The header, then each section: matrices side by side, the loss as lines, the losses with bars."""
    console = console or Console()
    console.print(_header(trace))
    for part in parts:
        console.print(Rule(part.title, align="left"))
        matrices = []
        for entry in part.entries:
            if entry.path == "losses":
                console.print(_losses_table(trace, full))
            elif entry.path in LOSSES:
                console.print(_loss_line(trace, entry))
            else:
                table = matrix_table(entry.value, entry.title, full, precision=precision, marked=entry.relu_at_zero)
                matrices.append(_with_worked(table, entry.worked))
        print_side_by_side(console, matrices)
        if any(e.relu_at_zero is not None for e in part.entries):
            g0 = trace.problem.relu_grad_at_zero
            console.print(Text(f"° z was exactly 0 there: relu'(0) = {g0:g} was used (relu_grad_at_zero)", style="yellow"))
        console.print()


def _with_worked(table: Group, worked: str | None) -> Group:
    return table if worked is None else Group(table, Text(f"e.g. {worked}", style="dim"))


def _loss_line(trace: Trace, entry: Entry) -> Text:
    line = Text.assemble((entry.title, "bold"), " = ", (scalar_text(entry), "bold cyan"))
    if entry.path == "loss_after":
        change = trace.loss_after - trace.loss
        verdict = "lower" if change < 0 else "higher"
        line.append(f"   {verdict} by {abs(change):.8g}" if change else "   unchanged", style="dim")
    return line


def _losses_table(trace: Trace, full: bool) -> Table:
    """The loss before every step and after the last, with bars from the lowest to the highest;
    a long run keeps its first and last ten steps unless ``full``."""
    losses = [*trace.losses, trace.final_loss]
    low, high = min(losses), max(losses)
    logarithmic = low > 0 and high > 10 * low  # a steep first drop would flatten every later bar
    scale = np.log if logarithmic else (lambda v: v)
    bars = f"{low:.4g} … {high:.4g}" + (", log scale" if logarithmic else "")
    table = Table("step", "loss", bars, box=box.SIMPLE_HEAD, show_edge=False)
    shown = range(len(losses)) if full or len(losses) <= 21 else [*range(10), None, *range(len(losses) - 11, len(losses))]
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


def print_side_by_side(console: Console, items: list) -> None:
    """Pack items in columns; one wider than the terminal goes alone, uncut."""
    row: list = []
    for item in items:
        width = Measurement.get(console, console.options.update_width(10**6), item).maximum
        if width <= console.width:
            row.append(item)
            continue
        if row:
            console.print(Columns(row, padding=(0, 3)))
            row = []
        terminal_width, console.width = console.width, width
        console.print(item)
        console.width = terminal_width
    if row:
        console.print(Columns(row, padding=(0, 3)))


def _header(trace: Trace) -> Group:
    network, details = header_lines(trace)
    return Group(Text(network, style="bold"), Text(details, style="dim"), Text())


def matrix_table(
    value: np.ndarray,
    title: str,
    full: bool = False,
    wrong: np.ndarray | None = None,
    precision: int = 8,
    marked: np.ndarray | None = None,
) -> Group:
    """A 0-D, 1-D or 2-D array in brackets, under the line ``title   RxC``.

    Negative entries are red and zeros dim; cells where ``wrong`` is true are
    marked ``*``, cells where ``marked`` is true ``°`` (so the marks survive
    without colour).
    """
    def as_2d(array: np.ndarray | None) -> np.ndarray | None:
        return None if array is None else array.reshape(1, -1) if array.ndim < 2 else array

    m, wrong, marked = as_2d(value), as_2d(wrong), as_2d(marked)
    shape = "x".join(str(n) for n in value.shape) or "scalar"
    table = Table(show_header=False, box=BRACKETS, padding=(0, 1))
    rows, cols = kept(m.shape[0], full, m.size), kept(m.shape[1], full, m.size)
    for _ in cols:
        table.add_column(justify="right", no_wrap=True)
    for i in rows:
        table.add_row(*(_cell(m, i, j, precision, wrong, marked) for j in cols))
    return Group(Text.assemble((title, "bold"), "   ", (shape, "dim")), table)


def _cell(m: np.ndarray, i: int | None, j: int | None, precision: int, wrong, marked) -> str | Text:
    if i is None:
        return "⋮"
    if j is None:
        return "⋯"
    v = m[i, j]
    if wrong is not None and wrong[i, j]:
        return Text(format_number(v, precision) + "*", style="bold red")
    if marked is not None and marked[i, j]:
        return Text(format_number(v, precision) + "°", style="yellow")
    return Text(format_number(v, precision), style="red" if v < 0 else "dim" if v == 0 else "")


