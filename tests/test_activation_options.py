"""Activations with options: leaky_relu (negative_slope), elu (alpha), softplus (beta, threshold),
as torch.nn.functional has them: the config syntax and its messages, torch's values and derivatives
(golden cases in tests/golden/torch_cases.json and torch_optim_cases.json, and live torch), the
kinks, and their formulas in every format."""

import itertools
import json
import re
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from random_networks import random_config
from typer.testing import CliRunner

import mlpstep
from mlpstep.cli.app import app
from mlpstep.functions.activations import ACTIVATIONS

runner = CliRunner()
GOLDEN = Path(__file__).parent / "golden"
OPTIONS = {"leaky_relu": {"negative_slope"}, "elu": {"alpha"}, "softplus": {"beta", "threshold"}}
ONE_STEP = json.loads((GOLDEN / "torch_cases.json").read_text())["cases"]
STEPS = json.loads((GOLDEN / "torch_optim_cases.json").read_text())["cases"]


def config(*activations, x=(3.0, -2.0), label=(0.5, -1.0), loss="squared", **more):
    """A network of 2 inputs through one layer of 2 units per activation."""
    layers = [{"weights": [[1.0, -1.0], [0.5, 2.0]], "bias": [0.0, 0.0], "activation": a} for a in activations]
    return {"input": list(x), "label": list(label), "loss": loss, "learning_rate": 0.1, "layers": layers, **more}


def one_error(data) -> str:
    errors = mlpstep.loading.config.find_errors(data)
    assert len(errors) == 1, errors
    return str(errors[0])


def activations_of(case):
    return [layer["activation"] for layer in case["config"]["layers"]]


def name_of(activation):
    return activation if isinstance(activation, str) else activation["name"]


# -- the config ------------------------------------------------------------------------------


def test_the_name_alone_takes_torchs_defaults():
    layers = mlpstep.load(config("leaky_relu", "elu", "softplus")).layers
    assert [layer.activation.values() for layer in layers] == [
        {"negative_slope": 0.01},
        {"alpha": 1.0},
        {"beta": 1.0, "threshold": 20.0},
    ]


def test_a_mapping_sets_options_and_keeps_the_other_defaults():
    activation = mlpstep.load(config({"name": "Softplus", "beta": 2})).layers[0].activation
    assert activation.name == "softplus" and activation.values() == {"beta": 2.0, "threshold": 20.0}


@pytest.mark.parametrize(
    "activation,message",
    [
        (
            {"name": "leaky_relu", "negative_slope": "0.1"},
            "layers[0].activation.negative_slope: '0.1' is text; write the number without quotes or underscores",
        ),
        ({"name": "softplus", "beta": 0}, "layers[0].activation.beta: 0 is not allowed; give a number > 0"),
        ({"name": "elu", "alpah": 2}, "layers[0].activation.alpah: unknown key (did you mean alpha?)"),
        ({"name": "relu", "alpha": 2}, "layers[0].activation.alpha: unknown key (valid keys: name)"),
        (
            {"negative_slope": 0.1},
            "layers[0].activation.name: missing; add it (relu, sigmoid, tanh, linear, softmax, "
            "leaky_relu, elu or softplus)",
        ),
        (
            {"name": "leaky"},
            "layers[0].activation.name: 'leaky' is not one of relu, sigmoid, tanh, linear, softmax, "
            "leaky_relu, elu, softplus",
        ),
        (["elu"], "layers[0].activation: a list; expected one of relu, sigmoid"),
    ],
)
def test_a_wrong_option_is_named_by_its_path(activation, message):
    assert one_error(config(activation)).startswith(message)


def test_options_are_in_the_header_when_not_the_defaults():
    out = runner.invoke(
        app,
        ["run", "-", "--format", "markdown"],
        input=json.dumps(
            config(
                {"name": "leaky_relu", "negative_slope": 0.1}, "elu", {"name": "softplus", "beta": 2, "threshold": 5}
            )
        ),
    )
    assert out.exit_code == 0, out.output
    header = out.stdout.splitlines()[2]
    assert header == (
        "1 point · columns layout · learning rate 0.1 · leaky_relu (negative slope 0.1) · "
        "softplus (beta 2, threshold 5)"
    ), header


# -- against torch -----------------------------------------------------------------------------


