"""The data of a config: the input points and their labels (class indices, one-hot, targets)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import ConfigError
from ..functions.activations import Activation
from ..functions.losses import Loss
from .values import (
    NUMBER_TYPES,
    as_finite,
    as_matrix,
    as_number,
    as_real_array,
    as_vector,
    counted,
    described,
    is_list,
    is_nested,
    numbers_in_rows,
)


def inputs_of(value: object, n_in: int) -> tuple[np.ndarray, bool]:
    """The input as ``(n_in, batch)`` and whether it was given as a batch (a matrix: one row per point)."""
    if is_nested(value):
        x = as_matrix(value, "input")
        if x.shape[1] != n_in:
            hint = (
                f"; one point is written flat: input: [{', '.join(f'{v:g}' for v in x[:, 0])}]"
                if x.shape[1] == 1 and x.shape[0] == n_in
                else ""
            )
            raise ConfigError(
                "input",
                f"a batch of {counted(x.shape[0], 'point')} with {counted(x.shape[1], 'value')} each, "
                f"but layer 1 has {counted(n_in, 'input')}{hint}",
            )
        return x.T, True
    x = as_vector(value, "input")
    if x.shape[0] != n_in:
        hint = (
            f"; for a batch of {x.shape[0]} points write one list per point: [[{x[0]:g}], [{x[1]:g}], ...]"
            if n_in == 1
            else ""
        )
        raise ConfigError("input", f"{counted(x.shape[0], 'value')}, but layer 1 has {counted(n_in, 'input')}{hint}")
    return x[:, None], False


def labels_of(value: object, batch: bool, count: int, n_out: int, output: Activation, loss: Loss) -> np.ndarray:
    """The targets as ``(n_out, batch)``."""
    if not batch:
        return label_of(value, "label", n_out, output, loss)[:, None]
    if isinstance(value, np.ndarray) and value.ndim:
        labels = batch_labels(value, count)
        return targets_of(labels, lambda i: f"label[{i}]", n_out, output, loss).T
    if not isinstance(value, list):
        raise ConfigError(
            "label",
            f"{described(value)}, but the input is a batch of {counted(count, 'point')}: give a list of "
            f"{counted(count, 'label')}",
        )
    if len(value) != count:
        raise ConfigError(
            "label",
            f"{counted(len(value), 'label')}, but the input has {counted(count, 'point')}; give one label per point",
        )
    if set(map(type, value)) <= NUMBER_TYPES or numbers_in_rows(value):  # all numbers, or all rows: at once
        return targets_of(as_finite(value, "label"), lambda i: f"label[{i}]", n_out, output, loss).T
    return np.stack([label_of(v, f"label[{i}]", n_out, output, loss) for i, v in enumerate(value)], axis=1)


def batch_labels(value: np.ndarray, count: int) -> np.ndarray:
    """A batch's labels given as one array: ``(count,)`` numbers or ``(count, n)`` rows.

    A column, or a row of ``count``, holds one number per point (a file has no brackets to tell them apart).
    """
    labels = as_real_array(value, "label")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    elif labels.ndim == 2 and labels.shape == (1, count):
        labels = labels[0]
    if labels.ndim > 2:
        raise ConfigError(
            "label",
            f"{described(value)}, but the input is a batch of {counted(count, 'point')}: give one label per point",
        )
    if labels.shape[0] != count:
        raise ConfigError(
            "label",
            f"{counted(labels.shape[0], 'label')}, but the input has {counted(count, 'point')}; give one label per "
            f"point",
        )
    return labels


def label_of(value: object, path: str, n_out: int, output: Activation, loss: Loss) -> np.ndarray:
    """One point's target, ``(n_out,)``. An array of one value is that number."""
    if isinstance(value, np.ndarray) and value.size == 1:
        labels = as_real_array(value, path).reshape(1)
    elif is_list(value):
        labels = as_vector(value, path)[None, :]
    else:
        labels = np.array([as_number(value, path)])
    return targets_of(labels, lambda i: path, n_out, output, loss)[0]


def targets_of(
    labels: np.ndarray, where: Callable[[int], str], n_out: int, output: Activation, loss: Loss
) -> np.ndarray:
    """The targets ``(count, n_out)`` of ``count`` labels: numbers ``(count,)`` or rows ``(count, n)``.

    With an output of classes (softmax) a number is a class index. ``where(i)`` names point i in messages.
    """
    count = labels.shape[0]
    if labels.ndim == 1 and output.classes:
        bad = np.flatnonzero((labels != np.floor(labels)) | (labels < 0) | (labels >= n_out))
        if bad.size:
            k = labels[bad[0]]
            if k != int(k):
                raise ConfigError(
                    where(bad[0]),
                    f"{k:g} is not a class index; give a whole number from 0 to {n_out - 1}, or a one-hot list",
                )
            raise ConfigError(
                where(bad[0]),
                f"class {k:g} is out of range; the output layer has {counted(n_out, 'class')}, 0 to {n_out - 1}",
            )
        y = np.zeros((count, n_out))
        y[np.arange(count), labels.astype(np.intp)] = 1.0
        return y
    if labels.ndim == 1:
        if n_out != 1:
            raise ConfigError(
                where(0), f"a single number, but the output layer has {n_out} units; give a list of {n_out} targets"
            )
        y = labels[:, None]
    else:
        y = labels
        if y.shape[1] != n_out:
            hint = (
                "; a class index is written without brackets, e.g. label: 1"
                if output.classes and y.shape[1] == 1
                else ""
            )
            raise ConfigError(
                where(0), f"{counted(y.shape[1], 'value')}, but the output layer has {counted(n_out, 'unit')}{hint}"
            )
    invalid = loss.invalid_targets(y, output)
    if invalid:
        bad, why = invalid
        raise ConfigError(where(bad[0]), why)
    return y
