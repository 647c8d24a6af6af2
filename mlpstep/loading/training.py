"""How a config trains: frozen parameters, the optimizer, its options and its starting state."""

from __future__ import annotations

from ..errors import ConfigError, quoted
from ..optimizers import OPTIMIZERS, Optimizer
from .values import (
    as_number,
    as_shaped,
    check_keys,
    choices,
    described,
    one_of,
    option_keys,
    options_of,
)

MAX_STATE_STEP = 10**9
"""Largest step count a starting optimizer state may give."""


def frozen_of(value: object, shapes: dict[str, tuple]) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError("freeze", f"{described(value)}; give a list of parameter names, e.g. [w10, W2]")
    for i, name in enumerate(value):
        if not isinstance(name, str):
            raise ConfigError(f"freeze[{i}]", f"{described(name)}; give a parameter name: {', '.join(shapes)}")
        if name not in shapes:
            raise ConfigError(f"freeze[{i}]", f"{quoted(name)} is not a parameter; parameters: {', '.join(shapes)}")
    return frozenset(value)


def optimizer_of(value: object, trained: dict[str, tuple]) -> tuple[Optimizer, dict[str, dict]]:
    """The optimizer and its starting state per trained parameter (empty: a fresh start)."""
    names = choices(OPTIMIZERS)
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise ConfigError("optimizer", f"{described(value)}; give {names}, or a mapping with name: ...")
    if "name" not in value:
        raise ConfigError("optimizer.name", f"missing; add it ({names})")
    kind = OPTIMIZERS[one_of(value["name"], tuple(OPTIMIZERS), "optimizer.name")]
    check_keys(value, option_keys(kind, "state"), ("name",), "optimizer.")
    optimizer = kind(**options_of(kind, value, "optimizer."))
    optimizer.check()
    state = state_of(value["state"], optimizer, trained) if value.get("state") is not None else {}
    return optimizer, state


def state_of(value: object, optimizer: Optimizer, trained: dict[str, tuple]) -> dict[str, dict]:
    """A starting state, keyed as torch's state dict: ``{momentum_buffer: {W1: ..}}`` or
    ``{step: t, exp_avg: {..}, exp_avg_sq: {..}}``."""
    if not optimizer.keeps_state:
        raise ConfigError("optimizer.state", optimizer.without_state)
    if not isinstance(value, dict):
        raise ConfigError("optimizer.state", f"{described(value)}; give a mapping: {', '.join(optimizer.state_keys)}")
    check_keys(value, optimizer.state_keys, optimizer.state_keys, "optimizer.state.")
    state: dict[str, dict] = {name: {} for name in trained}
    for key in optimizer.state_keys:
        path = f"optimizer.state.{key}"
        if key == "step":
            step = as_number(value[key], path)
            if step != int(step) or not 0 <= step <= MAX_STATE_STEP:
                raise ConfigError(
                    path, f"{step:g} is not a step count; give a whole number from 0 to {MAX_STATE_STEP:.0e}"
                )
            for name in trained:
                state[name]["step"] = int(step)
            continue
        per_param = value[key]
        if not isinstance(per_param, dict):
            raise ConfigError(path, f"{described(per_param)}; give a mapping from parameter names to values")
        check_keys(per_param, tuple(trained), tuple(trained), path + ".")
        for name, shape in trained.items():
            array = as_shaped(per_param[name], shape, f"{path}.{name}")
            if key in optimizer.never_negative and (array < 0).any():
                raise ConfigError(f"{path}.{name}", f"{optimizer.never_negative[key]} is never negative")
            state[name][key] = array
    return state
