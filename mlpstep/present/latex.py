"""LaTeX for write-ups: every value as a bmatrix under its name and formula.

The output is a snippet for a document that loads amsmath.
"""

from __future__ import annotations

import re

import numpy as np

from ..functions.activations import ACTIVATIONS
from ..functions.losses import LOSSES
from ..model import Trace
from .document import Section, header_lines, scalar_text
from .text import as_2d, format_number

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


def escape_text(text: str) -> str:
    return "".join(_SYMBOLS.get(c, c) if c in "%&#_{}$" else c for c in text)


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
            if isinstance(entry.value, str):
                lines.append(f"\\noindent {escape_text(entry.title)}: {escape_text(entry.value)}")
                continue
            if entry.value.ndim == 0:
                value = _number(scalar_text(entry, precision))
            else:
                value = bmatrix(entry.value, precision, full)
            lines += ["\\[", f"  {tex(entry.title)} = {value}", "\\]"]
            for k, text in enumerate(entry.worked):
                lines += [""] * (k > 0) + [f"\\noindent e.g.\\ \\({tex(text)}\\)"]  # a paragraph each
    return "\n".join(lines) + "\n"


def bmatrix(value: np.ndarray, precision: int = 8, full: bool = False) -> str:
    """A 1-D or 2-D array as a bmatrix (a 1-D one as a row), big ones elided like NumPy."""
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
            rows.append(
                " & ".join(r"\cdots" if j is None else _number(format_number(m[i, j], precision)) for j in cols)
            )
    return "\\begin{bmatrix} " + " \\\\ ".join(rows) + " \\end{bmatrix}"
