"""Grade answers against a computed step, and say what a wrong answer matches instead.

By default an answer is right when every cell is within half a unit of the
last decimal place written (``0.40`` allows +-0.005, ``2`` allows +-0.5),
plus a few ulps for float representation. ``rtol``/``atol`` replace the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .answers import Given, expected_value, notebook_name
from .names import bias_name
from .trace import Trace

ULPS = 4 * np.finfo(np.float64).eps
"""Slack for float representation, relative to the larger of the two values."""
REPORTED = 10_000
"""Most numbers of expected and given values check's JSON report shows for one file without --full."""
ROUNDING = 1e-12
"""Slack for rounding in the computation, relative to the largest value of the answer, for
numbers written with 10 or more significant digits (pasted from a program): two correct
float64 programs (this engine, PyTorch) differ by that much where terms cancel."""


@dataclass(frozen=True)
class Tolerance:
    """``None`` for both: the written-precision rule; otherwise |given - expected| <= atol + rtol * |expected|."""

    rtol: float | None = None
    atol: float | None = None

    def close(self, given: np.ndarray, expected: np.ndarray, half_units: np.ndarray) -> np.ndarray:
        """A boolean mask over the cells: is ``given`` within tolerance of ``expected``?"""
        diff = np.abs(given - expected)
        if self.rtol is None and self.atol is None:
            inside = diff <= half_units
            if inside.all():  # within half a unit everywhere: what the slack below adds cannot matter
                return inside
            pasted = half_units <= 1e-10 * np.abs(given)
            scale = np.abs(expected).max(initial=0.0)
            bound = half_units * (1 + 1e-9) + ULPS * np.maximum(np.abs(given), np.abs(expected)) + pasted * ROUNDING * scale
        else:
            bound = (self.atol or 0.0) + (self.rtol or 0.0) * np.abs(expected)
        return diff <= bound


@dataclass
class Answer:
    """One graded answer."""

    path: str  # e.g. "updated.W1"
    written_as: str  # the name the file used, e.g. "W1n"
    correct: bool
    expected: np.ndarray
    given: np.ndarray | None  # in the expected shape when it was only written flat; None when missing
    wrong: np.ndarray | None = None  # mask over expected's cells; None when the shapes differ
    hint: str | None = None

    @property
    def size(self) -> int:
        """How many numbers its expected and given values hold."""
        return self.expected.size + (0 if self.given is None else self.given.size)

    def to_dict(self, values: bool = True) -> dict:
        """Plain data; without ``values``, the expected and given values are left out (null, with
        ``"elided": true``)."""
        out = {"name": self.path, "written_as": self.written_as, "correct": self.correct}
        out["expected"] = self.expected.tolist() if values else None
        out["given"] = None if not values or self.given is None else self.given.tolist()
        if not values:
            out["elided"] = True
        out["hint"] = self.hint
        return out


@dataclass
class Graded:
    """The answers of one file, or why the file could not be graded."""

    file: str
    answers: list[Answer] = field(default_factory=list)
    error: str | None = None

    @property
    def correct(self) -> int:
        return sum(answer.correct for answer in self.answers)

    @property
    def total(self) -> int:
        return len(self.answers)

    def to_dict(self, full: bool = True) -> dict:
        """Plain data. Without ``full``, the answers show at most REPORTED numbers of expected and
        given values in all, in order; the rest are elided: a class's report would otherwise repeat
        a big network's values for every file that answered with a single number."""
        left, answers = REPORTED, []
        for answer in self.answers:
            shown = full or answer.size <= left
            left -= answer.size if shown else 0
            answers.append(answer.to_dict(shown))
        return {"file": self.file, "correct": self.correct, "total": self.total, "error": self.error, "answers": answers}


def grade(trace: Trace, answers: dict[str, Given], tolerance: Tolerance = Tolerance(), expect: list[str] = ()) -> list[Answer]:
    """Grade each answer (by JSON path); paths in ``expect`` with no answer count as wrong."""
    graded = [grade_one(trace, path, given, tolerance) for path, given in answers.items()]
    for path in dict.fromkeys(expect):
        if path not in answers:
            graded.append(
                Answer(path, notebook_name(path), False, expected_value(trace, path), None, hint="missing: no answer given")
            )
    return graded


def grade_one(trace: Trace, path: str, given: Given, tolerance: Tolerance) -> Answer:
    expected = expected_value(trace, path)
    values, halves = given.values, given.half_units
    if values.ndim < 2 and values.shape != expected.shape and values.size == expected.size and _squeezed(expected) in (
        values.shape,
        (),
    ):  # a column (or a row) written flat, a 1x1 written as a number
        values, halves = values.reshape(expected.shape), halves.reshape(expected.shape)
    answer = Answer(path, given.written_as, False, expected, values)
    if values.shape != expected.shape:
        if values.ndim == 2 and values.T.shape == expected.shape and tolerance.close(values.T, expected, halves.T).all():
            answer.hint = f"transposed: this is {notebook_name(path)}ᵀ; {_shape_rule(trace, path)}"
        else:
            answer.hint = f"shape {_shape(values)}, but {notebook_name(path)} is {_shape(expected)}"
        return answer
    close = tolerance.close(values, expected, halves)
    answer.correct = bool(close.all())
    if not answer.correct:
        answer.wrong = ~close
        answer.hint = _hint(trace, path, values, halves, tolerance)
    return answer


