"""mlpstep gradcheck: backprop against central finite differences, on the user's network."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import mlpstep
from mlpstep.cli import app
from mlpstep.functions import Tanh

runner = CliRunner()
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
    config = {"input": rng.normal(size=60).tolist(), "label": 1, "loss": "nll", "learning_rate": 0.1,
              "layers": [{"weights": (rng.normal(size=(60, 50)) / 8).tolist(), "bias": [0.0] * 50, "activation": "tanh"},
                         {"weights": (rng.normal(size=(50, 3)) / 8).tolist(), "bias": [0.0] * 3, "activation": "softmax"}]}
    checks = {c.name: c for c in gradcheck(mlpstep.load(config))}
    assert checks["W1"].entries == MAX_ENTRIES and all(c.ok for c in checks.values())


@pytest.mark.parametrize("args,message", [(["--eps", "0"], "--eps: 0.0 is not allowed"), (["--tol", "-1"], "--tol: -1.0 is not allowed")])
def test_bad_options(args, message):
    result = runner.invoke(app, ["gradcheck", "configs/seed.yaml", *args])
    assert result.exit_code == 2 and result.stderr.startswith("error: " + message)
