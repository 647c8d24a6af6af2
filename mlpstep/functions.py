"""Activations and losses: each one keeps its value and its derivative together.

Arrays are in the engine's column form: one column per point, ``z`` and
``a`` are ``(n, batch)``. Adding an activation or a loss means adding one
class here and one entry in ACTIVATIONS or LOSSES.
"""

from __future__ import annotations

import numpy as np


class Activation:
    """An elementwise activation ``a = f(z)`` with ``f'`` next to it."""

    name: str
    kinks: tuple[float, ...] = ()
    """The inputs z where f has no derivative; ``derivative`` gives a convention there."""
    convention: str = ""
    """That convention, in words."""

    def value(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """f'(z), given z and a = f(z) (whichever is cheaper to use)."""
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
        """dL/dz from dL/da: ``(n, batch)`` each."""
        return da * self.derivative(z, a)


class ReLU(Activation):
    name = "relu"
    kinks = (0.0,)
    convention = "ReLU'(0) is a convention"

    def __init__(self, grad_at_zero: float = 0.0):
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


class Sigmoid(Activation):
    name = "sigmoid"

    def value(self, z):
        e = np.exp(-np.abs(z))  # never overflows
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def derivative(self, z, a):
        return a * (1.0 - a)


class Tanh(Activation):
    name = "tanh"

    def value(self, z):
        return np.tanh(z)

    def derivative(self, z, a):
        return 1.0 - a * a


class Linear(Activation):
    name = "linear"

    def value(self, z):
        return z

    def derivative(self, z, a):
        return np.ones_like(z)

    def backward(self, z, a, da):
        return da


class Softmax(Activation):
    """Softmax over the units of each point (each column)."""

    name = "softmax"

    def value(self, z):
        e = np.exp(z - z.max(axis=0, keepdims=True))  # shift: logits of 1000 stay finite
        return e / e.sum(axis=0, keepdims=True)

    def backward(self, z, a, da):
        # Jacobian diag(a) - a a^T applied to da, per column.
        return a * (da - (a * da).sum(axis=0, keepdims=True))


ACTIVATIONS = {cls.name: cls for cls in (ReLU, Sigmoid, Tanh, Linear, Softmax)}


def make_activation(name: str, relu_grad_at_zero: float = 0.0) -> Activation:
    cls = ACTIVATIONS[name]
    return cls(relu_grad_at_zero) if cls is ReLU else cls()


def _softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) without overflow."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _neg_log_softmax(z: np.ndarray) -> np.ndarray:
    """-log softmax(z) per column, ``(n, batch)``, accurate to the last bit.

    With m the column max and s the sum of exp(z - m) over the other units,
    -log softmax(z) = (m - z) + log1p(s): no overflow, and log1p keeps a tiny
    s exact (the seed's loss is 28 + 6.9e-13, not a rounded 28).
    """
    m = z.max(axis=0, keepdims=True)
    e = np.exp(z - m)
    e[z.argmax(axis=0), np.arange(z.shape[1])] = 0.0  # leave the max's own 1 out of s
    return (m - z) + np.log1p(e.sum(axis=0, keepdims=True))


class Loss:
    """A per-point loss of the output ``a = f(z)`` against the target ``y``."""

    name: str
    fused = False
    """True when the gradient is taken of z, through the output activation: there is no dL/da."""

    def value(self, z, a, y, output: Activation) -> np.ndarray:
        """The loss of each point, ``(batch,)``."""
        raise NotImplementedError

    def grad_a(self, a, y) -> np.ndarray:
        """dL/da per point, ``(n, batch)``."""
        raise NotImplementedError

    def grad_z(self, z, a, y, output: Activation) -> np.ndarray:
        """dL/dz of the output layer per point, ``(n, batch)``."""
        return output.backward(z, a, self.grad_a(a, y))


class NLL(Loss):
    """Negative log-likelihood: cross-entropy for softmax, binary for sigmoid.

    Both are computed from z (log-sum-exp, softplus), so saturated outputs
    stay finite, and both have the fused gradient dL/dz = a - y (for softmax,
    a * sum(y) - y, so a probability label summing to 1 within rounding is exact).
    """

    name = "nll"
    fused = True

    def value(self, z, a, y, output):
        if output.name == "softmax":  # -sum y log softmax(z)
            return (y * _neg_log_softmax(z)).sum(axis=0)
        # sigmoid: -sum [y log a + (1-y) log(1-a)] = sum [softplus(z) - y z]
        return (_softplus(z) - y * z).sum(axis=0)

    def grad_z(self, z, a, y, output):
        if output.name == "softmax":  # a * sum(y) - y: exactly a - y when y sums to 1
            return a * y.sum(axis=0, keepdims=True) - y
        return a - y


class Squared(Loss):
    name = "squared"

    def value(self, z, a, y, output):
        return ((a - y) ** 2).sum(axis=0)

    def grad_a(self, a, y):
        return 2.0 * (a - y)


class HalfSquared(Loss):
    name = "half_squared"

    def value(self, z, a, y, output):
        return 0.5 * ((a - y) ** 2).sum(axis=0)

    def grad_a(self, a, y):
        return a - y


class MSE(Loss):
    """Mean over the output units of (a - y)^2."""

    name = "mse"

    def value(self, z, a, y, output):
        return ((a - y) ** 2).mean(axis=0)

    def grad_a(self, a, y):
        return 2.0 * (a - y) / a.shape[0]


LOSSES = {cls.name: cls for cls in (NLL, Squared, HalfSquared, MSE)}
NLL_OUTPUTS = ("softmax", "sigmoid")
"""Output activations nll is defined for."""
