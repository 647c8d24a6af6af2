"""One training step: forward pass, loss, backpropagation, SGD update. Pure NumPy, float64.

Inside, every layer is in column form whatever the layout: ``W`` is
``(n_in, n_out)``, activations are ``(n, batch)`` and ``z = W.T @ a + b``.
The rows layout reaches it through transposed views, so nothing is copied.
"""

from __future__ import annotations

import numpy as np

from .config import Problem
from .errors import NumericError
from .trace import SECTIONS, Trace, bias_in_layout, bias_name, weight_name


def step(problem: Problem) -> Trace:
    """Run one step of plain SGD on ``problem`` and return every intermediate."""
    columns = problem.layout == "columns"
    layers = problem.layers
    weights = [layer.weights if columns else layer.weights.T for layer in layers]  # (n_in, n_out)

    with np.errstate(all="ignore"):  # overflow is reported below, by name
        a = problem.x
        zs, activations = [], [a]  # activations[0] is x
        for layer, w in zip(layers, weights):
            z = w.T @ a + layer.bias[:, None]  # (n_out, batch)
            a = layer.activation.value(z)
            zs.append(z)
            activations.append(a)

        output = layers[-1].activation
        per_point = problem.loss.value(zs[-1], a, problem.y, output)  # (batch,)
        mean = problem.reduction == "mean"
        loss = float(per_point.mean() if mean else per_point.sum())

        dz = problem.loss.grad_z(zs[-1], a, problem.y, output)  # (n_out, batch)
        if mean and problem.batch_size > 1:
            dz = dz / problem.batch_size
        dzs, das, dws, dbs = {}, {}, {}, {}
        for l in range(len(layers), 0, -1):
            dzs[l] = dz
            dws[l] = activations[l - 1] @ dz.T  # (n_in, n_out)
            dbs[l] = dz.sum(axis=1)  # (n_out,)
            if l > 1:
                das[l - 1] = weights[l - 1] @ dz  # (n_in, batch)
                dz = layers[l - 2].activation.backward(zs[l - 2], activations[l - 1], das[l - 1])

        lr = problem.learning_rate
        new_weights = {l: w - lr * dws[l] for l, w in enumerate(weights, 1)}
        new_biases = {l: layer.bias - lr * dbs[l] for l, layer in enumerate(layers, 1)}

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
        grads[bias_name(l, problem.layout)] = bias_in_layout(dbs[l], problem.layout)
    updated = {}
    for l in range(1, L + 1):
        updated[weight_name(l)] = out(new_weights[l])
        updated[bias_name(l, problem.layout)] = bias_in_layout(new_biases[l], problem.layout)

    trace = Trace(problem, forward, loss, grads, updated)
    _check_finite(trace)
    return trace


def _check_finite(trace: Trace) -> None:
    if not np.isfinite(trace.loss):
        raise NumericError("the loss overflows float64; use smaller weights or inputs")
    for section in SECTIONS:
        for name, value in getattr(trace, section).items():
            if not np.isfinite(value).all():
                raise NumericError(
                    f"{section}.{name} overflows float64 (inf or nan); use smaller weights, inputs or learning rate"
                )
