"""Output formats and selection: Markdown, LaTeX, --only, --precision, colour, --output."""

import itertools
import json
import re

import pytest
from helpers import SEED, runner

from mlpstep.cli.app import app

CONFIGS = ["configs/seed.yaml", "configs/batch.yaml", "configs/rows.yaml", "configs/adam.yaml", "configs/mazur.yaml"]


def run(*args, **kwargs):
    result = runner.invoke(app, ["run", *args], **kwargs)
    assert result.exit_code == 0, result.output
    return result.stdout


def markdown_tables(text):
    """Each pipe table as (header, rows): a header line, a ---: rule, then rows of the same width."""
    tables, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and re.fullmatch(r"\|(---:\|)+", lines[i + 1]):
            width = lines[i + 1].count("|") - 1
            assert line.count("|") - 1 == width
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                assert row.count("|") - 1 == width, row
                rows.append([cell.strip() for cell in row.strip("|").split("|")])
            tables.append((line, rows))
    return tables


@pytest.mark.parametrize("config", CONFIGS)
def test_markdown_is_a_pipe_table_per_matrix(config):
    out = run(config, "--format", "markdown")
    trace = json.loads(run(config, "--json"))
    matrices = sum(1 for s in ("forward", "grads", "updated") for v in trace[s].values() if isinstance(v, list))
    tables = markdown_tables(out)
    assert len(tables) >= matrices
    assert out.startswith("# `x(")


def test_markdown_numbers_are_the_values():
    tables = markdown_tables(run(SEED, "--format", "markdown", "--only", "updated.W1"))
    assert tables == [("| [0] | [1] | [2] | [3] |", [["0.4", "-0.6", "-1", "0"], ["-2.8", "-1.8", "0", "-1"]])]


def balanced(text):
    depth = 0
    for c in text.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(c, 0)
        assert depth >= 0
    return depth == 0


@pytest.mark.parametrize("config", CONFIGS)
def test_latex_is_well_formed(config):
    out = run(config, "--format", "latex")
    assert balanced(out)
    assert out.count("\\begin{bmatrix}") == out.count("\\end{bmatrix}") > 0
    assert out.count("\\[") == out.count("\\]")
    assert "% needs \\usepackage{amsmath}" in out


def test_latex_names_and_formulas():
    out = run(SEED, "--format", "latex", "--only", "z1,W1n,loss")
    assert r"z_{1} = W_{1}^{\top} x + w_{10} = \begin{bmatrix} 2 \\ 13 \\ -4 \\ -15 \end{bmatrix}" in out
    assert (
        r"W_{1} \leftarrow  W_{1} - 0.1 \frac{\partial L}{\partial W_{1}} = \begin{bmatrix} 0.4 & -0.6 & -1 & 0 \\ "
        r"-2.8 & -1.8 & 0 & -1 \end{bmatrix}" in out
    )
    assert r"L = \mathrm{nll}(a_{2}, y) = 28.000000000000693" in out


def test_latex_wide_matrices_raise_the_column_limit(tmp_path):
    path = tmp_path / "wide.json"
    path.write_text(
        json.dumps(
            {
                "input": [1.0],
                "label": [0.0] * 12,
                "loss": "squared",
                "learning_rate": 0.1,
                "layers": [{"weights": [[0.5] * 12], "bias": [0.0] * 12, "activation": "linear"}],
            }
        )
    )
    assert "\\setcounter{MaxMatrixCols}{12}" in run(str(path), "--format", "latex")


@pytest.mark.parametrize("form", ["table", "json", "markdown", "latex"])
def test_only_selects_in_every_format(form):
    out = run(SEED, "--format", form, "--only", "grads.W1")
    assert ("W1" in out or "W_{1}" in out) and ("z1 =" not in out) and ("a1" not in out.replace("dL/da1", ""))


def test_only_sections_and_notebook_names():
    out = json.loads(run(SEED, "--json", "--only", "updated,a1"))
    assert list(out) == ["network", "layout", "forward", "updated"] and list(out["forward"]) == ["a1"]
    assert len(out["updated"]) == 4


def test_only_unknown_name_is_refused():
    result = runner.invoke(app, ["run", SEED, "--only", "W9"])
    assert result.exit_code == 2 and result.stderr.startswith("error: --only: 'W9' names nothing")


