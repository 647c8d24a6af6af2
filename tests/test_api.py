"""The Python API: load from a path or a dict, NumPy values welcome."""

import numpy as np
import pytest

import mlpstep


def test_load_accepts_a_dict_of_numpy_values():
    config = {
        "input": np.array([3.0, 14.0]),
        "label": np.int64(1),
        "loss": "nll",
        "learning_rate": np.float64(0.1),
        "layers": [
            {"weights": np.array([[1, 0, -1, 0], [0, 1, 0, -1]]), "bias": np.array([-1, -1, -1, -1]), "activation": "relu"},
            {"weights": np.array([[1, -1]] * 4), "bias": [np.float64(0), 2], "activation": "softmax"},
        ],
    }
    assert mlpstep.step(mlpstep.load(config)).loss == 28.000000000000693


def test_a_batch_may_be_a_2d_array():
    config = {"input": np.array([[3.0, 14.0], [1.0, 2.0]]), "label": np.array([1, 0]), "loss": "nll", "learning_rate": 0.1,
              "layers": [{"weights": [[1, -1], [1, -1]], "bias": [0, 0], "activation": "softmax"}]}
    assert mlpstep.load(config).batch_size == 2


def test_load_reads_a_path_and_the_same_dict_gives_the_same_trace():
    import yaml

    with open("configs/seed.yaml") as f:
        as_dict = yaml.safe_load(f)
    assert mlpstep.step(mlpstep.load(as_dict)).to_dict() == mlpstep.step(mlpstep.load("configs/seed.yaml")).to_dict()


def test_invalid_config_raises_config_error_with_the_field_path():
    with pytest.raises(mlpstep.ConfigError, match=r"^layers\[0\]\.activation: 'relus' is not one of"):
        mlpstep.load({"input": [1], "label": 0, "loss": "squared", "learning_rate": 0.1,
                      "layers": [{"weights": [[1]], "bias": [0], "activation": "relus"}]})
