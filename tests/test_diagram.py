"""The network drawn with a step's numbers (mlpstep.present.diagram): valid, self-contained SVG with
a unit per neuron and an edge per weight, each findable by its id, in the course's names."""

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import SEED, assert_refused, runner

import mlpstep
from mlpstep.cli.app import app
from mlpstep.errors import OptionError
from mlpstep.present.diagram import MAX_UNITS, Drawing, svg, tikz

README = Path("README.md").read_text()
CONFIGS = sorted(str(path) for path in Path("configs").glob("*.yaml"))
NS = "{http://www.w3.org/2000/svg}"


def parsed(config, **options) -> ET.Element:
    return ET.fromstring(svg(mlpstep.step(mlpstep.load(config)), **options))


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if kind in g.get("class", "").split()]


def by_id(root: ET.Element, id_: str) -> dict[str, str]:
    """The texts of one unit or edge by their class: {"z": "z = 2", "a": "a = 2", ...}."""
    (group,) = [g for g in root.iter(f"{NS}g") if g.get("id") == id_]
    return {t.get("class"): t.text for t in group.iter(f"{NS}text")}


def shown(n: int) -> int:
    return n if n <= MAX_UNITS else MAX_UNITS - 1


@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_draws_a_unit_per_neuron_and_an_edge_per_weight_and_bias(config):
    problem = mlpstep.load(config)
    root = parsed(config, grads=True)
    sizes = [shown(n) for n in problem.sizes]
    biased = [layer.bias_mode != "none" for layer in problem.layers]
    assert len(groups(root, "input")) == sizes[0]
    assert len(groups(root, "unit")) == sum(sizes[1:])
    assert len(groups(root, "bias")) == sum(biased)
    edges = sum(n_in * n_out + n_out * b for n_in, n_out, b in zip(sizes, sizes[1:], biased))
    assert len(groups(root, "edge")) == edges


def test_mazur_draws_his_names_and_numbers():
    root = parsed("configs/mazur.yaml", grads=True)
    assert by_id(root, "u0_0") == {"name": "i1", "x": "x = 0.05"}
    assert by_id(root, "u1_0") == {"name": "h1", "z": "z = 0.3775", "a": "a = 0.5933", "dz": "dL/dz = 0.008771"}
    assert by_id(root, "u2_1")["name"] == "o2"
    assert by_id(root, "e2_0_0") == {"w": "w5 = 0.4", "dw": "dL/dw5 = 0.08217"}  # his dE_total/dw5 = 0.082167041
    assert by_id(root, "e1_1_0")["w"] == "w2 = 0.2"  # rows: the edge i2 -> h1 is W1[0][1]
    assert by_id(root, "b1") == {"name": "b1", "value": "= 0.35", "db": "dL/db1 = 0.01873"}


def test_inactive_relus_are_greyed_and_stop_the_gradient():
    root = parsed(SEED, grads=True)
    assert sorted(g.get("id") for g in groups(root, "inactive")) == ["u1_2", "u1_3"]  # z = -4, -15
    stops = [g.get("id") for g in groups(root, "edge") if g.find(f"{NS}path[@class='stop']") is not None]
    assert sorted(stops) == ["e1_0_2", "e1_0_3", "e1_1_2", "e1_1_3", "e1_b_2", "e1_b_3"]
    assert not [g for g in groups(parsed(SEED), "edge") if g.find(f"{NS}path") is not None]  # no grads: no stops


def test_without_grads_no_gradient_is_drawn():
    assert "dL/d" not in svg(mlpstep.step(mlpstep.load(SEED)))


def test_the_svg_is_self_contained():
    text = svg(mlpstep.step(mlpstep.load("configs/mazur.yaml")), grads=True)
    assert not any(word in text for word in ("href", "<script", "url(", "@import", "<image"))


