"""Losses: each keeps its value and its gradient together, and owns how it reads: the output
layer and the targets it takes, its formula text, its worked example for --explain and the
mistakes ``check`` recognises in a loss. Adding one means adding one class here and one entry
in LOSSES.

Arrays are in the engine's column form: one column per point, ``z``, ``a`` and ``y`` are ``(n, batch)``.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation, Softmax, softplus


def _neg_log_softmax(z: np.ndarray, shifted: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """-log softmax(z) per column, ``(n, batch)``, accurate to the last bit.

    With m the column max and s the sum of exp(z - m) over the other units,
    -log softmax(z) = (m - z) + log1p(s): no overflow, and log1p keeps a tiny
    s exact (the seed's loss is 28 + 6.9e-13, not a rounded 28). ``shifted``:
    (m, exp(z - m)) when already computed; that exp is overwritten.
    """
    m, e = shifted or Softmax.shifted_exp(z)
    top = z.argmax(axis=0)  # leave the max's own 1 out of s (the first max's, if tied)
    if z.shape[1] == 1:
        e.flat[top] = 0.0  # one point: a row is its own index in e, three times faster
    else:
        e[top, np.arange(z.shape[1])] = 0.0
    return (m - z) + np.log1p(np.add.reduce(e, axis=0, keepdims=True))


class Loss:
    """A per-point loss of the output ``a = f(z)`` against the target ``y``."""

    name: str
    fused = False
    """True when the gradient is taken of z, through the output activation: there is no dL/da."""
    needs = ""
    """The output layer it needs, in words; empty: any."""
    cost = 0
    """Elementwise operations per output value and step besides the activation's (mlpstep.limits)."""

    def accepts(self, output: Activation) -> bool:
        """Whether it is defined over the outputs of ``output``."""
        return True

    def value(self, z, a, y, output: Activation) -> np.ndarray:
        """The loss of each point, ``(batch,)``."""
        raise NotImplementedError

    def forward(self, z, y, output: Activation, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The output layer's ``a = output(z)`` (into ``out`` if it can) and the loss of each point:
        the same numbers as ``value``, sharing the work the two have in common."""
        a = output.value(z, out=out)
        return a, self.value(z, a, y, output)

    def grad_a(self, a, y) -> np.ndarray:
        """dL/da per point, ``(n, batch)``."""
        raise NotImplementedError

    def grad_z(self, z, a, y, output: Activation) -> np.ndarray:
        """dL/dz of the output layer per point, ``(n, batch)``."""
        return output.backward(z, a, self.grad_a(a, y))

    def invalid_targets(self, y: np.ndarray, output: Activation) -> tuple[np.ndarray, str] | None:
        """The points (rows of ``y``, ``(count, n)``) whose targets it cannot take, and why; None when all fit."""
        return None

    def default_output(self, n: int) -> str:
        """The output activation of a new problem (mlpstep init) with ``n`` output units."""
        return "linear"

    def random_target(self, rng: np.random.Generator, n: int, integers: bool) -> np.ndarray:
        """A target of ``n`` values for a new problem: small integers, or Gaussian to 4 decimals."""
        return rng.integers(-2, 3, size=n).astype(float) if integers else np.round(rng.normal(size=n), 4)

    def da_text(self, a: str, n: int) -> str:
        """dL/da of one point in a formula, for an output ``a`` of ``n`` units."""
        raise NotImplementedError

    def grad_formula(self, a: str, z: str, n: int, output: Activation, per_batch: str) -> str:
        """dL/dz of the output layer in a formula; ``per_batch`` (`` / 3``) scales a mean."""
        return output.through(self.da_text(a, n), z) + per_batch

    def worked(self, a: np.ndarray, y: np.ndarray, output: Activation, entry, num) -> str:
        """One point's loss with its numbers (``a``, ``y``: ``(n,)``); ``entry(k)`` names unit k of its ``a``."""
        raise NotImplementedError

    def mistakes(self, z, a, y, output: Activation, reduce):
        """(hint, loss) pairs for the likely mistakes behind a wrong loss; ``reduce`` turns the loss of
        each point into the problem's loss."""
        return ()


class NLL(Loss):
    """Negative log-likelihood: cross-entropy for softmax, binary for sigmoid.

    Both are computed from z (log-sum-exp, softplus), so saturated outputs
    stay finite, and both have the fused gradient dL/dz = a - y (for softmax,
    a * sum(y) - y, so a probability label summing to 1 within rounding is exact).
    """

    name = "nll"
    fused = True
    needs = "a softmax or sigmoid output layer"
    cost = 8

    def accepts(self, output):
        return output.probabilities

    def value(self, z, a, y, output):
        if output.classes:  # -sum y log softmax(z)
            return np.add.reduce(y * _neg_log_softmax(z), axis=0)
        # sigmoid: -sum [y log a + (1-y) log(1-a)] = sum [softplus(z) - y z]
        return np.add.reduce(softplus(z) - y * z, axis=0)

    def forward(self, z, y, output, out=None):
        if not output.classes:
            return super().forward(z, y, output, out)
        shifted = output.shifted_exp(z)  # softmax and -log softmax share m and exp(z - m)
        a = output.normalized(shifted[1], out)
        return a, np.add.reduce(y * _neg_log_softmax(z, shifted), axis=0)

    def grad_z(self, z, a, y, output):
        if output.classes:  # a * sum(y) - y: exactly a - y when y sums to 1
            total = self._total(y)
            return a - y if total is None else a * total - y
        return a - y

    def _total(self, y: np.ndarray) -> np.ndarray | None:
        """Each point's sum of y (None when each is exactly 1: then a * 1 is a), kept for the next
        step with the same y (a problem's y never changes)."""
        kept = getattr(self, "_kept", None)
        if kept is None or kept[0] is not y:
            total = np.add.reduce(y, axis=0, keepdims=True)
            kept = self._kept = (y, None if (total == 1.0).all() else total)
        return kept[1]

    def invalid_targets(self, y, output):
        if output.classes:
            with np.errstate(over="ignore", invalid="ignore"):
                total = y.sum(axis=1)
            bad = np.flatnonzero((y < 0).any(axis=1) | ~(np.abs(total - 1.0) <= 1e-6))
            why = "a softmax target for nll is a probability vector (>= 0, summing to 1), or a class index"
        else:
            bad = np.flatnonzero(((y < 0) | (y > 1)).any(axis=1))
            why = "sigmoid targets for nll (binary cross-entropy) must lie between 0 and 1"
        return (bad, why) if bad.size else None

    def default_output(self, n):
        return "sigmoid" if n == 1 else "softmax"

    def random_target(self, rng, n, integers):
        return rng.integers(0, 2, size=n).astype(float)  # sigmoid: targets 0 or 1

    def grad_formula(self, a, z, n, output, per_batch):
        return f"({a} - y){per_batch}" if per_batch else f"{a} - y"

    def worked_grad_z(self, a: float, y: float, num) -> str:
        """dL/dz of one output entry with its numbers: ``0.73 - 1``."""
        return f"{num.operand(a)} - {num.operand(y)}"

    def worked(self, a, y, output, entry, num):
        r, n = num.result, num.operand
        if output.classes:
            hot = np.flatnonzero(y)
            if len(hot) == 1 and y[hot[0]] == 1:  # a class index: the log-probability of that class
                return f"-log {entry(hot[0])} = -log({r(a[hot[0]])})"
            logs = [f"{n(y[k])}·log({r(a[k])})" for k in hot]
        else:  # binary cross-entropy per unit
            logs = []
            for a_k, y_k in zip(a, y):
                logs += [f"log({r(a_k)})"] if y_k == 1 else [] if y_k == 0 else [f"{n(y_k)}·log({r(a_k)})"]
                logs += [f"log(1 - {r(a_k)})"] if y_k == 0 else [] if y_k == 1 else [f"{n(1 - y_k)}·log(1 - {r(a_k)})"]
        return f"-{logs[0]}" if len(logs) == 1 else f"-({num.terms(logs)})"

    def mistakes(self, z, a, y, output, reduce):
        """The loss taken at a class other than the label's: each other class of one point
        (softmax), or every label flipped (sigmoid)."""
        if not output.classes:
            yield (
                "the loss of the other class: the label is 1 - what was used",
                reduce(self.value(z, a, 1.0 - y, output)),
            )
        elif y.shape[1] == 1 and np.isin(y, (0.0, 1.0)).all():
            label = int(y[:, 0].argmax())
            for k in range(y.shape[0]):
                if k != label:
                    other = self.value(z, a, np.eye(y.shape[0])[:, [k]], output)
                    yield f"the loss at class {k}; the label is class {label}", reduce(other)


def _squares(a: np.ndarray, y: np.ndarray, num) -> tuple[str, str]:
    """``(a - y)²`` summed over the units with their numbers, and the same in parentheses for more than one."""
    squares = num.terms([f"({num.operand(a_k)} - {num.operand(y_k)})²" for a_k, y_k in zip(a, y)])
    return squares, f"({squares})" if len(a) > 1 else squares


class Squared(Loss):
    name = "squared"

    def value(self, z, a, y, output):
        return ((a - y) ** 2).sum(axis=0)

    def grad_a(self, a, y):
        return 2.0 * (a - y)

    def da_text(self, a, n):
        return f"2({a} - y)"

    def worked(self, a, y, output, entry, num):
        return _squares(a, y, num)[0]


class HalfSquared(Loss):
    name = "half_squared"

    def value(self, z, a, y, output):
        return 0.5 * ((a - y) ** 2).sum(axis=0)

    def grad_a(self, a, y):
        return a - y

    def da_text(self, a, n):
        return f"({a} - y)"

    def worked(self, a, y, output, entry, num):
        return f"0.5·{_squares(a, y, num)[1]}"


class MSE(Loss):
    """Mean over the output units of (a - y)^2."""

    name = "mse"

    def value(self, z, a, y, output):
        return ((a - y) ** 2).mean(axis=0)

    def grad_a(self, a, y):
        return 2.0 * (a - y) / a.shape[0]

    def da_text(self, a, n):
        return f"2({a} - y)/{n}"

    def worked(self, a, y, output, entry, num):
        squares, grouped = _squares(a, y, num)
        return f"{grouped} / {len(a)}" if len(a) > 1 else squares


LOSSES = {kind.name: kind for kind in (NLL, Squared, HalfSquared, MSE)}
