"""The command line: the JSON contract, the tables, stdin, help."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import SEED, runner

import mlpstep
from mlpstep.cli.app import app

CONFIGS = sorted(Path("configs").glob("*.yaml"))


def run_json(*args, **kwargs):
    result = runner.invoke(app, ["run", *args, "--json"], **kwargs)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_is_exactly_the_trace_dict():
    assert run_json(SEED) == mlpstep.step(mlpstep.load(SEED)).to_dict()


def test_json_contract_for_the_seed():
    out = run_json(SEED)
    assert list(out) == ["network", "layout", "given", "forward", "loss", "grads", "updated", "loss_after"]
    assert out["network"] == "x(2) -> relu(4) -> softmax(2) -> nll"
    assert list(out["forward"]) == ["z1", "a1", "z2", "a2"]
    assert out["forward"]["a1"] == [[2.0], [13.0], [0.0], [0.0]]
    assert out["loss"] == 28.000000000000693
    assert list(out["grads"]) == ["z2", "a1", "z1", "W2", "w20", "W1", "w10"]
    assert list(out["updated"]) == ["W1", "w10", "W2", "w20"]


def test_json_given_holds_the_problem_before_the_step():
    given = run_json(SEED)["given"]
    assert list(given) == ["x", "y", "W1", "w10", "W2", "w20", "learning_rate", "optimizer"]
    assert given["x"] == [[3.0], [14.0]] and given["y"] == [[0.0], [1.0]]  # label: 1, one-hot as the loss sees it
    assert given["W1"] == [[1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 0.0, -1.0]] and given["w10"] == [[-1.0]] * 4
    assert given["learning_rate"] == 0.1
    assert given["optimizer"] == {
        "name": "sgd",
        "momentum": 0.0,
        "dampening": 0.0,
        "nesterov": False,
        "weight_decay": 0.0,
    }


def test_json_given_is_shaped_as_the_output_in_the_rows_layout():
    out = run_json("configs/rows.yaml")
    assert out["given"]["x"] == [[3.0, 14.0]] and out["given"]["y"] == [[0.0, 1.0]]  # 1 x n, as z1 and a2
    assert out["given"]["b1"] == [-1.0] * 4  # flat, as updated.b1


@pytest.mark.parametrize("config", CONFIGS, ids=[c.name for c in CONFIGS])
def test_json_given_names_and_shapes_every_parameter_as_updated(config):
    out = run_json(str(config))
    params = {key: value for key, value in out["given"].items() if key not in ("x", "y", "learning_rate", "optimizer")}
    assert list(params) == list(out["updated"])
    assert all(np.shape(params[key]) == np.shape(out["updated"][key]) for key in params)
    points = 1 if out["layout"] == "columns" else 0  # the axis of the batch
    assert np.shape(out["given"]["x"])[points] == np.shape(out["forward"]["z1"])[points]
    assert np.shape(out["given"]["y"]) == np.shape(out["forward"][list(out["forward"])[-1]])  # as the output a


def test_json_given_of_a_later_step_is_the_parameters_before_it():
    first, second = run_json("configs/adam.yaml"), run_json("configs/adam.yaml", "--show-step", "2")
    assert second["given"]["W1"] == first["updated"]["W1"] and second["given"]["x"] == first["given"]["x"]
    assert second["given"]["optimizer"] == {"name": "adam", "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.0}


def test_json_floats_round_trip_at_full_precision():
    out = run_json(SEED)
    trace = mlpstep.step(mlpstep.load(SEED))
    assert out["forward"]["a2"][1][0] == float(trace.forward["a2"][1, 0]) == 6.914400106935422e-13
    assert out["updated"]["W1"][0][0] == float(trace.updated["W1"][0, 0])


def test_json_is_one_line_of_strict_json():
    result = runner.invoke(app, ["run", SEED, "--json"])
    assert result.stdout.count("\n") == 1 and result.stderr == ""
    json.loads(result.stdout, parse_constant=lambda token: pytest.fail(f"non-strict JSON token {token}"))


def test_rows_layout_shapes_and_bias_names():
    out = run_json("configs/rows.yaml")
    assert list(out["updated"]) == ["W1", "b1", "W2", "b2"]
    assert len(out["forward"]["z1"]) == 1  # 1 x n for one point
    assert all(isinstance(v, float) for v in out["grads"]["b1"])  # biases flat


def test_batch_columns_are_points():
    out = run_json("configs/batch.yaml")
    config = mlpstep.load("configs/batch.yaml")
    assert len(out["forward"]["a1"][0]) == config.batch_size  # n x batch


def test_stdin_dash_reads_the_config():
    assert run_json("-", input=Path(SEED).read_text()) == run_json(SEED)


def test_table_output_shows_every_value_of_the_seed():
    result = runner.invoke(app, ["run", SEED])
    assert result.exit_code == 0
    out = result.stdout
    for text in [
        "x(2) -> relu(4) -> softmax(2) -> nll",
        "z1 = W1ᵀ x + w10",
        "a1 = relu(z1)   4x1",
        "a2 = softmax(z2)   2x1",
        "6.9144001e-13",
        "L = nll(a2, y) = 28.000000000000693",
        "dL/dz2 = a2 - y",
        "dL/da1 = W2 dL/dz2",
        "dL/dz1 = dL/da1 ⊙ relu'(z1)",
        "dL/dW1 = x (dL/dz1)ᵀ   2x4",
        "W1 ← W1 - 0.1 dL/dW1",
        "-2.8",
        "-1.8",
        "2.1",
        "-0.1",
    ]:
        assert text in out, text
    assert (
        out.index("Given")
        < out.index("Forward pass")
        < out.index("Loss")
        < out.index("Backward pass")
        < out.index("Updated parameters")
    )


def test_table_output_in_a_pipe_has_no_escape_codes():
    result = runner.invoke(app, ["run", SEED])
    assert "\x1b[" not in result.stdout


def big_config(tmp_path):
    import numpy as np

    w = np.arange(50 * 40, dtype=float).reshape(50, 40) / 1000
    path = tmp_path / "big.json"
    path.write_text(
        json.dumps(
            {
                "input": [0.5] * 50,
                "label": [0.0] * 40,
                "loss": "squared",
                "learning_rate": 0.1,
                "layers": [{"weights": w.tolist(), "bias": [0.0] * 40, "activation": "tanh"}],
            }
        )
    )
    return str(path)


def test_big_matrices_are_elided_like_numpy(tmp_path):
    out = runner.invoke(app, ["run", big_config(tmp_path)]).stdout
    assert "W1 ← W1 - 0.1 dL/dW1   50x40" in out
    assert "⋯" in out and "⋮" in out
    assert "0.039" in out and "1.999" in out  # first row's last entry, last row's last
    assert "0.02 " not in out  # W1[0, 20] is elided


def test_full_shows_every_entry(tmp_path):
    out = runner.invoke(app, ["run", big_config(tmp_path), "--full"]).stdout
    assert "⋯" not in out and "⋮" not in out
    assert " 0.02 " in out


def test_wide_batches_fit_the_terminal_and_full_prints_every_column():
    from rich.cells import cell_len

    config = runner.invoke(app, ["init", "--layers", "4,30,5", "--batch", "50", "--seed", "1"]).stdout
    out = runner.invoke(app, ["run", "-"], input=config, env={"COLUMNS": "100"}).stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 100  # z2 is 5x50: 701 cells wide in full
    assert "z2 = W2ᵀ a1 + w20   5x50" in out and "⋯" in out
    full = runner.invoke(app, ["run", "-", "--full", "--only", "z2"], input=config, env={"COLUMNS": "100"}).stdout
    assert "⋯" not in full and max(cell_len(line) for line in full.splitlines()) > 700


@pytest.mark.parametrize("config", CONFIGS, ids=[c.name for c in CONFIGS])
def test_every_bundled_config_runs(config):
    assert runner.invoke(app, ["run", str(config)]).exit_code == 0
    assert run_json(str(config))["loss"] >= 0


def test_every_command_has_help_with_an_example():
    for command in ["run", "check", "answers", "schema", "validate", "init", "gradcheck"]:
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Example" in result.stdout


def test_version():
    assert runner.invoke(app, ["--version"]).stdout == f"mlpstep {mlpstep.__version__}\n"


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "mlpstep", "run", SEED, "--json"], capture_output=True, text=True)
    assert result.returncode == 0 and json.loads(result.stdout)["loss"] == 28.000000000000693


_SCRIPT = """
import sys
class Finalized:  # says so when Python's shutdown frees the module's globals
    def __del__(self):
        sys.stderr.write("shutdown ran\\n")
