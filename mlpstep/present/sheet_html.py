"""A problem sheet, or its worked solution, as one printable HTML page (no scripts, no files
besides it): the network, the conventions, the givens, then the questions."""

from __future__ import annotations

from html import escape

import numpy as np

from .diagram import svg
from .document import Entry, scalar_text
from .sheet import Question, Sheet, points_text, shape_words, sheet_title
from .text import as_2d, format_number, kept

STYLE = """body { font-family: Georgia, serif; max-width: 50em; margin: 2em auto; padding: 0 1em; line-height: 1.4 }
code { font-family: "DejaVu Sans Mono", monospace; }
table.matrix { border-collapse: collapse; margin: 0.4em 0 0.8em; border-left: 2px solid; border-right: 2px solid }
table.matrix td { padding: 0.15em 0.6em; text-align: right; font-family: monospace }
table.blank td { border: 1px solid #888; min-width: 4em; height: 1.6em }
.worked { margin: 0.2em 0; }
@media print { li { break-inside: avoid } }"""
"""The page's look: a matrix between brackets, an answer box per entry, a question kept on one printed page."""


def html_sheet(sheet: Sheet, precision: int = 8) -> str:
    title = escape(sheet_title(sheet))
    parts = [
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>',
        f"<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{title}</h1>",
        f"<h2>Network</h2>\n<p><code>{escape(sheet.network)}</code></p>",
        f'<figure class="diagram">{svg(sheet.trace, grads=sheet.solution)}</figure>',
        "<h2>Conventions</h2>\n<ul>\n" + "".join(f"<li>{escape(text)}</li>\n" for text in sheet.conventions) + "</ul>",
        "<h2>Given</h2>\n" + "\n".join(_given(entry, precision) for entry in sheet.given.entries),
        _questions(sheet, precision),
        "</body>\n</html>",
    ]
    return "\n".join(parts) + "\n"


def _given(entry: Entry, precision: int) -> str:
    if isinstance(entry.value, str):
        return f"<p>{escape(entry.title)}: {escape(entry.value)}</p>"
    if entry.value.ndim == 0:
        return f"<p><code>{escape(entry.title)}</code> = {scalar_text(entry, precision)}</p>"
    return f"<p><code>{escape(entry.title)}</code> =</p>\n{matrix_table(entry.value, precision)}"


def _questions(sheet: Sheet, precision: int) -> str:
    items = "\n".join(_question(q, sheet.solution, precision) for q in sheet.questions)
    return f"<h2>{'Solutions' if sheet.solution else 'Questions'}</h2>\n<ol>\n{items}\n</ol>"


def _question(q: Question, solution: bool, precision: int) -> str:
    head = f"<li><p><code>{escape(q.name)}</code> ({shape_words(q.shape)}){escape(points_text(q))}</p>"
    entry = q.entry
    if not solution:
        return f"{head}\n{matrix_table(entry.value, precision, blank=True)}</li>"
    if entry.value.ndim == 0:
        shown = f"<p><code>{escape(entry.title)}</code> = {scalar_text(entry, precision)}</p>"
    else:
        shown = f"<p><code>{escape(entry.title)}</code> =</p>\n{matrix_table(entry.value, precision)}"
    worked = "".join(f'<p class="worked"><code>{escape(line)}</code></p>\n' for line in entry.worked)
    return f"{head}\n{shown}\n{worked}</li>"


def matrix_table(value: np.ndarray, precision: int = 8, blank: bool = False) -> str:
    """A matrix (a number as one cell, a flat list as a row) as a bracketed table, elided like NumPy
    beyond 1000 entries; ``blank``: its cells empty boxes to write an answer in."""
    m = as_2d(np.asarray(value).reshape(-1) if np.ndim(value) == 0 else value)
    rows, cols = kept(m.shape[0], False, m.size), kept(m.shape[1], False, m.size)

    def cell(i: int | None, j: int | None) -> str:
        if i is None or j is None:
            return "⋮" if i is None else "⋯"
        return "" if blank else format_number(m[i, j], precision)

    body = "".join("<tr>" + "".join(f"<td>{cell(i, j)}</td>" for j in cols) + "</tr>\n" for i in rows)
    return f'<table class="matrix{" blank" if blank else ""}">\n{body}</table>'
