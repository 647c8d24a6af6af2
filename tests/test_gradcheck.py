"""mlpstep gradcheck: backprop against central finite differences, on the user's network."""

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import runner

import mlpstep
from mlpstep.cli.app import app
from mlpstep.functions.activations import Tanh
from mlpstep.gradcheck import gradcheck

CONFIGS = sorted(str(p) for p in Path("configs").glob("*.yaml"))


@pytest.mark.parametrize("config", CONFIGS)
def test_gradcheck_passes_on_every_bundled_config(config):
    result = runner.invoke(app, ["gradcheck", config])
    assert result.exit_code == 0, result.stdout
    assert "over tolerance" not in result.stdout


def test_gradcheck_json():
    out = json.loads(runner.invoke(app, ["gradcheck", "configs/seed.yaml", "--json"]).stdout)
    assert out["ok"] and [c["name"] for c in out["checks"]] == ["z2", "a1", "z1", "W2", "w20", "W1", "w10"]
    assert all(c["max_rel"] < 1e-6 for c in out["checks"])


def test_gradcheck_catches_a_wrong_derivative(monkeypatch):
    monkeypatch.setattr(Tanh, "derivative", lambda self, z, a: 1.0 - a)  # should be 1 - a²
    result = runner.invoke(app, ["gradcheck", "configs/three_layer.yaml"])
    assert result.exit_code == 1
    assert "dL/dz1" in result.stdout and "over tolerance" in result.stdout and "dL/dz3" in result.stdout
    out = json.loads(runner.invoke(app, ["gradcheck", "configs/three_layer.yaml", "--json"]).stdout)
    bad = {c["name"] for c in out["checks"] if not c["ok"]}
    assert {"z1", "W1", "w10"} <= bad and "z3" not in bad and "W3" not in bad


def test_big_tensors_are_sampled(tmp_path):
    from mlpstep.gradcheck import MAX_ENTRIES, gradcheck

    rng = np.random.default_rng(0)
    config = {
        "input": rng.normal(size=60).tolist(),
        "label": 1,
        "loss": "nll",
        "learning_rate": 0.1,
        "layers": [
            {"weights": (rng.normal(size=(60, 50)) / 8).tolist(), "bias": [0.0] * 50, "activation": "tanh"},
            {"weights": (rng.normal(size=(50, 3)) / 8).tolist(), "bias": [0.0] * 3, "activation": "softmax"},
        ],
    }
    checks = {c.name: c for c in gradcheck(mlpstep.load(config))}
    assert checks["W1"].entries == MAX_ENTRIES and all(c.ok for c in checks.values())


@pytest.mark.parametrize(
    "args,message", [(["--eps", "0"], "--eps: 0.0 is not allowed"), (["--tol", "-1"], "--tol: -1.0 is not allowed")]
)
def test_bad_options(args, message):
    result = runner.invoke(app, ["gradcheck", "configs/seed.yaml", *args])
    assert result.exit_code == 2 and result.stderr.startswith("error: " + message)


KINKED = """\
input: [-2, -2]
label: 1
loss: nll
learning_rate: 0.1
layers:
  - {weights: [[2, -1, -2], [-1, 0, 2]], bias: [0, -1, 0], activation: relu}
  - {weights: [[1, 2], [1, 2], [-2, 2]], bias: [-1, 0], activation: softmax}
"""
"""mlpstep init --layers 2,3,2 --integers --seed 2 before it redrew kinks: z1 = [-2, 1, 0]."""
AT_ZERO = "not differentiable here (z = 0): ReLU'(0) is a convention"


def test_entries_at_a_relu_kink_are_named_and_left_out():
    result = runner.invoke(app, ["gradcheck", "-", "--json"], input=KINKED)
    assert result.exit_code == 0, result.stdout
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert {name: c["not_differentiable"] for name, c in checks.items() if c["not_differentiable"]} == {
        "z1": [[2, 0]],
        "W1": [[0, 2], [1, 2]],
        "w10": [[2, 0]],
    }
    assert {c["reason"] for c in checks.values()} == {"", AT_ZERO}
    assert all(c["ok"] and c["max_rel"] < 1e-6 for c in checks.values())


