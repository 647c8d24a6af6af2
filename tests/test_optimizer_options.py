"""Optimizers and options added after SGD, Adam and AdamW: Adam's and AdamW's amsgrad and maximize
(torch.optim's rules over several steps are checked against tests/golden/torch_optim_cases.json
in test_optimizers.py): the config, the state (torch's state dict keys) shown and taken as a
start, the settings in JSON, the formulas and worked updates, and check's hints."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import mlpstep
from mlpstep.cli.app import app
from mlpstep.loading.config import find_errors
from mlpstep.optimizers import OPTIMIZERS

runner = CliRunner()
CASES = json.loads((Path(__file__).parent / "golden" / "torch_optim_cases.json").read_text())["cases"]


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
    return {
        key
        for case in CASES
        for o in [case["config"].get("optimizer")]
        if isinstance(o, dict) and o["name"] == name
        for key in o
    }


# -- adam and adamw: amsgrad, maximize ------------------------------------------------------


def test_golden_cases_cover_amsgrad_and_maximize_for_adam_and_adamw_with_a_starting_state():
    assert {"amsgrad", "maximize", "state"} <= options_in_golden("adam")
    assert {"amsgrad", "maximize"} <= options_in_golden("adamw")
    assert any(
        "max_exp_avg_sq" in case["config"]["optimizer"].get("state", {})
        for case in CASES
        if isinstance(case["config"].get("optimizer"), dict)
    )


def test_amsgrad_keeps_the_largest_second_moment_as_torch_names_it():
    trace = mlpstep.step(mlpstep.load(seed({"name": "adam", "amsgrad": True}, steps=2)), show=2)
    state = trace.state_by_key()
    assert list(state) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    first = mlpstep.step(mlpstep.load(seed({"name": "adam", "amsgrad": True})))
    for name in trace.updated:
        np.testing.assert_array_equal(
            state["max_exp_avg_sq"][name], np.maximum(first.state[name]["max_exp_avg_sq"], state["exp_avg_sq"][name])
        )


def test_maximize_steps_up_the_gradient():
    down = mlpstep.step(mlpstep.load(seed("adam")))
    up = mlpstep.step(mlpstep.load(seed({"name": "adam", "maximize": True})))
    for name, before in down.params.items():
        np.testing.assert_allclose(up.updated[name] - before, before - down.updated[name], rtol=1e-12, atol=1e-15)
    assert up.loss_after > up.loss > down.loss_after


def test_the_flags_are_in_the_settings_only_when_set():
    assert json.loads(run(seed("adam"), "--json"))["given"]["optimizer"] == {
        "name": "adam",
        "betas": [0.9, 0.999],
        "eps": 1e-08,
        "weight_decay": 0.0,
    }
    assert json.loads(run(seed({"name": "adamw", "amsgrad": True}), "--json"))["given"]["optimizer"] == {
        "name": "adamw",
        "betas": [0.9, 0.999],
        "eps": 1e-08,
        "weight_decay": 0.01,
        "amsgrad": True,
    }
    assert "adam (betas 0.9, 0.999, eps 1e-08, amsgrad, maximize)" in run(
        seed({"name": "adam", "amsgrad": True, "maximize": True}), "--format", "markdown"
    )


def test_a_starting_state_with_amsgrad_needs_its_largest_second_moment():
    state = {
        "step": 3,
        "exp_avg": {"W1": 0, "w10": 0, "W2": 0, "w20": 0},
        "exp_avg_sq": {"W1": 0, "w10": 0, "W2": 0, "w20": 0},
    }
    assert one_error(seed({"name": "adam", "amsgrad": True, "state": state})) == (
        "optimizer.state.max_exp_avg_sq: missing; add it"
    )
    shapes = {"W1": [[0] * 4] * 2, "w10": [0] * 4, "W2": [[0] * 2] * 4, "w20": [0] * 2}
    negative = {**state, "exp_avg": shapes, "exp_avg_sq": shapes, "max_exp_avg_sq": {**shapes, "w20": [0, -1]}}
    assert one_error(seed({"name": "adam", "amsgrad": True, "state": negative})) == (
        "optimizer.state.max_exp_avg_sq.w20: a second moment is never negative"
    )


@pytest.mark.parametrize(
    "optimizer,message",
    [
        ({"name": "adam", "amsgrad": 1}, "optimizer.amsgrad: 1 is a number; give true or false"),
        ({"name": "adamw", "maximise": True}, "optimizer.maximise: unknown key (did you mean maximize?)"),
        ({"name": "sgd", "maximize": True}, "optimizer.maximize: unknown key"),
    ],
)
def test_a_wrong_flag_is_named_by_its_path(optimizer, message):
    assert one_error(seed(optimizer)).startswith(message)


def test_amsgrad_and_maximize_in_the_formulas_and_worked_updates():
    out = run(seed({"name": "adam", "amsgrad": True, "maximize": True}, steps=2), "--explain", "W2[0,0]")
    assert "W2 ← W2 - 0.1 m̂ / (√(vmax / (1 - 0.999^t)) + 1e-08)" in out
    assert "m W1: m ← 0.9 m + 0.1 (-g)" in out and "vmax W1: vmax ← max(vmax, v)" in out
    assert "e.g. W2[0,0] ← 1 - 0.1·(-2)/(√4 + 1e-08) = 1.1" in out  # dL/dW2[0,0] = 2, maximized: -2
    latex = run(seed({"name": "adam", "amsgrad": True}), "--format", "latex")
    assert r"\sqrt{\text{ vmax} / (1 - 0.999^t)}" in latex


# -- rmsprop and adagrad ------------------------------------------------------------------------


def test_golden_cases_cover_every_option_of_rmsprop_and_adagrad_and_their_starting_states():
    assert options_in_golden("rmsprop") == {"name", "alpha", "eps", "weight_decay", "momentum", "centered", "state"}
    assert options_in_golden("adagrad") == {
        "name",
        "lr_decay",
        "weight_decay",
        "initial_accumulator_value",
        "eps",
        "state",
    }
    states = [
        set(case["config"]["optimizer"]["state"])
        for case in CASES
        if isinstance(case["config"].get("optimizer"), dict) and "state" in case["config"]["optimizer"]
    ]
    assert {"step", "square_avg", "momentum_buffer", "grad_avg"} in states and {"step", "sum"} in states


@pytest.mark.parametrize(
    "optimizer,keys",
    [
        ("rmsprop", ["step", "square_avg"]),
        ({"name": "rmsprop", "momentum": 0.9}, ["step", "square_avg", "momentum_buffer"]),
        ({"name": "rmsprop", "centered": True, "momentum": 0.5}, ["step", "square_avg", "momentum_buffer", "grad_avg"]),
        ("adagrad", ["step", "sum"]),
    ],
)
def test_the_state_is_keyed_as_torchs_state_dict(optimizer, keys):
    out = json.loads(run(seed(optimizer, steps=2), "--json"))
    assert list(out["optimizer_state"]) == list(out["final_state"]) == keys
    assert out["final_state"]["step"] == 2


def test_rmsprop_settings_and_description_spell_out_every_option():
    out = json.loads(run(seed({"name": "rmsprop", "centered": True}), "--json"))
    assert out["given"]["optimizer"] == {
        "name": "rmsprop",
        "alpha": 0.99,
        "eps": 1e-08,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": True,
    }
    assert "rmsprop (alpha 0.99, eps 1e-08, centered)" in run(
        seed({"name": "rmsprop", "centered": True}), "--format", "markdown"
    )


def test_adagrad_starts_its_sum_at_the_initial_accumulator_value_and_decays_its_rate():
    problem = mlpstep.load(seed({"name": "adagrad", "lr_decay": 0.5, "initial_accumulator_value": 1.0}, steps=3))
    first, third = mlpstep.step(problem), mlpstep.step(problem, show=3)
    g = first.grads["W2"]
    np.testing.assert_array_equal(first.state["W2"]["sum"], 1.0 + g * g)
    g3, total = third.grads["W2"], third.state["W2"]["sum"]
    expected = third.params["W2"] - 0.1 / (1 + 2 * 0.5) * g3 / (np.sqrt(total) + 1e-10)
    np.testing.assert_allclose(third.updated["W2"], expected, rtol=1e-15)
    assert json.loads(run(seed("adagrad"), "--json"))["given"]["optimizer"] == {
        "name": "adagrad",
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    }


@pytest.mark.parametrize(
    "optimizer,message",
    [
        ({"name": "rmsprop", "alpha": 1.5}, "optimizer.alpha: 1.5 is not allowed; give a number from 0 to 1"),
        ({"name": "rmsprop", "centered": "yes"}, "optimizer.centered: 'yes' is text; give true or false"),
        ({"name": "rmsprop", "betas": [0.9, 0.99]}, "optimizer.betas: unknown key"),
        ({"name": "adagrad", "lr_decay": -1}, "optimizer.lr_decay: -1 is not allowed; give a number >= 0"),
        ({"name": "adagrad", "eps": 0}, "optimizer.eps: 0 is not allowed; give a number > 0"),
        (
            {"name": "adagrad", "initial_accumulator": 1},
            "optimizer.initial_accumulator: unknown key (did you mean initial_accumulator_value?)",
        ),
        (
            {"name": "rmsprop", "momentum": 0.9, "state": {"step": 1, "square_avg": {}}},
            "optimizer.state.momentum_buffer: missing; add it",
        ),
        ("adadelta", "optimizer.name: 'adadelta' is not one of sgd, adam, adamw, rmsprop, adagrad"),
    ],
)
def test_a_wrong_option_or_state_is_named_by_its_path(optimizer, message):
    assert one_error(seed(optimizer)).startswith(message)


def test_a_starting_sum_of_squares_is_never_negative():
    shapes = {"W1": [[0.5] * 4] * 2, "w10": [0.5] * 4, "W2": [[0.5] * 2] * 4, "w20": [0.5, -0.5]}
    assert one_error(seed({"name": "adagrad", "state": {"step": 4, "sum": shapes}})) == (
        "optimizer.state.sum.w20: a sum of squares is never negative"
    )
    trace = mlpstep.step(
        mlpstep.load(seed({"name": "adagrad", "state": {"step": 4, "sum": {**shapes, "w20": [0.5, 0.5]}}}))
    )
    assert trace.state["W1"]["step"] == 5
    np.testing.assert_array_equal(trace.state["W1"]["sum"], 0.5 + trace.grads["W1"] ** 2)


def test_rmsprop_formulas_and_worked_update():
    out = run(seed({"name": "rmsprop", "centered": True, "momentum": 0.9}), "--explain", "W2[0,0]")
    for text in (
        "W2 ← W2 - 0.1 buf",
        "v W2: v ← 0.99 v + 0.01 g²",
        "m W2: m ← 0.99 m + 0.01 g",
        "buf W2: buf ← 0.9 buf + g / (√(v - m²) + 1e-08)",
    ):
        assert text in out, text
    assert "e.g. W2[0,0] ← 1 - 0.1·10.0504 = -0.00503776" in out  # buf = 2 / √(0.04 - 0.0004)
    plain = run(seed({"name": "rmsprop", "weight_decay": 0.5}), "--explain", "W2[0,0]")
    assert "W2 ← W2 - 0.1 (dL/dW2 + 0.5 W2) / (√v + 1e-08)" in plain
    assert (
        "e.g. W2[0,0] ← 1 - 0.1·2.5/(√0.0625 + 1e-08) = 4e-08" in plain
    )  # g = 2 + 0.5·1, v = 0.01 g²: 1 - 0.1·2.5/(0.25 + eps)
    latex = run(seed({"name": "rmsprop", "centered": True}), "--format", "latex")
    assert r"/ (\sqrt{v - m^{2}} + 1 \times 10^{-8})" in latex


def test_adagrad_formulas_and_worked_update():
    out = run(seed({"name": "adagrad", "lr_decay": 0.5}, steps=2), "--explain", "W2[0,0]", "--show-step", "2")
    assert "W2 ← W2 - 0.1 / (1 + (t - 1)·0.5) · dL/dW2 / (√s + 1e-10)" in out
    assert "s W2: s ← s + g²" in out
    assert "e.g. W2[0,0] ← " in out and "- 0.1 / (1 + 1·0.5)·" in out
    assert "s W2: s = g²" in run(seed("adagrad"))


@pytest.mark.parametrize("optimizer", ["rmsprop", "adagrad"])
def test_check_says_when_an_answer_is_a_plain_gradient_step(optimizer, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(seed(optimizer)))
    trace = mlpstep.step(mlpstep.load(str(config)))
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"W2n: {(trace.params['W2'] - 0.1 * trace.grads['W2']).tolist()}\n")
    result = runner.invoke(app, ["check", str(config), str(answers), "--json"])
    (answer,) = json.loads(result.stdout)["files"][0]["answers"]
    root = "√v" if optimizer == "rmsprop" else "√s"
    assert answer["hint"] == f"a plain gradient step W2 - 0.1 dL/dW2: {optimizer} divides it by {root}"


def test_the_schema_knows_every_optimizer_and_its_options():
    schema = json.loads((Path(mlpstep.__file__).parent / "schemas" / "config.schema.json").read_text())
    named, *mappings = schema["properties"]["optimizer"]["anyOf"]
    names = lambda pattern: re.sub(r"\[(\w)\w\]", r"\1", pattern).strip("^()$").split("|")  # noqa: E731
    assert names(named["pattern"]) == list(OPTIMIZERS)
    options = {
        name: set(form["properties"]) - {"name", "state"}
        for form in mappings
        for name in names(form["properties"]["name"]["pattern"])
    }
    assert options == {name: {option.name for option in kind.options} for name, kind in OPTIMIZERS.items()}


@pytest.mark.slow  # live PyTorch
@pytest.mark.parametrize(
    "optimizer",
    [
        {"name": "adam", "amsgrad": True, "maximize": True, "weight_decay": 0.1},
        {"name": "adamw", "amsgrad": True, "betas": [0.5, 0.9]},
        {"name": "rmsprop", "alpha": 0.9, "momentum": 0.7, "centered": True, "weight_decay": 0.05},
        {"name": "rmsprop", "eps": 1e-3},
        {"name": "adagrad", "lr_decay": 0.2, "initial_accumulator_value": 0.3, "weight_decay": 0.1, "eps": 1e-6},
    ],
)
def test_live_torch_on_random_networks_over_three_steps(optimizer):
    pytest.importorskip("torch")
    import sys
    import zlib

    sys.path.insert(0, str(Path(__file__).parent / "golden"))
    from random_networks import random_config
    from test_optimizers import assert_trains_like_torch
    from torch_optim_reference import torch_train

    rng = np.random.default_rng(zlib.crc32(json.dumps(optimizer).encode()))
    for layout, batch, activation in (("columns", None, "tanh"), ("rows", 3, {"name": "elu", "alpha": 0.5})):
        data = random_config(rng, [3, 4, 2], [activation, "softmax"], "nll", layout, batch, "sum")
        data.update(optimizer=optimizer, steps=3, learning_rate=0.05)
        assert_trains_like_torch(data, torch_train(data))
