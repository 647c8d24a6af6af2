"""Worked numbers for --explain: the formula of one entry with the numbers plugged in,
e.g. ``z1[0,0] = 1·3 + 0·14 + (-1) = 2``, and of the loss of one point.

Entries are indexed as the output prints them (``z1[unit, point]`` in the columns
layout, ``z1[point, unit]`` in rows); inside, everything is in column form.
"""

from __future__ import annotations

import numpy as np

from ..model import Trace, bias_name, layer_number, weight_name
from .text import format_number

MAX_TERMS = 6
"""Sums with more terms show the first few and an ellipsis."""


def worked(trace: Trace, path: str, index: tuple[int, ...] | None = None) -> str | None:
    """One line of arithmetic for entry ``index`` of the value at ``path`` (by default its first
    entry), or None where there is none to show. For ``loss`` the index is a point: ``(p,)``."""
    ex = _Explainer(trace)
    if path == "loss":
        return ex.loss(index[0] if index else 0)
    section, _, key = path.partition(".")
    if section not in ("forward", "grads", "updated") or not key:
        return None
    index = index if index is not None else (0,) * np.ndim(getattr(trace, section)[key])
    if section == "updated":
        return ex.update(key, index)
    kind = key[0]
    l = layer_number(key)
    if kind in "za":  # (unit, point) in column form
        u, p = index if ex.columns else index[::-1]
        if section == "forward":
            return ex.z(l, u, p) if kind == "z" else ex.a(l, u, p)
        return ex.dz(l, u, p) if kind == "z" else ex.da(l, u, p)
    if kind == "W":  # (input, unit) in column form
        k, u = index if ex.columns else index[::-1]
        return ex.dW(l, k, u)
    return ex.db(key, l, index)


def _n(v: float) -> str:
    """An operand: negative numbers in parentheses."""
    text = _r(v)
    return f"({text})" if text.startswith("-") else text


def _r(v: float) -> str:
    """A result."""
    return format_number(float(v), 6)


def _sum(terms: list[str]) -> str:
    """``a + b + c``, the first MAX_TERMS terms and ``…`` for the rest."""
    return " + ".join(terms[:MAX_TERMS]) + (" + …" if len(terms) > MAX_TERMS else "")


class Numbers:
    """How a concept's worked line writes numbers: an ``operand`` (negative ones in parentheses),
    a ``result``, and ``terms`` summed."""

    operand = staticmethod(_n)
    result = staticmethod(_r)
    terms = staticmethod(_sum)


def _at(index: tuple[int, ...]) -> str:
    """``[1,0]``, ``[2]``, or nothing for a number."""
    return f"[{','.join(map(str, index))}]" if index else ""


