"""Every quantity of a step by name: the seed notebook's (``a1``, ``z2.grad``, ``W1n``), JSON paths
(``forward.a1``), single entries (``W1n[0][1]``) and a config's course names (``w5+``), resolved in
one place (``locate``)."""

from __future__ import annotations

import numpy as np

from .errors import MlpstepError, excerpt
from .model import SECTIONS, Problem, Trace, flipped, param_shapes, shape_text


def answer_paths(trace: Trace) -> list[str]:
    """The JSON path of every value of the step: ``forward.z1``, ..., ``loss``, ``grads.z2``, ...

    Besides what ``run`` prints, ``grads.aL`` (dL/da of the output layer, Mazur's dE/dout_o1)
    where the loss is taken of the output ``a``: every loss but nll, which is fused with its
    output activation (dL/dz = a - y)."""
    paths = [f"forward.{key}" for key in trace.forward] + ["loss"]
    if not trace.problem.loss.fused:
        paths.append(f"grads.a{len(trace.problem.layers)}")
    paths += [f"{section}.{key}" for section in SECTIONS[1:] for key in getattr(trace, section)] + ["loss_after"]
    if trace.problem.steps > 1:
        paths += [f"final.{key}" for key in trace.final] + ["final_loss"]
    return paths


def answer_names(trace: Trace, course: bool = True) -> dict[str, str]:
    """Every name an answer may use -> its key (``W1n`` -> ``updated.W1``), with the config's course
    names (``w5.grad`` -> ``grads.W2[0][0]``) unless not ``course``."""
    paths = answer_paths(trace)
    names = {**{notebook_name(path): path for path in paths}, **{path: path for path in paths}}
    return with_aliases(names, trace.problem.names, quantity_shapes(trace.problem)) if course else names


def quantity_shapes(problem: Problem) -> dict[str, tuple[int, ...]]:
    """The shape of every value of a step of ``problem`` by JSON path, known before the step:
    what is given, the forward pass, the gradients (``grads.aL`` too), the updated parameters, the losses."""
    columns, batch, last = problem.layout == "columns", problem.batch_size, len(problem.layers)
    params = param_shapes(problem.layers, problem.layout)
    units = {l: ((n, batch) if columns else (batch, n)) for l, n in enumerate(problem.sizes)}  # 0: the input
    shapes = {"given.x": units.pop(0), "given.y": units[last], **{f"given.{k}": s for k, s in params.items()}}
    shapes["given.learning_rate"] = ()
    for l in units:
        shapes.update({f"forward.z{l}": units[l], f"forward.a{l}": units[l]})
    shapes.update({"loss": (), **{f"grads.z{l}": units[l] for l in units}})
    shapes.update({f"grads.a{l}": units[l] for l in units if l < last or not problem.loss.fused})
    shapes.update({f"grads.{k}": s for k, s in params.items()} | {f"updated.{k}": s for k, s in params.items()})
    shapes["loss_after"] = ()
    if problem.steps > 1:
        shapes.update({**{f"final.{k}": s for k, s in params.items()}, "final_loss": ()})
    return shapes


def values_of(names: dict[str, str]) -> list[str]:
    """The JSON paths of the whole values ``names`` name, once each, in order (no single entries)."""
    return [key for key in dict.fromkeys(names.values()) if "[" not in key]


def resolve(name: str, names: dict[str, str]) -> str | None:
    """The JSON path a name stands for, or None: a name of ``names``, the label ``run`` prints for a
    gradient (``dL/dW1`` for ``W1.grad``), or ``Loss`` in any case."""
    if name in names:
        return names[name]
    if name.startswith("dL/d"):
        return names.get(name[4:] + ".grad")
    if name.lower() in ("loss", "loss_after", "final_loss"):
        return names.get(name.lower())
    return None


def notebook_name(path: str) -> str:
    """The seed notebook's name for a JSON path or an entry's key: ``a1``, ``z2.grad``, ``W1n``,
    ``loss``, ``W1n[0][1]``."""
    path, bracket, index = path.partition("[")
    section, _, key = path.partition(".")
    name = {"forward": key, "grads": f"{key}.grad", "updated": f"{key}n", "final": path}.get(section, path)
    return name + bracket + index


def expected_value(trace: Trace, path: str) -> np.ndarray:
    """The value of a JSON path, or of one entry (a number) for an entry's key (``updated.W1[0][1]``)."""
    path, index = split_key(path)
    if index is not None:
        return np.asarray(expected_value(trace, path)[index])
    if path in ("loss", "loss_after", "final_loss"):
        return np.array(getattr(trace, path))
    section, _, key = path.partition(".")
    values = getattr(trace, section)
    return values[key] if key in values or path != f"grads.a{len(trace.problem.layers)}" else output_grad(trace)


