"""The kernel (mlpstep.kernel): steps nobody is shown run in reused memory and a shorter path,
and must give the very bits a shown step gives; a trace's arrays stay its own; the parts that
write into given arrays (activations, optimizers, the fused output and loss) round as before."""

import copy
import dataclasses
import itertools
import resource
import sys

import numpy as np
import pytest
from helpers import continued
from random_networks import random_config, valid_pairs

import mlpstep
from mlpstep.functions.activations import ACTIVATIONS, ReLU
from mlpstep.functions.losses import LOSSES
from mlpstep.kernel import Block
from mlpstep.optimizers import OPTIMIZERS

OPTIMIZER_CONFIGS = [
    "sgd",
    {"name": "sgd", "weight_decay": 0.1},
    {"name": "sgd", "momentum": 0.9, "nesterov": True},
    {"name": "sgd", "momentum": 0.5, "dampening": 0.2},
    {"name": "adam", "amsgrad": True},
    {"name": "adamw", "weight_decay": 0.1},
    {"name": "rmsprop", "centered": True, "momentum": 0.9},
    "adagrad",
]


def problem(optimizer, layout="columns", freeze=(), bias=None, steps=6, seed=0, batch=3):
    rng = np.random.default_rng(seed)
    config = random_config(rng, [3, 5, 4, 3], ["relu", "tanh", "softmax"], "nll", layout, batch)
    if bias is not None:
        config["layers"][1]["bias"] = bias
    config.update(optimizer=optimizer, steps=steps, learning_rate=0.05)
    if freeze:
        config["freeze"] = list(freeze)
    return mlpstep.load(config)


def arrays(trace) -> dict[str, np.ndarray]:
    out = {}
    for section in ("forward", "grads", "updated", "params", "final"):
        out.update({f"{section}.{name}": np.asarray(value) for name, value in getattr(trace, section).items()})
    for section in ("state", "final_state"):
        for name, values in getattr(trace, section).items():
            out.update({f"{section}.{name}.{key}": np.asarray(value) for key, value in values.items()})
    return out


def trace_state_before(p, k: int) -> dict:
    """The optimizer state step k starts from: what a run of k - 1 steps ends with."""
    return mlpstep.step(dataclasses.replace(p, steps=k - 1), k - 1).final_state


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


CASES = [
    *[(optimizer, "columns", (), None) for optimizer in OPTIMIZER_CONFIGS],
    ("sgd", "rows", (), None),
    ({"name": "adam"}, "rows", ("W1",), None),
    ("sgd", "columns", ("W2",), None),
    ("sgd", "columns", (), 0.25),  # a shared bias: its gradient is a sum, in the flat run too
    ("sgd", "columns", (), "none"),
]


@pytest.mark.parametrize("optimizer,layout,freeze,bias", CASES)
def test_each_step_shown_is_the_step_the_loop_took_unshown(optimizer, layout, freeze, bias):
    p = problem(optimizer, layout, freeze, bias)
    traces = [mlpstep.step(p, show) for show in range(1, p.steps + 1)]
    first = traces[0]
    for k, trace in enumerate(traces, 1):
        assert trace.losses == first.losses and trace.final_loss == first.final_loss
        for name, value in first.final.items():
            assert same_bits(trace.final[name], value), (k, name)
        for name, values in first.final_state.items():
            for key, value in values.items():
                assert same_bits(trace.final_state[name][key], value), (k, name, key)
        if k > 1:  # the parameters and state step k starts from are those step k - 1 ended with
            before = traces[k - 2]
            for name, value in before.updated.items():
                assert same_bits(trace.params[name], value), (k, name)
            for name, values in before.state.items():
                for key, value in values.items():
                    assert same_bits(trace_state_before(p, k)[name][key], value), (k, name, key)
        assert trace.loss == first.losses[k - 1]


def test_steps_give_what_single_steps_from_each_others_ends_give():
    """The loop against plain single steps (each a shown step) chained by hand, sgd in one flat run."""
    p = problem("sgd", steps=5)
    loop = mlpstep.step(p)
    start = dataclasses.replace(p, steps=1)
    for k in range(5):
        single = mlpstep.step(start)
        assert single.loss == loop.losses[k]
        start = continued(start, single)
    for name, value in loop.final.items():
        assert same_bits(single.updated[name], value), name


@pytest.mark.parametrize("show", [1, 2, 3])
def test_a_traces_arrays_stay_its_own_when_later_runs_reuse_memory(show):
    p = problem("sgd", steps=3)
    kept = mlpstep.step(p, show)
    before = copy.deepcopy(arrays(kept))
    other = problem("sgd", steps=3, seed=1)  # the same shapes: it takes the reused work arrays
    for run in (other, p, other):
        mlpstep.step(run, 2)
    after = arrays(kept)
    assert all(same_bits(after[name], value) for name, value in before.items())


@pytest.mark.parametrize("show,steps", [(1, 1), (1, 3), (2, 3), (3, 3)])
def test_a_traces_arrays_overlap_only_where_they_are_one_value(show, steps):
    p = problem({"name": "sgd", "momentum": 0.9}, freeze=("W2",), steps=steps)
    trace = mlpstep.step(p, show)
    named = [(name, value) for name, value in arrays(trace).items() if value.size]
    for (a, x), (b, y) in itertools.combinations(named, 2):
        if np.shares_memory(x, y):
            same = {a.split(".", 1)[1], b.split(".", 1)[1]}
            assert len(same) == 1 or x is y or same_bits(x, y), (a, b)  # W2 frozen; final = updated at the end


