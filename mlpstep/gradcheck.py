"""Backprop against central finite differences, for a user's own network (mlpstep gradcheck).

dL/dθ ≈ (L(θ + ε) - L(θ - ε)) / 2ε for every parameter entry, and for every
entry of each z and hidden a (perturbed in place, the rest of the forward pass
recomputed from there).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .config import Problem
from .engine import _column_form, initial_params, step
from .errors import excerpt
from .limits import ELEMENTWISE, check_cost, forward_cost, run_cost

MAX_ENTRIES = 2000
"""Entries checked per tensor at most; bigger tensors are checked at evenly spaced entries."""


@dataclass(frozen=True)
class Check:
    name: str  # as in grads: z2, a1, W1, w10, ...
    entries: int  # how many entries were checked
    max_abs: float  # the largest |backprop - numeric|
    max_rel: float  # the largest |backprop - numeric| / max(|backprop|, |numeric|, tiny)
    ok: bool


def gradcheck(problem: Problem, eps: float = 1e-6, tol: float = 1e-5, allow_large: bool = False) -> list[Check]:
    """One Check per gradient of the first step; ``ok`` when max_rel <= tol or max_abs <= tol * 1e-3.

    Refused before it starts (unless ``allow_large``) when its forward passes would cost more than a run may.
    """
    _check_cost(problem, allow_large)
    with np.errstate(all="ignore"):  # a perturbation may overflow; the errors then show it
        return _gradcheck(replace(problem, steps=1), eps, tol)


def _check_cost(problem: Problem, allow_large: bool) -> None:
    """Two forward passes (and two copies of the tensor) per entry checked, on top of one step."""
    sizes, batch = problem.sizes, problem.batch_size
    names, loss = [layer.activation.name for layer in problem.layers], problem.loss.name
    madds, memory = run_cost(sizes, batch, 1, 0, names, loss)
    tensors = [n_in * n_out for n_in, n_out in zip(sizes, sizes[1:])] + sizes[1:] + [batch * n for n in sizes[1:]] * 2
    forward = forward_cost(sizes, batch, names, loss)
    madds += sum(2 * min(size, MAX_ENTRIES) * (forward + ELEMENTWISE * size) for size in tensors)
    network = excerpt("-".join(map(str, sizes)))
    points = f"{batch} point{'s' if batch != 1 else ''}"
    check_cost(madds, memory, f"gradcheck of a {network} network on {points}", "config", allow_large, "use smaller layers or a smaller batch")


def _gradcheck(problem: Problem, eps: float, tol: float) -> list[Check]:
    trace = step(problem)
    params = initial_params(problem)
    columns = problem.layout == "columns"
    checks = []
    for name, analytic in trace.grads.items():
        if name[0] in "za":
            kind, l = name[0], int(name[1:])

            def loss_at(value: np.ndarray, kind=kind, l=l) -> float:
                return _loss_overriding(problem, params, kind, l, value if columns else value.T)

            base = trace.forward[name]
        else:
            def loss_at(value: np.ndarray, name=name) -> float:
                return _loss_overriding(problem, {**params, name: value})

            base = params[name]
        numeric, picked = _numeric(loss_at, np.asarray(base, dtype=np.float64), eps)
        a = np.asarray(analytic, dtype=np.float64).reshape(-1)[picked]
        diff = np.abs(a - numeric)
        scale = np.maximum(np.maximum(np.abs(a), np.abs(numeric)), 1e-300)
        max_abs, max_rel = float(diff.max(initial=0.0)), float((diff / scale).max(initial=0.0))
        checks.append(Check(name, len(picked), max_abs, max_rel, max_rel <= tol or max_abs <= tol * 1e-3))
    return checks


def _numeric(loss_at, base: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    flat = base.reshape(-1)
    picked = np.unique(np.linspace(0, flat.size - 1, min(flat.size, MAX_ENTRIES)).astype(int))
    numeric = np.empty(len(picked))
    for n, index in enumerate(picked):
        up, down = flat.copy(), flat.copy()
        h = eps * max(1.0, abs(flat[index]))
        up[index] += h
        down[index] -= h
        numeric[n] = (loss_at(up.reshape(base.shape)) - loss_at(down.reshape(base.shape))) / (2 * h)
    return numeric, picked


def _loss_overriding(problem: Problem, params: dict, kind: str | None = None, l: int = 0, value=None) -> float:
    """The loss with ``params``, and z_l or a_l (in column form) replaced by ``value`` if given."""
    weights, biases = _column_form(problem, params)
    a = problem.x
    for k, (layer, w, b) in enumerate(zip(problem.layers, weights, biases), 1):
        z = value if (kind, l) == ("z", k) else w.T @ a + b[:, None]
        a = value if (kind, l) == ("a", k) else layer.activation.value(z)
    per_point = problem.loss.value(z, a, problem.y, problem.layers[-1].activation)
    return float(per_point.mean() if problem.reduction == "mean" else per_point.sum())