def _hint(trace: Trace, path: str, values: np.ndarray, halves: np.ndarray, tolerance: Tolerance) -> str | None:
    """What a wrong answer matches instead, when (and only when) it matches something.

    A candidate that cannot be told from zero at the precision written says
    nothing (an answer of zeros written as whole numbers would match it by chance).
    """
    zeros = np.zeros_like(values)
    for text, candidate in _candidates(trace, path):
        if (
            candidate.shape == values.shape
            and tolerance.close(values, candidate, halves).all()
            and not tolerance.close(zeros, candidate, halves).all()
        ):
            return text
    expected = expected_value(trace, path)
    if tolerance.rtol is None and tolerance.atol is None and (halves > 0).all():
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
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] > 1:
        yield f"transposed: this is {notebook_name(path)}ᵀ; {_shape_rule(trace, path)}", expected.T
    if section == "final":
        return
    if path in ("loss", "loss_after", "final_loss"):
        if path == "loss_after":
            yield "this is the loss before the update", np.array(trace.loss)
        if batch > 1:
            yield per_batch
        return

    l = int(key[1:-1]) if key.startswith("w") else int(key[1:])
    kind = "bias" if key == bias_name(l, problem.layout) else key[0]  # z, a, W or bias
    act = problem.layers[l - 1].activation.name
    values = getattr(trace, section)
    if section == "forward":
        if kind == "z":
            yield f"this is a{l} = {act}(z{l}), not z{l}", trace.forward[f"a{l}"]
        else:
            yield f"this is z{l}: {act} was not applied", trace.forward[f"z{l}"]
    elif section == "grads":
        da = trace.grads.get(f"a{l}")
        if da is None and l == len(problem.layers) and problem.loss.name != "nll":
            da = _output_da(trace)
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
        if batch > 1:
            yield per_batch
    else:  # updated parameters
        before, grad = trace.params[key], trace.grads[key]
        yield f"the gradient was added: {key} + {lr!r} dL/d{key}; the update subtracts it", before + lr * grad
        yield f"this is the gradient dL/d{key}, not the updated {key}", grad
        yield f"this is only the step {lr!r} dL/d{key}: subtract it from {key}", lr * grad
        yield f"the learning rate is left out: {key} - dL/d{key}", before - grad
        yield f"this is {key} before the update", before
        if batch > 1 and mean:
            yield f"the gradient was summed over the batch instead of averaged (x{batch})", before - lr * batch * grad
        elif batch > 1:
            yield f"the gradient was averaged over the batch instead of summed (/{batch})", before - lr * grad / batch
    for m in (l - 1, l + 1):
        other = bias_name(m, problem.layout) if kind == "bias" else f"{kind}{m}"
        if other in values:
            yield f"the value of {other}, a neighbouring layer", values[other]


def _output_da(trace: Trace) -> np.ndarray:
    """dL/da of the output layer (not part of the trace), in the config's layout."""
    problem = trace.problem
    a = trace.forward[f"a{len(problem.layers)}"]
    columns = problem.layout == "columns"
    da = problem.loss.grad_a(a if columns else a.T, problem.y)
    if problem.reduction == "mean":
        da = da / problem.batch_size
    return da if columns else da.T


def _param_grad_through_a(trace: Trace, key: str, l: int, da: np.ndarray) -> np.ndarray:
    """dL/dW or dL/db computed from dL/da (``(n, batch)`` in columns, ``(batch, n)`` in rows)
    instead of dL/dz: the activation's derivative left out."""
    columns = trace.problem.layout == "columns"
    if key.startswith(("w", "b")):
        summed = da.sum(axis=1 if columns else 0)
        return summed[:, None] if columns else summed
    previous = trace.problem.x if l == 1 else (trace.forward[f"a{l - 1}"] if columns else trace.forward[f"a{l - 1}"].T)
    da_columns = da if columns else da.T
    dw = previous @ da_columns.T  # (n_in, n_out)
    return dw if columns else dw.T


def _squeezed(array: np.ndarray) -> tuple[int, ...]:
    return tuple(n for n in array.shape if n != 1)


def _shape(array: np.ndarray) -> str:
    return "x".join(map(str, array.shape)) or "a number"


def _shape_rule(trace: Trace, path: str) -> str:
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