def test_golden_cases_cover_every_option_in_hidden_and_output_layers_and_several_steps():
    for name, options in OPTIONS.items():
        with_options = [
            a for case in ONE_STEP for a in activations_of(case) if isinstance(a, dict) and a["name"] == name
        ]
        assert options == {key for a in with_options for key in a} - {"name"}
        assert any(name in activations_of(case) for case in ONE_STEP)  # the defaults
        outputs = {name_of(activations_of(case)[-1]) for case in ONE_STEP if name_of(activations_of(case)[-1]) == name}
        assert outputs == {name}
        several = [
            case for case in STEPS if case["config"].get("steps") == 3 and name in map(name_of, activations_of(case))
        ]
        assert {case["config"]["layout"] for case in several} == {"columns", "rows"}


def test_golden_cases_put_inputs_on_each_kink_and_past_softplus_threshold():
    kinks = {case["name"]: case for case in ONE_STEP if case["name"].startswith("kink_")}
    assert {name_of(activations_of(case)[0]) for case in kinks.values()} == set(OPTIONS)
    for case in kinks.values():
        activation = mlpstep.load(case["config"]).layers[0].activation
        z1 = np.array(case["expected"]["forward"]["z1"])
        assert np.isin(z1, activation.kinks).any(), case["name"]
    past = []
    for case in ONE_STEP:
        first = mlpstep.load(case["config"]).layers[0].activation
        z1 = np.array(case["expected"]["forward"]["z1"])
        if first.name == "softplus" and (first.beta * z1 > first.threshold).any():
            past.append(case["name"])
    assert past


@pytest.mark.slow  # live PyTorch
@pytest.mark.parametrize("name", OPTIONS)
def test_engine_matches_live_torch_on_random_networks_with_options(name):
    pytest.importorskip("torch")
    sys.path.insert(0, str(GOLDEN))
    from test_torch_golden import assert_matches
    from torch_reference import torch_step

    rng = np.random.default_rng(zlib.crc32(name.encode()))
    for layout, (batch, reduction), loss in itertools.product(
        ("columns", "rows"), ((None, "mean"), (3, "sum")), ("squared", "nll")
    ):
        options = {key: float(np.round(rng.uniform(0.2, 3), 2)) for key in OPTIONS[name]}
        activation = {"name": name, **options}
        output = "softmax" if loss == "nll" else activation
        sizes = [int(n) for n in rng.integers(2, 5, size=4)]
        data = random_config(rng, sizes, [activation, activation, output], loss, layout, batch, reduction)
        assert_matches(mlpstep.step(mlpstep.load(data)).to_dict(), torch_step(data))


def test_torchs_derivative_at_the_kink():
    def grad_z1(activation, z):
        trace = mlpstep.step(
            mlpstep.load(
                {
                    "input": [z],
                    "label": 1.0,
                    "loss": "half_squared",
                    "learning_rate": 0.1,
                    "layers": [
                        {"weights": [[1.0]], "bias": [0.0], "activation": activation},
                        {"weights": [[1.0]], "bias": [0.0], "activation": "linear"},
                    ],
                }
            )
        )
        return float(trace.grads["z1"][0, 0] / trace.grads["a1"][0, 0])

    assert grad_z1({"name": "leaky_relu", "negative_slope": 0.3}, 0.0) == 0.3  # torch: z > 0 ? 1 : slope
    assert grad_z1({"name": "elu", "alpha": 2.5}, 0.0) == 2.5  # torch: z > 0 ? 1 : alpha e^z
    assert grad_z1({"name": "softplus", "beta": 2, "threshold": 3}, 1.5) == pytest.approx(1 / (1 + np.exp(-3)))
    assert grad_z1({"name": "softplus", "beta": 2, "threshold": 3}, 1.5000001) == 1.0


def test_kinks_follow_the_options():
    assert ACTIVATIONS["leaky_relu"](negative_slope=1.0).kinks == ()
    assert ACTIVATIONS["elu"]().kinks == () and ACTIVATIONS["elu"](alpha=2.0).kinks == (0.0,)
    assert ACTIVATIONS["softplus"](beta=2.0, threshold=3.0).kinks == (1.5,)


