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

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

from .errors import ConfigError, key_text

MAX_BYTES = 32 * 1024 * 1024
"""Largest YAML config file read, in bytes."""
MAX_VALUES = 1_000_000
"""Most values (numbers, strings, lists, mappings) a YAML config may hold, aliases expanded."""
MAX_JSON_BYTES = 256 * 1024 * 1024
"""Largest .json config file read, in bytes."""
MAX_JSON_VALUES = 10_000_000
"""Most values a .json config may hold: about 3 seconds of parsing."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings that YAML aliases may build."""

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _Loader(_Base):
    """A safe loader with YAML 1.2 core-schema scalars and only the plain data types."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag == _NULL]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    # None: the constructor for every other tag, which refuses it
    yaml_constructors = {tag: yaml.SafeLoader.yaml_constructors[tag] for tag in (_NULL, _STR, _SEQ, None)}
    yaml_multi_constructors = {}


class _ValueProblem(ConstructorError):
    """A value the file spells wrongly (not a syntax error)."""


_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def _scalar_text(loader, node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise _ValueProblem(None, None, f"{node.tag.replace('tag:yaml.org,2002:', '!!')} needs a single value", node.start_mark)
    return loader.construct_scalar(node)


def _construct_bool(loader, node):
    text = _scalar_text(loader, node).lower()
    if text not in ("true", "false"):
        raise _ValueProblem(None, None, f"{text[:20]!r} is not true or false", node.start_mark)
    return text == "true"


def _construct_int(loader, node):
    text = _scalar_text(loader, node)
    try:
        return int(text)
    except ValueError:
        if text.lstrip("+-").isdigit():  # past Python's digit limit for int(): far past float64
            return float(text)
        raise _ValueProblem(None, None, f"{text[:20]!r} is not a whole number", node.start_mark) from None


def _construct_float(loader, node):
    text = _scalar_text(loader, node).lower()
    try:
        return float(text.replace(".inf", "inf").replace(".nan", "nan"))
    except ValueError:
        raise _ValueProblem(None, None, f"{text[:20]!r} is not a number", node.start_mark) from None


def _construct_mapping(loader, node):
    if not isinstance(node, MappingNode):
        raise _ValueProblem(None, None, "!!map needs key: value pairs", node.start_mark)
    data, seen = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        where = key_node.start_mark
        if isinstance(key, (list, dict)):
            raise _ValueProblem(None, None, "a list or mapping as a key; keys are names such as input or layers", where)
        if key == "<<":
            raise _ValueProblem(None, None, "YAML merge keys (<<) are not supported; write the keys out", where)
        if key in seen:
            first = seen[key]
            raise _ValueProblem(
                None, None, f"the key {key_text(key)} appears twice (first at line {first.line + 1}); keep one", where
            )
        seen[key] = where
        data[key] = loader.construct_object(value_node)
    return data


_Loader.add_constructor(_BOOL, _construct_bool)
_Loader.add_constructor(_INT, _construct_int)
_Loader.add_constructor(_FLOAT, _construct_float)
_Loader.add_constructor(_MAP, _construct_mapping)


class Written(float):
    """A number that remembers how it was written (``0.40`` keeps its two decimals)."""

    __slots__ = ("text",)

    def __new__(cls, value: float, text: str):
        number = super().__new__(cls, value)
        number.text = text
        return number


class _AnswerLoader(_Loader):
    """Like _Loader, but numbers come back as Written, for tolerances read from the text."""


def _written(construct):
    def construct_written(loader, node):
        value = construct(loader, node)
        if isinstance(value, int) and abs(value) > 2**1023:
            value = math.inf if value > 0 else -math.inf  # past float64: refused later as not finite
        return Written(value, node.value.strip()) if isinstance(value, (int, float)) else value

    return construct_written


_AnswerLoader.add_constructor(_INT, _written(_construct_int))
_AnswerLoader.add_constructor(_FLOAT, _written(_construct_float))


def read_config(source: str, keep_text: bool = False) -> object:
    """Return the data of a config (or answers) file; ``"-"`` reads standard input.

    With ``keep_text``, numbers are Written floats that keep their text.
    Raises ConfigError naming the source for every problem a user can fix.
    """
    name = str(source)
    raw = _read_bytes(name, MAX_JSON_BYTES if _is_json(name) else MAX_BYTES)
    return parse_text(raw, "stdin" if name == "-" else name, keep_text)


def _is_json(name: str) -> bool:
    """Whether a file is read as JSON (by its name); anything else, JSON included, is read as YAML."""
    return name.lower().endswith(".json")


def _read_bytes(name: str, limit: int) -> bytes:
    if name == "-":
        if sys.stdin is None:
            raise ConfigError("stdin", "there is no standard input to read; give a config file")
        raw = sys.stdin.buffer.read(limit + 1)
    elif not name:
        raise ConfigError("config", "an empty file name; give the path of a config file")
    else:
        try:
            with open(name, "rb") as f:  # read at most the cap: devices and pipes have no size
                raw = f.read(limit + 1)
        except FileNotFoundError:
            raise ConfigError(name, "no such file; check the path") from None
        except IsADirectoryError:
            raise ConfigError(name, "is a directory, not a file") from None
        except PermissionError:
            raise ConfigError(name, "permission denied; check the file's permissions") from None
        except OSError as e:
            raise ConfigError(name, f"cannot be read ({e.strerror or e})") from None
    if len(raw) > limit:
        raise ConfigError(name, f"larger than {limit // 2**20} MiB; refused")
    return raw


def parse_text(raw: bytes, name: str = "config", keep_text: bool = False) -> object:
    """Parse the bytes of a YAML or JSON document into plain Python data."""
    if b"\0" in raw:
        raise ConfigError(name, "not a text file; give a YAML or JSON file")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # utf-8-sig, without looking up its codec
    except UnicodeDecodeError:
        raise ConfigError(name, "not UTF-8 text; give a YAML or JSON file saved as UTF-8") from None
    if _is_json(name):
        # every value but the first of a list or mapping follows a comma
        if text.count(",") + text.count("[") + text.count("{") >= MAX_JSON_VALUES:
            raise ConfigError(name, f"holds more than {MAX_JSON_VALUES:,} values; refused")
        return _parse_json(text, name, keep_text)
    if text.count(",") + text.count("\n") >= MAX_VALUES:  # an upper bound on the values a file can spell
        raise ConfigError(name, f"holds more than {MAX_VALUES:,} values; refused")
    flat = _parse_flat(text, keep_text)
    if flat is not None:
        return flat
    try:
        data = yaml.load(text, Loader=_AnswerLoader if keep_text else _Loader)  # noqa: S506 - safe loaders
    except yaml.MarkedYAMLError as e:
        raise ConfigError(name, _yaml_message(e)) from None
    except yaml.YAMLError as e:
        raise ConfigError(name, f"not valid YAML ({str(e).splitlines()[0]})") from None
    except RecursionError:
        raise ConfigError(name, "nested too deeply; a config needs 4 levels") from None
    if "&" in text:  # anchors exist, so aliases may multiply what the walk below sees
        _check_expansion(data, name)
    return data


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
        if keep_text and abs(value) > 2**1023:  # past float64: refused later as not finite
            value = -math.inf if value < 0 else math.inf
        return Written(value, digits) if keep_text else value

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
    try:
        return json.loads(text, object_pairs_hook=mapping, parse_int=whole, parse_float=real)
    except json.JSONDecodeError as e:
        raise ConfigError(name, f"JSON syntax error at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise ConfigError(name, "nested too deeply; a config needs 4 levels") from None


def _yaml_message(e: yaml.MarkedYAMLError) -> str:
    mark = e.problem_mark or e.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
    problem = e.problem or ""
    if isinstance(e, _ValueProblem):
        return f"{where}: {problem}"
    if "could not determine a constructor" in problem:
        tag = problem.split("tag ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
        return f"YAML tag {tag} at {where} is not allowed; configs hold only numbers, text, lists and mappings"
    if "maximum nesting depth" in problem:
        return f"nested too deeply at {where}; a config needs 4 levels"
    if "single document" in (e.context or ""):
        return f"a second YAML document (---) at {where}; a config is one document"
    return f"YAML syntax error at {where}: {problem or e.context or 'invalid YAML'}"


def _check_expansion(data: object, name: str) -> None:
    """Refuse data whose aliases expand past MAX_VALUES or MAX_DEPTH."""
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
        if total > MAX_VALUES:
            raise ConfigError(name, f"expands to more than {MAX_VALUES:,} values (YAML aliases); refused")
        sizes[id(obj)] = total
        return total

    size(data, 0)