def test_precision_sets_the_displayed_digits():
    assert "0.99999999999930855" not in run(SEED, "--only", "a2")
    assert "1.0000e+00" not in run(SEED, "--only", "a2")
    out = run(SEED, "--only", "a2", "--precision", "17")
    assert "0.99999999999930855" in out or "0.9999999999993086" in out
    assert "6.9e-13" in run(SEED, "--only", "a2", "--precision", "2")
    assert json.loads(run(SEED, "--json", "--precision", "2"))["loss"] == 28.000000000000693


def test_colour_only_on_a_terminal_and_never_with_no_color():
    coloured = run(SEED, env={"FORCE_COLOR": "1"})
    assert "\x1b[" in coloured
    assert "\x1b[" not in run(SEED, "--no-color", env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in run(SEED, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in run(SEED)  # piped


def test_relu_derivative_at_zero_is_marked(tmp_path):
    path = tmp_path / "zero.yaml"
    path.write_text(
        "input: [1]\nlabel: [1]\nloss: squared\nlearning_rate: 0.1\nrelu_grad_at_zero: 0.5\n"
        "layers:\n  - {weights: [[1, 2]], bias: [-1, 0], activation: relu}\n"
        "  - {weights: [[1], [1]], bias: [0], activation: linear}\n"
    )
    out = run(str(path))
    assert "1°" in out and "relu'(0) = 0.5 was used" in out


def test_output_writes_the_file_and_nothing_else(tmp_path):
    target = tmp_path / "out.json"
    result = runner.invoke(app, ["run", SEED, "--json", "--output", str(target)])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["loss"] == 28.000000000000693
    table = tmp_path / "out.txt"
    runner.invoke(app, ["run", SEED, "-o", str(table)])
    assert "x(2) -> relu(4) -> softmax(2) -> nll" in table.read_text() and "\x1b[" not in table.read_text()


def test_output_is_untouched_when_the_run_fails(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("previous result\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: [1]\n")
    result = runner.invoke(app, ["run", str(bad), "--json", "--output", str(target)])
    assert result.exit_code == 2 and target.read_text() == "previous result\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".mlpstep-")] == []


def test_output_to_a_missing_directory_is_one_clear_line(tmp_path):
    result = runner.invoke(app, ["run", SEED, "--json", "-o", str(tmp_path / "no" / "such" / "out.json")])
    assert result.exit_code == 2 and "--output: cannot write" in result.stderr


def test_long_runs_keep_the_first_and_last_steps_of_the_losses_table():
    out = run(SEED, "--steps", "50")
    assert "\n 10 " in out and "\n 41 " in out and "\n 25 " not in out and "⋮" in out
    assert "log scale" in out
    assert "\n 25 " in run(SEED, "--steps", "50", "--full")


def test_a_shared_bias_is_labelled_scalar():
    assert "b1 ← b1 (frozen)   scalar" in run("configs/mazur.yaml")


def test_explain_plugs_the_numbers_into_one_entry():
    out = run(SEED, "--explain")
    for line in [
        "e.g. z1[0,0] = 1·3 + 0·14 + (-1) = 2",
        "e.g. a1[0,0] = relu(2) = 2",
        "e.g. a2[0,0] = e^15 / (e^15 + e^(-13)) = 1",
        "e.g. L = -log a2[1,0] = -log(6.9144e-13) = 28",
        "e.g. dL/dz2[0,0] = 1 - 0 = 1",
        "e.g. dL/da1[0,0] = 1·1 + (-1)·(-1) = 2",
        "e.g. dL/dz1[0,0] = dL/da1·relu'(z1) = 2·1 = 2",
        "e.g. dL/dW1[0,0] = 3·2 = 6",
        "e.g. dL/dw20[0,0] = dL/dz2[0,0] = 1",
        "e.g. W1[0,0] ← 1 - 0.1·6 = 0.4",
    ]:
        assert line in out, line


SOFTMAX_MSE = (
    "input: [[1, 2], [0, -1]]\nlabel: [[0.2, 0.8], [1, 0]]\nloss: mse\nlearning_rate: 0.1\n"
    "layers:\n  - {weights: [[1, -1], [0.5, 0.5]], bias: [0, 0.1], activation: softmax}\n"
)
SIGMOID_NLL = (
    "input: [1, -1]\nlabel: [1, 0, 0.25]\nloss: nll\nlearning_rate: 0.1\n"
    "layers:\n  - {weights: [[1, -1, 0.5], [0.5, 0.5, 2]], bias: [0, 0.1, 0], activation: sigmoid}\n"
)
EXPLAINED = CONFIGS + ["configs/sigmoid_squared.yaml", "configs/three_layer.yaml", SOFTMAX_MSE, SIGMOID_NLL]


def every_worked_line(config):
    """(worked line, the value it explains) for every entry of every value with a worked example."""
    import mlpstep
    from mlpstep.present.explain import worked

    problem = mlpstep.load(config if config.startswith("configs/") else __import__("yaml").safe_load(config))
    trace = mlpstep.step(problem)
    for point in range(problem.batch_size):
        yield worked(trace, "loss", (point,)), trace.loss
    for section in ("forward", "grads", "updated"):
        for key, value in getattr(trace, section).items():
            for index in itertools.product(*map(range, value.shape)):
                line = worked(trace, f"{section}.{key}", index)
                if line is not None or key not in problem.freeze:
                    yield line, value[index]


@pytest.mark.parametrize("config", EXPLAINED, ids=[c[:40] for c in EXPLAINED])
def test_every_worked_example_of_every_entry_ends_in_the_entry_it_explains(config):
    from mlpstep.present.text import format_number

    for line, value in every_worked_line(config):
        assert line.rsplit(" = ", 1)[1] == format_number(value, 6), line


@pytest.mark.parametrize("config", EXPLAINED, ids=[c[:40] for c in EXPLAINED])
def test_no_worked_example_is_a_tautology(config):
    for line, _ in every_worked_line(config):
        steps = [step.strip() for part in line.split("; ") for step in re.split(r" = | ← ", part)]
        assert not any(a == b for a, b in itertools.pairwise(steps[1:])), line  # never "dL/dw20[0,0] = 1 = 1"


@pytest.mark.parametrize("config,line", [
    (SEED, "L = -log a2[1,0] = -log(6.9144e-13) = 28"),  # nll of a class index: the log-probability of that class
    ("configs/batch.yaml",
     "L[0] = -log a2[1,0] = -log(6.9144e-13) = 28; L = (28 + 0.0181499 + 0.693147) / 3 = 9.57043"),
    ("configs/three_layer.yaml",  # sum
     "L[0] = -log a3[2,0] = -log(0.105009) = 2.25371; L = 2.25371 + 0.294669 = 2.54838"),
    ("configs/sigmoid_squared.yaml", "L = (0.606754 - 1)² = 0.154642"),
    ("configs/mazur.yaml", "L = 0.5·((0.751365 - 0.01)² + (0.772928 - 0.99)²) = 0.298371"),
    (SOFTMAX_MSE, "L[0] = ((0.869892 - 0.2)² + (0.130108 - 0.8)²) / 2 = 0.448755; L = (0.448755 + 0.275603) / 2 = "
                  "0.362179"),
    (SIGMOID_NLL, "L = -(log(0.622459) + log(1 - 0.197816) + 0.25·log(0.182426) + 0.75·log(1 - 0.182426)) = 1.27091"),
])  # fmt: skip
def test_the_loss_is_worked_out_for_every_loss(config, line):
    result = runner.invoke(
        app,
        ["run", config if config.startswith("configs/") else "-", "--explain", "--only", "loss"],
        input=None if config.startswith("configs/") else config,
    )
    assert f"e.g. {line}" in result.stdout.replace("\n", " ").replace("  ", " ")


def test_a_softmax_gradient_without_nll_is_worked_through_its_jacobian():
    out = runner.invoke(
        app, ["run", "-", "--explain", "--only", "dL/dz1", "--format", "markdown"], input=SOFTMAX_MSE
    ).stdout
    assert "e.g. `dL/dz1[0,0] = a1·(dL/da1 - Σ a1·dL/da1) = 0.869892·(0.334946 - 0.247787) = 0.0758185`" in out


def test_explain_works_out_the_entries_named():
    out = run(SEED, "--only", "W1n,dL/dW1,z1", "--explain", "W1[1,0] dL/dW1[1,1],z1[2,0]", "--explain", "W1[1,0]")
    worked = [line for line in out.splitlines() if line.startswith("e.g.")]
    assert worked == [
        "e.g. z1[2,0] = (-1)·3 + 0·14 + (-1) = -4",
        "e.g. dL/dW1[1,1] = 14·2 = 28",
        "e.g. W1[1,0] ← 0 - 0.1·28 = -2.8",
    ]


def test_explain_takes_names_as_only_does_and_the_layout_s_order_of_indices():
    assert "e.g. W1[1,1] ← 1 - 0.1·28 = -1.8" in run(SEED, "--only", "W1n", "--explain", "W1n[1,1]")
    assert "e.g. dL/da1[0,0] = 1·1 + (-1)·(-1) = 2" in run(SEED, "--only", "grads", "--explain", "a1.grad[0,0]")
    assert "e.g. z1[0,2] = (-1)·3 + 0·14 + (-1) = -4" in run(
        "configs/rows.yaml", "--only", "z1", "--explain", "z1[0,2]"
    )
    assert "e.g. L[2] = -log a2[1,2] = -log(0.5) = 0.693147;" in run(
        "configs/batch.yaml", "--only", "loss", "--explain", "loss[2]"
    )


def test_a_value_of_one_entry_is_named_without_brackets_even_before_the_config():
    out = run("--explain", "loss", SEED, "--only", "loss")
    assert out.rstrip().endswith("e.g. L = -log a2[1,0] = -log(6.9144e-13) = 28") and out == run(
        SEED, "--explain", "loss[0]", "--only", "loss"
    )


def test_a_bare_explain_keeps_the_config_after_it_and_adds_to_the_entries_named():
    assert run("--explain", SEED) == run(SEED, "--explain")
    out = run("--explain", "W1[1,0]", SEED, "--explain", "--only", "W1n")
    assert "e.g. W1[0,0] ← 1 - 0.1·6 = 0.4\ne.g. W1[1,0] ← 0 - 0.1·28 = -2.8" in out


@pytest.mark.parametrize("entry,message", [
    ("W9[0,0]", "W9[0,0]: W9 has no worked example; name a computed value as the worked lines do (z1, a1, dL/dz1"),
    ("W1nn[0,0]", "W1nn[0,0]: W1nn has no worked example (did you mean W1n?)"),
    ("z[0,0]", "z[0,0]: z has no worked example (did you mean z2?)"),
    ("W1[2,0]", "W1[2,0]: W1 is 2x4, so index 2 is out of range (0 to 1)"),
    ("W1[0]", "W1[0]: W1 is 2x4; write 2 indices, e.g. W1[0,0]"),
    ("loss[1]", "loss[1]: loss is 1, so index 1 is out of range (0 to 0)"),
    ("W1[1,0", "W1[1,0 is not an entry; write NAME[i,j]"),
    ("x[0,0]", "x[0,0]: x has no worked example"),
    ("W1", "W1: W1 is 2x4; write 2 indices, e.g. W1[0,0]"),
])  # fmt: skip
def test_a_bad_entry_to_explain_is_one_line_naming_it(entry, message):
    result = runner.invoke(app, ["run", SEED, "--explain", entry])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: --explain: {message}") and result.stderr.count("\n") == 1, result.stderr


def test_an_entry_to_explain_must_be_printed_and_not_frozen():
    result = runner.invoke(app, ["run", SEED, "--only", "a1", "--explain", "W1[1,0]"])
    assert result.exit_code == 2 and "W1[1,0]: --only leaves updated.W1 out; add it to --only" in result.stderr
    result = runner.invoke(app, ["run", "configs/mazur.yaml", "--explain", "b1[]"])
    assert result.exit_code == 2 and "b1[]: b1 is frozen: its update works nothing out" in result.stderr
    assert "e.g. dL/db1 = 0.00877135 + 0.00995425 = 0.0187256" in run("configs/mazur.yaml", "--explain", "dL/db1[]")


def test_worked_lines_are_priced_before_they_are_worked_out(tmp_path):
    config = tmp_path / "big.yaml"
    assert (
        runner.invoke(
            app, ["init", "--layers", "100,100,10", "--batch", "100", "--seed", "2", "-o", str(config)]
        ).exit_code
        == 0
    )
    entries = " ".join(f"z1[{i},{j}]" for i in range(100) for j in range(100))
    result = runner.invoke(
        app, ["run", str(config), "--only", "z1,W1n", "--explain", entries, "--explain", entries.replace("z1", "W1")]
    )
    assert result.exit_code == 2 and "the output would draw 400,138 cells, more than the 300,000" in result.stderr


def test_explain_in_markdown_and_latex():
    assert "e.g. `z1[0,0] = 1·3 + 0·14 + (-1) = 2`" in run(SEED, "--explain", "--format", "markdown")
    assert "  - e.g. `L = -log a2[1,0] = -log(6.9144e-13) = 28`" in run(SEED, "--explain", "--format", "markdown")
    out = run(SEED, "--explain", "--format", "latex")
    assert "\\noindent e.g.\\ \\(z_{1}[0,0] = 1\\cdot 3 + 0\\cdot 14 + (-1) = 2\\)" in out
    assert "e^{15} / (e^{15} + e^{-13})" in out
    assert "L = -\\mathrm{log} a_{2}[1,0] = -\\mathrm{log}(6.9144 \\times 10^{-13}) = 28" in out
    out = runner.invoke(app, ["run", "-", "--explain", "--format", "latex"], input=SOFTMAX_MSE).stdout
    assert "- \\sum a_{1}\\cdot" in out and "Σ" not in out


@pytest.mark.slow  # pdflatex: a second a document
@pytest.mark.skipif(__import__("shutil").which("pdflatex") is None, reason="no TeX engine installed")
@pytest.mark.parametrize("config", sorted(str(p) for p in __import__("pathlib").Path("configs").glob("*.yaml")))
def test_latex_compiles(tmp_path, config):
    import subprocess

    body = run(config, "--format", "latex", "--explain", "--steps", "12")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + body + "\\end{document}\n"
    )
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]


def test_only_final_loss_and_state_and_empty():
    out = json.loads(run("configs/adam.yaml", "--json", "--only", "final_loss,final_state"))
    assert set(out) == {"network", "layout", "final_loss", "final_state"} and set(out["final_state"]) == {
        "exp_avg",
        "exp_avg_sq",
    }
    result = runner.invoke(app, ["run", SEED, "--only", ""])
    assert result.exit_code == 2 and "--only: give one or more names" in result.stderr
    assert (
        "names (x, y, W1, w10, W2, w20, learning_rate, optimizer, z1, a1"
        in runner.invoke(app, ["run", SEED, "--only", "W9"]).stderr
    )


@pytest.mark.parametrize(
    "form,first", [("table", "Given ─"), ("markdown", "## Given"), ("latex", "\\paragraph{Given}")]
)
def test_given_is_the_first_section_in_every_format(form, first):
    out = run("configs/adam.yaml", "--format", form)
    assert out.index(first) < out.index("Forward pass")
    assert "optimizer" in out[: out.index("Forward pass")] and "learning rate" in out[: out.index("Forward pass")]


@pytest.mark.parametrize(
    "name,path",
    [
        ("x", "x"),
        ("W1", "W1"),
        ("y", "y"),
        ("w10", "w10"),
        ("given.W2", "W2"),
        ("learning_rate", "learning_rate"),
        ("optimizer", "optimizer"),
    ],
)
def test_only_names_what_is_given(name, path):
    out = json.loads(run(SEED, "--json", "--only", name))
    assert list(out) == ["network", "layout", "given"] and list(out["given"]) == [path]


def test_only_given_is_the_whole_given_object_and_w1_is_the_parameter_before_the_step():
    whole = json.loads(run(SEED, "--json"))
    assert json.loads(run(SEED, "--json", "--only", "given"))["given"] == whole["given"]
    assert "W1   2x4" in run(SEED, "--only", "W1") and "dL/dW1" not in run(SEED, "--only", "W1")


def test_json_and_another_format_is_refused():
    result = runner.invoke(app, ["run", SEED, "--json", "--format", "latex"])
    assert result.exit_code == 2 and "ask for two formats" in result.stderr


def test_output_keeps_the_mode_writes_through_devices_and_never_overwrites_an_input(tmp_path):
    import os
    import shutil

    target = tmp_path / "out.json"
    target.write_text("old")
    os.chmod(target, 0o664)
    assert runner.invoke(app, ["run", SEED, "--json", "-o", str(target)]).exit_code == 0
    assert oct(os.stat(target).st_mode & 0o777) == "0o664"
    assert runner.invoke(app, ["schema", "-o", "/dev/null"]).exit_code == 0
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")
    config = tmp_path / "seed.yaml"
    shutil.copy(SEED, config)
    result = runner.invoke(app, ["run", str(config), "--json", "-o", str(config)])
    assert result.exit_code == 2 and "is also an input" in result.stderr
    assert config.read_text() == open(SEED).read()
