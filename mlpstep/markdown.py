"""Markdown for write-ups: a heading per section, a pipe table per matrix (GitHub renders them)."""

from __future__ import annotations

import numpy as np

from .document import Section, format_number, header_lines
from .trace import Trace


def markdown(trace: Trace, parts: list[Section], precision: int = 8) -> str:
    network, details = header_lines(trace)
    lines = [f"# `{network}`", "", details, ""]
    for part in parts:
        lines += [f"## {part.title}", ""]
        for entry in part.entries:
            if entry.value.ndim == 0:
                lines += [f"- **{_code(entry.title)}** = {repr(float(entry.value))}"]
                continue
            if entry.path == "losses":
                lines += _losses(entry.value)
                continue
            shape = "x".join(map(str, entry.value.shape))
            lines += [f"### {_code(entry.title)} ({shape})", ""]
            if entry.worked:
                lines += [f"e.g. {_code(entry.worked)}", ""]
            lines += [*_table(entry.value, precision), ""]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _code(text: str) -> str:
    return f"`{text}`"


def _table(value: np.ndarray, precision: int) -> list[str]:
    m = value.reshape(1, -1) if value.ndim < 2 else value
    header = "| " + " | ".join(f"[{j}]" for j in range(m.shape[1])) + " |"
    rule = "|" + "|".join("---:" for _ in range(m.shape[1])) + "|"
    rows = ["| " + " | ".join(format_number(v, precision) for v in row) + " |" for row in m]
    return [header, rule, *rows]


def _losses(losses: np.ndarray) -> list[str]:
    rows = [f"| {k} | {repr(float(v))} |" for k, v in enumerate(losses[:-1], 1)]
    return ["| step | loss |", "|---:|---:|", *rows, f"| after | {repr(float(losses[-1]))} |", ""]
