"""Read a config file (YAML or JSON) into plain Python data, safely.

Safe loading only: no YAML tag can build a Python object, nothing in the
file ever runs. Scalars follow YAML 1.2's core schema, so numbers as people
type them (``1e-3``, ``-1E0``, ``2e+0``) are numbers, ``012`` is twelve and
``1:30`` is text. Hostile files are refused before they cost much: the size
is capped, nesting is bounded, and alias expansion ("billion laughs") is
counted before anything walks the data.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from .errors import ConfigError

MAX_BYTES = 32 * 1024 * 1024
"""Largest config file read, in bytes."""
MAX_VALUES = 5_000_000
"""Most values (numbers, strings, lists, mappings) a config may expand to."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted."""

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """SafeLoader with YAML 1.2 core-schema numbers and booleans."""


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_KEEP = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"}

_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in _KEEP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
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


def _construct_int(loader, node):
    return int(loader.construct_scalar(node))


def _construct_float(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.endswith(("inf", "nan")):
        return float(text.replace(".", ""))
    return float(text)


def _construct_mapping(loader, node):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, str) and key in seen:
            line = key_node.start_mark.line + 1
            raise ConfigError(key, f"the key appears twice (lines {seen[key]} and {line}); keep one")
        seen[key] = key_node.start_mark.line + 1
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node))


_Loader.add_constructor(_INT, _construct_int)
_Loader.add_constructor(_FLOAT, _construct_float)
_Loader.add_constructor(_BOOL, lambda loader, node: loader.construct_scalar(node).lower() == "true")
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def read_config(source: str | Path) -> object:
    """Return the data of a config file; ``"-"`` reads standard input.

    Raises ConfigError naming the source for every problem a user can fix.
    """
    name = str(source)
    raw = _read_bytes(name)
    return parse_text(raw, "stdin" if name == "-" else name)


def _read_bytes(name: str) -> bytes:
    if name == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(name)
        try:
            if path.is_dir():
                raise ConfigError(name, "is a directory, not a config file")
            if path.stat().st_size > MAX_BYTES:
                raise ConfigError(name, f"larger than {MAX_BYTES // 2**20} MiB; keep configs smaller")
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ConfigError(name, "no such file; check the path") from None
        except PermissionError:
            raise ConfigError(name, "permission denied; check the file's permissions") from None
        except OSError as e:
            raise ConfigError(name, f"cannot be read ({e.strerror or e})") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(name, f"larger than {MAX_BYTES // 2**20} MiB; keep configs smaller")
    return raw


def parse_text(raw: bytes, name: str = "<config>") -> object:
    """Parse the bytes of a YAML or JSON document into plain Python data."""
    if b"\0" in raw:
        raise ConfigError(name, "not a text file; give a YAML or JSON config")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(name, "not UTF-8 text; give a YAML or JSON config saved as UTF-8") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except ConfigError as e:
        raise ConfigError(name, f"{e.path}: {e.problem}") from None
    except yaml.MarkedYAMLError as e:
        raise ConfigError(name, _yaml_message(e)) from None
    except yaml.YAMLError as e:
        raise ConfigError(name, f"not valid YAML ({str(e).splitlines()[0]})") from None
    except RecursionError:
        raise ConfigError(name, f"nested deeper than {MAX_DEPTH} levels; a config needs 4") from None
    if "&" in text:  # anchors exist, so aliases may multiply what the walk below sees
        _check_expansion(data, name)
    return data


def _yaml_message(e: yaml.MarkedYAMLError) -> str:
    mark = e.problem_mark or e.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    if "could not determine a constructor" in (e.problem or ""):
        tag = (e.problem or "").split("tag ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
        return f"YAML tag {tag}{where} is not allowed; configs hold only numbers, text, lists and mappings"
    if "maximum nesting depth" in (e.problem or ""):
        return f"nested too deeply{where}; a config needs 4 levels"
    problem = e.problem or e.context or "invalid YAML"
    return f"YAML syntax error{where}: {problem}"


def _check_expansion(data: object, name: str) -> None:
    """Refuse data whose aliases expand past MAX_VALUES or MAX_DEPTH."""
    sizes: dict[int, int] = {}

    def size(obj: object, depth: int) -> int:
        if not isinstance(obj, (list, dict)):
            return 1
        if depth > MAX_DEPTH:
            raise ConfigError(name, f"nested deeper than {MAX_DEPTH} levels; a config needs 4")
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
