"""Training options against torch.optim in float64: SGD (momentum, dampening, Nesterov,
weight decay), Adam and AdamW (amsgrad, maximize), RMSprop and Adagrad, starting states,
bias modes, frozen parameters, several steps.

tests/golden/torch_optim_cases.json was computed by tests/golden/torch_optim_reference.py
(regenerate with: pip install torch==2.13.0 && python tests/golden/make_optim_golden.py).
"""

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import runner

import mlpstep
import mlpstep.optimizers
from mlpstep.cli.app import app

GOLDEN = Path(__file__).parent / "golden"
CASES = json.loads((GOLDEN / "torch_optim_cases.json").read_text())["cases"]


def close(actual, expected, what):
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=1e-9, atol=1e-12, err_msg=what
    )


def assert_trains_like_torch(config, expected):
    problem = mlpstep.load(config)
    for k in range(1, problem.steps + 1):
        trace = mlpstep.step(problem, show=k)
        close(trace.losses, expected["losses"], "losses")
        for name, value in expected["grads"][k - 1].items():
            close(trace.grads[name], value, f"step {k} grads.{name}")
        assert list(trace.updated) == list(expected["params"][k - 1])
        for name, value in expected["params"][k - 1].items():
            assert np.shape(trace.updated[name]) == np.shape(value), name
            close(trace.updated[name], value, f"step {k} updated.{name}")
        state = trace.state_by_key()
        assert sorted(state) == sorted({key for s in [expected["states"][k - 1]] for key in s}), f"step {k} state keys"
        for key, values in expected["states"][k - 1].items():
            if key == "step":
                assert state["step"] == values
                continue
            for name, value in values.items():
                close(state[key][name], value, f"step {k} {key}.{name}")
    close(trace.final_loss, expected["loss_after"], "loss after the last step")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_training_matches_torch_optim(case):
    assert_trains_like_torch(case["config"], case["expected"])


def test_golden_cases_cover_every_option():
    configs = [case["config"] for case in CASES]
    optimizers = [c.get("optimizer", "sgd") for c in configs]
    names = {o if isinstance(o, str) else o["name"] for o in optimizers}
    options = {key for o in optimizers if isinstance(o, dict) for key in o}
    assert names == set(mlpstep.optimizers.OPTIMIZERS) == {"sgd", "adam", "adamw", "rmsprop", "adagrad"}
    assert {option.name for kind in mlpstep.optimizers.OPTIMIZERS.values() for option in kind.options} | {
        "state"
    } <= options
    assert {c.get("steps", 1) for c in configs} == {1, 3}
    biases = [layer.get("bias", "none") for c in configs for layer in c["layers"]]
    assert any(isinstance(b, (int, float)) for b in biases) and "none" in biases
    assert any(c.get("freeze") for c in configs)


def mazur():
    return mlpstep.step(mlpstep.load("configs/mazur.yaml"))


def test_mazur_reproduces_his_updated_weights():
    trace = mazur()
    # w1..w4 and w5..w8 after one step, as his post prints them
    np.testing.assert_allclose(trace.updated["W1"], [[0.149780716, 0.19956143], [0.24975114, 0.29950229]], atol=5e-9)
    np.testing.assert_allclose(trace.updated["W2"], [[0.35891648, 0.408666186], [0.511301270, 0.561370121]], atol=5e-9)
    assert trace.loss == pytest.approx(0.298371109, abs=5e-10)


def test_mazur_loss_after_the_update():
    assert mazur().loss_after == pytest.approx(0.29102777, abs=5e-9)  # his post prints 0.291027924


def test_frozen_parameters_stay_bit_identical():
    trace = mazur()
    assert trace.updated["b1"] is trace.params["b1"] and float(trace.updated["b1"]) == 0.35
    assert float(trace.final["b2"]) == 0.60
    assert "b1" not in trace.state


# -- bias modes against hand-derived values ---------------------------------------------


def one_layer(bias, x=(1.0, 2.0)):
    config = {
        "input": list(x),
        "label": [0.0, 0.0],
        "loss": "half_squared",
        "learning_rate": 0.5,
        "layers": [{"weights": [[1.0, 0.0], [0.0, 1.0]], "activation": "linear"}],
    }
    if bias is not None:
        config["layers"][0]["bias"] = bias
    return mlpstep.step(mlpstep.load(config))