def test_the_table_names_the_entries_at_a_kink():
    result = runner.invoke(app, ["gradcheck", "-"], input=KINKED)
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and "ok (2 at a kink)" in result.stdout
    assert lines[-2:] == [
        f"dL/dz1[2][0], dL/dW1[0][2], dL/dW1[1][2], dL/dw10[2][0]: {AT_ZERO}; left out",
        "7/7 within 1e-05",
    ]


def test_a_long_list_of_entries_at_a_kink_is_cut_to_a_dozen():
    config = {
        "input": [[0, 0]] * 10,
        "label": [1] * 10,
        "loss": "nll",
        "learning_rate": 0.1,
        "layers": [
            {"weights": [[1, 2, 3], [4, 5, 6]], "bias": [0, 0, 0], "activation": "relu"},
            {"weights": [[1, 2], [1, 2], [-2, 2]], "bias": [-1, 0], "activation": "softmax"},
        ],
    }
    result = runner.invoke(app, ["gradcheck", "-", "--json"], input=json.dumps(config))
    assert [len(c["not_differentiable"]) for c in json.loads(result.stdout)["checks"]] == [0, 0, 30, 0, 0, 0, 3]
    line = runner.invoke(app, ["gradcheck", "-"], input=json.dumps(config)).stdout.splitlines()[-2]
    assert line.startswith("dL/dz1[0][0], dL/dz1[0][1], ") and line.endswith(f", and 21 more: {AT_ZERO}; left out")


def test_a_relu_input_within_the_step_of_zero_is_at_a_kink_too():
    from mlpstep.gradcheck import gradcheck

    config = {
        "input": [1.0],
        "label": [0.5],
        "loss": "squared",
        "learning_rate": 0.1,
        "layers": [
            {"weights": [[1.0]], "bias": [-1.0 + 1e-9], "activation": "relu"},
            {"weights": [[1.0]], "bias": [0.0], "activation": "linear"},
        ],
    }
    checks = {c.name: c for c in gradcheck(mlpstep.load(config))}
    assert checks["z1"].not_differentiable == ((0, 0),) and checks["W1"].not_differentiable == ((0, 0),)
    assert checks["a1"].not_differentiable == () and all(c.ok for c in checks.values())


def test_entries_beside_a_kink_are_still_checked(monkeypatch):
    from mlpstep.functions.activations import ReLU

    monkeypatch.setattr(ReLU, "backward", lambda self, z, a, da, out=None: 0.5 * da)  # should be 0 or da
    out = json.loads(runner.invoke(app, ["gradcheck", "-", "--json"], input=KINKED).stdout)
    bad = {c["name"] for c in out["checks"] if not c["ok"]}
    assert not out["ok"] and bad == {"z1", "W1", "w10"}


@pytest.mark.parametrize("sizes,seed", [([4, 2, 3, 2, 2], 9), ([4, 2, 3, 2, 2], 47), ([3, 5, 4, 3], 174)])
def test_a_zero_gradient_under_a_large_loss_is_not_failed_on_round_off(sizes, seed):
    from mlpstep.scaffold import make_config

    problem = mlpstep.load(make_config(sizes, None, "nll", True, seed, 3, "columns", 0.1))
    assert mlpstep.step(problem).loss > 95  # a saturated softmax: L(θ ± h) are good to about 1e-14, h is 1e-6
    assert all(check.ok for check in gradcheck(problem))


def test_a_wrong_gradient_of_a_tenth_of_a_percent_is_still_caught(monkeypatch):
    from mlpstep import engine

    real = engine.step

    def off(problem, show=1):
        trace = real(problem, show)
        trace.grads["W1"] = trace.grads["W1"] * 1.001
        return trace

    monkeypatch.setattr("mlpstep.gradcheck.step", off)
    checks = {check.name: check for check in gradcheck(mlpstep.load("configs/seed.yaml"))}
    assert not checks["W1"].ok and all(check.ok for name, check in checks.items() if name != "W1")
