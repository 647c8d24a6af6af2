"""Optimizers and options added after SGD, Adam and AdamW: Adam's and AdamW's amsgrad and maximize
(torch.optim's rules over several steps are checked against tests/golden/torch_optim_cases.json
in test_optimizers.py): the config, the state (torch's state dict keys) shown and taken as a
start, the settings in JSON, the formulas and worked updates, and check's hints."""

import json

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import mlpstep
from mlpstep.cli.app import app
from mlpstep.loading.config import find_errors

runner = CliRunner()
CASES = json.loads((__import__("pathlib").Path(__file__).parent / "golden" / "torch_optim_cases.json").read_text())["cases"]


def seed(optimizer, **more) -> dict:
    with open("configs/seed.yaml") as f:
        data = yaml.safe_load(f)
    return {**data, "optimizer": optimizer, **more}


def one_error(data) -> str:
    errors = find_errors(data)
    assert len(errors) == 1, errors
    return str(errors[0])


def run(data, *args) -> str:
    result = runner.invoke(app, ["run", "-", *args], input=json.dumps(data))
    assert result.exit_code == 0, result.output
    return result.stdout


def options_in_golden(name):
    return {key for case in CASES for o in [case["config"].get("optimizer")] if isinstance(o, dict) and o["name"] == name
            for key in o}


# -- adam and adamw: amsgrad, maximize ------------------------------------------------------


def test_golden_cases_cover_amsgrad_and_maximize_for_adam_and_adamw_with_a_starting_state():
    assert {"amsgrad", "maximize", "state"} <= options_in_golden("adam")
    assert {"amsgrad", "maximize"} <= options_in_golden("adamw")
    assert any("max_exp_avg_sq" in case["config"]["optimizer"].get("state", {}) for case in CASES
               if isinstance(case["config"].get("optimizer"), dict))


def test_amsgrad_keeps_the_largest_second_moment_as_torch_names_it():
    trace = mlpstep.step(mlpstep.load(seed({"name": "adam", "amsgrad": True}, steps=2)), show=2)
    state = trace.state_by_key()
    assert list(state) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    first = mlpstep.step(mlpstep.load(seed({"name": "adam", "amsgrad": True})))
    for name in trace.updated:
        np.testing.assert_array_equal(state["max_exp_avg_sq"][name],
                                      np.maximum(first.state[name]["max_exp_avg_sq"], state["exp_avg_sq"][name]))


def test_maximize_steps_up_the_gradient():
    down = mlpstep.step(mlpstep.load(seed("adam")))
    up = mlpstep.step(mlpstep.load(seed({"name": "adam", "maximize": True})))
    for name, before in down.params.items():
        np.testing.assert_allclose(up.updated[name] - before, before - down.updated[name], rtol=1e-12, atol=1e-15)
    assert up.loss_after > up.loss > down.loss_after


def test_the_flags_are_in_the_settings_only_when_set():
    assert json.loads(run(seed("adam"), "--json"))["given"]["optimizer"] == {
        "name": "adam", "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.0}
    assert json.loads(run(seed({"name": "adamw", "amsgrad": True}), "--json"))["given"]["optimizer"] == {
        "name": "adamw", "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.01, "amsgrad": True}
    assert "adam (betas 0.9, 0.999, eps 1e-08, amsgrad, maximize)" in run(
        seed({"name": "adam", "amsgrad": True, "maximize": True}), "--format", "markdown")


def test_a_starting_state_with_amsgrad_needs_its_largest_second_moment():
    state = {"step": 3, "exp_avg": {"W1": 0, "w10": 0, "W2": 0, "w20": 0}, "exp_avg_sq": {"W1": 0, "w10": 0, "W2": 0, "w20": 0}}
    assert one_error(seed({"name": "adam", "amsgrad": True, "state": state})) == (
        "optimizer.state.max_exp_avg_sq: missing; add it")
    shapes = {"W1": [[0] * 4] * 2, "w10": [0] * 4, "W2": [[0] * 2] * 4, "w20": [0] * 2}
    negative = {**state, "exp_avg": shapes, "exp_avg_sq": shapes, "max_exp_avg_sq": {**shapes, "w20": [0, -1]}}
    assert one_error(seed({"name": "adam", "amsgrad": True, "state": negative})) == (
        "optimizer.state.max_exp_avg_sq.w20: a second moment is never negative")


@pytest.mark.parametrize("optimizer,message", [
    ({"name": "adam", "amsgrad": 1}, "optimizer.amsgrad: 1 is a number; give true or false"),
    ({"name": "adamw", "maximise": True}, "optimizer.maximise: unknown key (did you mean maximize?)"),
    ({"name": "sgd", "maximize": True}, "optimizer.maximize: unknown key"),
])
def test_a_wrong_flag_is_named_by_its_path(optimizer, message):
    assert one_error(seed(optimizer)).startswith(message)


def test_amsgrad_and_maximize_in_the_formulas_and_worked_updates():
    out = run(seed({"name": "adam", "amsgrad": True, "maximize": True}, steps=2), "--explain", "W2[0,0]")
    assert "W2 ← W2 - 0.1 m̂ / (√(vmax / (1 - 0.999^t)) + 1e-08)" in out
    assert "m W1: m ← 0.9 m + 0.1 (-g)" in out and "vmax W1: vmax ← max(vmax, v)" in out
    assert "e.g. W2[0,0] ← 1 - 0.1·(-2)/(√4 + 1e-08) = 1.1" in out  # dL/dW2[0,0] = 2, maximized: -2
    latex = run(seed({"name": "adam", "amsgrad": True}), "--format", "latex")
    assert r"\sqrt{\text{ vmax} / (1 - 0.999^t)}" in latex
