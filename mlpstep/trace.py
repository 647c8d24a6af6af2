"""The trace of one training step: every intermediate, named as courses name them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Problem

SECTIONS = ("forward", "grads", "updated")


def weight_name(l: int) -> str:
    return f"W{l}"


def bias_name(l: int, layout: str) -> str:
    """``w10`` in the columns layout (MIT 6.390), ``b1`` in rows (PyTorch)."""
    return f"w{l}0" if layout == "columns" else f"b{l}"


def bias_in_layout(b: np.ndarray, layout: str) -> np.ndarray:
    """A bias ``(n,)`` as the output shows it: ``(n, 1)`` in the columns layout, flat in rows."""
    return b[:, None] if layout == "columns" else b


def network_picture(problem: Problem) -> str:
    """One line: ``x(2) -> relu(4) -> softmax(2) -> nll``."""
    parts = [f"x({problem.sizes[0]})"]
    parts += [f"{layer.activation.name}({layer.bias.shape[0]})" for layer in problem.layers]
    return " -> ".join(parts + [problem.loss.name])


@dataclass
class Trace:
    """What ``step`` computed. Matrices are NumPy arrays in the config's layout:

    columns: z and a are ``(n, batch)``, biases ``(n, 1)``;
    rows: z and a are ``(batch, n)``, biases ``(n,)``;
    weights keep the shape they were given in.
    """

    problem: Problem
    forward: dict[str, np.ndarray]  # z1, a1, z2, a2, ...
    loss: float
    grads: dict[str, np.ndarray]  # zL, a(L-1), z(L-1), ..., z1, then WL, bias L, ..., W1, bias 1
    updated: dict[str, np.ndarray]  # W1, bias 1, W2, ...

    @property
    def network(self) -> str:
        return network_picture(self.problem)

    @property
    def params(self) -> dict[str, np.ndarray]:
        """The parameters before the update, named and shaped as in ``updated``."""
        layout = self.problem.layout
        params = {}
        for l, layer in enumerate(self.problem.layers, 1):
            params[weight_name(l)] = layer.weights
            params[bias_name(l, layout)] = bias_in_layout(layer.bias, layout)
        return params

    def to_dict(self) -> dict:
        """Plain Python data, exactly what ``mlpstep run --json`` prints."""
        return {
            "network": self.network,
            "layout": self.problem.layout,
            "forward": {k: v.tolist() for k, v in self.forward.items()},
            "loss": self.loss,
            "grads": {k: v.tolist() for k, v in self.grads.items()},
            "updated": {k: v.tolist() for k, v in self.updated.items()},
        }