def test_gradcheck_leaves_out_what_reaches_a_leaky_relu_kink():
    result = runner.invoke(app, ["gradcheck", "-", "--json"], input=json.dumps(KINKED))
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert {name: c["not_differentiable"] for name, c in checks.items() if c["not_differentiable"]} == {
        "z1": [[1, 0]],
        "W1": [[0, 1], [1, 1]],
        "w10": [[1, 0]],
    }
    assert all(c["ok"] for c in checks.values())
    assert checks["z1"]["reason"] == "not differentiable here (z = 0): leaky_relu'(0) is a convention (0.1, as torch)"


# -- formulas in every format ------------------------------------------------------------------


def run(data, *args):
    result = runner.invoke(app, ["run", "-", *args], input=json.dumps(data))
    assert result.exit_code == 0, result.output
    return result.stdout


KINKED = config({"name": "leaky_relu", "negative_slope": 0.1}, {"name": "elu", "alpha": 2}, "softplus", x=(2.0, 1.0))
"""z1 = [2·1 + 1·0.5, 2·(-1) + 1·2] = [2.5, 0]: on leaky_relu's kink; z2 = [2.5, -2.5]."""


def test_tables_show_each_formula_and_the_kink():
    out = run(KINKED)
    for text in (
        "a1 = leaky_relu(z1)",
        "a2 = elu(z2)",
        "a3 = softplus(z3)",
        "dL/dz1 = dL/da1 ⊙ leaky_relu'(z1)",
        "dL/dz2 = dL/da2 ⊙ elu'(z2)",
        "dL/dz3 = 2(a3 - y) ⊙ softplus'(z3)",
        "° z was exactly 0 there: leaky_relu'(0) = 0.1 was used (as torch)",
    ):
        assert text in out, text


def test_explain_works_each_activation_out():
    out = run(KINKED, "--explain", "a1[0,0] a2[1,0] a3[1,0] dL/dz1[1,0]")
    assert "e.g. a1[0,0] = leaky_relu(2.5) = 2.5" in out
    assert "e.g. a2[1,0] = elu(-2.5) = 2·(e^(-2.5) - 1) = -1.83583" in out
    assert "e.g. a3[1,0] = softplus(-6.17166) = log(1 + e^(-6.17166)) = 0.00208559" in out
    assert "e.g. dL/dz1[1,0] = dL/da1·leaky_relu'(z1) = 1.39893·0.1 = 0.139893" in out


def test_markdown_and_latex_write_the_formulas():
    assert "### `a1 = leaky_relu(z1)` (2x1)" in run(KINKED, "--format", "markdown")
    latex = run(KINKED, "--format", "latex", "--explain", "a2[1,0]")
    assert r"a_{1} = \mathrm{leaky\_relu}(z_{1})" in latex
    assert r"\frac{\partial L}{\partial z_{3}} = 2(a_{3} - y) \odot  \mathrm{softplus}'(z_{3})" in latex
    assert r"\mathrm{elu}(-2.5) = 2\cdot (e^{-2.5} - 1) = -1.83583" in latex


def test_init_takes_them():
    result = runner.invoke(
        app,
        ["init", "--layers", "2,3,3,1", "--activations", "leaky_relu,elu,softplus", "--loss", "squared", "--seed", "1"],
    )
    assert result.exit_code == 0, result.output
    assert [layer.activation.name for layer in mlpstep.load(__import__("yaml").safe_load(result.stdout)).layers] == [
        "leaky_relu",
        "elu",
        "softplus",
    ]


def names_in(pattern: str) -> list[str]:
    """``^([rR][eE][lL][uU]|[eE][lL][uU])$`` -> ``["relu", "elu"]``."""
    return re.sub(r"\[(\w)\w\]", r"\1", pattern).strip("^()$").split("|")


def test_the_schema_knows_every_activation_and_its_options():
    schema = json.loads((Path(mlpstep.__file__).parent / "schemas" / "config.schema.json").read_text())
    named, *mappings = schema["properties"]["layers"]["items"]["properties"]["activation"]["anyOf"]
    assert names_in(named["pattern"]) == list(ACTIVATIONS)
    options = {
        name: set(form["properties"]) - {"name"}
        for form in mappings
        for name in names_in(form["properties"]["name"]["pattern"])
    }
    assert options == {name: {option.name for option in kind.options} for name, kind in ACTIVATIONS.items()}
