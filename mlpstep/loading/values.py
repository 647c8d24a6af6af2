"""Values of a config: numbers, matrices, choices and keys, checked, with the messages that say what is wrong."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable

import numpy as np

from ..errors import ConfigError, closest, excerpt, key_text, quoted
from ..functions.activations import ACTIVATIONS
from ..functions.losses import LOSSES
from ..limits import MAX_STEPS
from ..model import shape_text
from ..options import Configurable, Option
from .arrayfiles import REAL_KINDS, read_from_file


class Enough(Exception):
    """As many mistakes are listed as were asked for."""


class Mistakes:
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
            raise Enough

    def check(self, run: Callable, *args):
        """``run(*args)``, or None when it raises a ConfigError that is listed."""
        try:
            return run(*args)
        except ConfigError as e:
            self.add(e)
            return None


RAISE = Mistakes()


def as_shaped(value: object, shape: tuple[int, ...], path: str) -> np.ndarray:
    """A number, vector or matrix of exactly ``shape`` (a column may be written flat)."""
    if shape == ():
        return np.array(as_number(value, path))
    if isinstance(value, np.ndarray):
        nested = value.ndim == 2
    else:
        nested = isinstance(value, list) and bool(value) and isinstance(value[0], list)
    array = as_matrix(value, path) if nested else as_vector(value, path)

    def vector_like(dims: tuple[int, ...]) -> bool:  # a flat list, a column or a row
        return len(dims) == 1 or 1 in dims

    if array.shape == shape or (vector_like(array.shape) and vector_like(shape) and array.size == math.prod(shape)):
        return array.reshape(shape)
    raise ConfigError(path, f"shape {shape_text(array.shape, '')}, but the parameter is {shape_text(shape, '')}")


def step_count(value: object, path: str) -> int:
    steps = as_number(value, path)
    if steps != int(steps) or not 1 <= steps <= MAX_STEPS:
        raise ConfigError(path, f"{steps:g} is not a step count; give a whole number from 1 to {MAX_STEPS:,}")
    return int(steps)


def as_matrix(value: object, path: str) -> np.ndarray:
    """A 2-D float64 array from a list of rows of numbers, or from a 2-D array."""
    if isinstance(value, np.ndarray):
        if value.ndim != 2 or not value.size:
            raise ConfigError(path, f"{described(value)}; give a matrix: a list of rows, or a 2-D array")
        return as_real_array(value, path)
    if not isinstance(value, list) or not value:
        raise ConfigError(path, f"{described(value)}; give a matrix as a list of rows, e.g. [[1, 0], [0, 1]]")
    if numbers_in_rows(value):  # the common case at C speed: a million rows in a tenth of a second
        return as_finite(value, path)
    width = None
    for i, row in enumerate(value):
        if not isinstance(row, list):
            raise ConfigError(f"{path}[{i}]", f"{described(row)}; every row of a matrix is a list of numbers")
        if not row:
            raise ConfigError(f"{path}[{i}]", "an empty row; every row of a matrix holds numbers")
        if width is None:
            width = len(row)
        if len(row) != width:
            raise ConfigError(
                path, f"ragged: row {i} has {len(row)} values, row 0 has {width}; every row needs the same length"
            )
        if not {type(v) for v in row} <= {int, float}:
            for j, v in enumerate(row):
                if isinstance(v, list):
                    raise ConfigError(path, "nested three lists deep; a matrix is a list of rows of numbers")
                as_number(v, f"{path}[{i}][{j}]")
    return as_finite(value, path)


def as_vector(value: object, path: str) -> np.ndarray:
    """A 1-D float64 array from a flat list or array (or a one-column / one-row matrix)."""
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.size:
        return as_real_array(value, path)
    if is_nested(value):
        m = as_matrix(value, path)
        if 1 not in m.shape:
            raise ConfigError(path, f"a {shape_text(m.shape, '')} matrix; give a flat list of numbers")
        return m.reshape(-1)
    if not isinstance(value, list) or not value:
        raise ConfigError(path, f"{described(value)}; give a list of numbers, e.g. [1, 0]")
    if not set(map(type, value)) <= NUMBER_TYPES:
        for j, v in enumerate(value):
            if isinstance(v, list):
                raise ConfigError(f"{path}[{j}]", "a list among numbers; give a flat list of numbers")
            as_number(v, f"{path}[{j}]")
    return as_finite(value, path)


NUMBER_TYPES = {int, float}


def numbers_in_rows(value: list) -> bool:
    """Whether ``value`` is rows of numbers (no booleans), all of one nonzero length."""
    return (
        set(map(type, value)) == {list}
        and len(set(map(len, value))) == 1
        and len(value[0]) > 0
        and set(map(type, itertools.chain.from_iterable(value))) <= NUMBER_TYPES
    )


def is_nested(value: object) -> bool:
    """Whether a value is written as a matrix: a list of lists, or a 2-D array."""
    if isinstance(value, np.ndarray):
        return value.ndim == 2
    return isinstance(value, list) and bool(value) and all(isinstance(v, list) for v in value)


def is_list(value: object) -> bool:
    """Whether a value is a list of numbers (or of rows): a list, or an array with dimensions."""
    return isinstance(value, list) or (isinstance(value, np.ndarray) and value.ndim > 0)


def as_real_array(value: np.ndarray, path: str) -> np.ndarray:
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


def as_finite(value: list, path: str) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:
        array = None
    if array is None or not np.isfinite(array).all():
        for index in np.ndindex(*np.shape(value)):
            cell = value
            for k in index:
                cell = cell[k]
            as_number(cell, path + "".join(f"[{k}]" for k in index))
    return array


def as_number(value: object, path: str) -> float:
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):  # NumPy scalars
        value = value.item()
    if type(value) not in (int, float):
        fix = "write the number without quotes or underscores" if looks_numeric(value) else "expected a number"
        raise ConfigError(path, f"{described(value)}; {fix}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        what = "NaN" if number != number else "infinite" if isinstance(value, float) else "too large for float64"
        raise ConfigError(path, f"{what}; give a finite number")
    return number


def option_keys(kind: type[Configurable], *more: str) -> tuple[str, ...]:
    """The keys a mapping naming ``kind`` may have: ``name``, its options, and ``more``."""
    return ("name", *(option.name for option in kind.options), *more)


def options_of(kind: type[Configurable], value: dict, prefix: str) -> dict:
    """The options of ``kind`` that the mapping ``value`` sets, checked; ``prefix`` begins their paths."""
    return {o.name: option_value(o, value[o.name], prefix + o.name) for o in kind.options if o.name in value}


def option_value(option: Option, value: object, path: str) -> object:
    """A value of an activation's or an optimizer's option, checked against the option's rule."""
    if option.kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(path, f"{described(value)}; give true or false")
        return value
    if option.kind is tuple:  # a pair of numbers
        pair = as_vector(value, path)
        if pair.shape != (2,) or not option.allowed(pair):
            raise ConfigError(path, f"give {option.rule}")
        return (float(pair[0]), float(pair[1]))
    number = as_number(value, path)
    if option.allowed is not None and not option.allowed(number):
        raise ConfigError(path, f"{number:g} is not allowed; give {option.rule}")
    return number


