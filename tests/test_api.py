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
            {
                "weights": np.array([[1, 0, -1, 0], [0, 1, 0, -1]]),
                "bias": np.array([-1, -1, -1, -1]),
                "activation": "relu",
            },
            {"weights": np.array([[1, -1]] * 4), "bias": [np.float64(0), 2], "activation": "softmax"},
        ],
    }
    assert mlpstep.step(mlpstep.load(config)).loss == 28.000000000000693


def test_a_batch_may_be_a_2d_array():
    config = {
        "input": np.array([[3.0, 14.0], [1.0, 2.0]]),
        "label": np.array([1, 0]),
        "loss": "nll",
        "learning_rate": 0.1,
        "layers": [{"weights": [[1, -1], [1, -1]], "bias": [0, 0], "activation": "softmax"}],
    }
    assert mlpstep.load(config).batch_size == 2


def test_load_reads_a_path_and_the_same_dict_gives_the_same_trace():
    import yaml

    with open("configs/seed.yaml") as f:
        as_dict = yaml.safe_load(f)
    assert mlpstep.step(mlpstep.load(as_dict)).to_dict() == mlpstep.step(mlpstep.load("configs/seed.yaml")).to_dict()


def test_invalid_config_raises_config_error_with_the_field_path():
    with pytest.raises(mlpstep.ConfigError, match=r"^layers\[0\]\.activation: 'relus' is not one of"):
        mlpstep.load(
            {
                "input": [1],
                "label": 0,
                "loss": "squared",
                "learning_rate": 0.1,
                "layers": [{"weights": [[1]], "bias": [0], "activation": "relus"}],
            }
        )


SEED_ARRAYS = {
    "input": np.array([3.0, 14.0]),
    "label": 1,
    "loss": "nll",
    "learning_rate": 0.1,
    "layers": [
        {"weights": np.array([[1, 0, -1, 0], [0, 1, 0, -1]]), "bias": np.array([-1, -1, -1, -1]), "activation": "relu"},
        {"weights": np.array([[1, -1]] * 4), "bias": np.array([0, 2]), "activation": "softmax"},
    ],
}
BATCH = {
    "input": [[3, 14], [1, 2], [0, 5]],
    "loss": "nll",
    "learning_rate": 0.1,
    "layers": [{"weights": [[1, -1, 0], [0, 1, -1]], "bias": [0, 0, 0], "activation": "softmax"}],
}


def with_layer(config, i, **changes):
    layers = [dict(layer) for layer in config["layers"]]
    layers[i].update(changes)
    return {**config, "layers": layers}


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int8, np.uint16, np.int64, np.longdouble])
def test_arrays_of_any_real_dtype_give_the_same_step(dtype):
    config = {**SEED_ARRAYS, "input": SEED_ARRAYS["input"].astype(dtype)}
    if np.issubdtype(dtype, np.signedinteger) or np.issubdtype(dtype, np.floating):
        config = with_layer(config, 0, weights=SEED_ARRAYS["layers"][0]["weights"].astype(dtype))
    assert mlpstep.step(mlpstep.load(config)).to_dict() == mlpstep.step(mlpstep.load("configs/seed.yaml")).to_dict()


def test_boolean_arrays_are_zeros_and_ones():
    config = {**BATCH, "input": np.array([[True, False], [False, True], [True, True]]), "label": [0, 1, 2]}
    assert mlpstep.load(config).x.tolist() == [[1, 0, 1], [0, 1, 1]]


def test_arrays_are_copied_not_shared():
    weights = np.array([[1.0, 0, -1, 0], [0, 1, 0, -1]])
    problem = mlpstep.load(with_layer(SEED_ARRAYS, 0, weights=weights))
    weights[0, 0] = 99
    assert problem.layers[0].weights[0, 0] == 1


@pytest.mark.parametrize(
    "array,message",
    [
        (np.array([[1, 0, -1, 0], [0, 1, np.nan, -1]]), r"^layers\[0\]\.weights\[1\]\[2\]: NaN; give a finite number$"),
        (np.array([[1, 0, -1, 0], [0, 1, 0, -np.inf]]), r"^layers\[0\]\.weights\[1\]\[3\]: infinite"),
        (
            np.array([[1, 0, -1, 0], [0, 1, 0, np.longdouble("1e4000")]], dtype=np.longdouble),
            r"^layers\[0\]\.weights\[1\]\[3\]: too large for float64"
            if np.finfo(np.longdouble).maxexp > 1024
            else "infinite",
        ),
        (
            np.array([[1j, 0, 0, 0], [0, 0, 0, 0]]),
            r"^layers\[0\]\.weights: an array of complex128 values; give real numbers",
        ),
        (np.array([["1", "0", "0", "0"], ["0", "0", "0", "0"]]), r"^layers\[0\]\.weights: an array of <U1 values"),
        (np.array([[1, 0, -1, 0], [0, 1, 0, "a"]], dtype=object), r"^layers\[0\]\.weights: an array of object values"),
        (np.array([1, 0, -1, 0]), r"^layers\[0\]\.weights: a flat array of 4 values; give a matrix"),
        (np.zeros((2, 4, 1)), r"^layers\[0\]\.weights: a 2x4x1 array; give a matrix"),
        (np.zeros((0, 4)), r"^layers\[0\]\.weights: a 0x4 array; give a matrix"),
    ],
)
def test_bad_arrays_are_refused_naming_the_entry(array, message):
    with pytest.raises(mlpstep.ConfigError, match=message):
        mlpstep.load(with_layer(SEED_ARRAYS, 0, weights=array))


