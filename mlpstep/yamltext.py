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
