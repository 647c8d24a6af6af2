"""Grade answers against a computed step, and say what a wrong answer matches instead.

By default an answer is right when every cell is within half a unit of the
last decimal place written (``0.40`` allows +-0.005, ``2`` allows +-0.5),
plus a few ulps for float representation, and also within MIN_RTOL of the
value (a precision floor: ``0`` is not a right answer for 0.298 however it is
rounded). ``rtol``/``atol`` replace both rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from ..errors import ConfigError, excerpt
from .answers import Given, Submission, read_answers, valid_names
from ..loading.reader import Untrusted
from ..model import Trace, bias_name, expected_value, notebook_name, output_grad

ULPS = 4 * np.finfo(np.float64).eps
"""Slack for float representation, relative to the larger of the two values."""
REPORTED = 10_000
"""Most numbers of expected and given values check's JSON report shows for one file without --full."""
ROUNDING = 1e-12
"""Slack for rounding in the computation, relative to the largest value of the answer, for
numbers written with 10 or more significant digits (pasted from a program): two correct
float64 programs (this engine, PyTorch) differ by that much where terms cancel."""
MIN_RTOL = 0.005
"""The precision floor: besides being rounded right, an answer must be within this fraction of
the value (three significant digits), ..."""
FLOOR = 1e-6
"""... or within this fraction of the largest value of the same answer: a 0 for the 6.9e-13 beside
a 1 in the seed's a2 is right, a 0 for gradients of 4e-4 is not."""


@dataclass(frozen=True)
class Tolerance:
    """``rtol`` and ``atol`` None: the written-precision rule with the precision floor ``min_rtol``
    (0 turns the floor off); otherwise |given - expected| <= atol + rtol * |expected|."""

    rtol: float | None = None
    atol: float | None = None
    min_rtol: float = MIN_RTOL

    @property
    def written(self) -> bool:
        """Is this the written-precision rule?"""
        return self.rtol is None and self.atol is None

    def close(self, given: np.ndarray, expected: np.ndarray, half_units: np.ndarray) -> np.ndarray:
        """A boolean mask over the cells: is ``given`` within tolerance of ``expected``?"""
        diff = np.abs(given - expected)
        if not self.written:
            return diff <= (self.atol or 0.0) + (self.rtol or 0.0) * np.abs(expected)
        magnitude = np.abs(expected)
        scale = magnitude.max(initial=0.0)
        floor = np.maximum(self.min_rtol * magnitude, FLOOR * scale) if self.min_rtol else np.inf
        inside = diff <= np.minimum(half_units, floor)
        if inside.all():  # within both everywhere: what the slack below adds cannot matter
            return inside
        pasted = half_units <= 1e-10 * np.abs(given)
        slack = ULPS * np.maximum(np.abs(given), magnitude) + pasted * ROUNDING * scale
        return (diff <= half_units * (1 + 1e-9) + slack) & (diff <= floor + slack)


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
    texts: np.ndarray | None = None  # each given number as written ("0.10"), shaped as ``given``
    missing: bool = False  # asked for (or left blank) and not answered

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
    """The answers of one file, the problems found in it, or why it could not be graded at all.

    ``expected`` is how many answers the file was asked for (0: only what it answered);
    ``unanswered`` how many values of the step it left out when nothing was asked; ``names``
    the names it may use, when it used an unknown one."""

    file: str
    answers: list[Answer] = field(default_factory=list)
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    expected: int = 0
    unanswered: int = 0
    names: str | None = None

    @property
    def correct(self) -> int:
        return sum(answer.correct for answer in self.answers)

    @property
    def total(self) -> int:
        """The answers graded; for a file that could not be read, the answers it was asked for."""
        return self.expected if self.error else len(self.answers)

    @property
    def invalid(self) -> bool:
        """Could some of it not be graded (exit code 2)?"""
        return bool(self.error or self.problems)

    def to_dict(self, full: bool = True) -> dict:
        """Plain data. Without ``full``, the answers show at most REPORTED numbers of expected and
        given values in all, in order; the rest are elided: a class's report would otherwise repeat
        a big network's values for every file that answered with a single number."""
        left, answers = REPORTED, []
        for answer in self.answers:
            shown = full or answer.size <= left
            left -= answer.size if shown else 0
            answers.append(answer.to_dict(shown))
        return {"file": self.file, "correct": self.correct, "total": self.total, "error": self.error,
                "problems": self.problems, "unanswered": self.unanswered, "answers": answers}  # fmt: skip