@pytest.mark.parametrize(
    "bias,message",
    [
        (np.array([[0, 2], [1, 1]]), r"^layers\[1\]\.bias: a 2x2 matrix; give a flat list of numbers$"),
        (np.array([0, 2, 3]), r"^layers\[1\]\.bias: 3 values, but layer 2 has 2 units"),
        (np.zeros((1, 2, 1)), r"^layers\[1\]\.bias: a 1x2x1 array; give a list of numbers"),
    ],
)
def test_bad_bias_arrays_get_the_list_messages(bias, message):
    with pytest.raises(mlpstep.ConfigError, match=message):
        mlpstep.load(with_layer(SEED_ARRAYS, 1, bias=bias))


@pytest.mark.parametrize("bias", [np.array([[0], [2]]), np.array([[0, 2]]), [0, 2]])
def test_a_bias_array_may_be_a_column_or_a_row(bias):
    assert mlpstep.load(with_layer(SEED_ARRAYS, 1, bias=bias)).layers[1].bias.tolist() == [0, 2]


def test_a_0d_array_is_a_number():
    problem = mlpstep.load({**with_layer(SEED_ARRAYS, 1, bias=np.array(0.5)), "learning_rate": np.array(0.1)})
    assert problem.layers[1].bias_mode == "shared" and problem.learning_rate == 0.1


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 1, 2]),
        np.array([[0], [1], [2]]),
        np.array([[0, 1, 2]]),
        np.array([0.0, 1.0, 2.0]),
        np.eye(3),
        [0, 1, 2],
    ],
)
def test_batch_labels_as_an_array_of_class_indices_a_column_a_row_or_one_hot_rows(labels):
    assert mlpstep.load({**BATCH, "label": labels}).y.tolist() == np.eye(3).tolist()


@pytest.mark.parametrize(
    "labels,message",
    [
        (np.array([0, 1.5, 2]), r"^label\[1\]: 1.5 is not a class index"),
        (np.array([0, 1, 3]), r"^label\[2\]: class 3 is out of range; the output layer has 3 classes"),
        (np.array([0, -1, 2]), r"^label\[1\]: class -1 is out of range"),
        (np.array([0, 1]), r"^label: 2 labels, but the input has 3 points"),
        (
            np.array([[0.5, 0.5, 0], [0.5, 0.6, 0], [1, 0, 0]]),
            r"^label\[1\]: a softmax target for nll is a probability vector",
        ),
        (np.array([[1, 0], [0, 1], [1, 0]]), r"^label\[0\]: 2 values, but the output layer has 3 units"),
        (np.zeros((3, 3, 1)), r"^label: a 3x3x1 array, but the input is a batch of 3 points"),
        (np.array(1), r"^label: 1 is a number, but the input is a batch of 3 points"),
        (np.array([0, np.nan, 2]), r"^label\[1\]: NaN"),
    ],
)
def test_bad_batch_label_arrays_name_the_point(labels, message):
    with pytest.raises(mlpstep.ConfigError, match=message):
        mlpstep.load({**BATCH, "label": labels})


def test_sigmoid_targets_from_an_array_must_lie_between_0_and_1():
    config = {
        **BATCH,
        "label": np.array([[0.5], [1.0], [1.5]]),
        "layers": [{"weights": [[1], [0]], "bias": [0], "activation": "sigmoid"}],
    }
    with pytest.raises(mlpstep.ConfigError, match=r"^label\[2\]: sigmoid targets for nll"):
        mlpstep.load(config)


@pytest.mark.parametrize("label", [np.array(1), np.array([1]), np.array([[1]]), np.array([0.0, 1.0]), np.int64(1)])
def test_one_label_as_an_array_one_value_is_a_class_index(label):
    assert mlpstep.load({**SEED_ARRAYS, "label": label}).y.tolist() == [[0], [1]]


def test_a_batch_of_many_points_loads_fast():
    import time

    rng = np.random.default_rng(0)
    config = {
        "input": rng.random((100_000, 4)),
        "label": rng.integers(0, 3, 100_000),
        "loss": "nll",
        "learning_rate": 0.1,
        "layers": [{"weights": rng.random((4, 3)), "bias": np.zeros(3), "activation": "softmax"}],
    }
    start = time.perf_counter()
    problem = mlpstep.load(config)
    assert problem.batch_size == 100_000 and time.perf_counter() - start < 1  # about 10 ms: no per-point Python loop


def test_a_callers_array_is_copied_even_through_a_read_only_view():
    weights = np.array([[1.0, 0, -1, 0], [0, 1, 0, -1]])
    view = weights.view()
    view.flags.writeable = False
    config = {"input": [3, 14], "label": 1, "loss": "nll", "learning_rate": 0.1,
              "layers": [{"weights": view, "bias": [-1] * 4, "activation": "relu"},
                         {"weights": [[1, -1]] * 4, "bias": [0, 2], "activation": "softmax"}]}  # fmt: skip
    problem = mlpstep.load(config)
    weights[0, 0] = np.nan
    assert mlpstep.step(problem).loss == 28.000000000000693


def test_variants_gives_each_student_a_config_that_loads(tmp_path):
    from test_variants import TEMPLATE

    (tmp_path / "template.yaml").write_text(TEMPLATE)
    configs = mlpstep.variants(tmp_path / "template.yaml", ["s101", "s102"], seed=2026)
    assert list(configs) == ["s101", "s102"] and configs["s101"]["input"] == [-3, -2]
    assert mlpstep.load(configs["s102"]).sizes == [2, 3, 2]
