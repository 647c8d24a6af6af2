"""Activations: each keeps its value and its derivative together, and owns how it reads: its
options, its formula text, its worked example for --explain, what it makes of labels and how
many units it needs. Adding one means adding one class here and one entry in ACTIVATIONS.

Arrays are in the engine's column form: one column per point, ``z`` and ``a`` are ``(n, batch)``.
``value`` and ``backward`` may write their result into ``out`` (an array of its shape, which the
engine reuses from step to step) and return it; one that allocates instead is slower, never wrong.
A worked example gets ``num``, which writes its numbers: ``num.operand(-2)`` is ``(-2)``,
``num.result(0.5)`` is ``0.5``, ``num.terms([...])`` sums the first few terms.
"""

from __future__ import annotations

import functools

import numpy as np

from ..options import ABOVE_0, Configurable, Option


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) without overflow."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z) without overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@functools.lru_cache(maxsize=16)
def _zeros(n: int) -> np.ndarray:
    """A row of n zeros, read-only, to broadcast down the columns of an ``(units, n)`` array."""
    row = np.zeros((1, n))
    row.flags.writeable = False
    return row


class Activation(Configurable):
    """An elementwise activation ``a = f(z)`` with ``f'`` next to it."""

    kinks: tuple[float, ...] = ()
    """The inputs z where f has no derivative; ``derivative`` gives a convention there."""
    convention: str = ""
    """That convention, in words."""
    conventions: tuple[float, ...] = ()
    """The values of f' at its kinks a config may choose between (relu_grad_at_zero)."""
    cost = 40
    """Elementwise operations per unit, point and step (bias, activation, its derivative, dL/dz...),
    measured: exp and log cost more than a comparison. What limits a run's work (mlpstep.limits)."""
    probabilities = False
    """Whether its outputs are probabilities, each in (0, 1): nll is defined over them."""
    classes = False
    """Whether its units are exclusive classes (softmax): a number label is a class index."""

    def value(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """f'(z), given z and a = f(z) (whichever is cheaper to use)."""
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, da: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """dL/dz from dL/da: ``(n, batch)`` each."""
        return np.multiply(da, self.derivative(z, a), out=out)

    def with_convention(self, value: float) -> Activation:
        """The same activation with f' = ``value`` at its kinks, if a config may choose it."""
        return self

    def convention_hint(self, value: float) -> str:
        """What ``check`` says of an answer worked with f' = ``value`` at the kinks."""
        return ""

    def kink_note(self) -> str:
        """Under dL/dz, where some z sat exactly on a kink: what f' was there. Empty: no note."""
        return ""

    def unit_problem(self, n: int) -> str | None:
        """Why a layer of ``n`` units cannot have this activation, or None."""
        return None

    def formula(self, z: str) -> str:
        """``a1 = relu(z1)``'s right side."""
        return f"{self.name}({z})"

    def through(self, da: str, z: str) -> str:
        """dL/dz from dL/da in a formula: ``dL/da1 ⊙ relu'(z1)``."""
        return f"{da} ⊙ {self.name}'({z})"

    def worked(self, z: np.ndarray, u: int, num) -> str:
        """Unit u's activation with its numbers, up to the result; ``z`` is one point's ``(n,)``."""
        return f"{self.name}({num.result(z[u])})"

    def worked_backward(self, l: int, u: int, z: np.ndarray, a: np.ndarray, da: np.ndarray, num) -> str:
        """dL/dz of unit u of layer l from dL/da, with its numbers, up to the result (one point: ``(n,)`` each)."""
        derivative = self.derivative(z[u : u + 1, None], a[u : u + 1, None])[0, 0]
        return f"dL/da{l}·{self.name}'(z{l}) = {num.operand(da[u])}·{num.operand(derivative)}"


class ReLU(Activation):
    name = "relu"
    kinks = (0.0,)
    convention = "ReLU'(0) is a convention"
    conventions = (0, 0.5, 1)  # as torch.relu, as torch.maximum, or 1
    cost = 24

    def __init__(self, grad_at_zero: float = 0.0):
        super().__init__()
        self.grad_at_zero = grad_at_zero  # ReLU'(0): 0 as torch.relu, 0.5 as torch.maximum

    def value(self, z, out=None):
        if z.ndim == 2 and z.size >= 4096:  # np.maximum takes twice as long against 0.0 as against zeros
            return np.maximum(z, _zeros(z.shape[1]), out=out)
        return np.maximum(z, 0.0, out=out)

    def derivative(self, z, a):
        d = (z > 0).astype(np.float64)
        if self.grad_at_zero:
            d[z == 0] = self.grad_at_zero
        return d

    def backward(self, z, a, da, out=None):
        # relu'(z) from a = relu(z) >= 0: 1.0 where a > 0, else 0.0; np.sign starts sooner, a comparison
        # written as floats runs twice as fast per entry (the two cross at about 4,000 entries)
        if a.size < 4096:
            dz = np.sign(a, out=out)
        else:
            dz = np.greater(a, 0.0, out=np.empty_like(da) if out is None else out, casting="unsafe")
        dz *= da
        if self.grad_at_zero:
            at_zero = z == 0
            dz[at_zero] = self.grad_at_zero * da[at_zero]
        return dz

    def with_convention(self, value):
        return ReLU(value)

    def convention_hint(self, value):
        return f"you used ReLU'(0) = {value:g}; this problem uses {self.grad_at_zero:g} (relu_grad_at_zero)"

    def kink_note(self):
        return f"z was exactly 0 there: relu'(0) = {self.grad_at_zero:g} was used (relu_grad_at_zero)"


class Sigmoid(Activation):
    name = "sigmoid"
    cost = 36
    probabilities = True

    def value(self, z, out=None):
        return sigmoid(z)

    def derivative(self, z, a):
        return a * (1.0 - a)


class Tanh(Activation):
    name = "tanh"
    cost = 24

    def value(self, z, out=None):
        return np.tanh(z, out=out)

    def derivative(self, z, a):
        return 1.0 - a * a


class Linear(Activation):
    name = "linear"
    cost = 16

    def value(self, z, out=None):
        return z  # a is z itself

    def derivative(self, z, a):
        return np.ones_like(z)

    def backward(self, z, a, da, out=None):
        return da

    def through(self, da, z):
        return da


class Softmax(Activation):
    """Softmax over the units of each point (each column)."""

    name = "softmax"
    probabilities = True
    classes = True

    def value(self, z, out=None):
        return self.normalized(self.shifted_exp(z)[1], out)

    @staticmethod
    def shifted_exp(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each column's max m and exp(z - m): the shift keeps logits of 1000 finite."""
        m = np.maximum.reduce(z, axis=0, keepdims=True)  # z.max(axis=0), without its Python wrapper
        return m, np.exp(z - m)

    @staticmethod
    def normalized(e: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """e over its column's sum: softmax from ``shifted_exp``."""
        return np.divide(e, np.add.reduce(e, axis=0, keepdims=True), out=out)

    def backward(self, z, a, da, out=None):
        # Jacobian diag(a) - a a^T applied to da, per column.
        return np.multiply(a, da - (a * da).sum(axis=0, keepdims=True), out=out)

    def unit_problem(self, n):
        return "softmax over 1 unit is always 1 and passes no gradient; use sigmoid for one unit" if n == 1 else None

    def through(self, da, z):
        return f"J_softmax({z}) {da}"

    def worked(self, z, u, num):
        return f"e^{num.operand(z[u])} / ({num.terms([f'e^{num.operand(v)}' for v in z])})"

    def worked_backward(self, l, u, z, a, da, num):
        dot = float(a @ da)  # the Jacobian: a ⊙ (dL/da - Σ a dL/da)
        n = num.operand
        return f"a{l}·(dL/da{l} - Σ a{l}·dL/da{l}) = {n(a[u])}·({n(da[u])} - {n(dot)})"


class _LinearAbove0(Activation):
    """z above 0 and another curve at or below, as torch computes them: at 0, torch takes the
    derivative from below (``at_zero``), so there is a kink there unless that is 1."""

    @property
    def at_zero(self) -> float:
        raise NotImplementedError

    @property
    def kinks(self):
        return (0.0,) if self.at_zero != 1 else ()

    @property
    def convention(self):
        return f"{self.name}'(0) is a convention ({self.at_zero:g}, as torch)"

    def kink_note(self):
        return f"z was exactly 0 there: {self.name}'(0) = {self.at_zero:g} was used (as torch)" if self.kinks else ""


class LeakyReLU(_LinearAbove0):
    """z above 0, negative_slope·z at or below, as torch.nn.functional.leaky_relu."""

    name = "leaky_relu"
    options = (Option("negative_slope", 0.01),)
    cost = 32  # measured, as the others: a step of it takes 0.85 of sigmoid's

    @property
    def at_zero(self):
        return self.negative_slope

    def value(self, z, out=None):
        return np.where(z > 0, z, z * self.negative_slope)

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.negative_slope)

    def worked(self, z, u, num):
        shown = super().worked(z, u, num)
        return shown if z[u] > 0 else f"{shown} = {self.negative_slope:g}·{num.operand(z[u])}"


class ELU(_LinearAbove0):
    """z above 0, alpha·(e^z - 1) at or below, as torch.nn.functional.elu (its derivative at 0 is alpha)."""

    name = "elu"
    options = (Option("alpha", 1.0),)
    cost = 44  # 1.2 sigmoid's

    @property
    def at_zero(self):
        return self.alpha

    def value(self, z, out=None):
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))  # no overflow where unused

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0.0)))

    def worked(self, z, u, num):
        shown, exp = super().worked(z, u, num), f"e^{num.operand(z[u])} - 1"
        return shown if z[u] > 0 else f"{shown} = {exp}" if self.alpha == 1 else f"{shown} = {self.alpha:g}·({exp})"


