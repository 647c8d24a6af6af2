"""Templates and their variants: a config whose numbers may be draws, and one ordinary config per student.

A draw is a mapping in place of a number, a vector or a matrix: ``{draw: integers, low: -2, high: 2,
shape: [2, 3]}``, ``{draw: decimals, low: -1, high: 1, places: 1}`` or ``{draw: choice, values: [0, 1]}``
(``low`` and ``high`` inclusive; no ``shape``, one number). A student's variant depends only on the
template, the seed and the student's id: its random numbers come from a SHA-256 of the three, never from
the roster's order. A draw that makes a degenerate problem (see RULES) is drawn again, from the same numbers.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np

from .engine import step
from .errors import ConfigError, NumericError, OptionError, excerpt, key_text
from .loading.config import validate
from .loading.reader import MAX_VALUES
from .loading.values import as_number, check_keys, described, one_of, student_id
from .model import Trace
from .quantities import answer_names, expected_value, resolve
from .yamltext import config_text

DRAW_KEYS = {
    "integers": ("draw", "low", "high", "shape"),
    "decimals": ("draw", "low", "high", "places", "shape"),
    "choice": ("draw", "values", "shape"),
}
"""Each kind of draw and the keys it takes."""
MAX_PLACES = 6
MAX_CORNERS = 100
"""Most instances ``validate`` checks a template at (see corners)."""
RULES = {
    "kinks": "put a ReLU input at exactly 0",
    "inactive": "made a hidden layer 0 at every point",
    "zeros": "made an asked quantity all zeros",
    "solved": "made the loss already below 1e-3",
    "large": "made a value of the step exceed 1e4 in magnitude",
}
"""The degenerate draws redrawn unless allowed, by the name --allow gives them, and what such a draw did."""
SOLVED = 1e-3
LARGE = 1e4
MAX_REDRAWS = 1000
"""Most draws of one student's variant before ``variant`` gives up."""
ID_COLUMNS = ("sid", "student", "id", "email")


def read_template(source: str | Path | dict) -> dict:
    """A template's data (from a file path, ``-`` or a dict), its draws checked: a ConfigError at the first wrong
    field."""
    if isinstance(source, dict):
        data = source
    else:
        from .loading.reader import read_config

        data = read_config(str(source))
    if not isinstance(data, dict):
        raise ConfigError("config", f"{described(data)}, but a template is a config: a mapping of keys")
    _walk(data, "", lambda spec, path: _checked(spec, path))
    return data


def has_draws(data: object) -> bool:
    return bool(_specs(data))


def find_errors(source: str, allow_large: bool = False) -> list[ConfigError]:
    """What is wrong with a config or, when it has draws, a template: its draws, then everything wrong with one
    drawn instance (as loading.config.find_errors lists it), then whether the rules can be met (a variant drawn)."""
    from .loading.config import find_errors as config_errors
    from .loading.reader import read_config

    try:
        data = read_config(source)
    except ConfigError as e:
        return [e]
    if not has_draws(data):
        return config_errors(data if source == "-" else source, allow_large)
    try:
        template = read_template(data)
        drawn = [instance(template, rng_of(template, 0, "validate")), *corners(template)]
        errors = next((found for found in map(config_errors, drawn) if found), [])
        if not errors:
            variant(template, "validate", 0)
    except ConfigError as e:
        return [e]
    return errors


def fingerprint(template: dict) -> bytes:
    """The template as its variants depend on it: its data, not its comments or spacing."""
    return json.dumps(template, ensure_ascii=False, default=repr).encode("utf-8")


def rng_of(template: dict, seed: int, student: str) -> np.random.Generator:
    """The random numbers of one student's variant: a SHA-256 of the template, the seed and the id."""
    digest = hashlib.sha256(b"\0".join([fingerprint(template), str(seed).encode(), student.encode("utf-8")]))
    return np.random.default_rng(np.random.SeedSequence(int.from_bytes(digest.digest(), "big")))


def instance(template: dict, rng: np.random.Generator) -> dict:
    """The template with every draw replaced by numbers from ``rng`` (plain ints, floats and lists)."""
    return _walk(template, "", lambda spec, path: _drawn(spec, rng))


def corners(template: dict) -> list[dict]:
    """Instances that, between them, take every value of every choice (up to MAX_CORNERS) and the low and the high
    of every other draw, each draw filled with one value: what a template must be valid at."""
    sizes = [len(spec["values"]) for spec in _specs(template) if spec["draw"].lower() == "choice"]
    count = min(max([2, *sizes]), MAX_CORNERS)
    return [_walk(template, "", lambda spec, path, k=k: _corner(spec, k)) for k in range(count)]


