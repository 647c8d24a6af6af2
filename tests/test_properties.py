"""Properties of the engine over random valid networks (Hypothesis): gradients are
central differences, the update is parameters - lr x gradient, the two layouts
agree, hidden units can be permuted, and a small enough step does not raise the loss."""

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st
from random_networks import ACTIVATIONS, random_config, valid_pairs

import mlpstep

PAIRS = list(valid_pairs())


@st.composite
def configs(draw, smooth=False):
    """A random valid config; ``smooth`` avoids ReLU, whose kink breaks finite differences and monotonicity."""
    output, loss = draw(st.sampled_from([p for p in PAIRS if not smooth or p[0] != "relu"]))
    depth = draw(st.integers(1, 3))
    hidden_choices = [a for a in ACTIVATIONS if not smooth or a != "relu"]
    hidden = [draw(st.sampled_from(hidden_choices)) for _ in range(depth - 1)]
    sizes = [draw(st.integers(1, 4)) for _ in range(depth + 1)]
    sizes[1:] = [max(n, 2) if act == "softmax" else n for n, act in zip(sizes[1:], [*hidden, output])]
    batch = draw(st.sampled_from([None, 1, 2, 4]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    config = random_config(
        rng,
        sizes,
        [*hidden, output],
        loss,
        draw(st.sampled_from(["columns", "rows"])),
        batch,
        draw(st.sampled_from(["mean", "sum"])),
    )
    config["learning_rate"] = draw(st.sampled_from([0.0, 0.01, 0.1, 1.0]))
    return config


def loss_with(problem, l, kind, index, delta):
    layers = list(problem.layers)
    value = getattr(layers[l], kind).copy()
    value[index] += delta
    layers[l] = dataclasses.replace(layers[l], **{kind: value})
    return mlpstep.step(dataclasses.replace(problem, layers=tuple(layers))).loss


@given(configs())
def test_weight_gradients_are_central_differences(config):
    problem = mlpstep.load(config)
    trace = mlpstep.step(problem)
    for l, layer in enumerate(problem.layers):
        numeric = np.zeros_like(layer.weights)
        for index in np.ndindex(numeric.shape):
            numeric[index] = (
                loss_with(problem, l, "weights", index, 1e-6) - loss_with(problem, l, "weights", index, -1e-6)
            ) / 2e-6
        np.testing.assert_allclose(trace.grads[f"W{l + 1}"], numeric, rtol=1e-4, atol=1e-7)


@given(configs())
def test_update_is_parameters_minus_learning_rate_times_gradient(config):
    trace = mlpstep.step(mlpstep.load(config))
    lr = config["learning_rate"]
    for name, new in trace.updated.items():
        np.testing.assert_allclose(new, trace.params[name] - lr * trace.grads[name], rtol=1e-15, atol=1e-300)


@given(configs())
def test_layouts_give_transposed_identical_results(config):
    other = {**config, "layout": "rows" if config["layout"] == "columns" else "columns"}
    other["layers"] = [{**layer, "weights": np.array(layer["weights"]).T.tolist()} for layer in config["layers"]]
    a, b = mlpstep.step(mlpstep.load(config)), mlpstep.step(mlpstep.load(other))

    def canonical(trace, section, name):
        value = getattr(trace, section)[name]
        if name[0] in "wb":  # a bias: n x 1 in columns, flat in rows
            return np.ravel(value)
        return value if trace.problem.layout == "columns" else value.T

    def twin(name):
        if name.startswith("w"):
            return "b" + name[1:-1]
        return f"w{name[1:]}0" if name.startswith("b") else name

    assert np.isclose(a.loss, b.loss, rtol=1e-14)
    for section in ("forward", "grads", "updated"):
        for name in getattr(a, section):
            np.testing.assert_allclose(
                canonical(a, section, name), canonical(b, section, twin(name)), rtol=1e-12, atol=1e-15
            )


@given(configs(), st.randoms(use_true_random=False))
def test_permuting_hidden_units_permutes_everything(config, random):
    problem = mlpstep.load({**config, "layout": "columns"} if config["layout"] == "columns" else config)
    assume(len(problem.layers) >= 2 and config["layout"] == "columns")
    n = problem.layers[0].bias.shape[0]
    perm = list(range(n))
    random.shuffle(perm)
    permuted = {**config, "layers": [dict(layer) for layer in config["layers"]]}
    permuted["layers"][0]["weights"] = np.array(config["layers"][0]["weights"])[:, perm].tolist()
    permuted["layers"][0]["bias"] = np.array(config["layers"][0]["bias"])[perm].tolist()
    permuted["layers"][1]["weights"] = np.array(config["layers"][1]["weights"])[perm, :].tolist()
    a, b = mlpstep.step(problem), mlpstep.step(mlpstep.load(permuted))
    assert np.isclose(a.loss, b.loss, rtol=1e-12)
    for section in ("forward", "grads"):
        np.testing.assert_allclose(getattr(a, section)["z1"][perm], getattr(b, section)["z1"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(a.grads["W1"][:, perm], b.grads["W1"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(a.updated["W2"][perm, :], b.updated["W2"], rtol=1e-10, atol=1e-14)


@given(configs(smooth=True))
def test_a_small_enough_step_does_not_raise_the_loss(config):
    problem = mlpstep.load(config)
    grads = mlpstep.step(problem).grads
    norm = sum(float((grads[f"W{l + 1}"] ** 2).sum()) for l in range(len(problem.layers)))
    assume(norm > 1e-12)
    small = mlpstep.step(dataclasses.replace(problem, learning_rate=1e-7 / max(1.0, norm)))
    assert small.loss_after <= small.loss + 1e-12 * max(1.0, abs(small.loss))


def _outcome(problem) -> str:
    try:
        mlpstep.step(problem)
    except mlpstep.NumericError as e:
        return str(e)
    return "finite"


@given(
    configs(),
    st.integers(0, 300),
    st.sampled_from([0.0, 0.1, 1e10, 1e300]),
    st.booleans(),
    st.sampled_from(["sgd", {"name": "sgd", "momentum": 0.9, "dampening": 1.0}, "adam"]),
    st.sampled_from([1, 2]),
)
def test_checksums_refuse_exactly_what_checking_every_entry_refuses(config, exponent, lr, freeze, optimizer, steps):
    """The engine proves a step finite from sums taken as it goes; forced to walk every entry
    instead, it must reach the same verdict and name the same value."""
    import math

    from mlpstep import kernel

    for layer in config["layers"]:
        layer["weights"] = (np.array(layer["weights"]) * 10.0**exponent).tolist()
    config.update(learning_rate=lr, optimizer=optimizer, steps=steps)
    if freeze:
        config["freeze"] = ["W1"]
    problem = mlpstep.load(config)
    step = kernel.Shown
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kernel, "Shown", lambda *fields: step(*fields[:-1], math.nan))  # no sum proves anything
        walked = _outcome(problem)
    assert _outcome(problem) == walked
    event("refused" if walked != "finite" else "finite")
