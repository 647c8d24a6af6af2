"""Read a config file (YAML or JSON) into plain Python data, safely.

A ``.json`` file goes through the json module (fast for big matrices); anything
else through YAML, JSON included.

Safe loading only: a config holds numbers, text, booleans, nulls, lists and
mappings, and any other YAML tag is refused, so nothing in the file ever runs.
Scalars follow YAML 1.2's core schema: numbers as people type them (``1e-3``,
``-1E0``, ``2e+0``) are numbers, ``012`` is twelve and ``1:30`` is text.
Hostile files are refused before they cost much: the size and the number of
values are capped before parsing (higher caps for .json, which parses about
20 times faster), libyaml bounds the nesting, and alias expansion ("billion
laughs") is counted before anything walks the data.
"""

from __future__ import annotations

import math
import re
import sys
from typing import NamedTuple

import yaml

from ..errors import ConfigError, excerpt, key_text
from .files import read_any, read_regular
from .yaml_loader import AnswerLoader, Loader, ValueProblem, Written, float_of

MAX_BYTES = 32 * 1024 * 1024
"""Largest YAML config file read, in bytes."""
MAX_VALUES = 250_000
"""Most values (numbers, strings, lists, mappings) a YAML file may hold, aliases expanded: counted
as the most the text could spell, it bounds parsing to a second or two. Bigger matrices go in .json
or array files."""
MAX_JSON_BYTES = 256 * 1024 * 1024
"""Largest .json config file read, in bytes."""
MAX_JSON_VALUES = 4_000_000
"""Most values a .json config may hold: about 2 seconds and 400 MB to parse and check (10,000,000
took 13 s and 2 GB to run)."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings that YAML aliases may build."""
BYTES_PER_VALUE = 64
"""Bytes an untrusted file may spend per value it may hold (numbers, names, spaces, comments)..."""
SLACK_BYTES = 1024 * 1024
"""... plus this much for comments."""


class Untrusted(NamedTuple):
    """How to read a file someone else wrote (a student's answers): a regular file only, opened
    without blocking and not through a symbolic link unless asked, holding at most ``max_values``."""

    max_values: int
    follow_symlinks: bool = False

    @property
    def max_bytes(self) -> int:
        return BYTES_PER_VALUE * self.max_values + SLACK_BYTES


def read_config(source: str, keep_text: bool = False, untrusted: Untrusted | None = None) -> object:
    """Return the data of a config (or answers) file; ``"-"`` reads standard input.

    With ``keep_text``, numbers are Written floats that keep their text. An ``untrusted`` file is
    read under its limits (see Untrusted). Raises ConfigError naming the source for every problem a
    user can fix.
    """
    name = str(source)
    json = _is_json(name)
    limit = MAX_JSON_BYTES if json else MAX_BYTES
    values = MAX_JSON_VALUES if json else MAX_VALUES
    flat = None
    if untrusted is not None:  # name: numbers lines (as mlpstep answers writes them) parse at json's speed
        limit, values, flat = min(limit, untrusted.max_bytes), min(values, untrusted.max_values), untrusted.max_values
    raw = _read_bytes(name, limit, untrusted)
    return parse_text(raw, "stdin" if name == "-" else name, keep_text, values, flat)


def _is_json(name: str) -> bool:
    """Whether a file is read as JSON (by its name); anything else, JSON included, is read as YAML."""
    return name.lower().endswith(".json")


def _read_bytes(name: str, limit: int, untrusted: Untrusted | None = None) -> bytes:
    shown = excerpt(name)
    if name == "-":
        if sys.stdin is None:
            raise ConfigError("stdin", "there is no standard input to read; give a config file")
        raw = sys.stdin.buffer.read(limit + 1)
    elif not name:
        raise ConfigError("config", "an empty file name; give the path of a config file")
    else:
        try:
            if untrusted is None:
                raw = read_any(name, limit)
            else:
                raw = read_regular(name, limit, untrusted.follow_symlinks)
        except FileNotFoundError:
            raise ConfigError(shown, "no such file; check the path") from None
        except IsADirectoryError:
            raise ConfigError(shown, "is a directory, not a file") from None
        except PermissionError:
            raise ConfigError(shown, "permission denied; check the file's permissions") from None
        except OSError as e:
            raise ConfigError(shown, f"cannot be read ({e.strerror or e})") from None
        except ValueError:  # a NUL character in the name
            raise ConfigError(shown, "cannot be opened: the name holds a NUL character") from None
    if len(raw) > limit:
        if untrusted is not None and limit < (MAX_JSON_BYTES if _is_json(name) else MAX_BYTES):
            raise ConfigError(
                shown, f"larger than {limit:,} bytes, more than answers to this problem can take; refused"
            )
        raise ConfigError(shown, f"larger than {limit // 2**20} MiB; refused")
    return raw