def variants(template: str | Path | dict, students, seed: int, allow=()) -> dict[str, dict]:
    """The variant of each student of ``students`` (ids) from ``template`` (a path or a dict), as config dicts:
    ``mlpstep.variants("template.yaml", ["s1", "s2"], seed=2026)["s1"]`` loads with ``mlpstep.load``."""
    data, rules = read_template(template), allowed(",".join(allow))
    return {student: variant(data, student, seed, rules)[0] for student in students}


def variant(template: dict, student: str, seed: int, allow=()) -> tuple[dict, Counter]:
    """The config of ``student``: ``{"student": id, ...}``, and how many draws each rule refused on the way.

    Draws are repeated (up to MAX_REDRAWS) while one breaks a rule of RULES not in ``allow``. A drawn
    config that does not validate is the template's mistake, raised as its ConfigError."""
    student_id(student, "student")
    rng, refused = rng_of(template, seed, student), Counter()
    for _ in range(MAX_REDRAWS):
        config = instance(template, rng)
        try:
            broken = broken_rule(config, allow)
        except ConfigError as e:  # the template's mistake, met in this draw
            raise ConfigError(e.path, f"{e.problem} (in a draw for student {excerpt(student)})") from None
        if broken is None:
            return {"student": student, **{k: v for k, v in config.items() if k != "student"}}, refused
        refused[broken] += 1
    rule = refused.most_common(1)[0][0]
    raise ConfigError(
        "template",
        f"in {MAX_REDRAWS:,} draws for student {excerpt(student)}, every one {RULES[rule]} or broke another rule "
        f"({', '.join(f'{name} {n}' for name, n in refused.items())}); widen the draws, or add --allow {rule}",
    )


def broken_rule(config: dict, allow=()) -> str | None:
    """The first rule of RULES a drawn config breaks (those in ``allow`` aside), or None."""
    try:
        trace = step(validate(config))
    except NumericError:
        if "large" in allow:
            raise
        return "large"
    checks = {"kinks": _kinked, "inactive": _inactive, "zeros": _zeros, "solved": _solved, "large": _large}
    return next((rule for rule, broken in checks.items() if rule not in allow and broken(trace, config)), None)


def allowed(names: str | None) -> tuple[str, ...]:
    """--allow kinks,zeros as rule names, checked."""
    if not names:
        return ()
    rules = tuple(name.strip().lower() for name in names.split(","))
    for name in rules:
        if name not in RULES:
            raise OptionError("--allow", f"{name!r} is not a rule; choose from {', '.join(RULES)}")
    return rules


