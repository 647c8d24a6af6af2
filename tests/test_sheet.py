"""mlpstep sheet: a problem sheet with an empty box per question, its worked solution, and
whole LaTeX documents that pdflatex compiles (when it is installed)."""

import shutil
import subprocess

import pytest
from helpers import ROOT, SEED, SEED_TEXT, assert_refused, runner

from mlpstep.cli.app import app

ARTIFACTS = ROOT / "tests" / "artifacts"
"""Where the compiled seed solution is rendered as PNG for people to look at (ignored by git)."""


def sheet(*args, **kwargs):
    result = runner.invoke(app, ["sheet", *args], **kwargs)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_problem_sheet_is_a_whole_document_stating_network_conventions_and_givens():
    out = sheet(SEED)
    assert out.startswith("\\documentclass") and out.endswith("\\end{document}\n")
    assert "\\(\\mathrm{x(2)}\\) \\(\\to\\) \\(\\mathrm{relu(4)}\\)" in out
    assert "Layout: columns" in out and "Loss: nll." in out and "ReLU'(0) = 0." in out
    assert "W_{1} = \\begin{bmatrix} 1 & 0 & -1 & 0 \\\\ 0 & 1 & 0 & -1 \\end{bmatrix}" in out


def test_problem_sheet_asks_every_value_with_an_empty_box_of_its_shape_and_no_answers():
    out = sheet(SEED)
    assert out.count("\\item \\(\\displaystyle") == 16  # z1 a1 z2 a2 L, 7 gradients, 4 updated parameters
    assert "\\item \\(\\displaystyle \\frac{\\partial L}{\\partial W_{1}}\\) (\\(2 \\times 4\\))" in out
    boxes = 4 + 4 + 2 + 2 + 1 + 2 + 4 + 4 + 8 + 2 + 8 + 4 + 8 + 4 + 8 + 2  # one per entry
    assert out.count("\\framebox") == boxes
    assert "28.000000000000693" not in out and "13 \\\\ -4" not in out


def test_solution_works_out_every_entry_of_a_small_value():
    out = sheet(SEED, "--solution")
    assert "z_{1} = W_{1}^{\\top} x + w_{10} = \\begin{bmatrix} 2 \\\\ 13 \\\\ -4 \\\\ -15 \\end{bmatrix}" in out
    assert "\\noindent \\(z_{1}[3,0] = 0\\cdot 3 + (-1)\\cdot 14 + (-1) = -15\\)" in out
    assert "\\noindent \\(W_{1}[1,1] \\leftarrow  1 - 0.1\\cdot 28 = -1.8\\)" in out
    assert "L = \\mathrm{nll}(a_{2}, y) = 28.000000000000693" in out
    assert "\\framebox" not in out


def test_sheet_asks_the_configs_questions_with_their_points(tmp_path):
    config = tmp_path / "asked.yaml"
    config.write_text(SEED_TEXT + "ask: [a1, {name: W1n, points: 4}, 'W2.grad[1][0]']\n")
    out = sheet(str(config))
    items = [line for line in out.splitlines() if line.startswith("\\item \\(")]
    assert items == [
        "\\item \\(\\displaystyle a_{1}\\) (\\(4 \\times 1\\)) [1 point]",
        "\\item \\(\\displaystyle W_{1} \\text{ after the update}\\) (\\(2 \\times 4\\)) [4 points]",
        "\\item \\(\\displaystyle \\frac{\\partial L}{\\partial W_{2}}[1,0]\\) (\\(\\text{a number}\\)) [1 point]",
    ]
    solved = sheet(str(config), "--solution")
    assert "\\noindent \\(\\frac{\\partial L}{\\partial W_{2}}[1,0] = 13\\cdot 1 = 13\\)" in solved


def test_markdown_sheet_has_a_table_of_blanks_per_question():
    out = sheet(SEED, "--format", "markdown")
    assert out.startswith("# One training step: problem sheet\n\n## Network\n\n`x(2) -> relu(4) -> softmax(2) -> nll`")
    assert "### 9. `dL/dW2` (4 × 2)\n\n| [0] | [1] |\n|---:|---:|\n" + "|          |          |\n" * 4 in out
    assert "### 5. `L` (a number)\n\n`L` = ______\n" in out
    assert "28.000000000000693" not in out


def test_markdown_solution_works_out_every_entry():
    out = sheet(SEED, "--format", "markdown", "--solution")
    assert "### 1. `z1` (4 × 1)\n\n#### `z1 = W1ᵀ x + w10` (4x1)\n\n`z1[0,0] = 1·3 + 0·14 + (-1) = 2`\n" in out
    assert "- **`L = nll(a2, y)`** = 28.000000000000693\n  - `L = -log a2[1,0] = -log(6.9144e-13) = 28`\n\n###" in out


