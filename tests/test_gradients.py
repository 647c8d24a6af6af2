"""Backprop against central finite differences, on random networks of every kind."""

import dataclasses
import itertools
import zlib

import numpy as np
import pytest
from random_networks import ACTIVATIONS, BATCHES, LAYOUTS, random_config, valid_pairs

import mlpstep

EPS = 1e-6

CASES = [
    (output, loss, layout, batch, reduction)
    for (output, loss), layout, (batch, reduction) in itertools.product(valid_pairs(), LAYOUTS, BATCHES)
]


def _loss_with(problem, l, kind, index, delta):
    layers = list(problem.layers)
    layer = layers[l]
    value = getattr(layer, kind).copy()
    value[index] += delta
    layers[l] = dataclasses.replace(layer, **{kind: value})
    return mlpstep.step(dataclasses.replace(problem, layers=tuple(layers))).loss


def numeric_gradient(problem, l, kind):
    """dL/d(parameter) of layer l (0-based) by central differences, in the parameter's given shape."""
    grad = np.zeros_like(getattr(problem.layers[l], kind))
    for index in np.ndindex(grad.shape):
        grad[index] = (_loss_with(problem, l, kind, index, EPS) - _loss_with(problem, l, kind, index, -EPS)) / (2 * EPS)
    return grad


@pytest.mark.parametrize("output,loss,layout,batch,reduction", CASES)
def test_parameter_gradients_equal_central_differences(output, loss, layout, batch, reduction):
    rng = np.random.default_rng(zlib.crc32(repr((output, loss, layout, batch, reduction)).encode()))
    hidden = [ACTIVATIONS[int(k)] for k in rng.integers(len(ACTIVATIONS), size=2)]
    n_out = 1 if output != "softmax" and rng.random() < 0.3 else 3
    config = random_config(rng, [3, 4, 3, n_out], [*hidden, output], loss, layout, batch, reduction)
    problem = mlpstep.load(config)
    trace = mlpstep.step(problem)
    for l in range(3):
        w_name, b_name = f"W{l + 1}", (f"w{l + 1}0" if layout == "columns" else f"b{l + 1}")
        np.testing.assert_allclose(trace.grads[w_name], numeric_gradient(problem, l, "weights"), rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(
            trace.grads[b_name].reshape(-1), numeric_gradient(problem, l, "bias"), rtol=1e-5, atol=1e-8
        )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_update_is_parameters_minus_learning_rate_times_gradient(layout):
    rng = np.random.default_rng(7)
    config = random_config(rng, [2, 3, 2], ["tanh", "softmax"], "nll", layout, batch=4)
    config["learning_rate"] = 0.37
    trace = mlpstep.step(mlpstep.load(config))
    for name, new in trace.updated.items():
        l = int(name[1])
        given = np.array(config["layers"][l - 1]["weights" if name.startswith("W") else "bias"])
        np.testing.assert_allclose(new, given.reshape(new.shape) - 0.37 * trace.grads[name], rtol=1e-15)


def test_rows_layout_is_the_transpose_of_columns():
    rng = np.random.default_rng(3)
    columns = random_config(rng, [3, 4, 2], ["relu", "sigmoid"], "squared", "columns", batch=3)
    rows = {**columns, "layout": "rows"}
    rows["layers"] = [{**layer, "weights": np.array(layer["weights"]).T.tolist()} for layer in columns["layers"]]
    c, r = mlpstep.step(mlpstep.load(columns)), mlpstep.step(mlpstep.load(rows))
    assert c.loss == r.loss
    for section in ("forward", "grads", "updated"):
        for name, value in getattr(c, section).items():
            rvalue = getattr(r, section)["b" + name[1:-1] if name.startswith("w") else name]
            np.testing.assert_allclose(rvalue[:, None] if rvalue.ndim == 1 else rvalue.T, value, rtol=1e-14)


def test_sum_reduction_is_batch_size_times_mean():
    rng = np.random.default_rng(5)
    config = random_config(rng, [2, 3, 3], ["relu", "softmax"], "nll", batch=5)
    mean = mlpstep.step(mlpstep.load(config))
    total = mlpstep.step(mlpstep.load({**config, "reduction": "sum"}))
    assert total.loss == pytest.approx(5 * mean.loss, rel=1e-14)
    np.testing.assert_allclose(total.grads["W1"], 5 * mean.grads["W1"], rtol=1e-13)