def one_of(value: object, choices: tuple[str, ...], path: str) -> str:
    if isinstance(value, str) and value.lower() in choices:
        return value.lower()
    if not isinstance(value, str):
        raise ConfigError(path, f"{described(value)}; expected one of {', '.join(choices)}")
    close = closest(value.lower(), choices)
    hint = f" (did you mean {close}?)" if close else ""
    raise ConfigError(path, f"{quoted(value)} is not one of {', '.join(choices)}{hint}")


def check_keys(
    data: dict, allowed: tuple[str, ...], required: tuple[str, ...], prefix: str, mistakes: Mistakes = RAISE
) -> None:
    """Every unknown key (and the one it was likely meant as), then every missing one, to ``mistakes``."""
    for key in data:
        if key not in allowed:
            close = closest(key, allowed)
            hint = f"did you mean {close}?" if close else f"valid keys: {', '.join(allowed)}"
            mistakes.add(ConfigError(f"{prefix}{key_text(key)}", f"unknown key ({hint})"))
    for key in required:
        if key not in data:
            example = EXAMPLES.get(key)
            mistakes.add(
                ConfigError(f"{prefix}{key}", f"missing; add it ({example})" if example else "missing; add it")
            )


def choices(kinds: dict) -> str:
    """``sgd, adam or adamw``."""
    names = list(kinds)
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


EXAMPLES = {
    "input": "one point as a flat list, e.g. input: [3, 14]",
    "label": "e.g. label: 1 for class 1 of a softmax output",
    "loss": choices(LOSSES),
    "learning_rate": "e.g. learning_rate: 0.1",
    "layers": "a list of layers with weights, bias and activation",
    "weights": "a matrix, a list of rows",
    "bias": "one number per unit, e.g. [0, 0]",
    "activation": choices(ACTIVATIONS),
}


def described(value: object) -> str:
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
            return described(value.item())
        if value.ndim == 1:
            return f"a flat array of {counted(value.size, 'value')}"
        return f"a {shape_text(value.shape, '')} array"
    return f"a value of type {type(value).__name__}"


def looks_numeric(value: object) -> bool:
    try:
        return isinstance(value, str) and math.isfinite(float(value))
    except ValueError:
        return False


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "es" if noun.endswith("s") else "s")


STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9@._+-]{0,99}")
"""A student id (``student:`` of a variant or an answers file): it names the student's file, so letters,
digits and @ . _ + - only, not starting with a dot."""


def student_id(value: object, path: str) -> str:
    """``value`` when it is a student id (see STUDENT_ID), else a ConfigError at ``path``."""
    if not (isinstance(value, str) and STUDENT_ID.fullmatch(value)):
        raise ConfigError(
            path,
            f"{excerpt(repr(value))} is not a student id; use letters, digits and @ . _ + - "
            "(up to 100, not starting with a dot)",
        )
    return value