def test_the_trace_is_not_the_config():
    p = problem("sgd", steps=2)
    weights = p.layers[0].weights.copy()
    trace = mlpstep.step(p, 2)
    assert not np.shares_memory(trace.final["W1"], p.layers[0].weights)
    assert same_bits(p.layers[0].weights, weights)


@pytest.mark.skipif(sys.platform != "linux", reason="counts minor page faults as Linux reports them")
def test_unshown_steps_fault_in_no_memory():
    """Issue 17: a loop reuses its arrays, so a hundred more steps fault in (almost) no new pages;
    the engine before it faulted about 40 pages a step in for this network."""
    import bench_step

    p = mlpstep.load(bench_step.network([64, 256, 256, 10], batch=128))

    def faults(steps: int) -> int:
        """The fewest pages a run of ``steps`` faults in, once the allocator has settled."""
        run, counts = dataclasses.replace(p, steps=steps), []
        for _ in range(4):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            mlpstep.step(run)
            counts.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
        return min(counts)

    few = faults(10)
    assert faults(110) - few < 50  # fewer than half a page a step


@pytest.mark.parametrize("config", OPTIMIZER_CONFIGS)
def test_optimizers_write_into_given_arrays_the_bits_they_return(config):
    config = {"name": config} if isinstance(config, str) else dict(config)
    optimizer = OPTIMIZERS[config.pop("name")](**config)
    rng = np.random.default_rng(3)
    p, state = rng.normal(size=(4, 3)), {}
    for _ in range(3):
        g = rng.normal(size=p.shape)
        fresh, fresh_state = optimizer.update(p, g, state, 0.1)
        out = {key: np.full_like(p, np.nan) for key in ("param", *optimizer.state_keys) if key != "step"}
        written, written_state = optimizer.update(p, g, state, 0.1, out)
        assert same_bits(written, fresh) and written is out["param"]
        assert fresh_state.keys() == written_state.keys()
        for key, value in fresh_state.items():
            assert same_bits(written_state[key], value), key
        p, state = fresh, fresh_state


@pytest.mark.parametrize("output,loss", list(valid_pairs()))
def test_the_output_layer_with_its_loss_gives_the_bits_of_each_alone(output, loss):
    rng = np.random.default_rng(4)
    f, measure = ACTIVATIONS[output](), LOSSES[loss]()
    z = rng.normal(size=(3, 5)) * 4
    z[:, 0] = z[0, 0]  # a tie for the max
    y = rng.random((3, 5)) if not f.classes else np.eye(3)[:, rng.integers(0, 3, 5)]
    a = f.value(z)
    a_both, per_point = measure.forward(z, y, f, np.empty_like(z))
    assert same_bits(a_both, a) and same_bits(per_point, measure.value(z, a, y, f))


@pytest.mark.parametrize("size", [7, 5000])  # np.sign below 4,096 entries, a comparison above
def test_relu_backward_is_sign_times_the_gradient_to_the_sign_of_zero(size):
    rng = np.random.default_rng(5)
    z = np.round(rng.normal(size=(size, 1)))  # many exact zeros
    da = rng.normal(size=z.shape)
    a = ReLU().value(z)
    assert same_bits(ReLU().backward(z, a, da), np.sign(a) * da)
    assert same_bits(ReLU().backward(z, a, da, out=np.empty_like(da)), np.sign(a) * da)


def test_a_block_hands_out_arrays_on_64_byte_lines_in_the_order_asked():
    block = Block([(3,), (2, 5), (4, 2), ()])
    first, second = block.take((3,)), block.take((2, 5))
    transposed = block.take((4, 2), like=np.empty((4, 2), order="F"))
    number = block.take(())
    starts = [(m.__array_interface__["data"][0] - first.__array_interface__["data"][0]) for m in (second, transposed)]
    assert starts == [64, 64 + 128] and transposed.flags.f_contiguous and number.shape == ()
    assert block.run([first, second]).size == 8 + 10 and np.shares_memory(block.run([first, second]), second)
    assert block.used == block.memory.size


def test_the_optimizers_listed_here_are_all_the_optimizers():
    names = {config if isinstance(config, str) else config["name"] for config in OPTIMIZER_CONFIGS}
    assert names == set(OPTIMIZERS)


def test_a_run_leaves_no_arrays_behind_but_the_work_arrays_it_keeps():
    """The steppers refer to their run: without care that is a cycle, and every run's arrays
    would stay until the garbage collector came by (a loop of runs then faulted its memory in
    again, about 1,000 pages a run of [784, 512, 512, 10]). With the collector off, the memory
    NumPy holds must not grow from run to run."""
    import gc
    import tracemalloc

    def numpy_bytes() -> int:
        only_numpy = tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)
        return sum(stat.size for stat in tracemalloc.take_snapshot().filter_traces([only_numpy]).statistics("filename"))

    p = problem("sgd", steps=6, batch=64)
    mlpstep.step(p, 3)  # fills the kept work arrays
    enabled = gc.isenabled()
    gc.disable()
    tracemalloc.start()
    try:
        mlpstep.step(p, 3)
        before = numpy_bytes()
        for _ in range(5):
            mlpstep.step(p, 3)
        grown = numpy_bytes() - before
    finally:
        tracemalloc.stop()
        if enabled:
            gc.enable()
    assert grown == 0
