"""The layers of a config: weights, biases and activations, their shapes chained."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ..functions.activations import ACTIVATIONS, Activation
from ..model import Layer, shape_text
from .values import (
    Mistakes,
    as_matrix,
    as_number,
    as_vector,
    check_keys,
    choices,
    counted,
    described,
    is_list,
    one_of,
    option_keys,
    options_of,
)


def layers_of(value: object, layout: str, relu0: float, mistakes: Mistakes) -> list[Layer] | None:
    """The layers, or None when ``mistakes`` lists something wrong with them."""
    if not isinstance(value, list) or not value:
        mistakes.add(
            ConfigError("layers", f"{described(value)}; give a list of layers, each with weights, bias and activation")
        )
        return None
    listed = len(mistakes.found)
    layers, n_prev = [], None
    for i, spec in enumerate(value):
        path = f"layers[{i}]"
        if not isinstance(spec, dict):
            mistakes.add(
                ConfigError(path, f"{described(spec)}; a layer is a mapping with weights, bias and activation")
            )
            n_prev = None
            continue
        w = mistakes.check(as_matrix, spec["weights"], path + ".weights")
        n_out = bias = None
        if w is not None:
            n_in, n_out = w.shape if layout == "columns" else w.shape[::-1]
            if n_prev is not None and n_in != n_prev:
                fix = (
                    f"{n_prev} rows (n_in x n_out in the columns layout)"
                    if layout == "columns"
                    else f"{n_prev} columns (n_out x n_in in the rows layout)"
                )
                problem = f"{shape_text(w.shape, '')}, but layer {i} has {n_prev} outputs, so layer {i + 1}'s weights "
                problem += f"need {fix}"
                mistakes.add(ConfigError(path + ".weights", problem))
            bias = mistakes.check(bias_of, spec.get("bias"), n_out, w, path, i)
        activation = mistakes.check(activation_of, spec["activation"], path + ".activation", relu0)
        why = activation.unit_problem(n_out) if activation is not None and n_out is not None else None
        if why:
            mistakes.add(ConfigError(path + ".activation", why))
        if bias is not None and activation is not None:
            layers.append(Layer(weights=w, bias=bias[0], activation=activation, bias_mode=bias[1]))
        n_prev = n_out
    return layers if len(mistakes.found) == listed else None


def activation_of(value: object, path: str, relu0: float) -> Activation:
    """A layer's activation: its name (every option as torch's default), or a mapping of its name and
    options, ``{name: leaky_relu, negative_slope: 0.1}``; ``relu0`` is ReLU'(0) (relu_grad_at_zero)."""
    if not isinstance(value, dict):
        return ACTIVATIONS[one_of(value, tuple(ACTIVATIONS), path)]().with_convention(relu0)
    if "name" not in value:
        raise ConfigError(path + ".name", f"missing; add it ({choices(ACTIVATIONS)})")
    kind = ACTIVATIONS[one_of(value["name"], tuple(ACTIVATIONS), path + ".name")]
    check_keys(value, option_keys(kind), ("name",), path + ".")
    return kind(**options_of(kind, value, path + ".")).with_convention(relu0)


def bias_of(value: object, n_out: int, w: np.ndarray, path: str, i: int) -> tuple[np.ndarray, str]:
    """A layer's bias ``(n_out,)`` and its mode: one per unit, one shared, or none."""
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return np.zeros(n_out), "none"
    if not is_list(value):
        return np.full(n_out, as_number(value, path + ".bias")), "shared"
    b = as_vector(value, path + ".bias")
    if b.shape[0] != n_out:
        raise ConfigError(
            path + ".bias",
            f"{counted(b.shape[0], 'value')}, but layer {i + 1} has {counted(n_out, 'unit')} (from its weights, "
            f"{shape_text(w.shape, '')}); give one per unit, one number shared by all, or none",
        )
    return b, "units"
