"""What a trace shows, in order, for every output format: sections of titled values.

Each value keeps its JSON path (``given.x``, ``forward.z1``, ``loss``, ``grads.W1``,
``optimizer_state.exp_avg.W1``, ``final.W1``), which ``--only`` selects by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import OptionError, closest, excerpt
from ..model import Trace, layer_number, shape_text
from ..optimizers import SGD
from .formulas import formulas
from .text import format_number, shown


@dataclass(frozen=True)
class Entry:
    path: str  # the JSON path
    title: str  # name and formula, e.g. "z1 = W1ᵀ x + w10"
    value: np.ndarray | str  # 0-d for a number; words for a setting (the optimizer)
    at_kink: np.ndarray | None = None  # cells of dL/dz where z was exactly on a kink of the activation (ReLU's 0)
    kink_note: str = ""  # what the activation's derivative was there
    worked: tuple[str, ...] = ()  # --explain: the formula of an entry with its numbers, one line per entry


@dataclass(frozen=True)
class Section:
    title: str
    entries: tuple[Entry, ...]


def sections(trace: Trace) -> list[Section]:
    text = formulas(trace.problem)

    def section(title: str, name: str) -> Section:
        values = getattr(trace, name)
        return Section(title, tuple(Entry(f"{name}.{key}", text[name][key], value) for key, value in values.items()))

    steps = trace.problem.steps
    out = [
        _given(trace),
        section("Forward pass", "forward"),
        Section("Loss", (Entry("loss", text["loss"]["loss"], np.array(trace.loss)),
                         Entry("loss_after", "L after the update", np.array(trace.loss_after)))),
        _backward(trace, text),
    ]  # fmt: skip
    if trace.state:
        first = trace.shown == 1 and not trace.problem.state
        titles = trace.problem.optimizer.state_formulas(first)
        symbols = trace.problem.optimizer.symbols
        state = trace.state_by_key()
        step = f" (step {state['step']})" if "step" in state else ""
        entries = [
            Entry(f"optimizer_state.{key}.{name}", f"{symbols[key]} {name}: {titles[key]}", value)
            for key, values in state.items() if key != "step"
            for name, value in values.items()
        ]  # fmt: skip
        out.append(Section("Optimizer state" + step, tuple(entries)))
    out.append(section("Updated parameters", "updated"))
    if steps > 1:
        losses = np.array([*trace.losses, trace.final_loss])
        out.append(Section(f"Training: {steps} steps", (
            Entry("losses", "loss before each step, then after the last", losses),
            Entry("final_loss", f"L after step {steps}", np.array(trace.final_loss)),
        )))  # fmt: skip
        final = tuple(
            Entry(f"final.{name}", f"{name} after step {steps}", value) for name, value in trace.final.items()
        )
        out.append(Section(f"Parameters after step {steps}", final))
        if trace.final_state:
            state, symbols = trace.state_by_key(trace.final_state), trace.problem.optimizer.symbols
            entries = tuple(
                Entry(f"final_state.{key}.{name}", f"{symbols[key]} {name} after step {steps}", value)
                for key, values in state.items() if key != "step"
                for name, value in values.items()
            )  # fmt: skip
            out.append(Section(f"Optimizer state after step {steps}", entries))
    return out


def _given(trace: Trace) -> Section:
    """What the step starts from: the data, the parameters before it, the learning rate, the optimizer."""
    titles = {"x": "x (input)", "y": "y (target)", "learning_rate": "learning rate"}
    entries = [Entry(f"given.{key}", titles.get(key, key), value) for key, value in trace.given.items()]
    entries.append(Entry("given.optimizer", "optimizer", trace.problem.optimizer.describe()))
    return Section("Given" + (f" (parameters before step {trace.shown})" if trace.shown > 1 else ""), tuple(entries))


def _backward(trace: Trace, text: dict) -> Section:
    """The gradients; dL/dz notes the cells where z sat on a kink of an activation that notes them
    (ReLU: where ReLU'(0) was used)."""
    entries = []
    for key, value in trace.grads.items():
        activation = trace.problem.layers[layer_number(key) - 1].activation if key[0] == "z" else None
        note = activation.kink_note() if activation is not None else ""
        at_kink = np.isin(trace.forward[key], activation.kinks) if note else None
        entries.append(
            Entry(f"grads.{key}", text["grads"][key], value, at_kink if note and at_kink.any() else None, note)
        )
    return Section("Backward pass", tuple(entries))


Picks = dict[str, list[tuple[tuple[int, ...] | None, str]]]
"""Entries to work out, by JSON path: ``{"updated.W1": [((1, 0), "W1[1,0]")]}``; index None: the first."""


def picked(trace: Trace, parts: list[Section], explain: list[str]) -> Picks:
    """The entries of ``parts`` to work out, from what --explain was given: ``""`` (a bare --explain)
    for the first entry of every value and the loss of the first point, or entries named as the
    worked lines name them (``W1[1,0]`` for its update, ``dL/dz1[2,0]``, ``loss[1]`` for point 1),
    as --only names them (``W1n[1][0]``) or by the config's course names (``w5+``), several to a
    word when spaces or commas separate them."""
    from ..quantities import locate, split_key

    chosen: Picks = {}
    if any(not text.strip() for text in explain):
        chosen = {entry.path: [(None, "")] for part in parts for entry in part.entries}
    names, shapes = _explainable(trace)
    shown = {entry.path: entry.value for part in parts for entry in part.entries}
    for text in explain:
        at = _SEPARATOR.match(text).end()
        while at < len(text):
            match = _ENTRY.match(text, at)
            if match is None or text.startswith("[", match.end()):
                raise OptionError(
                    "--explain",
                    f"{excerpt(text[at:], 40)} is not an entry; write NAME[i,j] as the worked "
                    "lines name entries, e.g. W1[1,0], dL/dz1[2,0] or loss[0]",
                )
            written = match.group(0)
            key = locate(written, names, shapes, OptionError, "--explain")
            if key is None:
                name = written.partition("[")[0]
                close = closest(name, names)
                raise OptionError(
                    "--explain",
                    f"{excerpt(written, 40)}: {excerpt(name, 40)} has no worked example"
                    f"{f' (did you mean {close}?)' if close else ''}; name a computed value "
                    "as the worked lines do (z1, a1, dL/dz1, dL/dW1, W1 for its update, loss)",
                )
            path, index = split_key(key)
            if path not in shown and key not in shown:
                left_out = key if any(shown_path.startswith(path + "[") for shown_path in shown) else path
                raise OptionError("--explain", f"{written}: --only leaves {left_out} out; add it to --only")
            section, _, name = path.partition(".")
            if section == "updated" and name in trace.problem.freeze:
                raise OptionError(
                    "--explain",
                    f"{written}: {name} is frozen: its update works nothing out; pick its gradient or another entry",
                )
            chosen.setdefault(path, []).append((_whole_index(written, index, shapes[path]), written))
            at = _SEPARATOR.match(text, match.end()).end()
    return chosen


def explained(trace: Trace, parts: list[Section], chosen: Picks) -> list[Section]:
    """The same sections, each entry with a worked line (``z1[0,0] = 1·3 + 0·14 + (-1) = 2``) for
    each of its entries ``chosen``."""
    from dataclasses import replace

    from ..quantities import split_key
    from .explain import worked

    def lines(key: str) -> tuple[str, ...]:  # a value without a worked example (loss_after) has none
        path, alone = split_key(key)  # alone: the index of an entry --only shows alone
        picks = [alone if index is None else index for index, _ in chosen.get(path, []) + chosen.get(key, [])]
        picks = [index for index in picks if alone is None or index == alone]
        return tuple(dict.fromkeys(line for index in picks if (line := worked(trace, path, index))))

    return [Section(part.title, tuple(replace(e, worked=lines(e.path)) for e in part.entries)) for part in parts]


_ENTRY = re.compile(r"[^\s,\[\]]+(?:\[[^\]]*\])*")
"""An entry as --explain takes it: ``W1[1,0]``, ``W1n[1][0]``, ``dL/dz1[2,0]``, ``loss[0]``,
``dL/db1[]`` (a number), or a name alone for a value of one entry (``loss`` for one point)."""
_SEPARATOR = re.compile(r"[\s,]*")


def _explainable(trace: Trace) -> tuple[dict[str, str], dict[str, tuple[int, ...]]]:
    """Every name --explain takes -> its key, and the shapes of the values: the values with worked
    lines, named as --only names them (``a1``, ``W1.grad``, ``W1n``, ``grads.W1``), as their worked
    lines do (``dL/dW1``, ``W1`` for its update, ``L``), and by the config's course names (``w5``
    for its update, like ``W1``). The loss has one entry per point."""
    from ..model import SECTIONS
    from ..quantities import answer_names, quantity_shapes, with_aliases

    names = {
        name: path
        for name, path in answer_names(trace, course=False).items()
        if path == "loss" or path.split(".")[0] in SECTIONS
    }
    names.update({key: f"updated.{key}" for key in trace.updated})
    names.update({f"dL/d{key}": f"grads.{key}" for key in trace.grads})
    shapes = {**quantity_shapes(trace.problem), "loss": (trace.problem.batch_size,)}
    return with_aliases({**names, "L": "loss"}, trace.problem.names, shapes), shapes


def _whole_index(written: str, index: tuple[int, ...] | None, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The index of the entry to work out; none is needed for a value of one entry."""
    if index is not None:
        return index
    if int(np.prod(shape)) == 1:
        return (0,) * len(shape)
    name, count = written.partition("[")[0], "one index" if len(shape) == 1 else f"{len(shape)} indices"
    example = f"{name}[{','.join('0' * len(shape))}]"
    raise OptionError("--explain", f"{written}: {name} is {shape_text(shape)}; write {count}, e.g. {example}")


def select(trace: Trace, parts: list[Section], only: list[str]) -> list[Section]:
    """Keep the entries named in ``only``: JSON paths, their prefixes (``updated``,
    ``optimizer_state``), the notebook names ``check`` accepts (``a1``, ``W1n``), the names
    of what is given (``x``, ``W1``: the parameter before the step), the config's course names
    (``w5``), or one entry of a value (``W1n[0][1]``: shown alone, as a number)."""
    from ..quantities import answer_names, locate, quantity_shapes, split_key, with_aliases

    if not only:
        raise OptionError("--only", "give one or more names, e.g. --only grads.W1,updated")
    shapes = quantity_shapes(trace.problem)
    aliases = {**{key: f"given.{key}" for key in (*trace.given, "optimizer")}, **answer_names(trace, course=False)}
    aliases = with_aliases(aliases, trace.problem.names, shapes)
    paths = [entry.path for part in parts for entry in part.entries]
    wanted: dict[str, str] = {}  # key -> the name written
    for token in only:
        key = locate(token, aliases, shapes, OptionError, "--only")
        path = token if key is None else key  # a section or a prefix of paths (updated, optimizer_state)
        whole = path if key is None else split_key(key)[0]
        if not any(p == whole or p.startswith(whole + ".") for p in paths):
            sections_ = ", ".join(dict.fromkeys(p.split(".")[0] for p in paths))
            names = ", ".join(name for name in aliases if name not in paths and "[" not in aliases[name])
            raise OptionError(
                "--only",
                f"{token!r} names nothing in this run; choose sections ({sections_}), "
                f"JSON paths (forward.a1, grads.W1, ...), names ({names}) or one entry of a value (W1n[0][1])",
            )
        wanted.setdefault(path, token)
    kept = []
    for part in parts:
        entries = tuple(kept_entry for e in part.entries for kept_entry in _kept(e, wanted))
        if entries:
            kept.append(Section(part.title, entries))
    return kept


def _kept(entry: Entry, wanted: dict[str, str]) -> list[Entry]:
    """``entry`` when ``wanted`` names it or a prefix of it, else each of its entries it names, alone."""
    from ..quantities import notebook_name, split_key

    if any(entry.path == key or entry.path.startswith(key + ".") for key in wanted):
        return [entry]
    out = []
    for key, token in wanted.items():
        path, index = split_key(key)
        if path == entry.path:
            named = f" ({token})" if token not in (key, notebook_name(key)) else ""
            cell = key[len(path) :]
            out.append(Entry(key, f"{entry.title}, entry {cell}{named}", np.asarray(entry.value[index])))
    return out


def select_dict(data: dict, parts: list[Section]) -> dict:
    """The JSON output cut down to the selected entries (nesting kept; one entry of a value is
    keyed by its name and index, ``"W1[0][1]"``, under its section)."""
    from ..quantities import split_key

    out: dict = {"network": data["network"], "layout": data["layout"]}
    for part in parts:
        for entry in part.entries:
            path, index = split_key(entry.path)
            keys = path.split(".")
            source, target = data, out
            for key in keys[:-1]:
                source, target = source[key], target.setdefault(key, {})
            value = source[keys[-1]]
            if index is not None:
                for i in index:
                    value = value[i]
            target[entry.path.split(".")[-1]] = value
    return out


def header_lines(trace: Trace) -> tuple[str, str]:
    """The network in one line, and the setting of the step in another."""
    problem = trace.problem
    batch = problem.batch_size
    points = f"{batch} points, {problem.reduction}" if batch > 1 else "1 point"
    details = [points, f"{problem.layout} layout", f"learning rate {problem.learning_rate!r}"]
    if problem.optimizer != SGD():
        details.append(problem.optimizer.describe())
    details += dict.fromkeys(layer.activation.describe() for layer in problem.layers if not layer.activation.is_default)
    if problem.freeze:
        details.append("frozen: " + ", ".join(name for name in trace.updated if name in problem.freeze))
    if problem.relu_grad_at_zero:
        details.append(f"relu'(0) = {problem.relu_grad_at_zero:g}")
    if problem.steps > 1:
        details.append(f"step {trace.shown} of {problem.steps}")
    return trace.network, " · ".join(details)


LINES = ("given.learning_rate", "given.optimizer", "loss", "loss_after", "final_loss")
"""Values shown as a line of text (``L = 28.000000000000693``), not as a matrix: each at full precision."""


def scalar_text(entry: Entry, precision: int = 8) -> str:
    """A single number: losses and the learning rate at full precision (they round-trip), others
    to ``precision`` digits."""
    value = float(entry.value) + 0.0  # no -0
    return repr(value) if entry.path in LINES else format_number(value, precision)


def shown_cells(parts: list[Section], full: bool) -> int:
    """How many numbers ``parts`` show (big matrices elided unless ``full``): what writing them costs."""
    return sum(shown(entry.value, full) for part in parts for entry in part.entries)
