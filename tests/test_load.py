"""Loading a config (mlpstep.load): the Problem each bundled config builds, and what a config may leave out."""

from pathlib import Path

import numpy as np
import pytest
import yaml
from helpers import SEED

import mlpstep
from mlpstep.optimizers import SGD, Adam, AdamW

# config: sizes, batch, layout, reduction, steps, loss, activations, optimizer, frozen
BUNDLED = {
    "adam": ([2, 4, 2], 3, "columns", "mean", 3, "nll", ["relu", "softmax"], "adam", set()),
    "batch": ([2, 4, 2], 3, "columns", "mean", 1, "nll", ["relu", "softmax"], "sgd", set()),
    "mazur": ([2, 2, 2], 1, "rows", "mean", 1, "half_squared", ["sigmoid", "sigmoid"], "sgd", {"b1", "b2"}),
    "rows": ([2, 4, 2], 1, "rows", "mean", 1, "nll", ["relu", "softmax"], "sgd", set()),
    "seed": ([2, 4, 2], 1, "columns", "mean", 1, "nll", ["relu", "softmax"], "sgd", set()),
    "sigmoid_squared": ([2, 3, 1], 1, "columns", "mean", 1, "squared", ["sigmoid", "sigmoid"], "sgd", set()),
    "three_layer": ([3, 4, 3, 3], 2, "columns", "sum", 1, "nll", ["tanh", "relu", "softmax"], "sgd", set()),
}


def test_every_bundled_config_is_described():
    assert sorted(BUNDLED) == sorted(path.stem for path in Path("configs").glob("*.yaml"))


@pytest.mark.parametrize("name", BUNDLED)
def test_a_bundled_config_builds_its_problem(name):
    sizes, batch, layout, reduction, steps, loss, activations, optimizer, frozen = BUNDLED[name]
    problem = mlpstep.load(f"configs/{name}.yaml")
    assert problem.sizes == sizes and problem.batch_size == batch
    assert (problem.layout, problem.reduction, problem.steps, problem.loss.name) == (layout, reduction, steps, loss)
    assert [layer.activation.name for layer in problem.layers] == activations
    assert problem.optimizer.name == optimizer and problem.freeze == frozen
    assert problem.x.shape == (sizes[0], batch) and problem.y.shape == (sizes[-1], batch)


def test_a_batch_is_one_column_a_point_and_class_labels_are_one_hot():
    problem = mlpstep.load("configs/batch.yaml")  # input: [[3, 14], [2, 3], [0.5, -2]], label: [1, 0, 1]
    np.testing.assert_array_equal(problem.x, [[3, 2, 0.5], [14, 3, -2]])
    np.testing.assert_array_equal(problem.y, [[0, 1, 0], [1, 0, 1]])


def test_the_rows_layout_keeps_weights_as_given_and_points_as_columns():
    rows, columns = mlpstep.load("configs/rows.yaml"), mlpstep.load(SEED)
    assert rows.layers[0].weights.shape == (4, 2) and columns.layers[0].weights.shape == (2, 4)
    np.testing.assert_array_equal(rows.layers[0].weights, columns.layers[0].weights.T)
    np.testing.assert_array_equal(rows.x, columns.x)
    np.testing.assert_array_equal(rows.y, columns.y)


def test_what_a_config_leaves_out_takes_its_default():
    problem = mlpstep.load({"input": [1, 2], "label": [0.5], "loss": "squared", "learning_rate": 0.1,
                            "layers": [{"weights": [[1], [2]], "activation": "linear"}]})  # fmt: skip
    assert (problem.layout, problem.reduction, problem.relu_grad_at_zero, problem.steps) == ("columns", "mean", 0.0, 1)
    assert problem.optimizer == SGD() and problem.freeze == frozenset() and problem.state == {}
    assert (problem.files, problem.min_rtol, problem.expect) == ((), None, None)
    assert problem.layers[0].bias_mode == "none" and problem.layers[0].bias.tolist() == [0.0]


@pytest.mark.parametrize("optimizer,expected", [
    ("sgd", SGD()),
    ({"name": "sgd", "momentum": 0.9, "nesterov": True}, SGD(momentum=0.9, nesterov=True)),
    ("adam", Adam(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)),
    ("adamw", AdamW(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)),  # torch.optim.AdamW's default decay
    ({"name": "adam", "betas": [0.8, 0.9], "eps": 1e-6}, Adam(betas=(0.8, 0.9), eps=1e-6)),
])  # fmt: skip
def test_an_optimizer_by_name_takes_torchs_defaults(optimizer, expected):
    with open(SEED) as f:
        problem = mlpstep.load({**yaml.safe_load(f), "optimizer": optimizer})
    assert problem.optimizer == expected
