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

from .formulas import formulas, state_formulas
from .optimizers import SGD
from .trace import Trace

THRESHOLD = 1000
"""Matrices with more entries than this are elided, as NumPy prints them."""
EDGE_ITEMS = 3
"""Rows and columns kept at each edge of an elided matrix."""

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

def print_trace(trace: Trace, full: bool = False, console: Console | None = None) -> None:
    console = console or Console()
    console.print(_header(trace))
    text = formulas(trace.problem)

    def section(title: str, items: list) -> None:
        console.print(Rule(title, align="left"))
        print_side_by_side(console, items)
        console.print()

    def tables(name: str) -> list:
        return [matrix_table(value, text[name][key], full) for key, value in getattr(trace, name).items()]

    section("Forward pass", tables("forward"))
    console.print(Rule("Loss", align="left"))
    console.print(Text.assemble((text["loss"]["loss"], "bold"), " = ", (repr(trace.loss), "bold cyan")))
    change = trace.loss_after - trace.loss
    verdict = "lower" if change < 0 else "higher" if change > 0 else "unchanged"
    console.print(
        Text.assemble(("L after the update", "bold"), " = ", (repr(trace.loss_after), "bold cyan"),
                      (f"   {verdict} by {abs(change):.8g}" if change else "   unchanged", "dim"))
    )  # fmt: skip
    console.print()
    section("Backward pass", tables("grads"))
    if trace.state:
        section(_state_title(trace), _state_tables(trace, full))
    section("Updated parameters", tables("updated"))
    if trace.problem.steps > 1:
        steps = trace.problem.steps
        console.print(Rule(f"Training: {steps} steps", align="left"))
        console.print(_losses_table(trace))
        console.print()
        final = [matrix_table(value, f"{name} after step {steps}", full) for name, value in trace.final.items()]
        section(f"Parameters after step {steps}", final)


def _state_title(trace: Trace) -> str:
    step = trace.state_by_key().get("step")
    return "Optimizer state" + (f" (step {step})" if step is not None else "")


def _state_tables(trace: Trace, full: bool) -> list:
    first = trace.shown == 1 and not trace.problem.state
    titles = state_formulas(trace.problem, first)
    tables = []
    for key, values in trace.state_by_key().items():
        if key == "step":
            continue
        short = {"momentum_buffer": "buf", "exp_avg": "m", "exp_avg_sq": "v"}[key]
        for name, value in values.items():
            tables.append(matrix_table(value, f"{short} {name}: {titles[key]}", full))
    return tables


def _losses_table(trace: Trace) -> Table:
    """The loss before every step, and after the last, with a bar for each."""
    losses = [*trace.losses, trace.final_loss]
    top = max(losses) or 1.0
    table = Table("step", "loss", "", box=box.SIMPLE_HEAD, show_edge=False)
    for k, loss in enumerate(losses, 1):
        label = str(k) if k <= len(trace.losses) else "after"
        style = "bold" if k == trace.shown else ""
        table.add_row(label, Text(repr(loss), style=style), _bar(loss / top))
    return table


def _bar(fraction: float, width: int = 30) -> str:
    eighths = round(max(fraction, 0.0) * width * 8)
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
    problem = trace.problem
    batch = problem.batch_size
    points = f"{batch} points, {problem.reduction}" if batch > 1 else "1 point"
    details = [points, f"{problem.layout} layout", f"learning rate {problem.learning_rate!r}"]
    if problem.optimizer != SGD():
        details.append(problem.optimizer.describe())
    if problem.freeze:
        details.append("frozen: " + ", ".join(name for name in trace.updated if name in problem.freeze))
    if problem.relu_grad_at_zero:
        details.append(f"relu'(0) = {problem.relu_grad_at_zero:g}")
    if problem.steps > 1:
        details.append(f"step {trace.shown} of {problem.steps}")
    return Group(Text(trace.network, style="bold"), Text(" · ".join(details), style="dim"), Text())


def matrix_table(value: np.ndarray, title: str, full: bool = False, wrong: np.ndarray | None = None) -> Group:
    """A 0-D, 1-D or 2-D array in brackets, under the line ``title   RxC``.

    Cells where ``wrong`` is true are marked with ``*`` (and red, in colour).
    """
    m = value.reshape(1, -1) if value.ndim < 2 else value
    marks = None if wrong is None else (wrong.reshape(1, -1) if wrong.ndim < 2 else wrong)
    shape = "x".join(str(n) for n in value.shape)
    table = Table(show_header=False, box=BRACKETS, padding=(0, 1))
    rows, cols = _kept(m.shape[0], full, m.size), _kept(m.shape[1], full, m.size)
    for _ in cols:
        table.add_column(justify="right", no_wrap=True)
    for i in rows:
        table.add_row(*(_cell(m, marks, i, j) for j in cols))
    return Group(Text.assemble((title, "bold"), "   ", (shape, "dim")), table)


def _cell(m: np.ndarray, marks: np.ndarray | None, i: int | None, j: int | None) -> str | Text:
    if i is None:
        return "⋮"
    if j is None:
        return "⋯"
    if marks is not None and marks[i, j]:
        return Text(format_number(m[i, j]) + "*", style="bold red")
    return format_number(m[i, j])


def _kept(n: int, full: bool, size: int) -> list[int | None]:
    """Indices to show along one axis, ``None`` where entries are elided."""
    if full or size <= THRESHOLD or n <= 2 * EDGE_ITEMS:
        return list(range(n))
    return [*range(EDGE_ITEMS), None, *range(n - EDGE_ITEMS, n)]


def format_number(v: float) -> str:
    """Up to 8 significant digits, as NumPy prints; never ``-0``."""
    return f"{v + 0.0:.8g}"
