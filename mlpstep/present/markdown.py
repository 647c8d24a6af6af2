"""Markdown for write-ups: a heading per section, a pipe table per matrix (GitHub renders them)."""

from __future__ import annotations

import numpy as np

from ..model import Trace, shape_text
from .document import Section, header_lines, scalar_text
from .text import as_2d, format_number, kept


def markdown(trace: Trace, parts: list[Section], precision: int = 8, full: bool = False) -> str:
    network, details = header_lines(trace)
    lines = [f"# `{network}`", "", details, ""]
    for part in parts:
        lines += [f"## {part.title}", ""]
        for entry in part.entries:
            if isinstance(entry.value, str):
                lines += [f"- **{_code(entry.title)}**: {entry.value}"]
                continue
            if entry.value.ndim == 0:
                lines += [f"- **{_code(entry.title)}** = {scalar_text(entry, precision)}"]
                lines += [f"  - e.g. {_code(text)}" for text in entry.worked]
                continue
            if entry.path == "losses":
                lines += _losses(entry.value)
                continue
            shape = shape_text(entry.value.shape, "")
            lines += [f"### {_code(entry.title)} ({shape})", ""]
            for text in entry.worked:
                lines += [f"e.g. {_code(text)}", ""]
            lines += [*_table(entry.value, precision, full), ""]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _code(text: str) -> str:
    return f"`{text}`"


def _table(value: np.ndarray, precision: int, full: bool) -> list[str]:
    """A pipe table, elided like NumPy beyond 1000 entries unless ``full``."""
    m = as_2d(value)
    rows, cols = kept(m.shape[0], full, m.size), kept(m.shape[1], full, m.size)
    header = "| " + " | ".join("…" if j is None else f"[{j}]" for j in cols) + " |"
    rule = "|" + "|".join("---:" for _ in cols) + "|"
    body = [
        "| "
        + " | ".join("⋮" if i is None else "⋯" if j is None else format_number(m[i, j], precision) for j in cols)
        + " |"
        for i in rows
    ]
    return [header, rule, *body]


def _losses(losses: np.ndarray) -> list[str]:
    rows = [f"| {k} | {repr(float(v))} |" for k, v in enumerate(losses[:-1], 1)]
    return ["| step | loss |", "|---:|---:|", *rows, f"| after | {repr(float(losses[-1]))} |", ""]
