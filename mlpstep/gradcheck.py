"""Backprop against central finite differences, for a user's own network (mlpstep gradcheck).

dL/dθ ≈ (L(θ + ε) - L(θ - ε)) / 2ε for every parameter entry, and for every
entry of each z and hidden a (perturbed in place, the rest of the forward pass
recomputed from there). Where an activation has a kink (ReLU at z = 0), the
loss is not differentiable: an entry whose perturbation moves some input of
that activation onto or across its kink is named and left out of the check.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .engine import forward, initial_params, step
from .errors import excerpt
from .functions.activations import Activation
from .limits import ELEMENTWISE, check_cost, forward_cost, run_cost
from .model import Problem, flipped

MAX_ENTRIES = 2000
"""Entries checked per tensor at most; bigger tensors are checked at evenly spaced entries."""
ROUNDOFF = 8 * np.finfo(np.float64).eps
"""How far each loss of a central difference may be off, relative to its size: the rounding of
a forward pass. (L+ - L-) / 2h cannot resolve a gradient finer than that divided by h: a loss of
230 and h = 1e-6 leave about 1e-7 of noise, which a zero gradient must not fail on."""


@dataclass(frozen=True)
class Check:
    name: str  # as in grads: z2, a1, W1, w10, ...
    entries: int  # how many entries were compared (those at a kink too)
    max_abs: float  # the largest |backprop - numeric|, over the entries not at a kink
    max_rel: float  # the largest |backprop - numeric| / max(|backprop|, |numeric|, tiny), likewise
    ok: bool
    not_differentiable: tuple[tuple[int, ...], ...] = ()  # the entries left out (indices in the gradient's shape):
    reason: str = ""  # why: their finite difference reaches an activation's kink (a ReLU input at 0)


def gradcheck(problem: Problem, eps: float = 1e-6, tol: float = 1e-5, allow_large: bool = False) -> list[Check]:
    """One Check per gradient of the first step; ``ok`` when each of its entries that is not at a
    kink is within ``tol`` relative, or within ``tol * 1e-3`` or the round-off of its central
    difference absolute.

    Refused before it starts (unless ``allow_large``) when its forward passes would cost more than a run may.
    """
    _check_cost(problem, allow_large)
    with np.errstate(all="ignore"):  # a perturbation may overflow; the errors then show it
        return _gradcheck(replace(problem, steps=1), eps, tol)


def _check_cost(problem: Problem, allow_large: bool) -> None:
    """Two forward passes (and two copies of the tensor) per entry checked, on top of one step."""
    sizes, batch = problem.sizes, problem.batch_size
    costs, loss_cost = [layer.activation.cost for layer in problem.layers], problem.loss.cost
    madds, memory = run_cost(sizes, batch, 1, 0, costs, loss_cost)
    tensors = [n_in * n_out for n_in, n_out in zip(sizes, sizes[1:])] + sizes[1:] + [batch * n for n in sizes[1:]] * 2
    forward = forward_cost(sizes, batch, costs, loss_cost)
    madds += sum(2 * min(size, MAX_ENTRIES) * (forward + ELEMENTWISE * size) for size in tensors)
    network = excerpt("-".join(map(str, sizes)))
    points = f"{batch} point{'s' if batch != 1 else ''}"
    check_cost(
        madds,
        memory,
        f"gradcheck of a {network} network on {points}",
        "config",
        allow_large,
        "use smaller layers or a smaller batch",
    )


def _gradcheck(problem: Problem, eps: float, tol: float) -> list[Check]:
    trace = step(problem)
    params = initial_params(problem)
    at_rest = _loss_overriding(problem, params)[1]
    checks = []
    for name, analytic in trace.grads.items():
        if name[0] in "za":
            kind, l = name[0], int(name[1:])

            def loss_at(value: np.ndarray, kind=kind, l=l) -> tuple[float, list]:
                return _loss_overriding(problem, params, kind, l, flipped(value, problem.layout))

            base = trace.forward[name]
        else:

            def loss_at(value: np.ndarray, name=name) -> tuple[float, list]:
                return _loss_overriding(problem, {**params, name: value})

            base = params[name]
        base = np.asarray(base, dtype=np.float64)
        numeric, noise, picked, kinked = _numeric(loss_at, base, eps, at_rest)
        a = np.asarray(analytic, dtype=np.float64).reshape(-1)[picked]
        smooth = np.array([hit is None for hit in kinked], dtype=bool)
        diff = np.abs(a - numeric)[smooth]
        scale = np.maximum(np.maximum(np.abs(a), np.abs(numeric)), 1e-300)[smooth]
        max_abs, max_rel = float(diff.max(initial=0.0)), float((diff / scale).max(initial=0.0))
        ok = bool(((diff <= tol * scale) | (diff <= np.maximum(tol * 1e-3, noise[smooth]))).all())
        where = tuple(tuple(map(int, np.unravel_index(index, base.shape))) for index in picked[~smooth])
        reason = "; ".join(dict.fromkeys(_reason(hit) for hit in kinked if hit is not None))
        checks.append(Check(name, len(picked), max_abs, max_rel, ok, where, reason))
    return checks


def _reason(activation: Activation) -> str:
    return f"not differentiable here (z = {' or '.join(f'{k:g}' for k in activation.kinks)}): {activation.convention}"


def _numeric(loss_at, base: np.ndarray, eps: float, at_rest: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """The central difference of each picked entry, its round-off (what the two losses' last bits
    can change in it), the picked flat indices, and for each the activation whose kink its
    perturbation reaches (None where the loss is smooth around it)."""
    flat = base.reshape(-1)
    picked = np.unique(np.linspace(0, flat.size - 1, min(flat.size, MAX_ENTRIES)).astype(int))
    numeric, noise = np.empty(len(picked)), np.empty(len(picked))
    kinked = []
    for n, index in enumerate(picked):
        up, down = flat.copy(), flat.copy()
        h = eps * max(1.0, abs(flat[index]))
        up[index] += h
        down[index] -= h
        (loss_up, z_up), (loss_down, z_down) = loss_at(up.reshape(base.shape)), loss_at(down.reshape(base.shape))
        numeric[n] = (loss_up - loss_down) / (2 * h)
        noise[n] = ROUNDOFF * (abs(loss_up) + abs(loss_down)) / (2 * h)
        kinked.append(_kink_reached(z_down, at_rest, z_up))
    return numeric, noise, picked, kinked


def _kink_reached(down: list, at_rest: list, up: list) -> Activation | None:
    """The activation with a kink inside the range a perturbation moves one of its inputs over, if any.

    Each list holds ``(activation, z)`` per layer whose activation has kinks; a z the perturbation
    leaves unchanged does not count (it may sit on a kink: the loss is still smooth in the entry).
    """
    for (activation, z_down), (_, z), (_, z_up) in zip(down, at_rest, up):
        moved = z_down != z_up
        if moved.any():
            low = np.minimum(np.minimum(z_down, z), z_up)[moved]
            high = np.maximum(np.maximum(z_down, z), z_up)[moved]
            if any(((low <= k) & (k <= high)).any() for k in activation.kinks):
                return activation
    return None


def _loss_overriding(
    problem: Problem, params: dict, kind: str | None = None, l: int = 0, value=None
) -> tuple[float, list]:
    """The loss with ``params``, and z_l or a_l (in column form) replaced by ``value`` if given; and
    ``(activation, z)`` of every layer whose activation has kinks."""
    zs, _, loss = forward(problem, params, None if kind is None else (kind, l, value))
    return loss, [(layer.activation, z) for layer, z in zip(problem.layers, zs) if layer.activation.kinks]