def test_shared_bias_gets_the_sum_of_the_units_gradients():
    # z = x + b = [1.5, 2.5], L = (1.5^2 + 2.5^2)/2, dL/dz = z; dL/db = 1.5 + 2.5 = 4; b' = 0.5 - 0.5*4 = -1.5
    trace = one_layer(0.5)
    np.testing.assert_array_equal(trace.forward["z1"], [[1.5], [2.5]])
    assert trace.grads["w10"].shape == () and float(trace.grads["w10"]) == 4.0
    assert float(trace.updated["w10"]) == -1.5


@pytest.mark.parametrize("bias", [None, "none", "None"])
def test_no_bias_means_no_bias_parameter(bias):
    trace = one_layer(bias)
    np.testing.assert_array_equal(trace.forward["z1"], [[1.0], [2.0]])
    assert list(trace.updated) == ["W1"] and "w10" not in trace.grads
    assert "w10" not in trace.to_dict()["updated"]


def test_shared_bias_json_is_a_number():
    out = one_layer(0.5).to_dict()
    assert out["updated"]["w10"] == -1.5 and out["grads"]["w10"] == 4.0


# -- several steps -------------------------------------------------------------------------


def test_steps_continue_from_the_previous_update():
    one = mlpstep.step(mlpstep.load("configs/seed.yaml"))
    import dataclasses

    problem = dataclasses.replace(mlpstep.load("configs/seed.yaml"), steps=2)
    second = mlpstep.step(problem, show=2)
    for name, value in one.updated.items():
        np.testing.assert_array_equal(second.params[name], value)
    assert second.losses[1] == one.loss_after
    out = second.to_dict()
    assert out["step"] == 2 and len(out["losses"]) == 2 and set(out["final"]) == set(one.updated)


def test_loss_after_is_the_loss_with_the_updated_parameters():
    trace = mlpstep.step(mlpstep.load("configs/seed.yaml"))
    config = {
        "input": [3, 14],
        "label": 1,
        "loss": "nll",
        "learning_rate": 0.1,
        "layers": [
            {
                "weights": trace.updated["W1"].tolist(),
                "bias": trace.updated["w10"].ravel().tolist(),
                "activation": "relu",
            },
            {
                "weights": trace.updated["W2"].tolist(),
                "bias": trace.updated["w20"].ravel().tolist(),
                "activation": "softmax",
            },
        ],
    }
    assert trace.loss_after == mlpstep.step(mlpstep.load(config)).loss


@pytest.mark.slow  # imports PyTorch
def test_live_torch_on_the_golden_configs_with_more_steps():
    pytest.importorskip("torch")
    from torch_optim_reference import torch_train

    for case in CASES[1::8]:
        config = {**case["config"], "steps": 5}
        assert_trains_like_torch(config, torch_train(config))


def test_json_has_the_state_after_the_last_step_too():
    out = json.loads(runner.invoke(app, ["run", "configs/adam.yaml", "--json"]).stdout)
    assert out["optimizer_state"]["step"] == 1 and out["final_state"]["step"] == 3
    assert set(out["final_state"]) == {"step", "exp_avg", "exp_avg_sq"}


def test_rows_layout_state_bias_may_be_a_column():
    config = {**mlpstep.load("configs/mazur.yaml").__dict__}  # noqa: F841 - the file is the source
    import yaml

    with open("configs/mazur.yaml") as f:
        data = yaml.safe_load(f)
    data["freeze"] = ["b1", "W1", "W2"]
    data["layers"][1]["bias"] = [0.6, 0.6]
    data["optimizer"] = {"name": "sgd", "momentum": 0.9, "state": {"momentum_buffer": {"b2": [[0.1], [0.2]]}}}
    trace = mlpstep.step(mlpstep.load(data))
    np.testing.assert_allclose(trace.state["b2"]["momentum_buffer"], 0.9 * np.array([0.1, 0.2]) + trace.grads["b2"])
