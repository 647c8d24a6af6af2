"""run --format html: one self-contained page; every cell carries the formula --explain prints for it."""

import html
import re

import pytest
from helpers import SEED, assert_refused, runner

from mlpstep.cli.app import app


def page(*args):
    result = runner.invoke(app, ["run", *args, "--format", "html"])
    assert result.exit_code == 0, result.output
    return result.stdout


def formulas(text):
    return [html.unescape(f) for f in re.findall(r'data-formula="([^"]*)"', text)]


def test_every_cell_carries_the_line_explain_prints_for_it():
    cells = formulas(page(SEED))
    assert "z1[0,0] = 1·3 + 0·14 + (-1) = 2" in cells
    explained = runner.invoke(app, ["run", SEED, "--format", "markdown", "--explain", "dL/dW2[3,1] a1[2,0]"]).stdout
    for line in re.findall(r"e\.g\. `([^`]*)`", explained):
        assert line in cells


def test_the_seed_page_has_a_cell_per_number_and_stays_small():
    text = page(SEED)
    assert len(text.encode()) < 50_000
    lines = text.count('class="line" tabindex')  # the learning rate, the loss before and after the update
    assert (text.count("<td tabindex"), lines) == (len(formulas(text)) - 3, 3)


def test_the_page_requests_nothing():
    text = page(SEED, "--steps", "3")
    assert not re.search(r"""(src|href)\s*=|https?:|url\(|@import""", text)
    assert "default-src 'none'" in text


def test_titles_are_mathml_with_the_text_as_alternative():
    text = page(SEED)
    assert '<math alttext="z1 = W1ᵀ x + w10">' in text
    assert "<msup><msub><mi>W</mi><mn>1</mn></msub><mi>T</mi></msup>" in text


def test_the_steps_draw_a_loss_curve():
    text = page(SEED, "--steps", "4")
    assert text.count("<circle") == 5
    assert '<svg class="curve"' in text


def test_text_is_escaped():
    from mlpstep.present.html import _title, page

    assert "<title>mlpstep: a&lt;b&gt;</title>" in page("a<b>", [])
    assert _title("x (<input>)") == "x (&lt;input&gt;)"
    assert 'alttext="a &lt; b = c"' in _title("a < b = c")


def test_big_matrices_are_elided_as_in_the_terminal(tmp_path):
    config = tmp_path / "big.yaml"
    result = runner.invoke(app, ["init", "--layers", "60,40,3", "--seed", "1", "-o", str(config)])
    assert result.exit_code == 0, result.output
    text = page(str(config))
    assert "⋯" in text and len(text.encode()) < 200_000


def test_a_page_too_big_is_refused_before_it_is_written(monkeypatch):
    monkeypatch.setattr("mlpstep.limits.MAX_PRINTED", 100)
    assert_refused(runner.invoke(app, ["run", SEED, "--format", "html"]), "--format html", "--allow-large")


@pytest.mark.parametrize("config", ["configs/batch.yaml", "configs/rows.yaml", "configs/adam.yaml"])
def test_every_bundled_layout_and_optimizer_has_a_page(config):
    cells = formulas(page(config))
    assert any(" ← " in cell for cell in cells) and any(cell.startswith("dL/d") for cell in cells)


def test_the_readme_screenshot_shows_the_current_seed_page():
    import hashlib

    from helpers import ROOT

    shown = (ROOT / "tests/golden/html_page.sha256").read_text().split()[0]
    assert hashlib.sha256(page(SEED).encode()).hexdigest() == shown, "run python tests/golden/make_screenshot.py"