kept = Finalized()
{before}
sys.argv = ["mlpstep", *sys.argv[1:]]
from mlpstep.cli.app import script
script()
"""


@pytest.mark.parametrize(
    "args, code", [(["run", SEED, "--json"], 0), (["check", SEED, "configs/seed.yaml"], 2), (["--version"], 0)]
)
def test_the_command_ends_without_pythons_shutdown_and_keeps_its_output_and_exit_code(args, code):
    result = subprocess.run([sys.executable, "-c", _SCRIPT.format(before=""), *args], capture_output=True, text=True)
    assert result.returncode == code and "shutdown ran" not in result.stderr
    expected = runner.invoke(app, args)
    assert result.stdout == expected.stdout and result.stderr == expected.stderr


def test_output_larger_than_every_buffer_arrives_whole_before_the_quick_exit(tmp_path):
    config = tmp_path / "wide.yaml"
    made = runner.invoke(app, ["init", "--layers", "30,40,5", "--batch", "200", "--seed", "1", "-o", str(config)])
    assert made.exit_code == 0, made.output
    command = [sys.executable, "-m", "mlpstep", "run", str(config), "--json"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0 and len(result.stdout) > 200_000
    assert json.loads(result.stdout) == mlpstep.step(mlpstep.load(str(config))).to_dict()


@pytest.mark.parametrize(
    "before",
    [
        "import atexit; atexit.register(print, 'exit handler ran')",
        "import threading, time; threading.Thread(target=time.sleep, args=(0.5,)).start()",
    ],
)
def test_exit_handlers_or_threads_from_elsewhere_get_pythons_usual_shutdown(before):
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(before=before), "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("mlpstep ")
    assert "shutdown ran" in result.stderr
    assert ("exit handler ran" in result.stdout) == ("atexit" in before)


def test_help_does_not_import_numpy():
    code = "import sys; from mlpstep.cli.app import app; sys.exit('numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_json_path_does_not_import_rich():
    code = (
        "import sys; from mlpstep.cli.app import main; sys.argv = ['mlpstep', 'run', 'configs/seed.yaml', '--json']\n"
        "try: main()\nexcept SystemExit: pass\n"
        "sys.stderr.write(str(sorted(m for m in sys.modules if m.startswith('rich'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr == "[]"


def test_shell_completion_script():
    result = subprocess.run(
        [sys.executable, "-m", "mlpstep", "--show-completion", "bash"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
    )
    assert result.returncode == 0 and "_mlpstep_completion" in result.stdout


def test_a_bug_is_one_line_to_report_and_exit_3(monkeypatch):
    import mlpstep.kernel

    def broken(*args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(mlpstep.kernel.Run, "step", broken)
    result = runner.invoke(app, ["run", SEED])
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr == (
        "error: internal error (ZeroDivisionError: boom); please report it with the input that "
        "caused it (mlpstep --debug ... prints the traceback)\n"
    )
    assert isinstance(runner.invoke(app, ["--debug", "run", SEED]).exception, ZeroDivisionError)


def test_help_before_a_command_lists_every_command():
    result = subprocess.run(
        [sys.executable, "-m", "mlpstep", "--help", "run"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and all(name in result.stdout for name in ("run", "check", "answers", "gradcheck"))


def test_a_bare_mlpstep_prints_the_help_and_exits_2_as_typer_does():
    result = subprocess.run([sys.executable, "-m", "mlpstep"], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and result.stderr == ""
    assert "Usage: mlpstep [OPTIONS] COMMAND" in result.stdout
    assert all(name in result.stdout for name in ("run", "check", "answers", "init", "gradcheck", "schema", "validate"))
