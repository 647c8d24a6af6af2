"""Training steps: forward pass, loss, backpropagation, the optimizer's update. Pure NumPy, float64.

Inside, every layer is in column form whatever the layout: ``W`` is
``(n_in, n_out)``, activations are ``(n, batch)`` and ``z = W.T @ a + b``.
The rows layout reaches it through transposed views, so nothing is copied.
Parameters travel between steps by name, in the output's shapes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .errors import NumericError, OptionError
from .model import SECTIONS, Problem, Trace, bias_in_layout, bias_name, weight_name


def step(problem: Problem, show: int = 1) -> Trace:
    """Run ``problem.steps`` steps on the same data; the trace holds every intermediate of step ``show``."""
    if not 1 <= show <= problem.steps:
        raise OptionError("show step", f"{show} is not one of the steps 1 to {problem.steps}")
    params = initial_params(problem)
    state = {name: dict(values) for name, values in problem.state.items()}
    losses, shown = [], None
    with np.errstate(all="ignore"):  # overflow is reported below, by name
        for k in range(1, problem.steps + 1):
            result = _one_step(problem, params, state)
            losses.append(result.loss)
            if k == show:
                shown = result
            params, state = result.updated, result.state
        final_loss = _loss(problem, params)
        checksums_finite = np.isfinite(shown.checksum) and np.isfinite(result.checksum)
    loss_after = losses[show] if show < problem.steps else final_loss
    trace = Trace(
        problem=problem,
        forward=shown.forward,
        loss=shown.loss,
        grads=shown.grads,
        updated=shown.updated,
        params=shown.params,
        loss_after=loss_after,
        state=shown.state,
        losses=losses,
        final=params,
        final_loss=final_loss,
        final_state=state,
        shown=show,
    )
    _check_losses(trace)
    if not checksums_finite:  # some array holds an inf or a nan (or a sum overflowed): name the first
        _check_arrays(trace)
    return trace


def initial_params(problem: Problem) -> dict[str, np.ndarray]:
    """The parameters as the config gives them, named and shaped as in the output."""
    params = {}
    for l, layer in enumerate(problem.layers, 1):
        params[weight_name(l)] = layer.weights
        if layer.bias_mode == "shared":
            params[bias_name(l, problem.layout)] = np.array(layer.bias[0])
        elif layer.bias_mode == "units":
            params[bias_name(l, problem.layout)] = bias_in_layout(layer.bias, problem.layout)
    return params


class _Step(NamedTuple):
    params: dict  # before the update
    forward: dict
    loss: float
    grads: dict
    updated: dict
    state: dict  # the optimizer's, after the update
    checksum: float  # the sum of every array above: finite only if each of their entries is


def column_form(problem: Problem, params: dict) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights as ``(n_in, n_out)`` and biases as ``(n_out,)`` for the computation."""
    columns = problem.layout == "columns"
    weights, biases = [], []
    for l, layer in enumerate(problem.layers, 1):
        w = params[weight_name(l)]
        weights.append(w if columns else w.T)
        b = params.get(bias_name(l, problem.layout))
        biases.append(layer.bias if b is None else np.broadcast_to(b.reshape(-1), layer.bias.shape))
    return weights, biases


def forward(problem: Problem, params: dict, override: tuple[str, int, np.ndarray] | None = None):
    """The forward pass with ``params`` (named and shaped as in the output): every z, every a
    (``activations[0]`` is x), in column form ``(n, batch)``, and the loss. ``override`` =
    ``("z" or "a", l, value)`` puts ``value`` (column form) in place of z_l or a_l, the rest computed
    from there: what gradcheck perturbs."""
    zs, activations, loss, _ = _forward(problem, *column_form(problem, params), override=override)
    return zs, activations, loss


def _forward(problem: Problem, weights, biases, keep: bool = True, override=None):
    """Every z and a (activations[0] is x), the loss and the sum of every z (a = f(z) is finite
    where z is); with ``keep=False`` only the loss, each layer freed as the next is computed."""
    a = problem.x
    zs, activations, checksum = [], [a], 0.0
    for l, (layer, w, b) in enumerate(zip(problem.layers, weights, biases), 1):
        if override is not None and override[:2] == ("z", l):
            z = override[2]
        else:
            z = w.T @ a  # (n_out, batch)
            z += b[:, None]
        a = override[2] if override is not None and override[:2] == ("a", l) else layer.activation.value(z)
        if keep:
            zs.append(z)
            activations.append(a)
            checksum += np.sum(z)  # while z is in cache
    per_point = problem.loss.value(z, a, problem.y, problem.layers[-1].activation)  # (batch,)
    loss = float(per_point.mean() if problem.reduction == "mean" else per_point.sum())
    return zs, activations, loss, checksum


