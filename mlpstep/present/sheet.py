"""A printable problem sheet and its worked solution: what every format writes for ``mlpstep sheet``.

A sheet is the network, the conventions, the givens and the questions; the solution gives each
question its formula, the numbers plugged in entry by entry (for small values) and the result.
Each format writes the parts in order, one function each (``latex.latex_sheet``,
``markdown.markdown_sheet``): a drawing of the network (made from ``Sheet.trace``) is one more
part in that list, after the network's line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Trace
from .document import Entry, Section, header_lines, sections

WORKED_ENTRIES = 12
"""Values with at most this many entries are worked out entry by entry; bigger ones show their first entry."""


@dataclass(frozen=True)
class Question:
    number: int
    name: str  # as the sheet asks for it, e.g. "z1", "dL/dW1", "W1[1,0]" (the update)
    entry: Entry  # the value, its path and its formula (title); its worked lines in a solution
    shape: tuple[int, ...]
    points: float | None = None  # from the config's ask:; None: no points given


@dataclass(frozen=True)
class Sheet:
    trace: Trace  # the step the sheet is about (what a drawing of the network is made from)
    network: str  # x(2) -> relu(4) -> softmax(2) -> nll
    conventions: tuple[str, ...]  # one sentence each, in mlpstep's formula text
    given: Section
    questions: tuple[Question, ...]
    solution: bool


def sheet(trace: Trace, solution: bool = False, asked: dict[str, float] | None = None) -> Sheet:
    """The sheet of ``trace``: the questions ``asked`` (the key of each value or single entry asked
    for -> its points, from the config's ``ask:``), else every value computed in the step (forward
    pass, loss, gradients, updated parameters)."""
    parts = sections(trace)
    given, computed = parts[0], [e for part in parts[1:] for e in part.entries]
    by_path = {entry.path: entry for entry in computed}
    wanted = _asked(trace, by_path, asked) if asked else [(e, None) for e in computed if _steps_one(e)]
    questions = tuple(
        Question(k, _name(entry), _worked(trace, entry) if solution else entry, np.shape(entry.value), points)
        for k, (entry, points) in enumerate(wanted, 1)
    )
    return Sheet(trace, header_lines(trace)[0], conventions(trace), given, questions, solution)


def _steps_one(entry: Entry) -> bool:
    """One step's values, worked out by hand: not the loss after the update, the optimizer's state,
    the losses and parameters after several steps (they have no worked lines)."""
    return not entry.path.startswith(("final", "losses", "optimizer_state", "loss_after"))


def _asked(trace: Trace, by_path: dict[str, Entry], asked: dict[str, float]) -> list[tuple[Entry, float]]:
    """The questions, each as the entry (or the single entry of a value) it asks for."""
    from ..quantities import expected_value, split_key

    out = []
    for key, points in asked.items():
        path, index = split_key(key)
        whole = by_path.get(path) or Entry(path, path.split(".")[-1], expected_value(trace, path))
        if index is not None:  # one entry, named by its index: a1[0,1] = 13
            entry = Entry(key, _name(Entry(key, whole.title, whole.value)), np.asarray(whole.value[index]))
        else:
            entry = whole
        out.append((entry, points))
    return out


def _name(entry: Entry) -> str:
    """What the question asks for: the left side of its formula, with the entry's index if it is
    one (``a1[0,1]``, ``W1[1,0] after the update``)."""
    from ..quantities import split_key

    path, index = split_key(entry.path)
    name = "L" if path == "loss" else entry.title.split(" = ")[0].split(" ← ")[0].split("[")[0]
    at = f"[{','.join(map(str, index))}]" if index is not None else ""
    if path.startswith("updated."):
        return f"{path.split('.')[1]}{at} after the update"
    return name + at


def _worked(trace: Trace, entry: Entry) -> Entry:
    """The entry with a worked line for each of its entries (the first only, for a big value; the
    loss of each point)."""
    from dataclasses import replace

    from ..quantities import split_key
    from .explain import worked

    path, alone = split_key(entry.path)
    if alone is not None:
        indices = [alone]
    elif path == "loss":
        indices = [(p,) for p in range(trace.problem.batch_size)]
    else:
        shape = np.shape(entry.value)
        indices = list(np.ndindex(shape)) if int(np.prod(shape)) <= WORKED_ENTRIES else [(0,) * len(shape)]
    lines = (worked(trace, path, index) for index in indices)
    return replace(entry, worked=tuple(dict.fromkeys(line for line in lines if line)))


def conventions(trace: Trace) -> tuple[str, ...]:
    """The choices a hand-worked answer depends on, one sentence each."""
    problem = trace.problem
    point = "column" if problem.layout == "columns" else "row"
    weights = "inputs by units" if problem.layout == "columns" else "units by inputs"
    out = [f"Layout: {problem.layout} (a point is a {point}; a weight matrix is {weights})."]
    loss = f"Loss: {problem.loss.name}"
    if problem.batch_size > 1:
        loss += f", the {problem.reduction} over the {problem.batch_size} points"
    out.append(loss + ".")
    activations = dict.fromkeys(layer.activation.describe() for layer in problem.layers)
    out.append("Activations: " + ", ".join(activations) + ".")
    if any(layer.activation.name == "relu" for layer in problem.layers):
        out.append(f"ReLU'(0) = {problem.relu_grad_at_zero:g}.")
    out.append(f"Update: {problem.optimizer.describe()}, learning rate {problem.learning_rate!r}.")
    if problem.freeze:
        out.append("Frozen (not updated): " + ", ".join(problem.freeze) + ".")
    return tuple(out)


def shape_words(shape: tuple[int, ...], times: str = " × ") -> str:
    """``(4, 1)`` -> ``4 × 1``; ``a number`` for ``()``."""
    return times.join(map(str, shape)) or "a number"


def sheet_title(sheet: Sheet) -> str:
    return "One training step: " + ("worked solution" if sheet.solution else "problem sheet")


def points_text(question: Question) -> str:
    """`` [4 points]``, or nothing where the config gives no points."""
    points = question.points
    return "" if points is None else f" [{points:g} point{'s' * (points != 1)}]"