def test_html_sheet_is_one_page_with_a_box_per_entry():
    from html.parser import HTMLParser

    out = sheet(SEED, "--format", "html")
    assert out.startswith("<!DOCTYPE html>") and out.endswith("</html>\n")
    HTMLParser().feed(out)
    assert out.count('<table class="matrix blank">') == 16
    assert out.count("<td></td>") == 4 + 4 + 2 + 2 + 1 + 2 + 4 + 4 + 8 + 2 + 8 + 4 + 8 + 4 + 8 + 2
    assert "<li><p><code>dL/dW1</code> (2 × 4)</p>" in out and "28.000000000000693" not in out


def test_html_solution_works_out_every_entry():
    out = sheet(SEED, "--format", "html", "--solution")
    assert '<p class="worked"><code>z1[3,0] = 0·3 + (-1)·14 + (-1) = -15</code></p>' in out
    assert "<p><code>L = nll(a2, y)</code> = 28.000000000000693</p>" in out
    assert "<td></td>" not in out


def test_run_standalone_wraps_the_latex_in_a_whole_document():
    result = runner.invoke(app, ["run", SEED, "--format", "latex", "--standalone"])
    snippet = runner.invoke(app, ["run", SEED, "--format", "latex"]).stdout
    assert result.exit_code == 0
    assert result.stdout.startswith("\\documentclass") and result.stdout.endswith(f"{snippet}\n\\end{{document}}\n")


def test_run_standalone_needs_latex():
    assert_refused(runner.invoke(app, ["run", SEED, "--standalone"]), "--standalone", "--format latex")


def _pdflatex(tex: str, where) -> bytes:
    """Compile ``tex`` in ``where``; the PDF, or the log's errors as the failure."""
    (where / "doc.tex").write_text(tex)
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=where, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    log = (where / "doc.log").read_text(errors="replace")
    assert done.returncode == 0, log[-3000:]
    assert "Overfull" not in log and "Undefined control sequence" not in log
    return (where / "doc.pdf").read_bytes()


needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None, reason="pdflatex is not installed (apt-get install texlive-latex-base)"
)


@pytest.mark.slow  # pdflatex: a second a document
@needs_pdflatex
@pytest.mark.parametrize(
    "args",
    [["sheet", SEED], ["sheet", "configs/batch.yaml", "--solution"], ["run", "configs/adam.yaml", "--format",
     "latex", "--standalone", "--explain"]],
    ids=["seed-sheet", "batch-solution", "run-standalone"],
)  # fmt: skip
def test_documents_compile_with_pdflatex(args, tmp_path):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert _pdflatex(result.stdout, tmp_path).startswith(b"%PDF")


@pytest.mark.slow  # pdflatex: a second a document
@needs_pdflatex
@pytest.mark.parametrize("solution", [[], ["--solution"]], ids=["sheet", "solution"])
def test_a_big_networks_sheet_fits_the_page(solution, tmp_path):
    """40 inputs, 30 hidden units: W1 (40x30) elided, wide values below their formula, no overfull box."""
    made = runner.invoke(app, ["init", "--layers", "40,30,2", "--seed", "3", "-o", str(tmp_path / "big.yaml")])
    assert made.exit_code == 0, made.output
    _pdflatex(sheet(str(tmp_path / "big.yaml"), *solution), tmp_path)


@pytest.mark.slow  # pdflatex: a second a document
@needs_pdflatex
def test_seed_solution_compiles_and_is_rendered_for_people_to_look_at(tmp_path):
    """The issue's check: mlpstep sheet configs/seed.yaml --solution | pdflatex gives a clean PDF.
    Its first page goes to tests/artifacts/seed-solution-1.png where pdftoppm is installed."""
    _pdflatex(sheet(SEED, "--solution"), tmp_path)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils): the PDF compiled, no PNG made")
    ARTIFACTS.mkdir(exist_ok=True)
    page = ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1"]
    subprocess.run([*page, str(tmp_path / "doc.pdf"), str(ARTIFACTS / "seed-solution")], check=True, timeout=60)
    assert (ARTIFACTS / "seed-solution-1.png").read_bytes().startswith(b"\x89PNG")


def test_conventions_say_how_the_rows_layout_holds_its_weights():
    assert "Layout: rows (a point is a row; a weight matrix is units by inputs)." in sheet("configs/rows.yaml")


def test_a_sheet_past_the_output_limit_is_refused(monkeypatch):
    import mlpstep.limits

    monkeypatch.setattr(mlpstep.limits, "MAX_PRINTED", 100)
    assert_refused(runner.invoke(app, ["sheet", SEED, "--solution"]), "would hold", "ask fewer questions")
    assert runner.invoke(app, ["sheet", SEED, "--solution", "--allow-large"]).exit_code == 0
