"""Markdown for write-ups: a heading per section, a pipe table per matrix (GitHub renders them)."""

from __future__ import annotations

import numpy as np

from ..model import Trace, shape_text
from .document import Entry, Section, header_lines, scalar_text
from .sheet import Sheet, sheet_title
from .text import as_2d, format_number, kept


def markdown(trace: Trace, parts: list[Section], precision: int = 8, full: bool = False) -> str:
    network, details = header_lines(trace)
    lines = [f"# `{network}`", "", details, ""]
    for part in parts:
        lines += [f"## {part.title}", ""]
        for entry in part.entries:
            lines += _entry(entry, precision, full)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _entry(entry: Entry, precision: int, full: bool, heading: str = "###", lead: str = "e.g. ") -> list[str]:
    """One value: a line for a number or a setting; a heading, its worked lines and a table for a matrix."""
    if isinstance(entry.value, str):
        return [f"- **{_code(entry.title)}**: {entry.value}"]
    if entry.value.ndim == 0:
        return [f"- **{_code(entry.title)}** = {scalar_text(entry, precision)}"] + [
            f"  - {lead}{_code(text)}" for text in entry.worked
        ]
    if entry.path == "losses":
        return _losses(entry.value)
    lines = [f"{heading} {_code(entry.title)} ({shape_text(entry.value.shape, '')})", ""]
    for text in entry.worked:
        lines += [f"{lead}{_code(text)}", ""]
    return [*lines, *_table(entry.value, precision, full), ""]


def markdown_sheet(sheet: Sheet, precision: int = 8) -> str:
    """A problem sheet, or its worked solution: the network, the conventions, the givens, then
    the questions (each with a table of blanks of its shape, or its formula, worked lines and value)."""
    parts = [
        [f"# {sheet_title(sheet)}", ""],
        ["## Network", "", _code(sheet.network), ""],
        ["## Conventions", "", *(f"- {text}" for text in sheet.conventions), ""],
        ["## Given", "", *(line for entry in sheet.given.entries for line in _entry(entry, precision, False)), ""],
        _questions(sheet, precision),
    ]
    return "\n".join(line for part in parts for line in part).rstrip("\n") + "\n"


def _questions(sheet: Sheet, precision: int) -> list[str]:
    from .sheet import points_text, shape_words

    lines = ["## Solutions" if sheet.solution else "## Questions", ""]
    for q in sheet.questions:
        lines += [f"### {q.number}. {_code(q.name)} ({shape_words(q.shape)}){points_text(q)}", ""]
        if sheet.solution:
            lines += _entry(q.entry, precision, False, "####", "")
            lines += [""] * (lines[-1] != "")
        elif q.shape:
            lines += [*_table(q.entry.value, precision, False, blank=True), ""]
        else:
            lines += [f"{_code(q.name)} = ______", ""]
    return lines


def _code(text: str) -> str:
    return f"`{text}`"


def _table(value: np.ndarray, precision: int, full: bool, blank: bool = False) -> list[str]:
    """A pipe table, elided like NumPy beyond 1000 entries unless ``full``; ``blank``: its cells
    empty (room for an answer)."""
    m = as_2d(value)
    rows, cols = kept(m.shape[0], full, m.size), kept(m.shape[1], full, m.size)
    header = "| " + " | ".join("…" if j is None else f"[{j}]" for j in cols) + " |"
    rule = "|" + "|".join("---:" for _ in cols) + "|"
    body = [
        "| "
        + " | ".join(
            "⋮" if i is None else "⋯" if j is None else " " * 8 if blank else format_number(m[i, j], precision)
            for j in cols
        )
        + " |"
        for i in rows
    ]
    return [header, rule, *body]


def _losses(losses: np.ndarray) -> list[str]:
    rows = [f"| {k} | {repr(float(v))} |" for k, v in enumerate(losses[:-1], 1)]
    return ["| step | loss |", "|---:|---:|", *rows, f"| after | {repr(float(losses[-1]))} |", ""]
