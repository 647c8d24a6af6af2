"""What a wrong answer matches instead: the likely mistakes behind it, each tried in turn."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np

from ..model import Trace, bias_name, flipped, layer_number
from ..quantities import expected_value, notebook_name, output_grad, split_key
from .tolerance import ULPS, Tolerance


def hint(trace: Trace, path: str, values: np.ndarray, halves: np.ndarray, tolerance: Tolerance) -> str | None:
    """What a wrong answer matches instead, when (and only when) it matches something.

    A candidate that cannot be told from zero at the precision written says
    nothing (an answer of zeros written as whole numbers would match it by chance). For one entry
    (``updated.W1[0][1]``), the same cell of each candidate for the whole value.
    """
    expected = expected_value(trace, path)
    zeros = np.zeros_like(values)
    whole, index = split_key(path)
    for text, candidate in _candidates(trace, whole):
        if index is not None:
            if candidate.shape != expected_value(trace, whole).shape:
                continue
            candidate = candidate[index]
        if (
            candidate.shape == values.shape
            and tolerance.close(values, candidate, halves).all()
            and not tolerance.close(zeros, candidate, halves).all()
        ):
            return text
    coarse = tolerance.written and tolerance.min_rtol and values.any()  # all zeros: nothing worked out to round
    if coarse and replace(tolerance, min_rtol=0).close(values, expected, halves).all():
        digits = int(np.ceil(-np.log10(2 * tolerance.min_rtol))) + 1
        return (f"rounded right, but too coarse: give {digits} significant digits "
                f"(within {100 * tolerance.min_rtol:g}% of each value; see --min-rtol)")  # fmt: skip
    if tolerance.written and (halves > 0).all():
        unit = 2 * halves
        with np.errstate(over="ignore", invalid="ignore"):  # a unit of 1e-300 under 1e10: no truncation to see
            truncated = np.trunc(expected / unit) * unit
        rounded_right = tolerance.close(values, expected, halves)
        matches = np.abs(values - truncated) <= unit * 1e-6 + ULPS * np.abs(expected)
        if (matches | rounded_right).all() and (matches & ~rounded_right).any() and truncated.any():
            return "truncated instead of rounded: round the last digit to nearest"
    return None


def _candidates(trace: Trace, path: str):
    """(hint, value) pairs for the likely mistakes behind a wrong answer for ``path``."""
    problem = trace.problem
    batch, lr = problem.batch_size, problem.learning_rate
    section, _, key = path.partition(".")
    expected = expected_value(trace, path)
    mean = problem.reduction == "mean"
    if mean:
        per_batch = (f"summed over the batch instead of averaged (x{batch})", expected * batch)
    else:
        per_batch = (f"averaged over the batch instead of summed (/{batch})", expected / batch)
    if section != "forward" and path != "loss":
        for text, other in _conventions(trace):
            yield text, expected_value(other, path)
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] > 1:
        yield f"transposed: this is {notebook_name(path)}ᵀ; {shape_rule(trace, path)}", expected.T
    if section == "final":
        return
    if path in ("loss", "loss_after", "final_loss"):
        yield from _loss_mistakes(trace, path, per_batch)
        return

    l = layer_number(key)
    kind = "bias" if key == bias_name(l, problem.layout) else key[0]  # z, a, W or bias
    act = problem.layers[l - 1].activation.name
    values = getattr(trace, section)
    if section == "forward":
        if kind == "z":
            yield f"this is a{l} = {act}(z{l}), not z{l}", trace.forward[f"a{l}"]
        else:
            yield f"this is z{l}: {act} was not applied", trace.forward[f"z{l}"]
    elif section == "grads":
        yield from _gradient_mistakes(trace, key, l, kind, expected)
        if batch > 1:
            yield per_batch
    else:  # updated parameters
        yield from problem.optimizer.mistakes(key, trace.params[key], trace.grads[key], lr, batch, mean)
    for m in (l - 1, l + 1):
        other = bias_name(m, problem.layout) if kind == "bias" else f"{kind}{m}"
        if other in values:
            yield f"the value of {other}, a neighbouring layer", values[other]


def _loss_mistakes(trace: Trace, path: str, per_batch: tuple[str, np.ndarray]):
    """(hint, value) pairs for a wrong loss, loss_after or final_loss."""
    if path == "loss_after":
        yield "this is the loss before the update", np.array(trace.loss)
    if path == "loss":
        yield from _other_labels_loss(trace)
    if trace.problem.batch_size > 1:
        yield per_batch


def _gradient_mistakes(trace: Trace, key: str, l: int, kind: str, expected: np.ndarray):
    """(hint, value) pairs for a wrong dL/d``key`` of layer l (``kind`` z, a, W or bias)."""
    problem = trace.problem
    batch, lr, act = problem.batch_size, problem.learning_rate, problem.layers[l - 1].activation.name
    last = l == len(problem.layers)
    da = trace.grads.get(f"a{l}")
    if da is None and last:
        da = output_grad(trace)
    if kind == "z" and last:
        if problem.loss.fused:
            scaled = f" / {batch}" if problem.reduction == "mean" and batch > 1 else ""
            text = f"this is a{l}{scaled}: the label was not subtracted (dL/dz{l} = a{l} - y for {problem.loss.name})"
        else:
            text = "the label y was left out of the loss's derivative"
        yield text, _without_label(trace)
    if kind == "z" and da is not None:
        yield f"this is dL/da{l}: the derivative {act}'(z{l}) is left out", da
    if kind == "a":
        yield f"this is dL/dz{l}: {act}'(z{l}) belongs to dL/dz{l}, not dL/da{l}", trace.grads[f"z{l}"]
    yield "opposite sign", -expected
    if kind in ("W", "bias"):
        yield f"the step {lr!r} dL/d{key}, not the gradient dL/d{key}", lr * expected
        yield f"the updated {key}, not the gradient dL/d{key}", trace.updated[key]
        if da is not None:
            yield f"the derivative {act}'(z{l}) is left out of dL/dz{l}", _param_grad_through_a(trace, key, l, da)


@lru_cache(maxsize=4)  # a class's files share one trace: the other conventions are run once
def _conventions(trace: Trace) -> tuple[tuple[str, Trace], ...]:
    """The step again under each other convention at the kinks a config may choose (ReLU'(0)),
    when it matters: when some input of such an activation sits on its kink in the step shown.
    ``((hint, trace), ...)``."""
    from ..engine import step
    from ..errors import MlpstepError

    problem = trace.problem
    kinked = [
        layer.activation for l, layer in enumerate(problem.layers, 1)
        if layer.activation.conventions and np.isin(trace.forward[f"z{l}"], layer.activation.kinks).any()
    ]  # fmt: skip
    if not kinked:
        return ()
    others = []
    for value in kinked[0].conventions:
        if value == problem.relu_grad_at_zero:
            continue
        layers = tuple(replace(layer, activation=layer.activation.with_convention(value)) for layer in problem.layers)
        try:
            other = step(replace(problem, layers=layers, relu_grad_at_zero=value), trace.shown)
        except MlpstepError:  # overflows under that convention: no hint from it
            continue
        others.append((kinked[0].convention_hint(value), other))
    return tuple(others)


def _output_columns(trace: Trace) -> tuple[np.ndarray, np.ndarray]:
    """z and a of the output layer, ``(n, batch)`` whatever the layout."""
    last = len(trace.problem.layers)
    layout = trace.problem.layout
    return flipped(trace.forward[f"z{last}"], layout), flipped(trace.forward[f"a{last}"], layout)


def _without_label(trace: Trace) -> np.ndarray:
    """dL/dz of the output layer with the label left out, in the config's layout: a (reduced)
    for nll, the loss's derivative at y = 0 for the others."""
    problem = trace.problem
    z, a = _output_columns(trace)
    dz = a if problem.loss.fused else problem.loss.grad_z(z, a, np.zeros_like(problem.y), problem.layers[-1].activation)
    if problem.reduction == "mean":
        dz = dz / problem.batch_size
    return flipped(dz, problem.layout)


def _other_labels_loss(trace: Trace):
    """(hint, loss) for the loss's likely mistakes: nll taken at a class other than the label's."""
    problem = trace.problem
    z, a = _output_columns(trace)

    def reduce(per_point: np.ndarray) -> np.ndarray:
        return np.array(per_point.mean() if problem.reduction == "mean" else per_point.sum())

    return problem.loss.mistakes(z, a, problem.y, problem.layers[-1].activation, reduce)


def _param_grad_through_a(trace: Trace, key: str, l: int, da: np.ndarray) -> np.ndarray:
    """dL/dW or dL/db computed from dL/da (``(n, batch)`` in columns, ``(batch, n)`` in rows)
    instead of dL/dz: the activation's derivative left out."""
    columns = trace.problem.layout == "columns"
    if key.startswith(("w", "b")):
        summed = da.sum(axis=1 if columns else 0)
        return summed[:, None] if columns else summed
    layout = trace.problem.layout
    previous = trace.problem.x if l == 1 else flipped(trace.forward[f"a{l - 1}"], layout)
    dw = previous @ flipped(da, layout).T  # (n_in, n_out)
    return flipped(dw, layout)


def shape_rule(trace: Trace, path: str) -> str:
    key = path.partition(".")[2]
    kind = "W" if key.startswith("W") else "x" if key[:1] in ("z", "a") else "bias"
    rule = {
        ("columns", "W"): "W is n_in x n_out in the columns layout",
        ("rows", "W"): "W is n_out x n_in in the rows layout",
        ("columns", "x"): "z and a are n x batch in the columns layout",
        ("rows", "x"): "z and a are batch x n in the rows layout",
        ("columns", "bias"): f"the bias {key} is a column, n_out x 1, in the columns layout (or write it flat)",
        ("rows", "bias"): f"the bias {key} is a flat list of n_out in the rows layout",
    }
    return rule.get((trace.problem.layout, kind), "")
