"""Text helpers every format shares: numbers, elision of big matrices."""

from __future__ import annotations

import numpy as np


def format_number(v: float, precision: int = 8) -> str:
    """Up to ``precision`` significant digits (8, as NumPy prints); never ``-0``."""
    return f"{v + 0.0:.{precision}g}"


THRESHOLD = 1000
"""Matrices with more entries than this are elided, as NumPy prints them."""
EDGE_ITEMS = 3
"""Rows and columns kept at each edge of an elided matrix."""


def shown(value: np.ndarray, full: bool) -> int:
    """How many numbers of ``value`` a table shows (a big matrix is elided unless ``full``)."""
    if isinstance(value, str):
        return 1
    m = as_2d(value)
    return len(kept(m.shape[0], full, m.size)) * len(kept(m.shape[1], full, m.size))


def kept(n: int, full: bool, size: int) -> list[int | None]:
    """Indices to show along one axis, ``None`` where entries are elided."""
    if full or size <= THRESHOLD or n <= 2 * EDGE_ITEMS:
        return list(range(n))
    return [*range(EDGE_ITEMS), None, *range(n - EDGE_ITEMS, n)]


def as_2d(value: np.ndarray) -> np.ndarray:
    """A number or a flat list as one row; a matrix as it is."""
    return value.reshape(1, -1) if value.ndim < 2 else value


_TEX_SPECIAL = {"%": "\\%", "&": "\\&", "#": "\\#", "_": "\\_", "{": "\\{", "}": "\\}", "$": "\\$"}


def escape_text(text: str) -> str:
    """Text for LaTeX's text mode: its special characters escaped (``x_1`` -> ``x\\_1``)."""
    return "".join(_TEX_SPECIAL.get(c, c) for c in text)


def first_of(items: list[str], most: int, separator: str = ", ") -> str:
    """The first ``most`` items joined, then how many more: ``a, b, ... (3 more)``."""
    more = f"{separator}... ({len(items) - most:,} more)" if len(items) > most else ""
    return separator.join(items[:most]) + more
