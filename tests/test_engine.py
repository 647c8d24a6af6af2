"""The engine (mlpstep.step): the seed's step worked by hand, and what a step may and may not change.

By hand, for the seed (x = [3, 14], label 1, relu then softmax, nll):
z1 = W1ᵀ x + w10 = [3 - 1, 14 - 1, -3 - 1, -14 - 1] = [2, 13, -4, -15], a1 = [2, 13, 0, 0],
z2 = W2ᵀ a1 + w20 = [15, -13], a2 = softmax(z2) = [1 - e, e] with e = 1 / (1 + e^28),
dL/dz2 = a2 - y = [1 - e, e - 1], dL/da1 = W2 dL/dz2 = 2 (1 - e) in every unit.
"""

import dataclasses

import numpy as np
import yaml
from helpers import SEED, continued

import mlpstep

E = 6.914400106935422e-13  # a2[1] = 1 / (1 + e^28), as float64 rounds it


def seed_trace():
    return mlpstep.step(mlpstep.load(SEED))


def test_the_seeds_hidden_layer_by_hand():
    trace = seed_trace()
    np.testing.assert_array_equal(trace.forward["z1"], [[2.0], [13.0], [-4.0], [-15.0]])
    np.testing.assert_array_equal(trace.forward["a1"], [[2.0], [13.0], [0.0], [0.0]])
    np.testing.assert_allclose(trace.grads["a1"], [[2 * (1 - E)]] * 4, rtol=1e-15)
    # relu'(z1) = [1, 1, 0, 0]: the units that were cut off pass no gradient back
    np.testing.assert_allclose(trace.grads["z1"], [[2 * (1 - E)], [2 * (1 - E)], [0.0], [0.0]], rtol=1e-15)


def test_the_seeds_parameter_gradients_by_hand():
    trace = seed_trace()
    dz2 = np.array([[1 - E], [E - 1]])
    dz1 = 2 * (1 - E) * np.array([[1.0], [1.0], [0.0], [0.0]])
    np.testing.assert_allclose(
        trace.grads["W2"], np.array([[2.0], [13.0], [0.0], [0.0]]) @ dz2.T, rtol=1e-15
    )  # a1 dz2ᵀ
    np.testing.assert_allclose(trace.grads["w20"], dz2, rtol=1e-15)
    np.testing.assert_allclose(trace.grads["W1"], np.array([[3.0], [14.0]]) @ dz1.T, rtol=1e-15)  # x dz1ᵀ
    np.testing.assert_allclose(trace.grads["w10"], dz1, rtol=1e-15)
    np.testing.assert_allclose(trace.grads["W1"], [[6, 6, 0, 0], [28, 28, 0, 0]], rtol=1e-11)


def momentum_problem():
    """The seed trained for three steps with momentum, from a given momentum buffer."""
    with open(SEED) as f:
        config = yaml.safe_load(f)
    buffers = {"W1": [[0.5] * 4] * 2, "w10": [[0.5]] * 4, "W2": [[0.5] * 2] * 4, "w20": [[0.5]] * 2}
    config.update(steps=3, optimizer={"name": "sgd", "momentum": 0.9, "state": {"momentum_buffer": buffers}})
    return mlpstep.load(config)


def arrays_of(problem):
    """Copies of every array a problem holds: data, parameters, optimizer state."""
    arrays = [problem.x, problem.y] + [a for layer in problem.layers for a in (layer.weights, layer.bias)]
    arrays += [value for state in problem.state.values() for value in state.values()]
    return [np.array(a, copy=True) for a in arrays]


def test_a_step_leaves_the_problem_as_it_was():
    problem = momentum_problem()
    before = arrays_of(problem)
    first = mlpstep.step(problem).to_dict()
    for was, now in zip(before, arrays_of(problem), strict=True):
        np.testing.assert_array_equal(now, was)
    assert mlpstep.step(problem).to_dict() == first


def test_three_steps_are_three_single_steps_each_from_where_the_last_ended():
    problem = momentum_problem()
    run = mlpstep.step(problem)
    start = dataclasses.replace(problem, steps=1)
    for k in (1, 2, 3):
        shown = mlpstep.step(problem, show=k)
        assert shown.losses == run.losses and shown.final_loss == run.final_loss  # showing a step changes no step
        single = mlpstep.step(start)
        assert single.loss == run.losses[k - 1]
        for name, value in single.updated.items():
            np.testing.assert_array_equal(shown.updated[name], value)
        for name, state in single.state.items():
            np.testing.assert_array_equal(shown.state[name]["momentum_buffer"], state["momentum_buffer"])
        start = continued(start, single)
    for name, value in run.final.items():
        np.testing.assert_array_equal(single.updated[name], value)