def output_grad(trace: Trace) -> np.ndarray | None:
    """dL/da of the output layer in the config's layout (``(n, batch)`` in columns, ``(batch, n)``
    in rows), or None for nll, whose gradient is taken of z."""
    problem = trace.problem
    if problem.loss.fused:
        return None
    a = flipped(trace.forward[f"a{len(problem.layers)}"], problem.layout)
    da = problem.loss.grad_a(a, problem.y)
    if problem.reduction == "mean":
        da = da / problem.batch_size
    return flipped(da, problem.layout)


# -- single entries and course names --------------------------------------------


def _index_at(name: str) -> int:
    """Where the index written at the end of ``name`` starts (``[0][1]``, ``[0,1]``, ``[2]``): ``len(name)``
    for none. Linear in the length of the name, however many brackets it holds."""
    start = len(name)
    while name.endswith("]", 0, start):
        opening = name.rfind("[", 0, start - 1)
        if opening < 0 or "]" in name[opening + 1 : start - 1]:
            break
        start = opening
    return start


def entry_key(path: str, index: tuple[int, ...]) -> str:
    """The key of one entry of a value: ``updated.W1[0][1]``."""
    return path + "".join(f"[{i}]" for i in index)


def split_key(key: str) -> tuple[str, tuple[int, ...] | None]:
    """A key's JSON path and the index of its entry (None: the whole value)."""
    path, bracket, index = key.partition("[")
    return (path, tuple(int(i) for i in index[:-1].split("][")) if bracket else None)


def locate(
    name: str, names: dict[str, str], shapes: dict[str, tuple[int, ...]], error: type[MlpstepError], where: str
) -> str | None:
    """The key ``name`` stands for among ``names`` (see ``resolve``): a value's JSON path, or an
    entry's (``updated.W1[0][1]``) for a name with an index (``W1n[0][1]``, ``W1n[0,1]``, 0-based;
    one flat index for a vector, a column or a row: ``a1[2]``) or a course name of an entry (``w5``).
    None when the name is unknown; ``error(where, ...)`` when its index does not fit the value's
    shape (``shapes``, by JSON path). ``check``'s answers, ``--only``, ``--explain`` and ``--expect``
    use it."""
    key = resolve(name, names)
    at = _index_at(name)
    if key is not None or at == len(name):
        return key
    base, index = name[:at], name[at:]
    path = resolve(base, names)
    if path is None:
        return None
    if "[" in path:
        raise error(where, f"{excerpt(base, 40)} is one entry already ({path}); write it without an index")
    written, shape = excerpt(name, 40), shapes[path]
    if not shape and index.replace(" ", "") != "[]":
        raise error(where, f"{written}: {excerpt(base, 40)} is a number; write it without an index")
    return entry_key(path, _index(index, written, base, shape, error, where)) if shape else path


def _index(
    text: str, written: str, base: str, shape: tuple[int, ...], error: type[MlpstepError], where: str
) -> tuple[int, ...]:
    """The index written (``[0][1]``, ``[0,1]``, ``[2]``) of an entry of a value of ``shape``."""
    cells = [cell.strip() for cell in text[1:-1].replace("][", ",").split(",")]
    flat = len(cells) == 1 and len(shape) == 2 and min(shape) == 1  # a column or a row: one index
    what = f"{written}: {excerpt(base, 40)} is {shape_text(shape)}"
    if not all(cell.isdigit() and len(cell) <= 18 for cell in cells) or len(cells) != len(shape) and not flat:
        count = "one index" if len(shape) == 1 else f"{len(shape)} indices"
        raise error(where, f"{what}; write {count}, e.g. {excerpt(base, 40)}[{','.join('0' * len(shape))}]")
    index = tuple(int(cell) for cell in cells)
    for i, n in zip(index, (max(shape),) if flat else shape):
        if i >= n:
            raise error(where, f"{what}, so index {i} is out of range (0 to {n - 1})")
    return tuple(int(i) for i in np.unravel_index(index[0], shape)) if flat else index


def with_aliases(names: dict[str, str], aliases: dict[str, str], shapes: dict[str, tuple[int, ...]]) -> dict[str, str]:
    """``names`` and the course names ``aliases`` declares (``{w5: "W2[0][0]"}``), each resolved
    through ``names``: ``w5``, and ``w5.grad``, ``w5+`` and ``w5n`` (its gradient and its updated
    value) where ``W2.grad[0][0]`` and ``W2n[0][0]`` name something. A course name whose target is
    not among ``names`` is left out (``w5`` in an answers file, where the weight before the step is given)."""
    out = dict(names)
    for alias, target in aliases.items():
        at = _index_at(target)
        base, index = target[:at], target[at:]
        derived = {"": target, ".grad": f"{base}.grad{index}", "+": f"{base}n{index}", "n": f"{base}n{index}"}
        for suffix, name in derived.items():
            try:
                key = locate(name, names, shapes, MlpstepError, "")
            except MlpstepError:
                key = None
            if key is not None:
                out.setdefault(alias + suffix, key)
    return out
