"""Worked numbers for --explain: the formula of one entry (the first unit of the first
point) with the numbers plugged in, e.g. ``z1[0,0] = 1·3 + 0·14 + (-1) = 2``."""

from __future__ import annotations

import numpy as np

from .document import format_number
from .names import bias_name, weight_name
from .trace import Trace

MAX_TERMS = 6
"""Sums with more terms show the first few and an ellipsis."""


def worked(trace: Trace, path: str) -> str | None:
    """One line of arithmetic for the entry at ``path``, or None where there is none to show."""
    section, _, key = path.partition(".")
    if section not in ("forward", "grads", "updated") or not key:
        return None
    kind = key[0]
    l = int(key[1:-1]) if kind == "w" else int(key[1:])
    ex = _Explainer(trace)
    if section == "forward":
        return ex.forward(kind, l)
    if section == "grads":
        return ex.grads(key, kind, l)
    return ex.update(key)


def _n(v: float) -> str:
    """An operand: negative numbers in parentheses."""
    text = _r(v)
    return f"({text})" if text.startswith("-") else text


def _r(v: float) -> str:
    """A result."""
    return format_number(float(v), 6)


class _Explainer:
    def __init__(self, trace: Trace):
        self.t = trace
        self.p = trace.problem
        self.columns = self.p.layout == "columns"

    def at(self, name: str, unit: int = 0, point: int = 0) -> str:
        """How entry (unit, point) of an activation-like matrix is indexed in this layout."""
        return f"{name}[{unit},{point}]" if self.columns else f"{name}[{point},{unit}]"

    def col(self, m: np.ndarray) -> np.ndarray:
        return m if self.columns else m.T

    def previous(self, l: int) -> tuple[str, np.ndarray]:
        return ("x", self.p.x) if l == 1 else (f"a{l - 1}", self.col(self.t.forward[f"a{l - 1}"]))

    def weight(self, l: int, k: int, i: int, params: dict | None = None) -> tuple[str, float]:
        w = (params or self.t.params)[weight_name(l)]
        return (f"W{l}[{k},{i}]", w[k, i]) if self.columns else (f"W{l}[{i},{k}]", w[i, k])

    def forward(self, kind: str, l: int) -> str:
        z = self.col(self.t.forward[f"z{l}"])
        if kind == "z":
            name, prev = self.previous(l)
            terms = [(self.weight(l, k, 0)[1], prev[k, 0]) for k in range(prev.shape[0])]
            bias = self.t.params.get(bias_name(l, self.p.layout))
            shown = [f"{_n(w)}·{_n(a)}" for w, a in terms[:MAX_TERMS]] + (["…"] if len(terms) > MAX_TERMS else [])
            if bias is not None:
                shown.append(_n(np.ravel(bias)[0]))
            return f"{self.at(f'z{l}')} = {' + '.join(shown)} = {_r(z[0, 0])}"
        act = self.p.layers[l - 1].activation.name
        a = self.col(self.t.forward[f"a{l}"])
        if act == "softmax":
            exps = " + ".join(f"e^{_n(v)}" for v in z[:MAX_TERMS, 0]) + (" + …" if z.shape[0] > MAX_TERMS else "")
            return f"{self.at(f'a{l}')} = e^{_n(z[0, 0])} / ({exps}) = {_r(a[0, 0])}"
        return f"{self.at(f'a{l}')} = {act}({_n(z[0, 0])}) = {_r(a[0, 0])}"

    def grads(self, key: str, kind: str, l: int) -> str:
        L = len(self.p.layers)
        per_batch = self.p.reduction == "mean" and self.p.batch_size > 1
        over = f" / {self.p.batch_size}" if per_batch else ""
        if kind == "z":
            dz = self.col(self.t.grads[f"z{l}"])
            act = self.p.layers[l - 1].activation
            if l == L and self.p.loss.name == "nll":
                a, y = self.col(self.t.forward[f"a{L}"]), self.p.y
                return f"{self.at(f'dL/dz{l}')} = ({_n(a[0, 0])} - {_n(y[0, 0])}){over} = {_r(dz[0, 0])}"
            if act.name == "softmax":
                return None
            z, a = self.col(self.t.forward[f"z{l}"]), self.col(self.t.forward[f"a{l}"])
            if l == L:
                da = self.p.loss.grad_a(a, self.p.y)[0, 0] / (self.p.batch_size if per_batch else 1)
            else:
                da = self.col(self.t.grads[f"a{l}"])[0, 0]
            derivative = act.derivative(z[:1, :1], a[:1, :1])[0, 0]
            return f"{self.at(f'dL/dz{l}')} = dL/da{l}·{act.name}'(z{l}) = {_n(da)}·{_n(derivative)} = {_r(dz[0, 0])}"
        if kind == "a":
            dz = self.col(self.t.grads[f"z{l + 1}"])
            terms = [(self.weight(l + 1, 0, j)[1], dz[j, 0]) for j in range(dz.shape[0])]
            shown = " + ".join(f"{_n(w)}·{_n(d)}" for w, d in terms[:MAX_TERMS]) + (" + …" if len(terms) > MAX_TERMS else "")
            return f"{self.at(f'dL/da{l}')} = {shown} = {_r(self.col(self.t.grads[key])[0, 0])}"
        dz = self.col(self.t.grads[f"z{l}"])
        points = dz.shape[1]
        if kind == "W":
            _, prev = self.previous(l)
            terms = [f"{_n(prev[0, p])}·{_n(dz[0, p])}" for p in range(min(points, MAX_TERMS))]
            name, _ = self.weight(l, 0, 0, self.t.grads)
            return f"dL/d{name} = {' + '.join(terms)}{' + …' if points > MAX_TERMS else ''} = {_r(self.weight(l, 0, 0, self.t.grads)[1])}"
        value = np.ravel(self.t.grads[key])[0]
        units = dz.shape[0] if self.p.layers[l - 1].bias_mode == "shared" else 1
        cells = [dz[i, p] for i in range(units) for p in range(points)]
        shown = " + ".join(_n(c) for c in cells[:MAX_TERMS]) + (" + …" if len(cells) > MAX_TERMS else "")
        index = "" if units > 1 else ("[0,0]" if self.columns else "[0]")
        return f"dL/d{key}{index} = {shown} = {_r(value)}"

    def update(self, key: str) -> str:
        if key in self.p.freeze:
            return None
        before, grad, after = (np.ravel(d[key])[0] for d in (self.t.params, self.t.grads, self.t.updated))
        index = "" if np.ndim(self.t.updated[key]) == 0 else ("[0,0]" if np.ndim(self.t.updated[key]) == 2 else "[0]")
        opt, lr = self.p.optimizer, self.p.learning_rate
        state = self.t.state.get(key, {})
        g = grad + opt.weight_decay * before if opt.weight_decay and opt.name != "adamw" else grad
        if opt.name == "sgd" and not opt.momentum:
            return f"{key}{index} ← {_n(before)} - {lr!r}·{_n(g)} = {_r(after)}"
        if opt.name == "sgd":
            buf = np.ravel(state["momentum_buffer"])[0]
            step = g + opt.momentum * buf if opt.nesterov else buf
            return f"{key}{index} ← {_n(before)} - {lr!r}·{_n(step)} = {_r(after)}"
        t = state["step"]
        m_hat = np.ravel(state["exp_avg"])[0] / (1 - opt.betas[0] ** t)
        v_hat = np.ravel(state["exp_avg_sq"])[0] / (1 - opt.betas[1] ** t)
        decay = f"(1 - {lr!r}·{opt.weight_decay:g})·" if opt.name == "adamw" and opt.weight_decay else ""
        return f"{key}{index} ← {decay}{_n(before)} - {lr!r}·{_n(m_hat)}/(√{_n(v_hat)} + {opt.eps:g}) = {_r(after)}"