class _Explainer:
    def __init__(self, trace: Trace):
        self.t = trace
        self.p = trace.problem
        self.columns = self.p.layout == "columns"
        self.per_batch = self.p.reduction == "mean" and self.p.batch_size > 1

    def at(self, name: str, unit: int, point: int) -> str:
        """How entry (unit, point) of an activation-like matrix is indexed in this layout."""
        return f"{name}[{unit},{point}]" if self.columns else f"{name}[{point},{unit}]"

    def col(self, m: np.ndarray) -> np.ndarray:
        return m if self.columns else m.T

    def forward(self, name: str) -> np.ndarray:
        return self.col(self.t.forward[name])

    def previous(self, l: int) -> np.ndarray:
        """The layer's input, ``(n_in, batch)``."""
        return self.p.x if l == 1 else self.forward(f"a{l - 1}")

    def weight(self, l: int, k: int, u: int, params: dict | None = None) -> tuple[str, float]:
        """Entry (input k, unit u) of W_l (before the step, or of ``params``): its printed name and value."""
        w = (params or self.t.params)[weight_name(l)]
        return (f"W{l}[{k},{u}]", w[k, u]) if self.columns else (f"W{l}[{u},{k}]", w[u, k])

    def z(self, l: int, u: int, p: int) -> str:
        prev = self.previous(l)
        terms = [f"{_n(self.weight(l, k, u)[1])}·{_n(prev[k, p])}" for k in range(prev.shape[0])]
        bias = self.t.params.get(bias_name(l, self.p.layout))
        if bias is not None:  # one per unit, or one shared
            flat = np.ravel(bias)
            terms = [
                *terms[:MAX_TERMS],
                *(["…"] if len(terms) > MAX_TERMS else []),
                _n(flat[u if flat.size > 1 else 0]),
            ]
        else:
            terms = [_sum(terms)]
        return f"{self.at(f'z{l}', u, p)} = {' + '.join(terms)} = {_r(self.forward(f'z{l}')[u, p])}"

    def a(self, l: int, u: int, p: int) -> str:
        worked = self.p.layers[l - 1].activation.worked(self.forward(f"z{l}")[:, p], u, Numbers)
        return f"{self.at(f'a{l}', u, p)} = {worked} = {_r(self.forward(f'a{l}')[u, p])}"

    def output_da(self, p: int) -> np.ndarray:
        """dL/da of the output layer at point p (per point, and over the batch when it is a mean)."""
        L = len(self.p.layers)
        da = self.p.loss.grad_a(self.forward(f"a{L}")[:, p : p + 1], self.p.y[:, p : p + 1])[:, 0]
        return da / self.p.batch_size if self.per_batch else da

    def dz(self, l: int, u: int, p: int) -> str:
        L = len(self.p.layers)
        name, dz = self.at(f"dL/dz{l}", u, p), self.col(self.t.grads[f"z{l}"])[u, p]
        if l == L and self.p.loss.fused:  # the gradient of z, through the output activation
            difference = self.p.loss.worked_grad_z(self.forward(f"a{L}")[u, p], self.p.y[u, p], Numbers)
            return f"{name} = {f'({difference}) / {self.p.batch_size}' if self.per_batch else difference} = {_r(dz)}"
        z, a = self.forward(f"z{l}")[:, p], self.forward(f"a{l}")[:, p]
        da = self.output_da(p) if l == L else self.col(self.t.grads[f"a{l}"])[:, p]
        return f"{name} = {self.p.layers[l - 1].activation.worked_backward(l, u, z, a, da, Numbers)} = {_r(dz)}"

    def da(self, l: int, k: int, p: int) -> str:
        dz = self.col(self.t.grads[f"z{l + 1}"])
        terms = [f"{_n(self.weight(l + 1, k, j)[1])}·{_n(dz[j, p])}" for j in range(dz.shape[0])]
        return f"{self.at(f'dL/da{l}', k, p)} = {_sum(terms)} = {_r(self.col(self.t.grads[f'a{l}'])[k, p])}"

    def dW(self, l: int, k: int, u: int) -> str:
        prev, dz = self.previous(l), self.col(self.t.grads[f"z{l}"])
        terms = [f"{_n(prev[k, p])}·{_n(dz[u, p])}" for p in range(dz.shape[1])]
        name, value = self.weight(l, k, u, self.t.grads)
        return f"dL/d{name} = {_sum(terms)} = {_r(value)}"

    def db(self, key: str, l: int, index: tuple[int, ...]) -> str:
        """A bias's gradient: the sum of dL/dz over the points (and over the units, for a shared one)."""
        dz = self.col(self.t.grads[f"z{l}"])
        units = range(dz.shape[0]) if self.p.layers[l - 1].bias_mode == "shared" else [index[0]]
        cells = [(u, p) for u in units for p in range(dz.shape[1])]
        if len(cells) == 1:  # one unit, one point: the bias's gradient is that dL/dz
            shown = self.at(f"dL/dz{l}", *cells[0])
        else:
            shown = _sum([_n(dz[u, p]) for u, p in cells])
        return f"dL/d{key}{_at(index)} = {shown} = {_r(self.t.grads[key][index])}"

    def update(self, key: str, index: tuple[int, ...]) -> str | None:
        if key in self.p.freeze:
            return None
        before, grad, after = (np.asarray(d[key])[index] for d in (self.t.params, self.t.grads, self.t.updated))
        state = {k: v if k == "step" else np.asarray(v)[index] for k, v in self.t.state.get(key, {}).items()}
        worked = self.p.optimizer.worked(before, grad, state, self.p.learning_rate, Numbers)
        return f"{key}{_at(index)} ← {worked} = {_r(after)}"

    def loss(self, p: int) -> str:
        """The loss of point p with its numbers, then (for a batch) the mean or sum over the points."""
        L = len(self.p.layers)
        z, a, y = self.forward(f"z{L}"), self.forward(f"a{L}"), self.p.y
        per_point = self.p.loss.value(z, a, y, self.p.layers[-1].activation)  # (batch,)

        def entry(k: int) -> str:  # unit k of the output at point p
            return self.at(f"a{L}", k, p)

        expression = self.p.loss.worked(a[:, p], y[:, p], self.p.layers[-1].activation, entry, Numbers)
        if self.p.batch_size == 1:
            return f"L = {expression} = {_r(self.t.loss)}"
        points = _sum([_n(v) for v in per_point])
        total = f"({points}) / {self.p.batch_size}" if self.p.reduction == "mean" else points
        return f"L[{p}] = {expression} = {_r(per_point[p])}; L = {total} = {_r(self.t.loss)}"
