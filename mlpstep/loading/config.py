"""Load and validate a config into a Problem: the network, the data, the loss.

Every mistake is a ConfigError with the path of the field (``layers[1].weights``)
and what would fix it: ``load`` raises the first, ``find_errors`` lists them all.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..errors import ConfigError, excerpt, key_text
from ..functions.activations import ACTIVATIONS, ReLU
from ..functions.losses import LOSSES, Loss
from ..limits import MAX_LAYERS, Budget, check_cost, run_cost
from ..model import Layer, Problem, param_shapes
from ..optimizers import OPTIMIZERS, Optimizer
from .arrayfiles import read_array_file
from .data import inputs_of, labels_of
from .names import names_of
from .network import layers_of
from .questions import questions_of
from .training import frozen_of, optimizer_of
from .values import (
    Enough,
    Mistakes,
    as_number,
    check_keys,
    choices,
    counted,
    described,
    one_of,
    option_keys,
    step_count,
    student_id,
)

LAYOUTS = ("columns", "rows")
REDUCTIONS = ("mean", "sum")
KEYS = (
    "layout", "input", "label", "loss", "learning_rate", "reduction", "relu_grad_at_zero", "layers",
    "optimizer", "freeze", "steps", "grading", "student", "names", "ask",
)  # fmt: skip
REQUIRED = ("input", "label", "loss", "learning_rate", "layers")
LAYER_KEYS = ("weights", "bias", "activation")
LAYER_REQUIRED = ("weights", "activation")
FILE_KEYS = ("file", "key")
GRADING_KEYS = ("min_rtol", "expect", "carry_forward")
CARRY_FORWARD = ("full", "half", "none")
FILE_DEPTH = 4
"""How deep in the config a {file: ...} may be: optimizer.state.exp_avg.W1."""
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
    return _validate(data, base, allow_large, Mistakes())


def find_errors(source: str | Path | dict, allow_large: bool = False, most: int = MAX_ERRORS) -> list[ConfigError]:
    """What is wrong with a config, as ``load`` meets it (the first is the error ``load`` raises), at most ``most``;
    empty when it loads.

    Every mistake in the keys is listed; when the keys are right, every mistake in the values: each field
    on its own (each layer's weights, bias and activation apart). A field that needs another one which is
    wrong (the labels need the output layer) is not checked, and a file that cannot be read ends the list.
    """
    mistakes = Mistakes(most)
    try:
        _validate(*_read(source), allow_large, mistakes)
    except ConfigError as e:
        mistakes.found.append(e)
    except Enough:
        pass
    return mistakes.found


def _read(source: str | Path | dict) -> tuple[object, str | Path]:
    """The config data and the folder its files are relative to."""
    if isinstance(source, dict):
        return source, "."
    from .reader import read_config

    return read_config(source), "." if str(source) == "-" else Path(source).parent


def _validate(data: object, base: str | Path, allow_large: bool, mistakes: Mistakes) -> Problem | None:
    """The Problem, or None when ``mistakes`` lists something wrong with it."""
    if not isinstance(data, dict):
        raise ConfigError("config", f"{described(data)}, but a config is a mapping of keys: {', '.join(REQUIRED)}, ...")
    _check_structure(data, allow_large, mistakes)
    if mistakes.found:
        return None
    data, files = _read_files(data, base, Budget(allow_large))
    check = mistakes.check
    layout = check(one_of, data.get("layout", "columns"), LAYOUTS, "layout")
    reduction = check(one_of, data.get("reduction", "mean"), REDUCTIONS, "reduction")
    relu0 = check(_relu_grad_at_zero, data.get("relu_grad_at_zero", 0))
    learning_rate = check(_learning_rate, data["learning_rate"])
    layers = layers_of(data["layers"], layout, relu0 or 0.0, mistakes) if layout else None
    loss = check(_loss, data["loss"])
    x = freeze = optimizer = None
    if layers:
        if loss:
            check(_output_fits, loss, layers)
        n_in = layers[0].weights.shape[0 if layout == "columns" else 1]
        x, batch = check(inputs_of, data["input"], n_in) or (None, None)
        shapes = param_shapes(layers, layout)
        freeze = check(frozen_of, data.get("freeze", []), shapes)
        if freeze is not None:
            trained = {name: shape for name, shape in shapes.items() if name not in freeze}
            optimizer, state = check(optimizer_of, data.get("optimizer", "sgd"), trained) or (None, None)
    steps = check(step_count, data.get("steps", 1), "steps")
    if x is None or loss is None or optimizer is None or steps is None:
        return None
    sizes = [n_in] + [layer.bias.shape[0] for layer in layers]
    names = [layer.activation.name for layer in layers]
    path = "steps" if "steps" in data else "layers"
    check(check_run, sizes, x.shape[1], steps, optimizer, path, allow_large, names, loss.name)
    y = check(labels_of, data["label"], batch, x.shape[1], sizes[-1], layers[-1].activation, loss)
    grading = check(_grading, data.get("grading", {}))
    ask = check(questions_of, data["ask"], (grading or (None, None, None))[1]) if "ask" in data else None
    if "student" in data:  # whose variant this is (mlpstep variants); check --variants finds it by its file name
        check(student_id, data["student"], "student")
    if mistakes.found:
        return None
    min_rtol, expect, carry = grading
    problem = Problem(
        layers=tuple(layers),
        x=x,
        y=y,
        loss=loss,
        learning_rate=learning_rate,
        layout=layout,
        reduction=reduction,
        relu_grad_at_zero=relu0,
        optimizer=optimizer,
        freeze=freeze,
        steps=steps,
        state=state,
        files=files,
        min_rtol=min_rtol,
        expect=expect,
        ask=ask,
        carry_forward=carry,
    )
    names = check(names_of, data.get("names", {}), problem)
    return None if names is None else replace(problem, names=names)


def _grading(value: object) -> tuple[float | None, tuple[str, ...] | None, str | None]:
    """How ``check`` grades this problem: ``grading: {min_rtol: 0.005, expect: all | [a1, W1n, ...],
    carry_forward: full | half | none}``. The names are resolved when the step is known (``check``)."""
    if not isinstance(value, dict):
        raise ConfigError(
            "grading", f"{described(value)}; expected a mapping, e.g. grading: {{min_rtol: 0.005, expect: all}}"
        )
    check_keys(value, GRADING_KEYS, (), "grading.")
    min_rtol = None
    if "min_rtol" in value:
        min_rtol = as_number(value["min_rtol"], "grading.min_rtol")
        if not 0 <= min_rtol < 1:
            raise ConfigError(
                "grading.min_rtol",
                f"{min_rtol:g} is not a relative tolerance; give a number from 0 (no floor) to below 1",
            )
    carry = one_of(value["carry_forward"], CARRY_FORWARD, "grading.carry_forward") if "carry_forward" in value else None
    expect = value.get("expect")
    if expect is None:
        return min_rtol, None, carry
    if isinstance(expect, str) and expect.strip().lower() == "all":
        return min_rtol, ("all",), carry
    if not (isinstance(expect, list) and expect and all(isinstance(name, str) and name for name in expect)):
        raise ConfigError(
            "grading.expect", f"{described(expect)}; give all, or a list of answer names, e.g. [a1, z2.grad, W1n]"
        )
    return min_rtol, tuple(expect), carry


def check_run(
    sizes: list[int],
    batch: int,
    steps: int,
    optimizer: Optimizer,
    path: str,
    allow_large: bool = False,
    activations: list[str] | None = None,
    loss: str = "mse",
) -> None:
    """Refuse ``steps`` steps of a network of widths ``sizes`` on ``batch`` points past the limits
    of a run (see mlpstep.limits), before anything is computed; ``path`` names what to change."""
    costs = [ACTIVATIONS[name].cost for name in activations or ["relu"] * (len(sizes) - 1)]
    madds, memory = run_cost(sizes, batch, steps, optimizer.slots, costs, LOSSES[loss].cost)
    network = excerpt("-".join(map(str, sizes)))
    what = f"{steps:,} step{'s' if steps != 1 else ''} of a {network} network on {counted(batch, 'point')}"
    check_cost(madds, memory, what, path, allow_large)


def _check_structure(data: dict, allow_large: bool, mistakes: Mistakes) -> None:
    """The keys of the config, its layers and its optimizer: checked before any file is read."""
    check_keys(data, KEYS, REQUIRED, "", mistakes)
    layers = data.get("layers")
    if isinstance(layers, list) and len(layers) > MAX_LAYERS and not allow_large:
        raise ConfigError(
            "layers",
            f"{len(layers):,} layers, more than the {MAX_LAYERS:,} a network may have; "
            "add --allow-large for a big job on purpose",
        )
    if isinstance(layers, list):
        for i, spec in enumerate(layers):
            if isinstance(spec, dict):
                check_keys(spec, LAYER_KEYS, LAYER_REQUIRED, f"layers[{i}].", mistakes)
    optimizer = data.get("optimizer")
    if (
        isinstance(optimizer, dict)
        and isinstance(optimizer.get("name"), str)
        and optimizer["name"].lower() in OPTIMIZERS
    ):
        check_keys(
            optimizer, option_keys(OPTIMIZERS[optimizer["name"].lower()], "state"), ("name",), "optimizer.", mistakes
        )


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
        check_keys(reference, FILE_KEYS, ("file",), path + ".")
        file, key = reference["file"], reference.get("key")
        if not isinstance(file, str):
            raise ConfigError(path + ".file", f"{described(file)}; give the path of a .npy, .npz or .csv file")
        if not file.strip():
            raise ConfigError(path + ".file", "an empty file name; give the path of a .npy, .npz or .csv file")
        if key is not None and not isinstance(key, str):
            raise ConfigError(path + ".key", f"{described(key)}; give the name of an array in the .npz file")
        known = (os.path.abspath(Path(base, file)), key)
        if known not in arrays:
            arrays[known] = read_array_file(file, key, Path(base), path, budget)
        return arrays[known]

    data = {k: resolve(v, key_text(k), 1) for k, v in data.items()}
    return data, tuple(dict.fromkeys(file for file, _ in arrays))


def _relu_grad_at_zero(value: object) -> float:
    relu0 = as_number(value, "relu_grad_at_zero")
    if relu0 not in ReLU.conventions:
        raise ConfigError(
            "relu_grad_at_zero", f"{relu0:g} is not allowed; use 0 (as torch.relu), 0.5 (as torch.maximum) or 1"
        )
    return relu0


def _learning_rate(value: object) -> float:
    learning_rate = as_number(value, "learning_rate")
    if learning_rate < 0:
        raise ConfigError("learning_rate", f"{learning_rate:g} is negative; give a learning rate >= 0")
    return learning_rate


def _loss(value: object) -> Loss:
    return LOSSES[one_of(value, tuple(LOSSES), "loss")]()


def _output_fits(loss: Loss, layers: list[Layer]) -> None:
    output = layers[-1].activation
    if not loss.accepts(output):
        others = choices({name: kind for name, kind in LOSSES.items() if not kind.needs})
        raise ConfigError(
            "loss",
            f"{loss.name} needs {loss.needs}, but layers[{len(layers) - 1}].activation is "
            f"{output.name}; use {others}, or change that activation",
        )
