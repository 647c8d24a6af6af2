"""Load and validate a config into a Problem: the network, the data, the loss.

Every mistake is a ConfigError with the path of the field (``layers[1].weights``)
and what would fix it: ``load`` raises the first, ``find_errors`` lists them all.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import ConfigError, closest, excerpt, key_text, quoted
from ..functions import ACTIVATIONS, LOSSES, NLL_OUTPUTS, make_activation
from ..limits import MAX_LAYERS, MAX_STEPS, Budget, check_cost, run_cost
from .arrayfiles import REAL_KINDS, read_array_file, read_from_file
from ..model import Layer, Problem, param_shapes
from ..optimizers import OPTIMIZERS, OPTIONS, SGD, Adam

LAYOUTS = ("columns", "rows")
REDUCTIONS = ("mean", "sum")
RELU_GRADS_AT_ZERO = (0, 0.5, 1)
KEYS = (
    "layout", "input", "label", "loss", "learning_rate", "reduction", "relu_grad_at_zero", "layers",
    "optimizer", "freeze", "steps", "grading",
)  # fmt: skip
REQUIRED = ("input", "label", "loss", "learning_rate", "layers")
LAYER_KEYS = ("weights", "bias", "activation")
LAYER_REQUIRED = ("weights", "activation")
FILE_KEYS = ("file", "key")
GRADING_KEYS = ("min_rtol", "expect")
FILE_DEPTH = 4
"""How deep in the config a {file: ...} may be: optimizer.state.exp_avg.W1."""
MAX_STATE_STEP = 10**9
"""Largest step count a starting optimizer state may give."""
MAX_ERRORS = 100
"""Most mistakes of one config find_errors lists."""


def load(source: str | Path | dict, allow_large: bool = False) -> Problem:
    """A Problem from a config file path (``"-"`` for stdin) or an already-parsed dict.

    A ``{file: PATH}`` value is read relative to the config file's folder (the current one for stdin or a dict).
    A run past the limits of ``mlpstep.limits`` is refused unless ``allow_large``.
    """
    return validate(*_read(source), allow_large)


def validate(data: object, base: str | Path = ".", allow_large: bool = False) -> Problem:
    """A Problem from config data; ``{file: PATH}`` values are read relative to ``base``,
    after the keys are checked (so no file is read for a config that is refused anyway).
    The first mistake raises its ConfigError."""
    return _validate(data, base, allow_large, _Mistakes())


def find_errors(source: str | Path | dict, allow_large: bool = False, most: int = MAX_ERRORS) -> list[ConfigError]:
    """What is wrong with a config, as ``load`` meets it (the first is the error ``load`` raises), at most ``most``;
    empty when it loads.

    Every mistake in the keys is listed; when the keys are right, every mistake in the values: each field
    on its own (each layer's weights, bias and activation apart). A field that needs another one which is
    wrong (the labels need the output layer) is not checked, and a file that cannot be read ends the list.
    """
    mistakes = _Mistakes(most)
    try:
        _validate(*_read(source), allow_large, mistakes)
    except ConfigError as e:
        mistakes.found.append(e)
    except _Enough:
        pass
    return mistakes.found


def _read(source: str | Path | dict) -> tuple[object, str | Path]:
    """The config data and the folder its files are relative to."""
    if isinstance(source, dict):
        return source, "."
    from .reader import read_config

    return read_config(source), "." if str(source) == "-" else Path(source).parent


class _Enough(Exception):
    """As many mistakes are listed as were asked for."""


class _Mistakes:
    """Where validation puts each mistake: raised at once (``most`` 0, to load a config), or listed up
    to ``most`` (to report them all), validation going on with what does not depend on the wrong field."""

    def __init__(self, most: int = 0):
        self.most = most
        self.found: list[ConfigError] = []

    def add(self, error: ConfigError) -> None:
        if not self.most:
            raise error
        self.found.append(error)
        if len(self.found) >= self.most:
            raise _Enough

    def check(self, run: Callable, *args):
        """``run(*args)``, or None when it raises a ConfigError that is listed."""
        try:
            return run(*args)
        except ConfigError as e:
            self.add(e)
            return None


_RAISE = _Mistakes()


def _validate(data: object, base: str | Path, allow_large: bool, mistakes: _Mistakes) -> Problem | None:
    """The Problem, or None when ``mistakes`` lists something wrong with it."""
    if not isinstance(data, dict):
        raise ConfigError("config", f"{_describe(data)}, but a config is a mapping of keys: {', '.join(REQUIRED)}, ...")
    _check_structure(data, allow_large, mistakes)
    if mistakes.found:
        return None
    data, files = _read_files(data, base, Budget(allow_large))
    check = mistakes.check
    layout = check(_choice, data.get("layout", "columns"), LAYOUTS, "layout")
    reduction = check(_choice, data.get("reduction", "mean"), REDUCTIONS, "reduction")
    relu0 = check(_relu_grad_at_zero, data.get("relu_grad_at_zero", 0))
    learning_rate = check(_learning_rate, data["learning_rate"])
    layers = _layers(data["layers"], layout, relu0 or 0.0, mistakes) if layout else None
    loss = check(_choice, data["loss"], tuple(LOSSES), "loss")
    x = freeze = optimizer = None
    if layers:
        if loss:
            check(_nll_output, loss, layers)
        n_in = layers[0].weights.shape[0 if layout == "columns" else 1]
        x, batch = check(_input, data["input"], n_in) or (None, None)
        shapes = param_shapes(layers, layout)
        freeze = check(_freeze, data.get("freeze", []), shapes)
        if freeze is not None:
            trained = {name: shape for name, shape in shapes.items() if name not in freeze}
            optimizer, state = check(_optimizer, data.get("optimizer", "sgd"), trained) or (None, None)
    steps = check(_steps, data.get("steps", 1), "steps")
    if x is None or loss is None or optimizer is None or steps is None:
        return None
    sizes = [n_in] + [layer.bias.shape[0] for layer in layers]
    names = [layer.activation.name for layer in layers]
    check(check_run, sizes, x.shape[1], steps, optimizer, "steps" if "steps" in data else "layers", allow_large, names, loss)
    output = layers[-1].activation
    y = check(_labels, data["label"], batch, x.shape[1], layers[-1].bias.shape[0], output.name, loss)
    grading = check(_grading, data.get("grading", {}))
    if mistakes.found:
        return None
    min_rtol, expect = grading
    return Problem(
        tuple(layers), x, y, LOSSES[loss](), learning_rate, layout, reduction, relu0, optimizer, freeze, steps, state, files,
        min_rtol, expect,
    )


def _grading(value: object) -> tuple[float | None, tuple[str, ...] | None]:
    """How ``check`` grades this problem: ``grading: {min_rtol: 0.005, expect: all | [a1, W1n, ...]}``.
    The names are resolved when the step is known (``check``)."""
    if not isinstance(value, dict):
        raise ConfigError("grading", f"{_describe(value)}; expected a mapping, e.g. grading: {{min_rtol: 0.005, expect: all}}")
    _check_keys(value, GRADING_KEYS, (), "grading.")
    min_rtol = None
    if "min_rtol" in value:
        min_rtol = _number(value["min_rtol"], "grading.min_rtol")
        if not 0 <= min_rtol < 1:
            raise ConfigError("grading.min_rtol", f"{min_rtol:g} is not a relative tolerance; give a number from 0 (no floor) to below 1")
    expect = value.get("expect")
    if expect is None:
        return min_rtol, None
    if isinstance(expect, str) and expect.strip().lower() == "all":
        return min_rtol, ("all",)
    if not (isinstance(expect, list) and expect and all(isinstance(name, str) and name for name in expect)):
        raise ConfigError("grading.expect", f"{_describe(expect)}; give all, or a list of answer names, e.g. [a1, z2.grad, W1n]")
    return min_rtol, tuple(expect)


def check_run(
    sizes: list[int], batch: int, steps: int, optimizer: SGD | Adam, path: str, allow_large: bool = False,
    activations: list[str] | None = None, loss: str = "mse",
) -> None:
    """Refuse ``steps`` steps of a network of widths ``sizes`` on ``batch`` points past the limits
    of a run (see mlpstep.limits), before anything is computed; ``path`` names what to change."""
    slots = len([key for key in optimizer.state_keys if key != "step"]) if optimizer.keeps_state else 0
    madds, memory = run_cost(sizes, batch, steps, slots, activations, loss)
    network = excerpt("-".join(map(str, sizes)))
    what = f"{steps:,} step{'s' if steps != 1 else ''} of a {network} network on {_count(batch, 'point')}"
    check_cost(madds, memory, what, path, allow_large)


def _check_structure(data: dict, allow_large: bool, mistakes: _Mistakes) -> None:
    """The keys of the config, its layers and its optimizer: checked before any file is read."""
    _check_keys(data, KEYS, REQUIRED, "", mistakes)
    layers = data.get("layers")
    if isinstance(layers, list) and len(layers) > MAX_LAYERS and not allow_large:
        raise ConfigError("layers", f"{len(layers):,} layers, more than the {MAX_LAYERS:,} a network may have; "
                                    "add --allow-large for a big job on purpose")
    if isinstance(layers, list):
        for i, spec in enumerate(layers):
            if isinstance(spec, dict):
                _check_keys(spec, LAYER_KEYS, LAYER_REQUIRED, f"layers[{i}].", mistakes)
    optimizer = data.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("name"), str) and optimizer["name"].lower() in OPTIONS:
        _check_keys(optimizer, ("name", *OPTIONS[optimizer["name"].lower()], "state"), ("name",), "optimizer.", mistakes)


# -- the parts ---------------------------------------------------------------


def _read_files(data: dict, base: str | Path, budget: Budget) -> tuple[dict, tuple[str, ...]]:
    """The config with every ``{file: PATH}`` or ``{file: PATH, key: NAME}`` mapping (a value of a mapping,
    or an item of a list of them) replaced by the array it names, and the files read. Each file is read once."""
    arrays: dict[tuple[str, str | None], np.ndarray] = {}

    def resolve(value: object, path: str, depth: int) -> object:
        if isinstance(value, dict) and "file" in value:
            return read(value, path)
        if depth == FILE_DEPTH:  # no array goes deeper: leave the rest to the checks
            return value
        if isinstance(value, list):
            return [resolve(v, f"{path}[{i}]", depth + 1) if isinstance(v, dict) else v for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: resolve(v, f"{path}.{key_text(k)}", depth + 1) for k, v in value.items()}
        return value

    def read(reference: dict, path: str) -> np.ndarray:
        _check_keys(reference, FILE_KEYS, ("file",), path + ".")
        file, key = reference["file"], reference.get("key")
        if not isinstance(file, str):
            raise ConfigError(path + ".file", f"{_describe(file)}; give the path of a .npy, .npz or .csv file")
        if not file.strip():
            raise ConfigError(path + ".file", "an empty file name; give the path of a .npy, .npz or .csv file")
        if key is not None and not isinstance(key, str):
            raise ConfigError(path + ".key", f"{_describe(key)}; give the name of an array in the .npz file")
        known = (os.path.abspath(Path(base, file)), key)
        if known not in arrays:
            arrays[known] = read_array_file(file, key, Path(base), path, budget)
        return arrays[known]

    data = {k: resolve(v, key_text(k), 1) for k, v in data.items()}
    return data, tuple(dict.fromkeys(file for file, _ in arrays))


def _layers(value: object, layout: str, relu0: float, mistakes: _Mistakes) -> list[Layer] | None:
    """The layers, or None when ``mistakes`` lists something wrong with them."""
    if not isinstance(value, list) or not value:
        mistakes.add(ConfigError("layers", f"{_describe(value)}; give a list of layers, each with weights, bias and activation"))
        return None
    listed = len(mistakes.found)
    layers, n_prev = [], None
    for i, spec in enumerate(value):
        path = f"layers[{i}]"
        if not isinstance(spec, dict):
            mistakes.add(ConfigError(path, f"{_describe(spec)}; a layer is a mapping with weights, bias and activation"))
            n_prev = None
            continue
        w = mistakes.check(_matrix, spec["weights"], path + ".weights")
        n_out = bias = None
        if w is not None:
            n_in, n_out = w.shape if layout == "columns" else w.shape[::-1]
            if n_prev is not None and n_in != n_prev:
                fix = (
                    f"{n_prev} rows (n_in x n_out in the columns layout)"
                    if layout == "columns"
                    else f"{n_prev} columns (n_out x n_in in the rows layout)"
                )
                mistakes.add(ConfigError(
                    path + ".weights", f"{_shape(w)}, but layer {i} has {n_prev} outputs, so layer {i + 1}'s weights need {fix}",
                ))  # fmt: skip
            bias = mistakes.check(_bias, spec.get("bias"), n_out, w, path, i)
        name = mistakes.check(_choice, spec["activation"], tuple(ACTIVATIONS), path + ".activation")
        if name == "softmax" and n_out == 1:
            mistakes.add(ConfigError(
                path + ".activation", "softmax over 1 unit is always 1 and passes no gradient; use sigmoid for one unit"
            ))  # fmt: skip
        if bias is not None and name is not None:
            layers.append(Layer(w, bias[0], make_activation(name, relu0), bias[1]))
        n_prev = n_out
    return layers if len(mistakes.found) == listed else None


def _bias(value: object, n_out: int, w: np.ndarray, path: str, i: int) -> tuple[np.ndarray, str]:
    """A layer's bias ``(n_out,)`` and its mode: one per unit, one shared, or none."""
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return np.zeros(n_out), "none"
    if not _is_list(value):
        return np.full(n_out, _number(value, path + ".bias")), "shared"
    b = _vector(value, path + ".bias")
    if b.shape[0] != n_out:
        raise ConfigError(
            path + ".bias",
            f"{_count(b.shape[0], 'value')}, but layer {i + 1} has {_count(n_out, 'unit')} (from its weights, "
            f"{_shape(w)}); give one per unit, one number shared by all, or none",
        )
    return b, "units"


def _relu_grad_at_zero(value: object) -> float:
    relu0 = _number(value, "relu_grad_at_zero")
    if relu0 not in RELU_GRADS_AT_ZERO:
        raise ConfigError("relu_grad_at_zero", f"{relu0:g} is not allowed; use 0 (as torch.relu), 0.5 (as torch.maximum) or 1")
    return relu0


def _learning_rate(value: object) -> float:
    learning_rate = _number(value, "learning_rate")
    if learning_rate < 0:
        raise ConfigError("learning_rate", f"{learning_rate:g} is negative; give a learning rate >= 0")
    return learning_rate


def _nll_output(loss: str, layers: list[Layer]) -> None:
    output = layers[-1].activation
    if loss == "nll" and output.name not in NLL_OUTPUTS:
        raise ConfigError(
            "loss",
            f"nll needs a softmax or sigmoid output layer, but layers[{len(layers) - 1}].activation is "
            f"{output.name}; use squared, half_squared or mse, or change that activation",
        )


def _input(value: object, n_in: int) -> tuple[np.ndarray, bool]:
    """The input as ``(n_in, batch)`` and whether it was given as a batch (a matrix: one row per point)."""
    if _is_nested(value):
        x = _matrix(value, "input")
        if x.shape[1] != n_in:
            hint = (
                f"; one point is written flat: input: [{', '.join(f'{v:g}' for v in x[:, 0])}]"
                if x.shape[1] == 1 and x.shape[0] == n_in
                else ""
            )
            raise ConfigError(
                "input",
                f"a batch of {_count(x.shape[0], 'point')} with {_count(x.shape[1], 'value')} each, "
                f"but layer 1 has {_count(n_in, 'input')}{hint}",
            )
        return x.T, True
    x = _vector(value, "input")
    if x.shape[0] != n_in:
        hint = (
            f"; for a batch of {x.shape[0]} points write one list per point: [[{x[0]:g}], [{x[1]:g}], ...]"
            if n_in == 1
            else ""
        )
        raise ConfigError("input", f"{_count(x.shape[0], 'value')}, but layer 1 has {_count(n_in, 'input')}{hint}")
    return x[:, None], False


def _labels(value: object, batch: bool, count: int, n_out: int, output: str, loss: str) -> np.ndarray:
    """The targets as ``(n_out, batch)``."""
    if not batch:
        return _label(value, "label", n_out, output, loss)[:, None]
    if isinstance(value, np.ndarray) and value.ndim:
        labels = _batch_labels(value, count)
        return _targets(labels, lambda i: f"label[{i}]", n_out, output, loss).T
    if not isinstance(value, list):
        raise ConfigError("label", f"{_describe(value)}, but the input is a batch of {_count(count, 'point')}: give a list of {_count(count, 'label')}")
    if len(value) != count:
        raise ConfigError("label", f"{_count(len(value), 'label')}, but the input has {_count(count, 'point')}; give one label per point")
    if set(map(type, value)) <= _NUMBER_TYPES or _numbers_in_rows(value):  # all numbers, or all rows: at once
        return _targets(_finite(value, "label"), lambda i: f"label[{i}]", n_out, output, loss).T
    return np.stack([_label(v, f"label[{i}]", n_out, output, loss) for i, v in enumerate(value)], axis=1)


def _batch_labels(value: np.ndarray, count: int) -> np.ndarray:
    """A batch's labels given as one array: ``(count,)`` numbers or ``(count, n)`` rows.

    A column, or a row of ``count``, holds one number per point (a file has no brackets to tell them apart).
    """
    labels = _real_array(value, "label")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    elif labels.ndim == 2 and labels.shape == (1, count):
        labels = labels[0]
    if labels.ndim > 2:
        raise ConfigError("label", f"{_describe(value)}, but the input is a batch of {_count(count, 'point')}: give one label per point")
    if labels.shape[0] != count:
        raise ConfigError("label", f"{_count(labels.shape[0], 'label')}, but the input has {_count(count, 'point')}; give one label per point")
    return labels


def _label(value: object, path: str, n_out: int, output: str, loss: str) -> np.ndarray:
    """One point's target, ``(n_out,)``. An array of one value is that number."""
    if isinstance(value, np.ndarray) and value.size == 1:
        labels = _real_array(value, path).reshape(1)
    elif _is_list(value):
        labels = _vector(value, path)[None, :]
    else:
        labels = np.array([_number(value, path)])
    return _targets(labels, lambda i: path, n_out, output, loss)[0]


def _targets(labels: np.ndarray, where: Callable[[int], str], n_out: int, output: str, loss: str) -> np.ndarray:
    """The targets ``(count, n_out)`` of ``count`` labels: numbers ``(count,)`` or rows ``(count, n)``.

    With a softmax output a number is a class index. ``where(i)`` names point i in messages.
    """
    count = labels.shape[0]
    if labels.ndim == 1 and output == "softmax":
        bad = np.flatnonzero((labels != np.floor(labels)) | (labels < 0) | (labels >= n_out))
        if bad.size:
            k = labels[bad[0]]
            if k != int(k):
                raise ConfigError(where(bad[0]), f"{k:g} is not a class index; give a whole number from 0 to {n_out - 1}, or a one-hot list")
            raise ConfigError(where(bad[0]), f"class {k:g} is out of range; the output layer has {_count(n_out, 'class')}, 0 to {n_out - 1}")
        y = np.zeros((count, n_out))
        y[np.arange(count), labels.astype(np.intp)] = 1.0
        return y
    if labels.ndim == 1:
        if n_out != 1:
            raise ConfigError(where(0), f"a single number, but the output layer has {n_out} units; give a list of {n_out} targets")
        y = labels[:, None]
    else:
        y = labels
        if y.shape[1] != n_out:
            hint = "; a class index is written without brackets, e.g. label: 1" if output == "softmax" and y.shape[1] == 1 else ""
            raise ConfigError(where(0), f"{_count(y.shape[1], 'value')}, but the output layer has {_count(n_out, 'unit')}{hint}")
    if loss == "nll" and output == "softmax":
        with np.errstate(over="ignore", invalid="ignore"):
            total = y.sum(axis=1)
        bad = np.flatnonzero((y < 0).any(axis=1) | ~(np.abs(total - 1.0) <= 1e-6))
        if bad.size:
            raise ConfigError(where(bad[0]), "a softmax target for nll is a probability vector (>= 0, summing to 1), or a class index")
    elif loss == "nll":
        bad = np.flatnonzero(((y < 0) | (y > 1)).any(axis=1))
        if bad.size:
            raise ConfigError(where(bad[0]), "sigmoid targets for nll (binary cross-entropy) must lie between 0 and 1")
    return y


def _freeze(value: object, shapes: dict[str, tuple]) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError("freeze", f"{_describe(value)}; give a list of parameter names, e.g. [w10, W2]")
    for i, name in enumerate(value):
        if not isinstance(name, str):
            raise ConfigError(f"freeze[{i}]", f"{_describe(name)}; give a parameter name: {', '.join(shapes)}")
        if name not in shapes:
            raise ConfigError(f"freeze[{i}]", f"{quoted(name)} is not a parameter; parameters: {', '.join(shapes)}")
    return frozenset(value)


def _optimizer(value: object, trained: dict[str, tuple]) -> tuple[SGD | Adam, dict[str, dict]]:
    """The optimizer and its starting state per trained parameter (empty: a fresh start)."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise ConfigError("optimizer", f"{_describe(value)}; give sgd, adam or adamw, or a mapping with name: ...")
    if "name" not in value:
        raise ConfigError("optimizer.name", "missing; add it (sgd, adam or adamw)")
    name = _choice(value["name"], tuple(OPTIMIZERS), "optimizer.name")
    options = OPTIONS[name]
    _check_keys(value, ("name", *options, "state"), ("name",), "optimizer.")
    kwargs = {}
    for key in options:
        if key not in value:
            continue
        path = f"optimizer.{key}"
        if key == "nesterov":
            if not isinstance(value[key], bool):
                raise ConfigError(path, f"{_describe(value[key])}; give true or false")
            kwargs[key] = value[key]
        elif key == "betas":
            betas = _vector(value[key], path)
            if betas.shape != (2,) or not ((0 <= betas) & (betas < 1)).all():
                raise ConfigError(path, "give two numbers from 0 to below 1, e.g. [0.9, 0.999]")
            kwargs[key] = (float(betas[0]), float(betas[1]))
        else:
            number = _number(value[key], path)
            if number < 0 or (key == "eps" and number == 0):
                raise ConfigError(path, f"{number:g} is not allowed; give a number {'> 0' if key == 'eps' else '>= 0'}")
            kwargs[key] = number
    optimizer = OPTIMIZERS[name](**kwargs)
    if name == "sgd" and optimizer.nesterov and (optimizer.momentum <= 0 or optimizer.dampening != 0):
        raise ConfigError("optimizer.nesterov", "Nesterov momentum needs momentum > 0 and dampening 0 (as torch.optim.SGD)")
    state = _state(value["state"], optimizer, trained) if value.get("state") is not None else {}
    return optimizer, state


def _state(value: object, optimizer: SGD | Adam, trained: dict[str, tuple]) -> dict[str, dict]:
    """A starting state, given as ``{momentum_buffer: {W1: ..}}`` or ``{step: t, exp_avg: {..}, exp_avg_sq: {..}}``."""
    if not optimizer.keeps_state:
        raise ConfigError("optimizer.state", "plain sgd keeps no state; set a momentum, or remove the state")
    if not isinstance(value, dict):
        raise ConfigError("optimizer.state", f"{_describe(value)}; give a mapping: {', '.join(optimizer.state_keys)}")
    _check_keys(value, optimizer.state_keys, optimizer.state_keys, "optimizer.state.")
    state: dict[str, dict] = {name: {} for name in trained}
    for key in optimizer.state_keys:
        path = f"optimizer.state.{key}"
        if key == "step":
            step = _number(value[key], path)
            if step != int(step) or not 0 <= step <= MAX_STATE_STEP:
                raise ConfigError(path, f"{step:g} is not a step count; give a whole number from 0 to {MAX_STATE_STEP:.0e}")
            for name in trained:
                state[name]["step"] = int(step)
            continue
        per_param = value[key]
        if not isinstance(per_param, dict):
            raise ConfigError(path, f"{_describe(per_param)}; give a mapping from parameter names to values")
        _check_keys(per_param, tuple(trained), tuple(trained), path + ".")
        for name, shape in trained.items():
            array = _shaped(per_param[name], shape, f"{path}.{name}")
            if key == "exp_avg_sq" and (array < 0).any():
                raise ConfigError(f"{path}.{name}", "a second moment is never negative")
            state[name][key] = array
    return state


def _shaped(value: object, shape: tuple[int, ...], path: str) -> np.ndarray:
    """A number, vector or matrix of exactly ``shape`` (a column may be written flat)."""
    if shape == ():
        return np.array(_number(value, path))
    if isinstance(value, np.ndarray):
        nested = value.ndim == 2
    else:
        nested = isinstance(value, list) and bool(value) and isinstance(value[0], list)
    array = _matrix(value, path) if nested else _vector(value, path)

    def vector_like(dims: tuple[int, ...]) -> bool:  # a flat list, a column or a row
        return len(dims) == 1 or 1 in dims

    if array.shape == shape or (vector_like(array.shape) and vector_like(shape) and array.size == math.prod(shape)):
        return array.reshape(shape)
    raise ConfigError(path, f"shape {_shape(array)}, but the parameter is {'x'.join(map(str, shape))}")


def _steps(value: object, path: str) -> int:
    steps = _number(value, path)
    if steps != int(steps) or not 1 <= steps <= MAX_STEPS:
        raise ConfigError(path, f"{steps:g} is not a step count; give a whole number from 1 to {MAX_STEPS:,}")
    return int(steps)


# -- numbers and matrices ----------------------------------------------------


def _matrix(value: object, path: str) -> np.ndarray:
    """A 2-D float64 array from a list of rows of numbers, or from a 2-D array."""
    if isinstance(value, np.ndarray):
        if value.ndim != 2 or not value.size:
            raise ConfigError(path, f"{_describe(value)}; give a matrix: a list of rows, or a 2-D array")
        return _real_array(value, path)
    if not isinstance(value, list) or not value:
        raise ConfigError(path, f"{_describe(value)}; give a matrix as a list of rows, e.g. [[1, 0], [0, 1]]")
    if _numbers_in_rows(value):  # the common case at C speed: a million rows in a tenth of a second
        return _finite(value, path)
    width = None
    for i, row in enumerate(value):
        if not isinstance(row, list):
            raise ConfigError(f"{path}[{i}]", f"{_describe(row)}; every row of a matrix is a list of numbers")
        if not row:
            raise ConfigError(f"{path}[{i}]", "an empty row; every row of a matrix holds numbers")
        if width is None:
            width = len(row)
        if len(row) != width:
            raise ConfigError(path, f"ragged: row {i} has {len(row)} values, row 0 has {width}; every row needs the same length")
        if not {type(v) for v in row} <= {int, float}:
            for j, v in enumerate(row):
                if isinstance(v, list):
                    raise ConfigError(path, "nested three lists deep; a matrix is a list of rows of numbers")
                _number(v, f"{path}[{i}][{j}]")
    return _finite(value, path)


def _vector(value: object, path: str) -> np.ndarray:
    """A 1-D float64 array from a flat list or array (or a one-column / one-row matrix)."""
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.size:
        return _real_array(value, path)
    if _is_nested(value):
        m = _matrix(value, path)
        if 1 not in m.shape:
            raise ConfigError(path, f"a {_shape(m)} matrix; give a flat list of numbers")
        return m.reshape(-1)
    if not isinstance(value, list) or not value:
        raise ConfigError(path, f"{_describe(value)}; give a list of numbers, e.g. [1, 0]")
    if not set(map(type, value)) <= _NUMBER_TYPES:
        for j, v in enumerate(value):
            if isinstance(v, list):
                raise ConfigError(f"{path}[{j}]", "a list among numbers; give a flat list of numbers")
            _number(v, f"{path}[{j}]")
    return _finite(value, path)


_NUMBER_TYPES = {int, float}


def _numbers_in_rows(value: list) -> bool:
    """Whether ``value`` is rows of numbers (no booleans), all of one nonzero length."""
    return (
        set(map(type, value)) == {list}
        and len(set(map(len, value))) == 1
        and len(value[0]) > 0
        and set(map(type, itertools.chain.from_iterable(value))) <= _NUMBER_TYPES
    )


def _is_nested(value: object) -> bool:
    """Whether a value is written as a matrix: a list of lists, or a 2-D array."""
    if isinstance(value, np.ndarray):
        return value.ndim == 2
    return isinstance(value, list) and bool(value) and all(isinstance(v, list) for v in value)


def _is_list(value: object) -> bool:
    """Whether a value is a list of numbers (or of rows): a list, or an array with dimensions."""
    return isinstance(value, list) or (isinstance(value, np.ndarray) and value.ndim > 0)


def _real_array(value: np.ndarray, path: str) -> np.ndarray:
    """A float64 array of booleans, integers or floats, every entry finite: a copy (a caller's
    array may change later), unless it is a float64 array read from a file, which nothing else holds.

    The first entry that is not finite is named by its index, e.g. ``layers[0].weights[3][7]``.
    """
    if value.dtype.kind not in REAL_KINDS:
        raise ConfigError(path, f"an array of {value.dtype} values; give real numbers (booleans, integers or floats)")
    with np.errstate(over="ignore", invalid="ignore"):  # float128 past float64, or NaN bits: refused below
        keep = value.dtype == np.float64 and read_from_file(value)
        array = value if keep else np.array(value, dtype=np.float64)
    finite = np.isfinite(array)
    if not finite.all():
        index = tuple(int(k) for k in np.argwhere(~finite)[0])
        original = value[index]
        what = "NaN" if np.isnan(original) else "infinite" if np.isinf(original) else "too large for float64"
        raise ConfigError(path + "".join(f"[{k}]" for k in index), f"{what}; give a finite number")
    return array


def _finite(value: list, path: str) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:
        array = None
    if array is None or not np.isfinite(array).all():
        for index in np.ndindex(*np.shape(value)):
            cell = value
            for k in index:
                cell = cell[k]
            _number(cell, path + "".join(f"[{k}]" for k in index))
    return array


def _number(value: object, path: str) -> float:
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):  # NumPy scalars
        value = value.item()
    if type(value) not in (int, float):
        fix = "write the number without quotes or underscores" if _looks_numeric(value) else "expected a number"
        raise ConfigError(path, f"{_describe(value)}; {fix}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        what = "NaN" if number != number else "infinite" if isinstance(value, float) else "too large for float64"
        raise ConfigError(path, f"{what}; give a finite number")
    return number


def _choice(value: object, choices: tuple[str, ...], path: str) -> str:
    if isinstance(value, str) and value.lower() in choices:
        return value.lower()
    if not isinstance(value, str):
        raise ConfigError(path, f"{_describe(value)}; expected one of {', '.join(choices)}")
    close = closest(value.lower(), choices)
    hint = f" (did you mean {close}?)" if close else ""
    raise ConfigError(path, f"{quoted(value)} is not one of {', '.join(choices)}{hint}")


def _check_keys(
    data: dict, allowed: tuple[str, ...], required: tuple[str, ...], prefix: str, mistakes: _Mistakes = _RAISE
) -> None:
    """Every unknown key (and the one it was likely meant as), then every missing one, to ``mistakes``."""
    for key in data:
        if key not in allowed:
            close = closest(key, allowed)
            hint = f"did you mean {close}?" if close else f"valid keys: {', '.join(allowed)}"
            mistakes.add(ConfigError(f"{prefix}{key_text(key)}", f"unknown key ({hint})"))
    for key in required:
        if key not in data:
            example = _EXAMPLES.get(key)
            mistakes.add(ConfigError(f"{prefix}{key}", f"missing; add it ({example})" if example else "missing; add it"))


_EXAMPLES = {
    "input": "one point as a flat list, e.g. input: [3, 14]",
    "label": "e.g. label: 1 for class 1 of a softmax output",
    "loss": "nll, squared, half_squared or mse",
    "learning_rate": "e.g. learning_rate: 0.1",
    "layers": "a list of layers with weights, bias and activation",
    "weights": "a matrix, a list of rows",
    "bias": "one number per unit, e.g. [0, 0]",
    "activation": "relu, sigmoid, tanh, linear or softmax",
}


def _describe(value: object) -> str:
    """How a wrong value reads in a message."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} is a boolean"
    if isinstance(value, str):
        shown = quoted(value)
        if value.strip().lower().lstrip("+-.") in ("nan", "inf", "infinity"):
            return f"{shown} is not a finite number"
        return f"{shown} is text"
    if isinstance(value, (int, float)):
        return f"{value!r} is a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _describe(value.item())
        if value.ndim == 1:
            return f"a flat array of {_count(value.size, 'value')}"
        return f"a {_shape(value)} array"
    return f"a value of type {type(value).__name__}"


def _looks_numeric(value: object) -> bool:
    try:
        return isinstance(value, str) and math.isfinite(float(value))
    except ValueError:
        return False


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "es" if noun.endswith("s") else "s")


def _shape(array: np.ndarray) -> str:
    return "x".join(str(n) for n in array.shape)