class Softplus(Activation):
    """log(1 + e^(beta·z)) / beta, and z itself where beta·z > threshold, as
    torch.nn.functional.softplus: at z = threshold / beta the value jumps by about
    e^-threshold / beta and the derivative to 1."""

    name = "softplus"
    options = (Option("beta", 1.0, **ABOVE_0), Option("threshold", 20.0))
    cost = 56  # 1.5 sigmoid's

    @property
    def kinks(self):
        return (self.threshold / self.beta,)

    @property
    def convention(self):
        return f"softplus is z itself above {self.threshold:g} / beta (as torch)"

    def value(self, z, out=None):
        t = self.beta * z
        return np.where(t > self.threshold, z, softplus(t) / self.beta)

    def derivative(self, z, a):
        t = self.beta * z
        return np.where(t > self.threshold, 1.0, sigmoid(t))

    def worked(self, z, u, num):
        shown = super().worked(z, u, num)
        if self.beta * z[u] > self.threshold:
            return shown
        if self.beta == 1:
            return f"{shown} = log(1 + e^{num.operand(z[u])})"
        return f"{shown} = log(1 + e^({self.beta:g}·{num.operand(z[u])})) / {self.beta:g}"


ACTIVATIONS = {kind.name: kind for kind in (ReLU, Sigmoid, Tanh, Linear, Softmax, LeakyReLU, ELU, Softplus)}