def _loss(problem: Problem, params: dict) -> float:
    return _forward(problem, *column_form(problem, params), keep=False)[2]


def _one_step(problem: Problem, params: dict, state: dict) -> _Step:
    columns = problem.layout == "columns"
    layers = problem.layers
    weights, biases = column_form(problem, params)
    zs, activations, loss, checksum = _forward(problem, weights, biases)

    output = layers[-1].activation
    dz = problem.loss.grad_z(zs[-1], activations[-1], problem.y, output)  # (n_out, batch)
    if problem.reduction == "mean" and problem.batch_size > 1:
        dz = dz / problem.batch_size
    dzs, das, dws, dbs = {}, {}, {}, {}
    for l in range(len(layers), 0, -1):
        dzs[l] = dz
        dws[l] = activations[l - 1] @ dz.T  # (n_in, n_out)
        dbs[l] = dz.sum(axis=1)  # (n_out,): finite only if every entry of dz is
        checksum += np.sum(dbs[l])
        if weight_name(l) in problem.freeze:  # else its update, summed below, is inf or nan wherever dL/dW is
            checksum += np.sum(dws[l])
        if l > 1:
            das[l - 1] = weights[l - 1] @ dz  # (n_in, batch)
            checksum += np.sum(das[l - 1])
            dz = layers[l - 2].activation.backward(zs[l - 2], activations[l - 1], das[l - 1])

    def out(m: np.ndarray) -> np.ndarray:  # activations and weights in the config's layout
        return m if columns else m.T

    L = len(layers)
    forward = {}
    for l in range(1, L + 1):
        forward[f"z{l}"] = out(zs[l - 1])
        forward[f"a{l}"] = out(activations[l])
    grads = {}
    for l in range(L, 0, -1):
        grads[f"z{l}"] = out(dzs[l])
        if l > 1:
            grads[f"a{l - 1}"] = out(das[l - 1])
    for l in range(L, 0, -1):
        grads[weight_name(l)] = out(dws[l])
        mode = layers[l - 1].bias_mode
        if mode == "units":
            grads[bias_name(l, problem.layout)] = bias_in_layout(dbs[l], problem.layout)
        elif mode == "shared":  # one bias feeds every unit: its gradient is their sum
            grads[bias_name(l, problem.layout)] = np.array(dbs[l].sum())

    updated, new_state = {}, {}
    for name, p in params.items():
        if name in problem.freeze:
            updated[name] = p
            continue
        updated[name], new_state[name] = problem.optimizer.update(
            p, grads[name], state.get(name, {}), problem.learning_rate
        )
        checksum += np.sum(updated[name]) + sum(np.sum(value) for value in new_state[name].values())
    state = new_state if problem.optimizer.keeps_state else {}
    return _Step(params, forward, loss, grads, updated, state, checksum)  # frozen parameters are the config's


def _check_losses(trace: Trace) -> None:
    for name, value in (
        ("loss", trace.loss),
        ("loss_after", trace.loss_after),
        ("final_loss", trace.final_loss),
        *enumerate(trace.losses, 1),
    ):
        if not np.isfinite(value):
            where = name if isinstance(name, str) else f"the loss at step {name}"
            raise NumericError(f"{where} overflows float64; use smaller weights, inputs or learning rate")


def _check_arrays(trace: Trace) -> None:
    seen = set()
    for section in (*SECTIONS, "final"):
        for name, value in getattr(trace, section).items():
            if (section == "forward" and name[0] == "a") or id(value) in seen:
                continue  # a = f(z) is finite where z is; after one step, final is updated
            seen.add(id(value))
            if not _finite(value):
                raise NumericError(
                    f"{section}.{name} overflows float64 (inf or nan); use smaller weights, inputs or learning rate"
                )
    for name, values in (*trace.state.items(), *trace.final_state.items()):
        for key, value in values.items():
            if not _finite(value):
                raise NumericError(f"optimizer_state.{key}.{name} overflows float64; use a smaller learning rate")


def _finite(value) -> bool:
    """Every entry finite. A finite sum proves it without a boolean array (any inf or nan
    makes the sum inf or nan); only a sum that overflows needs the entries checked."""
    with np.errstate(all="ignore"):
        return bool(np.isfinite(np.sum(value))) or bool(np.isfinite(value).all())
