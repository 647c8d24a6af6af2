"""YAML as mlpstep writes it (configs from ``init``, answer keys): numbers in flow lists, a matrix as a list of rows."""

from __future__ import annotations

from collections.abc import Callable


def flow(value: object, number: Callable[[float], str], indent: int | None = None) -> str:
    """A number, a list or a list of rows in YAML's flow style, each number written by ``number``.
    With ``indent`` (the column the value starts at), each row of a matrix goes on a line of its own."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        rows = ["[" + ", ".join(map(number, row)) + "]" for row in value]
        return "[" + (", " if indent is None else ",\n" + " " * (indent + 1)).join(rows) + "]"
    if isinstance(value, list):
        return "[" + ", ".join(map(number, value)) + "]"
    return number(value)


def plain_number(v) -> str:
    """A number as configs write it: ``2`` for a whole number, else the shortest repr (``0.1``)."""
    v = float(v) + 0.0
    return str(int(v)) if v.is_integer() else repr(v)


def config_text(config: dict, comments: list[str]) -> str:
    """A config as YAML in the bundled configs' style: a comment line each, then each key in order;
    numbers, vectors and matrices in flow style (a matrix row per line), other values as YAML's flow."""
    lines = [f"# {comment}" for comment in comments]
    for key, value in config.items():
        if key != "layers" or not isinstance(value, list):
            lines.append(f"{key}: {_value(value, len(key) + 2)}")
            continue
        lines.append("layers:")
        for layer in value:
            for k, (name, v) in enumerate(layer.items()):
                lead = "  - " if k == 0 else "    "
                lines.append(f"{lead}{name}: {_value(v, len(lead) + len(name) + 2)}")
    return "\n".join(lines) + "\n"


def _numeric(value: object) -> bool:
    """A number, a list of numbers or a list of lists of them."""

    def number(v: object) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if not isinstance(value, list):
        return number(value)
    rows = all(isinstance(v, list) and v and all(map(number, v)) for v in value)
    return bool(value) and (all(map(number, value)) or rows)


def _value(value: object, indent: int) -> str:
    if _numeric(value):
        return flow(value, plain_number, indent)
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=1_000_000)
    return text.removesuffix("\n").removesuffix("\n...")