def grade_file(
    trace: Trace, source: str, names: dict[str, str], tolerance: Tolerance = Tolerance(), expect: list[str] = (),
    untrusted: Untrusted | None = None,
) -> Graded:
    """Read and grade one answers file (``-``: stdin) for the step ``trace`` shows. ``names`` is
    ``answer_names(trace)``; ``expect`` the paths every file must answer (a missing one is wrong);
    ``untrusted`` the limits the file is read under."""
    label = "stdin" if source == "-" else source
    try:
        submission = read_answers(source, names, trace.shown, untrusted)
    except ConfigError as e:
        message, shown = str(e), excerpt(label) + ": "
        return Graded(label, error=message.removeprefix(shown), expected=len(expect))
    answers = grade(trace, submission, tolerance, expect)
    unanswered = 0 if expect else len(set(names.values())) - len(answers)
    help = valid_names(names) if submission.unknown else None
    return Graded(label, answers, problems=submission.problems, expected=len(expect), unanswered=unanswered, names=help)


def grade(trace: Trace, submission: Submission, tolerance: Tolerance = Tolerance(), expect: list[str] = ()) -> list[Answer]:
    """Grade each answer of ``submission``; blank answers, answers that could not be read and
    paths in ``expect`` with no answer count as wrong."""
    graded = [grade_one(trace, path, given, tolerance) for path, given in submission.answers.items()]
    for path, why in submission.invalid.items():
        graded.append(Answer(path, notebook_name(path), False, expected_value(trace, path), None, hint=f"not graded: {why}"))
    for path in dict.fromkeys([*submission.blank, *expect]):
        if path not in submission.answers and path not in submission.invalid:
            expected = expected_value(trace, path)
            graded.append(Answer(path, notebook_name(path), False, expected, None, hint="missing: no answer given", missing=True))
    return graded


def grade_one(trace: Trace, path: str, given: Given, tolerance: Tolerance) -> Answer:
    expected = expected_value(trace, path)
    values, halves, texts = given.values, given.half_units, given.texts
    if values.ndim < 2 and values.shape != expected.shape and values.size == expected.size and _squeezed(expected) in (
        values.shape,
        (),
    ):  # a column (or a row) written flat, a 1x1 written as a number
        values, halves, texts = (array.reshape(expected.shape) for array in (values, halves, texts))
    answer = Answer(path, given.written_as, False, expected, values, texts=texts)
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
    expected = expected_value(trace, path)
    zeros = np.zeros_like(values)
    for text, candidate in _candidates(trace, path):
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
        yield f"transposed: this is {notebook_name(path)}ᵀ; {_shape_rule(trace, path)}", expected.T
    if section == "final":
        return
    if path in ("loss", "loss_after", "final_loss"):
        yield from _loss_mistakes(trace, path, per_batch)
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
    z, a = trace.forward[f"z{last}"], trace.forward[f"a{last}"]
    return (z, a) if trace.problem.layout == "columns" else (z.T, a.T)


def _without_label(trace: Trace) -> np.ndarray:
    """dL/dz of the output layer with the label left out, in the config's layout: a (reduced)
    for nll, the loss's derivative at y = 0 for the others."""
    problem = trace.problem
    z, a = _output_columns(trace)
    dz = a if problem.loss.fused else problem.loss.grad_z(z, a, np.zeros_like(problem.y), problem.layers[-1].activation)
    if problem.reduction == "mean":
        dz = dz / problem.batch_size
    return dz if problem.layout == "columns" else dz.T


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