def roster_ids(path: str, column: str | None = None) -> list[str]:
    """The student ids of a roster: a CSV file with a header, the ids in ``column``, else the first
    of ID_COLUMNS it has (any case)."""
    import csv

    try:
        rows = list(csv.reader(Path(path).read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise OptionError("--roster", f"cannot read {excerpt(path)}: {getattr(e, 'strerror', None) or e}") from None
    header = [name.strip().lower() for name in rows[0]] if rows else []
    wanted = [column.strip().lower()] if column else ID_COLUMNS
    at = next((header.index(name) for name in wanted if name in header), None)
    if at is None:
        raise OptionError(
            "--id-column" if column else "--roster",
            f"{excerpt(path)} has no column {' or '.join(wanted)} in its header; name the id column with --id-column",
        )
    ids = []
    for line, row in enumerate(rows[1:], 2):
        if any(cell.strip() for cell in row):
            ids.append(student_id(row[at].strip() if at < len(row) else "", f"{excerpt(path)} line {line}"))
    if len(set(ids)) != len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise OptionError("--roster", f"{excerpt(path)} names student {twice} twice; give each student one row")
    return ids


def variant_text(config: dict, made_by: str) -> str:
    """A variant as the YAML file its student gets."""
    return config_text(config, [f"made by: {made_by}"])


# -- draws ------------------------------------------------------------------------


def _walk(value: object, path: str, at_draw):
    """``value`` with ``at_draw(spec, path)`` in place of every draw in it, however deep."""
    if isinstance(value, dict) and "draw" in value:
        return at_draw(value, path or "config")
    if isinstance(value, dict):
        return {k: _walk(v, f"{path}.{key_text(k)}" if path else key_text(k), at_draw) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, f"{path}[{i}]", at_draw) for i, v in enumerate(value)]
    return value


def _checked(spec: dict, path: str) -> dict:
    """A draw whose every field is right, else a ConfigError naming the field (``layers[0].weights.low``)."""
    kind = one_of(spec["draw"], tuple(DRAW_KEYS), f"{path}.draw")
    required = {"integers": ("low", "high"), "decimals": ("low", "high", "places"), "choice": ("values",)}[kind]
    check_keys(spec, DRAW_KEYS[kind], required, f"{path}.")
    size = math.prod(_shape(spec.get("shape"), f"{path}.shape"))
    if size > MAX_VALUES:
        raise ConfigError(f"{path}.shape", f"{size:,} numbers, more than a config may hold ({MAX_VALUES:,})")
    if kind == "choice":
        values = spec["values"]
        if not (isinstance(values, list) and values):
            raise ConfigError(f"{path}.values", f"{described(values)}; give a list to choose from, e.g. [0, 1]")
        return spec
    low, high = as_number(spec["low"], f"{path}.low"), as_number(spec["high"], f"{path}.high")
    if kind == "integers":
        for name, bound in (("low", low), ("high", high)):
            if bound != int(bound):
                raise ConfigError(f"{path}.{name}", f"{bound:g} is not a whole number; draw: integers needs one")
    else:
        places = spec["places"]
        if type(places) is not int or not 0 <= places <= MAX_PLACES:
            raise ConfigError(f"{path}.places", f"{described(places)}; give a whole number from 0 to {MAX_PLACES}")
        low, high = math.ceil(low * 10**places), math.floor(high * 10**places)
    if low > high:
        raise ConfigError(f"{path}.high", "nothing to draw between low and high; give high >= low")
    return spec


def _shape(shape: object, path: str) -> tuple[int, ...]:
    if shape is None:
        return ()
    if not (
        isinstance(shape, list) and 1 <= len(shape) <= 2 and all(type(n) is int and 1 <= n <= MAX_VALUES for n in shape)
    ):
        raise ConfigError(path, f"{described(shape)}; give one or two sizes >= 1, e.g. [2] or [2, 3]")
    return tuple(shape)


def _specs(template: dict) -> list[dict]:
    found = []
    _walk(template, "", lambda spec, path: found.append(spec))
    return found


def _corner(spec: dict, k: int):
    """Draw ``spec`` filled with its k-th choice, or its low (k even) or high (k odd)."""
    kind, shape = spec["draw"].lower(), spec.get("shape")
    if kind == "choice":
        values = spec["values"]
        at = min(k, len(values) - 1)
        return values[at] if shape is None else _picked(np.full(shape, at).tolist(), values)
    scale = 10 ** spec.get("places", 0)
    bound = math.ceil(spec["low"] * scale) if k % 2 == 0 else math.floor(spec["high"] * scale)
    value = int(bound) if kind == "integers" else round(bound / scale, spec["places"])
    return value if shape is None else np.full(shape, value).tolist()


def _drawn(spec: dict, rng: np.random.Generator):
    """The numbers of one (checked) draw, as plain Python data."""
    kind, shape = spec["draw"].lower(), spec.get("shape")
    if kind == "choice":
        picked = rng.integers(len(spec["values"]), size=shape)
        return spec["values"][int(picked)] if shape is None else _picked(picked.tolist(), spec["values"])
    if kind == "integers":
        return rng.integers(int(spec["low"]), int(spec["high"]) + 1, size=shape).tolist()
    scale = 10 ** spec["places"]
    units = rng.integers(math.ceil(spec["low"] * scale), math.floor(spec["high"] * scale) + 1, size=shape)
    return np.round(units / scale, spec["places"]).tolist()


def _picked(indices: list, values: list) -> list:
    return [_picked(i, values) if isinstance(i, list) else values[i] for i in indices]


# -- the rules -------------------------------------------------------------------


def _kinked(trace: Trace, config: dict) -> bool:
    layers = trace.problem.layers
    return any(np.isin(trace.forward[f"z{l}"], layer.activation.kinks).any() for l, layer in enumerate(layers, 1))


def _inactive(trace: Trace, config: dict) -> bool:
    return any(not trace.forward[f"a{l}"].any() for l in range(1, len(trace.problem.layers)))


def _zeros(trace: Trace, config: dict) -> bool:
    """An asked quantity all zeros: each name of the config's ``ask``; without one, the output's dL/dz
    and the gradient of every trained parameter."""
    names = answer_names(trace)
    asked = [_asked_name(item) for item in config.get("ask") or ()]
    paths = [resolve(name, names) for name in asked if isinstance(name, str)]
    if "ask" not in config:
        paths = [f"grads.z{len(trace.problem.layers)}"] + [f"grads.{key}" for key in trace.params if key in trace.grads]
    return any(path is not None and not expected_value(trace, path).any() for path in paths)


def _asked_name(item: object) -> object:
    """The name an item of ``ask`` asks for: ``W1n``, ``{name: W1n, ...}`` or ``{W1n: ...}``."""
    if isinstance(item, dict) and item:
        return item.get("name", next(iter(item)))
    return item


def _solved(trace: Trace, config: dict) -> bool:
    return trace.loss < SOLVED


def _large(trace: Trace, config: dict) -> bool:
    arrays = [*trace.forward.values(), *trace.grads.values(), *trace.updated.values(), trace.loss, trace.loss_after]
    return any((np.abs(value) > LARGE).any() for value in arrays)
