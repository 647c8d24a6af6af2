"""New configs: random problems of a given shape, or the bundled examples (mlpstep init)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np

from .engine import step
from .errors import NumericError, OptionError
from .functions.activations import ACTIVATIONS, Activation
from .functions.losses import LOSSES, Loss
from .loading.config import validate
from .loading.reader import MAX_VALUES
from .yamltext import config_text

MAX_DRAWS = 1000
"""Most draws of a layer's kinked units (ReLU inputs at 0) before init gives up."""


def examples() -> dict[str, Path]:
    """The bundled example configs by name: packaged when installed, configs/ in a source checkout."""
    try:
        from importlib.resources import files

        folder = files("mlpstep.examples")
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parent.parent / "configs"
    return {
        p.name[: -len(".yaml")]: p for p in sorted(folder.iterdir(), key=lambda p: p.name) if p.name.endswith(".yaml")
    }


def example(name: str) -> str:
    """A bundled config, without its editor line (its schema path is relative to configs/)."""
    found = examples()
    if name not in found:
        raise OptionError("--example", f"{name!r} is not a bundled example; choose from {', '.join(found)}")
    text = found[name].read_text(encoding="utf-8")
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("# yaml-language-server:"))


def make_config(
    sizes: list[int],
    activations: list[str] | None = None,
    loss: str = "nll",
    integers: bool = False,
    seed: int | None = None,
    batch: int | None = None,
    layout: str = "columns",
    learning_rate: float = 0.1,
    keep_kinks: bool = False,
) -> dict:
    """A valid config with random weights: small integers (for working by hand) or Gaussian.

    Unless ``keep_kinks``, no input of an activation sits on its kink (ReLU's z = 0, where the
    derivative is a convention) at any point: the weights and bias of such a unit are redrawn.
    """
    activations, kind, output = _arguments(sizes, activations, loss, batch, seed, learning_rate)
    rng = np.random.default_rng(seed)

    def numbers(shape, scale=1.0, low=-2, high=2):
        if integers:
            return rng.integers(low, high + 1, size=shape).astype(float)
        return np.round(rng.normal(scale=scale, size=shape), 4)

    def weights(n_in, n_out):
        return numbers((n_in, n_out), scale=1 / np.sqrt(n_in))

    def biases(n_out):
        return numbers(n_out, low=-1, high=1)

    ws, bs = [], []
    for n_in, n_out in pairwise(sizes):
        ws.append(weights(n_in, n_out))
        bs.append(biases(n_out))
    points = batch or 1
    x = numbers((points, sizes[0]), low=-3, high=3)
    labels = [_label(rng, sizes[-1], output, kind, integers) for _ in range(points)]
    if not keep_kinks:
        _redraw_kinks(ws, bs, x.T, activations, weights, biases)
    layers = [{"weights": w if layout == "columns" else w.T, "bias": b, "activation": act}
              for w, b, act in zip(ws, bs, activations)]  # fmt: skip
    config = {
        "layout": layout,
        "input": x if batch else x[0],
        "label": labels if batch else labels[0],
        "loss": loss,
        "learning_rate": learning_rate,
        "layers": layers,
    }
    config = _plain(config)
    try:
        step(validate(config))  # what init writes always runs
    except NumericError:
        raise OptionError(
            "--layers",
            f"the values overflow float64 through {len(sizes) - 1} layers; use fewer layers"
            + (" or Gaussian weights (no --integers)" if integers else ""),
        ) from None
    return config


def _arguments(
    sizes: list[int],
    activations: list[str] | None,
    loss: str,
    batch: int | None,
    seed: int | None,
    learning_rate: float,
) -> tuple[list[str], Loss, Activation]:
    """make_config's arguments checked, in the order a user reads them: the activations (by default
    relu, then the loss's output), the loss and the output activation."""
    if len(sizes) < 2 or min(sizes) < 1:
        raise OptionError("--layers", "give two or more widths >= 1, from the input to the output, e.g. 2,4,2")
    if loss not in LOSSES:
        raise OptionError("--loss", f"{loss!r} is not one of {', '.join(LOSSES)}")
    kind = LOSSES[loss]()
    if batch is not None and batch < 1:
        raise OptionError("--batch", f"{batch} is not a batch size; give a whole number >= 1")
    if seed is not None and seed < 0:
        raise OptionError("--seed", f"{seed} is not a seed; give a whole number >= 0")
    if not (np.isfinite(learning_rate) and learning_rate >= 0):
        raise OptionError("--learning-rate", f"{learning_rate} is not a learning rate; give a number >= 0")
    values = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:])) + (batch or 1) * (sizes[0] + sizes[-1])
    rows = sum(max(n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:])) + (batch or 1)  # each: [ , and a line break
    if values + 3 * rows + 100 > MAX_VALUES:
        raise OptionError(
            "--layers",
            f"a config of {values:,} numbers is more than a YAML config may hold "
            f"({MAX_VALUES:,} values in all); use smaller layers or a smaller --batch",
        )
    if activations is None:
        activations = ["relu"] * (len(sizes) - 2) + [kind.default_output(sizes[-1])]
    if len(activations) != len(sizes) - 1:
        raise OptionError("--activations", f"{len(activations)} given, but {len(sizes) - 1} layers need one each")
    for name in activations:
        if name not in ACTIVATIONS:
            raise OptionError("--activations", f"{name!r} is not one of {', '.join(ACTIVATIONS)}")
    output = ACTIVATIONS[activations[-1]]()
    if not kind.accepts(output):
        raise OptionError("--loss", f"{loss} needs {kind.needs}, not {output.name}")
    return activations, kind, output


def _redraw_kinks(ws: list, bs: list, x: np.ndarray, names: list[str], draw_weights, draw_biases) -> None:
    """Redraw, in place and layer by layer from the input, the weights (n_in, n_out) and bias (n_out,)
    of every unit whose input z is on a kink of its activation at some point of ``x`` (n_in, batch)."""
    a = x
    for l, (w, b, name) in enumerate(zip(ws, bs, names), 1):
        activation = ACTIVATIONS[name]()
        z = w.T @ a + b[:, None]  # (n_out, batch)
        for draws in range(1, MAX_DRAWS + 1):
            kinked = np.flatnonzero(np.isin(z, activation.kinks).any(axis=1))
            if not kinked.size:
                break
            if draws == MAX_DRAWS:
                raise OptionError(
                    "--layers",
                    f"in {MAX_DRAWS:,} draws, layer {l} always put some {name} input at exactly "
                    f"{activation.kinks[0]:g}; add --keep-kinks to allow it, or use Gaussian weights (no --integers) "
                    f"or a smaller --batch",
                )
            w[:, kinked] = draw_weights(w.shape[0], kinked.size)
            b[kinked] = draw_biases(kinked.size)
            z = w.T @ a + b[:, None]
        a = activation.value(z)


def _label(rng, n_out: int, output: Activation, loss: Loss, integers: bool):
    return int(rng.integers(n_out)) if output.classes else loss.random_target(rng, n_out, integers)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_yaml(config: dict, comment: str) -> str:
    """The config as YAML in the bundled configs' style: one matrix row per line."""
    return config_text(config, [comment])
