"""How a notebook shows a trace: as HTML (its diagram, then every section as tables), Markdown or
LaTeX (a check result draws its own table: grade.grading.Graded). ``install`` hands the trace's formats
to ``mlpstep.model.DISPLAY``: the model cannot import this layer, so this layer tells it.

The HTML is the HTML page's content (present/html.py) without its chrome.
"""

from __future__ import annotations

import re

from ..model import DISPLAY, Trace
from .document import sections


def install() -> None:
    """Let every Trace show itself in a notebook (``_repr_html_`` and friends, ``draw``)."""
    from .diagram import Drawing

    DISPLAY.update(html=html, markdown=markdown, latex=latex, draw=Drawing)


def html(trace: Trace, precision: int = 8) -> str:
    """The trace as an HTML fragment: the HTML page's content without its chrome (the network, its
    diagram with gradients, every section's values, each cell carrying its formula)."""
    from .html import blocks

    return '<div class="mlpstep">\n' + "\n".join(blocks(trace, sections(trace), precision)) + "\n</div>\n"


def markdown(trace: Trace) -> str:
    from .markdown import markdown as written

    return written(trace, sections(trace))


def latex(trace: Trace) -> str:
    """Each equation of the LaTeX output as display math, which a notebook's MathJax renders."""
    from .latex import latex as written

    equations = re.findall(r"\\\[(.*?)\\\]", written(trace, sections(trace)), re.S)
    return "\n".join(f"$${equation.strip()}$$" for equation in equations)