def test_a_big_layer_is_elided():
    config = {"input": [1.0] * 9, "label": [0.0], "loss": "squared", "learning_rate": 0.1,
              "layers": [{"weights": [[0.1] * 9] * 8, "bias": [0.0] * 8, "activation": "tanh"},
                         {"weights": [[0.1] * 8], "bias": [0.0], "activation": "linear"}]}  # fmt: skip
    root = ET.fromstring(svg(mlpstep.step(mlpstep.load({"layout": "rows", **config}))))
    assert [by_id(root, f"m{l}")["name"] for l in (0, 1)] == ["... 4 more", "... 3 more"]
    assert len(groups(root, "edge")) == 5 * 5 + 5 * 1 + 5 + 1


def test_a_batch_draws_the_point_asked_for_with_a_note():
    trace = mlpstep.step(mlpstep.load("configs/batch.yaml"))
    text = svg(trace, point=2)
    assert "point 2 of 3 (from 0)" in text
    assert by_id(ET.fromstring(text), "u0_0")["x"] == f"x = {trace.problem.x[0, 2]:.4g}"
    with pytest.raises(OptionError, match="give 0 to 2"):
        svg(trace, point=3)


def test_a_drawing_shows_in_a_notebook_and_saves(tmp_path):
    drawing = Drawing(mlpstep.step(mlpstep.load(SEED)))
    drawing.save(tmp_path / "seed.svg")
    assert (tmp_path / "seed.svg").read_text() == drawing._repr_svg_()


def test_draw_writes_the_svg(tmp_path):
    result = runner.invoke(app, ["draw", "configs/mazur.yaml", "--grads", "-o", str(tmp_path / "mazur.svg")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mazur.svg").read_text() == svg(mlpstep.step(mlpstep.load("configs/mazur.yaml")), grads=True)


def test_draw_shows_the_step_asked_for():
    result = runner.invoke(app, ["draw", SEED, "--steps", "3", "--step", "2"])
    assert result.exit_code == 0 and "(step 2 of 3)" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(["--point", "3"], "--point: 3 is not a point of the batch; give 0 to 2"),
     (["--step", "2"], "--step: 2 is not one of the steps 1 to 1")],
)  # fmt: skip
def test_draw_refuses_a_point_or_step_the_run_lacks(args, fragment):
    assert_refused(runner.invoke(app, ["draw", "configs/batch.yaml", *args]), fragment)


def test_the_readme_diagram_is_current():
    """configs/seed.svg, shown in the README, is what draw makes now (regenerate it with the command
    the README gives: mlpstep draw configs/seed.yaml --grads -o configs/seed.svg)."""
    assert "![" in README and "(configs/seed.svg)" in README
    assert Path("configs/seed.svg").read_text() == svg(mlpstep.step(mlpstep.load(SEED)), grads=True)


@pytest.mark.parametrize("config", CONFIGS)
def test_tikz_draws_the_same_units_and_edges(config):
    root, text = parsed(config, grads=True), tikz(mlpstep.step(mlpstep.load(config)), grads=True)
    assert text.count("\\node[unit") == sum(len(groups(root, kind)) for kind in ("input", "unit", "bias", "more"))
    assert text.count("\\draw[") == len(groups(root, "edge"))
    assert text.count("{") == text.count("}") and "\\end{tikzpicture}" in text


def test_tikz_names_mazur_and_stops_the_seeds_gradients():
    text = tikz(mlpstep.step(mlpstep.load("configs/mazur.yaml")), grads=True)
    assert "\\node[unit, fill=mlpon] (u1-0) at (8.67, 1.87) {\\textbf{h1}\\\\z = 0.3775\\\\a = 0.5933" in text
    assert "{w5 = 0.4\\\\dL/dw5 = 0.08217}" in text
    assert tikz(mlpstep.step(mlpstep.load(SEED)), grads=True).count("$\\parallel$") == 6


@pytest.mark.slow  # pdflatex
@pytest.mark.skipif(not shutil.which("pdflatex"), reason="no pdflatex")
def test_tikz_compiles_with_a_standard_tex(tmp_path):
    body = tikz(mlpstep.step(mlpstep.load("configs/mazur.yaml")), grads=True)
    (tmp_path / "d.tex").write_text(
        f"\\documentclass{{article}}\\usepackage{{tikz}}\\begin{{document}}\n{body}\\end{{document}}\n"
    )
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"], cwd=tmp_path,
                          capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
