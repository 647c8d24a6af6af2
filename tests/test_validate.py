"""mlpstep validate: every mistake of a config, each on its own line; run still reports the first."""

from pathlib import Path

import pytest
from helpers import runner

import mlpstep
from mlpstep.cli.app import app
from mlpstep.loading.config import find_errors

SEED = Path("configs/seed.yaml").read_text()

VALUES = """\
input: [3, 14]
label: 1
loss: nl
learning_rate: -0.1
reduction: avg
layers:
  - weights: [[1, 0, 1, 1], [0, 1, 1, 1]]
    bias: [0, 0, 0]
    activation: relux
  - weights: [[1, 2], [3, 4], [5, 6]]
    bias: [0, 0]
    activation: softmax
steps: 0
"""
VALUE_ERRORS = [
    "reduction: 'avg' is not one of mean, sum",
    "learning_rate: -0.1 is negative; give a learning rate >= 0",
    "layers[0].bias: 3 values, but layer 1 has 4 units (from its weights, 2x4); give one per unit, one number shared "
    "by all, or none",
    "layers[0].activation: 'relux' is not one of relu, sigmoid, tanh, linear, softmax, leaky_relu, elu, softplus "
    "(did you mean relu?)",
    "layers[1].weights: 3x2, but layer 1 has 4 outputs, so layer 2's weights need 4 rows (n_in x n_out in the "
    "columns layout)",
    "loss: 'nl' is not one of nll, squared, half_squared, mse (did you mean nll?)",
    "steps: 0 is not a step count; give a whole number from 1 to 10,000",
]


def validate(text: str, tmp_path, name="c.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return runner.invoke(app, ["validate", str(path)]), str(path)


def test_every_mistake_in_the_values_gets_its_line(tmp_path):
    result, path = validate(VALUES, tmp_path)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [f"error: {path}: {error}" for error in VALUE_ERRORS]


def test_run_still_reports_the_first_mistake_only(tmp_path):
    (tmp_path / "c.yaml").write_text(VALUES)
    result = runner.invoke(app, ["run", str(tmp_path / "c.yaml")])
    assert result.exit_code == 2 and result.stderr == f"error: {VALUE_ERRORS[0]}\n"


def test_every_mistake_in_the_keys_is_listed_before_any_value_is_read(tmp_path):
    keys = (
        SEED.replace("label:", "lable:")
        .replace("learning_rate: 0.1", "learnin_rate: -1")
        .replace("    activation: relu", "    activaton: relu")
        .replace("bias: [0, 2]", "bias: [0, 2, 3]")
    )
    result, path = validate(keys, tmp_path)
    assert result.exit_code == 2 and result.stderr.splitlines() == [
        f"error: {path}: {error}"
        for error in [
            "lable: unknown key (did you mean label?)",
            "learnin_rate: unknown key (did you mean learning_rate?)",
            "label: missing; add it (e.g. label: 1 for class 1 of a softmax output)",
            "learning_rate: missing; add it (e.g. learning_rate: 0.1)",
            "layers[0].activaton: unknown key (did you mean activation?)",
            "layers[0].activation: missing; add it (relu, sigmoid, tanh, linear, softmax, leaky_relu, elu or softplus)",
        ]
    ]  # the bias of 3 values waits until the keys are right


def test_the_labels_of_a_wrong_output_layer_are_not_checked(tmp_path):
    result, path = validate(
        SEED.replace("activation: softmax", "activation: sofmax").replace("label: 1", "label: 7"), tmp_path
    )
    assert result.stderr.splitlines() == [
        f"error: {path}: layers[1].activation: 'sofmax' is not one of relu, sigmoid, tanh, linear, softmax, "
        f"leaky_relu, elu, softplus (did you mean softmax?)"
    ]


def test_twenty_mistakes_are_listed_then_counted(tmp_path):
    result, path = validate(SEED + "".join(f"junk{k}: 1\n" for k in range(25)), tmp_path)
    lines = result.stderr.splitlines()
    assert (
        len(lines) == 21
        and lines[19]
        == f"error: {path}: junk19: unknown key (valid keys: layout, input, label, loss, "
        "learning_rate, reduction, relu_grad_at_zero, layers, optimizer, freeze, steps, grading, student, names, ask)"
    )
    assert lines[20] == f"error: {path}: and 5 more"


def test_a_config_of_countless_mistakes_is_listed_up_to_a_hundred(tmp_path):
    result, path = validate(SEED + "".join(f"junk{k}: 1\n" for k in range(5000)), tmp_path)
    assert result.stderr.splitlines()[-1] == f"error: {path}: and at least 80 more"


def test_a_file_that_cannot_be_read_is_one_mistake(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1 and "missing.yaml" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        SEED,
        VALUES,
        SEED.replace("label: 1", "label: [0.5, 0.6]"),
        "[1, 2]\n",
        SEED.replace("[0, 1, 0, -1]]", "[0, 1, 0, -1], [1, 1, 1, 1]]").replace(
            "learning_rate: 0.1", "learning_rate: x"
        ),
    ],
)
def test_find_errors_starts_with_the_error_load_raises(text, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    errors = find_errors(str(path))
    try:
        mlpstep.load(str(path))
    except mlpstep.ConfigError as e:
        assert str(errors[0]) == str(e)
    else:
        assert errors == []
