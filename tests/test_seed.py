"""The seed notebook (../shared/seed-notebook.txt): every number it prints, reproduced."""

import numpy as np
import pytest

import mlpstep


@pytest.fixture(scope="module")
def trace():
    return mlpstep.step(mlpstep.load("configs/seed.yaml"))


def test_forward_pass_matches_the_notebook(trace):
    np.testing.assert_array_equal(trace.forward["a1"], [[2.0], [13.0], [0.0], [0.0]])
    np.testing.assert_array_equal(trace.forward["z2"], [[15.0], [-13.0]])
    # notebook: array([[1.00000000e+00], [6.91440011e-13]])
    np.testing.assert_allclose(trace.forward["a2"], [[1.0], [6.91440011e-13]], rtol=1e-9)


def test_loss_is_28_plus_log1p_of_e_to_the_minus_28(trace):
    # -log softmax(z2)[1] = 28 + log(1 + e^-28), correctly rounded
    assert trace.loss == 28.000000000000693


def test_gradients_match_the_notebook(trace):
    np.testing.assert_allclose(trace.grads["z2"], [[1.0], [-1.0]], rtol=1e-11)
    np.testing.assert_allclose(trace.grads["a1"], [[2.0]] * 4, rtol=1e-11)
    e = 6.914400106935422e-13  # a2[1]: the exact gradients carry it
    np.testing.assert_allclose(trace.grads["z2"], [[1 - e], [e - 1]], rtol=1e-15)


def test_updated_parameters_match_the_notebook(trace):
    np.testing.assert_allclose(trace.updated["W1"], [[0.4, -0.6, -1.0, 0.0], [-2.8, -1.8, 0.0, -1.0]], atol=1e-11)
    np.testing.assert_allclose(trace.updated["W2"], [[0.8, -0.8], [-0.3, 0.3], [1.0, -1.0], [1.0, -1.0]], atol=1e-11)
    np.testing.assert_allclose(trace.updated["w10"], [[-1.2], [-1.2], [-1.0], [-1.0]], atol=1e-11)
    np.testing.assert_allclose(trace.updated["w20"], [[-0.1], [2.1]], atol=1e-11)


def test_shapes_follow_the_notebook(trace):
    assert {k: v.shape for k, v in trace.forward.items()} == {"z1": (4, 1), "a1": (4, 1), "z2": (2, 1), "a2": (2, 1)}
    assert trace.grads["W1"].shape == (2, 4) and trace.grads["w10"].shape == (4, 1)
    assert trace.updated["W2"].shape == (4, 2) and trace.updated["w20"].shape == (2, 1)


def test_json_keys_are_in_backward_order(trace):
    assert list(trace.to_dict()["grads"]) == ["z2", "a1", "z1", "W2", "w20", "W1", "w10"]
    assert list(trace.to_dict()["updated"]) == ["W1", "w10", "W2", "w20"]
