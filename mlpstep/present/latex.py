"""LaTeX for write-ups: every value as a bmatrix under its name and formula.

The output is a snippet for a document that loads amsmath.
"""

from __future__ import annotations

import re

import numpy as np

from ..functions.activations import ACTIVATIONS
from ..functions.losses import LOSSES
from ..model import Trace
from .document import Entry, Section, header_lines, scalar_text
from .sheet import Sheet, sheet_title
from .text import as_2d, escape_text, format_number

FUNCTIONS = (*LOSSES, *ACTIVATIONS, "log")
_TOKEN = re.compile(
    r"(?P<grad>dL/d(?:w\d+0|[zaWb]\d+))"
    r"|(?P<sum>Σ(?:_(?P<over>[a-z]+))?)"
    r"|(?P<jacobian>J_softmax)"
    r"|(?P<sqrt>√(?:\((?:[^()]|\([^()]*\))*\)|[mv]\u0302|[\d.]+|\w+))"
    r"|(?P<power>e\^(?:\([^)]*\)|[\d.]+))"
    r"|(?P<hat>[mv]\u0302)"
    r"|(?P<name>(?<![A-Za-z0-9])(?:w\d+0|[zaWb]\d+)(?![0-9]))"
    rf"|(?P<function>\b(?:{'|'.join(FUNCTIONS)})\b)"
    r"|(?P<number>\b\d+(?:\.\d+)?(?:e[-+]?\d+)?\b)"
    r"|(?P<phrase>[A-Za-z]{2,}(?:[ ]+(?:[A-Za-z]{2,}|\d+))*)"
    r"|(?P<symbol>[ᵀ⊙←·²…%&#_{}$])"
)
_SYMBOLS = {"ᵀ": "^{\\top}", "⊙": "\\odot ", "←": "\\leftarrow ", "·": "\\cdot ", "²": "^{2}", "…": "\\ldots ",
            "%": "\\%", "&": "\\&", "#": "\\#", "_": "\\_", "{": "\\{", "}": "\\}", "$": "\\$"}  # fmt: skip


def tex(text: str) -> str:
    """A formula as mlpstep writes it (``dL/dW1 = x (dL/dz1)ᵀ``) in LaTeX math."""

    def convert(match: re.Match) -> str:
        kind, token = match.lastgroup, match.group(0)
        if kind == "grad":
            return rf"\frac{{\partial L}}{{\partial {_name(token[4:])}}}"
        if kind == "sum":
            return rf"\sum_{{\text{{{match.group('over')}}}}} " if match.group("over") else r"\sum"
        if kind == "jacobian":
            return r"J_{\mathrm{softmax}}"
        if kind == "sqrt":
            inside = token[2:-1] if token[1] == "(" else token[1:]  # √(v - m²): the parentheses are the root's
            return rf"\sqrt{{{tex(inside)}}}"
        if kind == "power":
            return rf"e^{{{tex(token[2:].strip('()'))}}}"
        if kind == "hat":
            return rf"\hat{{{token[0]}}}"
        if kind == "name":
            return _name(token)
        if kind == "function":
            return r"\mathrm{" + token.replace("_", r"\_") + "}"
        if kind == "number":
            return _number(token)
        if kind == "phrase":
            return rf"\text{{ {token}}}"
        return _SYMBOLS[token]

    return _TOKEN.sub(convert, text)


def _name(name: str) -> str:
    """``W1`` -> ``W_{1}``, ``w10`` -> ``w_{10}`` (the bias of layer 1)."""
    return f"{name[0]}_{{{name[1:]}}}"


def _number(text: str) -> str:
    mantissa, _, exponent = text.partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else mantissa


def latex(trace: Trace, parts: list[Section], precision: int = 8, full: bool = False) -> str:
    network, details = header_lines(trace)
    widest = max((np.shape(e.value)[-1] for part in parts for e in part.entries if np.ndim(e.value)), default=1)
    lines = [f"% mlpstep: {network}", f"% {details}", "% needs \\usepackage{amsmath}"]
    if widest > 10:
        lines.append(f"\\setcounter{{MaxMatrixCols}}{{{widest}}}")
    for part in parts:
        lines += ["", f"\\paragraph{{{escape_text(part.title)}}}", ""]
        for entry in part.entries:
            lines += entry_lines(entry, precision, full)
    return "\n".join(lines) + "\n"


def entry_lines(
    entry: Entry, precision: int = 8, full: bool = False, lead: str = "e.g.\\ ", split: bool = False
) -> list[str]:
    """One value: its formula and value displayed (``split``: the value on a line of its own, for
    room), then its worked lines (a paragraph each, after ``lead``)."""
    if isinstance(entry.value, str):
        return [f"\\noindent {escape_text(entry.title)}: {escape_text(entry.value)}"]
    value = _number(scalar_text(entry, precision)) if entry.value.ndim == 0 else bmatrix(entry.value, precision, full)
    lines = _display(tex(entry.title), value, split)
    for k, text in enumerate(entry.worked):
        lines += [""] * (k > 0) + [f"\\noindent {lead}\\({tex(text)}\\)"]  # a paragraph each
    return lines


def _display(left: str, right: str, split: bool = False) -> list[str]:
    """``left = right`` displayed; ``split``: ``= right`` on a line of its own."""
    if split:
        return ["\\begin{gather*}", f"  {left} \\\\", f"  = {right}", "\\end{gather*}"]
    return ["\\[", f"  {left} = {right}", "\\]"]


PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{tikz}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.4em}
\allowdisplaybreaks
\sloppy
"""
"""What every whole document loads: packages of a standard TeX Live (texlive-latex-base, texlive-pictures)."""


def standalone(body: str, title: str) -> str:
    """``body`` as a whole document that pdflatex compiles, under ``title``."""
    return f"{PREAMBLE}\\begin{{document}}\n\\section*{{{escape_text(title)}}}\n\n{body}\n\\end{{document}}\n"


def latex_sheet(sheet: Sheet, precision: int = 8) -> str:
    """A problem sheet, or its worked solution, as a whole document: the network, the
    conventions, the givens, then the questions (each with an empty box of its shape, or its
    formula, worked lines and value)."""
    values = [e.value for e in sheet.given.entries] + [q.entry.value for q in sheet.questions]
    widest = max((np.shape(v)[-1] for v in values if np.ndim(v)), default=1)
    parts = [
        f"% mlpstep sheet: {sheet.network}" + f"\n\\setcounter{{MaxMatrixCols}}{{{widest}}}" * (widest > 10),
        _sheet_network(sheet),
        _sheet_conventions(sheet),
        "\\subsection*{Given}\n\n" + "\n".join(_given_lines(sheet, precision)),
        _sheet_questions(sheet, precision),
    ]
    return standalone("\n\n".join(parts), sheet_title(sheet))


def network_line(network: str) -> str:
    """``x(2) -> relu(4) -> softmax(2) -> nll`` with arrows."""
    return " \\(\\to\\) ".join(f"\\(\\mathrm{{{escape_text(part.strip())}}}\\)" for part in network.split("->"))


def _given_lines(sheet: Sheet, precision: int) -> list[str]:
    """The givens as ``run`` writes them, with ``x (input)`` read ``x\\ (input)``, not ``x( input)``
    (run's stored LaTeX keeps its spacing)."""
    lines = (line for e in sheet.given.entries for line in entry_lines(e, precision, split=_wide(e.value)))
    return [line.replace(" (\\text{ ", "\\ (\\text{") for line in lines]


def _wide(value: np.ndarray | str) -> bool:
    """Does a value take a display of its own, below its formula (more than 4 columns)?"""
    return not isinstance(value, str) and as_2d(np.asarray(value)).shape[1] > 4


def _sheet_network(sheet: Sheet) -> str:
    """The network in a line, then its diagram with the givens on it (TikZ): gradients only in a solution."""
    from .diagram import tikz

    colours, _, picture = tikz(sheet.trace, grads=sheet.solution).partition("\\begin{tikzpicture}")
    fitted = "\\resizebox{\\linewidth}{!}{%\n\\begin{tikzpicture}" + picture.strip() + "}"  # as wide as the page
    return "\n\n".join(["\\subsection*{Network}", network_line(sheet.network), colours.strip(), fitted])


def _sheet_conventions(sheet: Sheet) -> str:
    items = "\n".join(f"  \\item {escape_text(text)}" for text in sheet.conventions)
    return f"\\subsection*{{Conventions}}\n\n\\begin{{itemize}}\n{items}\n\\end{{itemize}}"


def _sheet_questions(sheet: Sheet, precision: int) -> str:
    from .sheet import points_text, shape_words

    heading = "Solutions" if sheet.solution else "Questions"
    lines = [f"\\subsection*{{{heading}}}", "", "\\begin{enumerate}"]
    for q in sheet.questions:
        shape = shape_words(q.shape, " \\times ") if q.shape else "\\text{a number}"
        lines.append(f"\\item \\(\\displaystyle {tex(q.name)}\\) (\\({shape}\\)){points_text(q)}")
        if sheet.solution:
            lines += entry_lines(q.entry, precision, lead="", split=_wide(q.entry.value))
        else:
            box = bmatrix(q.entry.value, blank=True) if q.shape else BOX
            lines += _display(tex(q.name), box, _wide(q.entry.value))
    return "\n".join([*lines, "\\end{enumerate}"])


def bmatrix(value: np.ndarray, precision: int = 8, full: bool = False, blank: bool = False) -> str:
    """A 1-D or 2-D array as a bmatrix (a 1-D one as a row), big ones elided like NumPy; ``blank``:
    each number left out, its room kept (a box to write an answer in)."""
    from .text import EDGE_ITEMS, THRESHOLD

    m = as_2d(value)
    big = m.size > THRESHOLD and not full

    def kept(n: int) -> list[int | None]:
        return [*range(EDGE_ITEMS), None, *range(n - EDGE_ITEMS, n)] if big and n > 2 * EDGE_ITEMS else list(range(n))

    cols = kept(m.shape[1])
    rows = []
    for i in kept(m.shape[0]):
        if i is None:
            rows.append(" & ".join(r"\ddots" if j is None else r"\vdots" for j in cols))
        else:
            rows.append(" & ".join(r"\cdots" if j is None else _cell(m[i, j], precision, blank) for j in cols))
    return "\\begin{bmatrix} " + " \\\\ ".join(rows) + " \\end{bmatrix}"


def _cell(number: float, precision: int, blank: bool) -> str:
    return BOX if blank else _number(format_number(number, precision))


BOX = r"\rule[-0.5em]{0pt}{1.8em}\framebox[4em]{\rule{0pt}{1em}}"
"""An empty box to write a number in."""