def parse_text(
    raw: bytes,
    name: str = "config",
    keep_text: bool = False,
    max_values: int | None = None,
    max_flat: int | None = None,
) -> object:
    """Parse the bytes of a YAML or JSON document into plain Python data.

    ``max_values`` (by default MAX_VALUES for YAML, MAX_JSON_VALUES for .json) caps the values
    the text could spell, counted before parsing, and those that YAML aliases expand to.
    ``max_flat`` lets a YAML text of ``name: numbers`` lines, read at json's speed, hold more.
    """
    json = _is_json(name)
    most = MAX_JSON_VALUES if json else MAX_VALUES
    cap = most if max_values is None else max_values
    name = excerpt(name)
    if b"\0" in raw:
        raise ConfigError(name, "not a text file; give a YAML or JSON file")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # utf-8-sig, without looking up its codec
    except UnicodeDecodeError:
        raise ConfigError(name, "not UTF-8 text; give a YAML or JSON file saved as UTF-8") from None
    count = (_most_json_values if json else _most_yaml_values)(text, max(cap, max_flat or 0))
    flat = None if json or count > max(cap, max_flat or 0) else _parse_flat(text, keep_text)
    if flat is not None:
        return flat
    if count > cap:
        bigger = (
            "; keep big matrices in .npy, .npz or .csv files ({file: W1.npy})"
            if cap >= most and max_flat is None
            else ""
        )
        raise ConfigError(name, f"holds more than {cap:,} values; refused{bigger}")
    if json:
        return _parse_json(text, name, keep_text)
    try:
        data = yaml.load(text, Loader=AnswerLoader if keep_text else Loader)  # noqa: S506 - safe loaders
    except yaml.MarkedYAMLError as e:
        raise ConfigError(name, _yaml_message(e, text)) from None
    except yaml.YAMLError as e:
        raise ConfigError(name, f"not valid YAML ({excerpt(str(e).splitlines()[0], 200)})") from None
    except RecursionError:
        raise ConfigError(name, "nested too deeply; a config needs 4 levels") from None
    if "&" in text:  # anchors exist, so aliases may multiply what the walk below sees
        _check_expansion(data, name, cap)
    return data


_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")
"""Where YAML breaks lines: a new line can start a new value."""


def _most_yaml_values(text: str, cap: int) -> int:
    """An upper bound on the values (nodes) a YAML text can spell, counted without parsing it.

    Past the first, every value starts after a line break, a flow indicator (``[ { ,``), a mapping
    indicator (``: ?``) or a block entry (``-`` and a space): count them all. CRLF is one break.
    """
    count = 1 + sum(map(text.count, _LINE_BREAKS)) - text.count("\r\n")
    count += text.count(",") + text.count("[") + text.count("{") + text.count(":") + text.count("?")
    dashes = text.count("-")
    if count + dashes > cap:  # most dashes are minus signs: count only those a block entry can be
        dashes = sum(text.count("-" + space) for space in (" ", "\t", *_LINE_BREAKS)) + text.endswith("-")
    return count + dashes


def _most_json_values(text: str, cap: int) -> int:
    """An upper bound on the values (keys included) a JSON text can spell: every one but the
    first follows ``[``, ``{``, ``,`` or ``:``."""
    return 1 + text.count(",") + text.count("[") + text.count("{") + text.count(":")


_FLAT_LINE = re.compile(r"([A-Za-z_][\w.]*) *: +([-+0-9eE.,\[\]][-+0-9eE., \[\]]*)")
"""``name: number`` or ``name: [[number, ...], ...]``: one line of an answers file as mlpstep writes it.
The value starts with no space: spaces that two parts could match cost quadratic time on a long line."""
_NOT_PLAIN = re.compile(r"[^\x20-\x7e\n\r]")
_YAML_WORDS = {"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"}


