"""Random valid configs for property tests: every activation, loss, layout and batch shape."""

from __future__ import annotations

import itertools

import numpy as np

ACTIVATIONS = ("relu", "sigmoid", "tanh", "linear", "softmax")
LOSSES = ("nll", "squared", "half_squared", "mse")
LAYOUTS = ("columns", "rows")
BATCHES = ((None, "mean"), (3, "mean"), (3, "sum"))  # None: a single point


def valid_pairs():
    """Every (output activation, loss) the tool accepts."""
    for output, loss in itertools.product(ACTIVATIONS, LOSSES):
        if loss != "nll" or output in ("softmax", "sigmoid"):
            yield output, loss


def random_config(rng: np.random.Generator, sizes, activations, loss, layout="columns", batch=None, reduction="mean"):
    """A config dict with N(0,1) weights; ``batch=None`` gives a single point."""
    layers = []
    for n_in, n_out, act in zip(sizes, sizes[1:], activations):
        w = rng.normal(size=(n_in, n_out))
        layers.append(
            {
                "weights": (w if layout == "columns" else w.T).tolist(),
                "bias": rng.normal(size=n_out).tolist(),
                "activation": act,
            }
        )
    points = 1 if batch is None else batch
    x = rng.normal(size=(points, sizes[0]))
    labels = [random_label(rng, sizes[-1], activations[-1], loss) for _ in range(points)]
    return {
        "layout": layout,
        "input": x[0].tolist() if batch is None else x.tolist(),
        "label": labels[0] if batch is None else labels,
        "loss": loss,
        "learning_rate": 0.1,
        "reduction": reduction,
        "layers": layers,
    }


def random_label(rng, n_out, output, loss):
    if output == "softmax":
        if rng.random() < 0.5:
            return int(rng.integers(n_out))
        p = rng.random(n_out)
        return (p / p.sum()).tolist()
    if loss == "nll":
        return rng.random(n_out).tolist()
    return rng.normal(size=n_out).tolist()
