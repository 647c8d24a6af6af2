"""Numeric edge cases, against values derived by hand."""

import warnings

import numpy as np
import pytest

import mlpstep


def one_layer(weights, bias, activation, label, loss, x=(1.0,), **extra):
    config = {
        "input": list(x),
        "label": label,
        "loss": loss,
        "learning_rate": 0.1,
        "layers": [{"weights": weights, "bias": bias, "activation": activation}],
        **extra,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy RuntimeWarning may leak
        return mlpstep.step(mlpstep.load(config))


@pytest.mark.parametrize("label,loss,dz", [(1, 2000.0, [[1.0], [-1.0]]), (0, 0.0, [[0.0], [0.0]])])
def test_softmax_nll_with_logits_of_plus_minus_1000_is_exact(label, loss, dz):
    trace = one_layer([[1000.0, -1000.0]], [0, 0], "softmax", label, "nll")
    assert trace.loss == loss
    np.testing.assert_array_equal(trace.grads["z1"], dz)


@pytest.mark.parametrize("z,y,loss", [(1000.0, 0, 1000.0), (1000.0, 1, 0.0), (-1000.0, 1, 1000.0), (-1000.0, 0, 0.0)])
def test_saturated_sigmoid_nll_is_exact(z, y, loss):
    trace = one_layer([[z]], [0], "sigmoid", y, "nll")
    assert trace.loss == loss
    assert trace.grads["z1"][0, 0] == float(z > 0) - y  # a - y, with a exactly 0 or 1


def test_binary_cross_entropy_at_moderate_logit():
    trace = one_layer([[2.0]], [0], "sigmoid", 1, "nll")
    assert trace.loss == pytest.approx(np.log1p(np.exp(-2.0)), rel=1e-15)


def test_tanh_at_plus_minus_50_has_zero_gradient():
    trace = one_layer([[50.0, -50.0]], [0, 0], "tanh", [0, 0], "squared")
    np.testing.assert_array_equal(trace.forward["a1"], [[1.0], [-1.0]])
    np.testing.assert_array_equal(trace.grads["z1"], [[0.0], [0.0]])


@pytest.mark.parametrize("g0", [0, 0.5, 1])
def test_relu_derivative_at_exactly_zero_follows_the_config(g0):
    # z = 1*1 - 1 = 0, a = 0, L = (a - 1)^2 = 1, dL/da = -2, dL/dz = -2 * relu'(0)
    trace = one_layer([[1.0]], [-1.0], "relu", 1, "squared", relu_grad_at_zero=g0)
    assert trace.forward["z1"][0, 0] == 0.0 and trace.loss == 1.0
    assert trace.grads["z1"][0, 0] == -2.0 * g0
    assert trace.grads["W1"][0, 0] == -2.0 * g0


def test_mse_is_the_mean_over_output_units():
    # a = z = [1, 3], y = [0, 0]: mse = (1 + 9)/2 = 5; dL/dz = 2(a - y)/2 = [1, 3]
    trace = one_layer([[1.0, 3.0]], [0, 0], "linear", [0, 0], "mse")
    assert trace.loss == 5.0
    np.testing.assert_array_equal(trace.grads["z1"], [[1.0], [3.0]])


def test_softmax_with_squared_loss_uses_the_full_jacobian():
    # z = [0, 0]: a = [.5, .5]; y = [1, 0]: dL/da = 2(a - y) = [-1, 1];
    # J = diag(a) - a a^T = [[.25, -.25], [-.25, .25]]  ->  dL/dz = [-.5, .5]
    trace = one_layer([[0.0, 0.0]], [0, 0], "softmax", 0, "squared")
    np.testing.assert_allclose(trace.grads["z1"], [[-0.5], [0.5]], rtol=1e-15)


def test_overflowing_step_is_an_error_not_a_nan():
    with pytest.raises(mlpstep.NumericError, match="overflows float64"):
        one_layer([[1e308, 1e308]], [1e308, 1e308], "linear", [0, 0], "squared")


def test_an_overflow_that_relu_hides_downstream_is_still_an_error():
    # z1 = -inf: relu makes a1 = 0, and every later value, gradient and update is finite
    config = {"input": [10.0, 1.0], "label": 0, "loss": "nll", "learning_rate": 0.1,
              "layers": [{"weights": [[-1e308], [0]], "bias": [0], "activation": "relu"},
                         {"weights": [[1, -1]], "bias": [0, 0], "activation": "softmax"}]}  # fmt: skip
    with pytest.raises(mlpstep.NumericError, match=r"^forward\.z1 overflows"):
        mlpstep.step(mlpstep.load(config))


def test_soft_label_not_summing_exactly_to_one_gets_the_exact_gradient():
    # dL/dz of -sum y log softmax(z) is a * sum(y) - y, which is a - y only when sum(y) == 1
    y = [0.25, 0.7500005]
    trace = one_layer([[0.3, -0.2]], [0.1, 0.4], "softmax", y, "nll")
    a = trace.forward["a1"][:, 0]
    np.testing.assert_allclose(trace.grads["z1"][:, 0], a * sum(y) - np.array(y), rtol=1e-15)
    eps = 1e-6
    for k in range(2):
        bias = [0.1, 0.4]
        up, down = list(bias), list(bias)
        up[k] += eps
        down[k] -= eps
        numeric = (
            one_layer([[0.3, -0.2]], up, "softmax", y, "nll").loss
            - one_layer([[0.3, -0.2]], down, "softmax", y, "nll").loss
        ) / (2 * eps)
        assert trace.grads["w10"][k, 0] == pytest.approx(numeric, rel=1e-7)