def _parse_flat(text: str, keep_text: bool) -> dict | None:
    """An answers file of ``name: numbers`` lines (and comments), through the json module:
    PyYAML spends ~9 µs on every number, and a class's files hold tens of thousands.

    Each value is a JSON number or array of numbers, which YAML reads the same way; a file
    with anything else (a block list, a comment after a value, a repeated name) returns None
    and goes through YAML, which reads it or says precisely what is wrong.
    """
    if _NOT_PLAIN.search(text):
        return None  # tabs, control characters, non-ASCII: YAML's own rules apply
    pairs = {}
    for line in text.splitlines():
        if not line or line.isspace() or line.lstrip().startswith("#"):
            continue
        match = _FLAT_LINE.fullmatch(line)
        if match is None or match[1] in pairs or match[1] in _YAML_WORDS:
            return None
        pairs[match[1]] = match[2]
    if not pairs:
        return None
    import json

    whole, real = _number_hooks(keep_text)
    document = "{" + ",".join(f'"{key}":{value}' for key, value in pairs.items()) + "}"  # keys are \w and dots
    try:  # a value can hold no quote or colon, so one that is not a whole JSON value breaks the document
        return json.loads(document, parse_int=whole, parse_float=real, parse_constant=_not_json)
    except (ValueError, RecursionError):
        return None


def _not_json(word: str):
    raise ValueError(word)  # NaN and Infinity: json's extensions, which YAML reads as text


def _number_hooks(keep_text: bool):
    """json's parse_int and parse_float: numbers as YAML gives them, Written with ``keep_text``."""

    def whole(digits: str) -> object:
        try:
            value = int(digits)
        except ValueError:  # past Python's digit limit for int(): far past float64
            value = -math.inf if digits.startswith("-") else math.inf
        return Written(float_of(value), digits) if keep_text else value

    def written(digits: str) -> Written:
        return Written(float(digits), digits)

    return whole, written if keep_text else float  # float itself: json's fast path


def _parse_json(text: str, name: str, keep_text: bool) -> object:
    """A .json file through the json module: many times faster than YAML for big matrices."""
    import json

    def mapping(pairs: list) -> dict:
        data = {}
        for key, value in pairs:
            if key in data:
                raise ConfigError(name, f"the key {key_text(key)} appears twice; keep one")
            data[key] = value
        return data

    whole, real = _number_hooks(keep_text)
    constant = (lambda word: Written(float(word), word)) if keep_text else float  # NaN, Infinity: refused later
    try:
        return json.loads(text, object_pairs_hook=mapping, parse_int=whole, parse_float=real, parse_constant=constant)
    except json.JSONDecodeError as e:
        raise ConfigError(name, f"JSON syntax error at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise ConfigError(name, "nested too deeply; a config needs 4 levels") from None


def _yaml_message(e: yaml.MarkedYAMLError, text: str) -> str:
    mark = e.problem_mark or e.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
    problem = e.problem or ""
    if isinstance(e, ValueProblem):
        return f"{where}: {problem}"
    if mark and "tab" in problem or (mark and 0 <= mark.index < len(text) and text[mark.index] == "\t"):
        return f"line {mark.line + 1}: tabs are not allowed for indentation; indent with spaces"
    if "could not determine a constructor" in problem:
        tag = problem.split("tag ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
        return f"YAML tag {excerpt(tag)} at {where} is not allowed; configs hold only numbers, text, lists and mappings"
    if "maximum nesting depth" in problem:
        return f"nested too deeply at {where}; a config needs 4 levels"
    if "single document" in (e.context or ""):
        return f"a second YAML document (---) at {where}; a config is one document"
    return f"YAML syntax error at {where}: {excerpt(problem or e.context or 'invalid YAML', 200)}"


def _check_expansion(data: object, name: str, cap: int = MAX_VALUES) -> None:
    """Refuse data whose aliases expand past ``cap`` values or MAX_DEPTH levels."""
    sizes: dict[int, int] = {}

    def size(obj: object, depth: int) -> int:
        if not isinstance(obj, (list, dict)):
            return 1
        if depth > MAX_DEPTH:
            raise ConfigError(name, f"YAML aliases nest deeper than {MAX_DEPTH} levels; refused")
        known = sizes.get(id(obj))
        if known is not None:
            return known
        items = obj.values() if isinstance(obj, dict) else obj
        total = 1 + sum(size(item, depth + 1) for item in items)
        if total > cap:
            raise ConfigError(name, f"expands to more than {cap:,} values (YAML aliases); refused")
        sizes[id(obj)] = total
        return total

    size(data, 0)
