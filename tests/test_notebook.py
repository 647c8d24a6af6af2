"""How a notebook shows mlpstep's objects: a trace as HTML, Markdown or LaTeX and as a diagram, a
check result as a table, a short repr, and the public names for tab completion."""

import re
import xml.etree.ElementTree as ET

import mlpstep
from mlpstep.present.diagram import svg


def mazur():
    return mlpstep.step(mlpstep.load("configs/mazur.yaml"))


def test_a_trace_repr_is_one_short_line():
    assert repr(mazur()) == "<Trace x(2) -> sigmoid(2) -> sigmoid(2) -> half_squared: loss 0.29837111 -> 0.29102777>"


def test_a_trace_shows_as_html_with_its_diagram_and_every_section():
    trace = mazur()
    html = trace._repr_html_()
    assert html.startswith('<div class="mlpstep">') and "<html" not in html and "<body" not in html
    inline = re.sub(r' data-stage="\w+"', "", html)  # the step-through's marks aside
    assert svg(trace, grads=True).split("\n", 1)[1] in inline  # the diagram, with gradients, inline
    assert [title in html for title in ("<h2>Forward pass", "<h2>Updated parameters")] == [True, True]
    assert "0.35891648</td>" in html and 'data-formula="' in html  # Mazur's w5+, every cell explaining itself
    ET.fromstring(html)  # well-formed: a notebook can embed it


def test_a_trace_shows_as_markdown_and_latex():
    trace = mazur()
    assert trace._repr_markdown_().startswith("# `x(2) -> sigmoid(2) -> sigmoid(2) -> half_squared`\n")
    latex = trace._repr_latex_()
    assert latex.startswith("$$x (\\text{ input}) = \\begin{bmatrix} 0.05 & 0.1 \\end{bmatrix}$$\n")
    assert latex.count("$$") % 2 == 0 and "\\paragraph" not in latex


def test_draw_returns_an_svg_a_notebook_shows(tmp_path):
    trace = mlpstep.step(mlpstep.load("configs/batch.yaml"))
    drawing = trace.draw(grads=True, point=1)
    assert drawing._repr_svg_() == svg(trace, grads=True, point=1)
    drawing.save(tmp_path / "batch.svg")
    assert (tmp_path / "batch.svg").read_text() == drawing._repr_svg_()


def test_a_check_result_shows_as_a_table():
    html = mlpstep.check("configs/seed.yaml", {"a1": [3, 13, 0, 0], "z2": [16, -14]})._repr_html_()
    assert html.startswith("<p><b>answers</b>: 1 / 2 points</p>")
    assert "<td><code>z2</code></td><td>✗</td><td>1 / 1</td>" in html and "follows from your a1" in html


def test_dir_lists_the_public_api():
    assert {"load", "step", "check", "variants", "Trace", "Problem", "MlpstepError", "__version__"} <= set(dir(mlpstep))
