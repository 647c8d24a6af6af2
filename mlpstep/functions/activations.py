"""Activations: each keeps its value and its derivative together, and owns how it reads: its
options, its formula text, its worked example for --explain, what it makes of labels and how
many units it needs. Adding one means adding one class here and one entry in ACTIVATIONS.

Arrays are in the engine's column form: one column per point, ``z`` and ``a`` are ``(n, batch)``.
A worked example gets ``num``, which writes its numbers: ``num.operand(-2)`` is ``(-2)``,
``num.result(0.5)`` is ``0.5``, ``num.terms([...])`` sums the first few terms.
"""

from __future__ import annotations

import numpy as np

from ..options import Configurable


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) without overflow."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


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

    def value(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """f'(z), given z and a = f(z) (whichever is cheaper to use)."""
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
        """dL/dz from dL/da: ``(n, batch)`` each."""
        return da * self.derivative(z, a)

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
        return f"{self.name}({num.operand(z[u])})"

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

    def value(self, z):
        return np.maximum(z, 0.0)

    def derivative(self, z, a):
        d = (z > 0).astype(np.float64)
        if self.grad_at_zero:
            d[z == 0] = self.grad_at_zero
        return d

    def backward(self, z, a, da):
        dz = np.sign(a)  # relu'(z) from a = relu(z) >= 0: 1 where z > 0, else 0; faster than a mask
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

    def value(self, z):
        e = np.exp(-np.abs(z))  # never overflows
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def derivative(self, z, a):
        return a * (1.0 - a)


class Tanh(Activation):
    name = "tanh"
    cost = 24

    def value(self, z):
        return np.tanh(z)

    def derivative(self, z, a):
        return 1.0 - a * a


class Linear(Activation):
    name = "linear"
    cost = 16

    def value(self, z):
        return z

    def derivative(self, z, a):
        return np.ones_like(z)

    def backward(self, z, a, da):
        return da

    def through(self, da, z):
        return da


class Softmax(Activation):
    """Softmax over the units of each point (each column)."""

    name = "softmax"
    probabilities = True
    classes = True

    def value(self, z):
        e = np.exp(z - z.max(axis=0, keepdims=True))  # shift: logits of 1000 stay finite
        return e / e.sum(axis=0, keepdims=True)

    def backward(self, z, a, da):
        # Jacobian diag(a) - a a^T applied to da, per column.
        return a * (da - (a * da).sum(axis=0, keepdims=True))

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


ACTIVATIONS = {kind.name: kind for kind in (ReLU, Sigmoid, Tanh, Linear, Softmax)}

