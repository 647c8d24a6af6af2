"""The benchmarks measure what they say: the torch baseline is the same step, the memory
budget counts what a trace holds, and the class of answer files grades as intended."""

import json
import subprocess
import sys

import bench_check
import bench_loop
import bench_memory
import bench_step
import numpy as np
import pytest

import mlpstep

SIZES = [6, 5, 4, 3]


@pytest.mark.slow  # imports PyTorch
def test_the_torch_baseline_computes_the_same_step():
    pytest.importorskip("torch")
    config = bench_step.network(SIZES, batch=8)
    trace = mlpstep.step(mlpstep.load(config))
    torch_step = bench_step.torch_step_function(config)
    assert torch_step() == pytest.approx(trace.loss_after, rel=1e-12)
    z1, a1, z2, a2, z3 = (grad.numpy().T for grad in torch_step.grads)
    for name, value in (("z1", z1), ("a1", a1), ("z2", z2), ("a2", a2), ("z3", z3)):
        np.testing.assert_allclose(trace.grads[name], value, rtol=1e-10, atol=1e-15)


@pytest.mark.slow  # imports PyTorch
@pytest.mark.parametrize("config", ["seed", "network"])
def test_the_torch_loop_takes_the_same_steps(config):
    pytest.importorskip("torch")
    from dataclasses import replace

    config = bench_loop.seed_config() if config == "seed" else bench_step.network(SIZES, batch=8)
    trace = mlpstep.step(replace(mlpstep.load(config), steps=5))
    losses, final, weights = bench_loop.torch_loop_function(config, 5)()
    np.testing.assert_allclose(losses, trace.losses, rtol=1e-12)
    assert final == pytest.approx(trace.final_loss, rel=1e-12)
    np.testing.assert_allclose(weights[0], trace.final["W1"], rtol=1e-12, atol=1e-15)


def test_the_memory_budget_counts_what_a_trace_holds():
    parts = bench_memory.budget_parts(SIZES, batch=8)
    trace = mlpstep.step(mlpstep.load(bench_step.network(SIZES, batch=8)))
    assert parts["parameters"] == sum(value.nbytes for value in trace.updated.values())
    assert parts["gradients"] == sum(value.nbytes for value in trace.grads.values())
    assert parts["activations"] == trace.problem.x.nbytes + sum(value.nbytes for value in trace.forward.values())


def test_multiply_adds_count_each_matrix_product_of_a_step():
    batch, (n0, n1, n2) = 8, (2, 3, 4)
    forward = batch * (n0 * n1 + n1 * n2)
    # the forward, dL/dW of both layers, dL/da1 (not dL/dx), and the forward after the update
    assert bench_step.multiply_adds([n0, n1, n2], batch) == forward + forward + batch * n1 * n2 + forward


def test_the_class_of_answer_files_has_right_and_wrong_answers(tmp_path):
    paths = bench_check.answer_files(tmp_path, 8)
    result = subprocess.run([sys.executable, "-m", "mlpstep", "check", bench_check.CONFIG, *paths, "--json"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    scores = [(f["correct"], f["total"]) for f in json.loads(result.stdout)["files"]]
    assert result.returncode == 1  # some answers wrong, none unreadable
    assert scores[1] == (17, 17) and scores[0][0] < 17 and scores[7][0] < 17  # file 0: both mistakes; 7: a transpose


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_the_footprint_of_a_loop_is_measured_in_a_process_of_its_own():
    import footprint

    faults, peak = footprint.footprint("mlpstep", "bench_step.network([6, 5, 4, 3], batch=8)", steps=3)
    assert faults >= 0 and 0 <= peak < 2**30
    assert footprint.text((0.0, 3 * 2**20)) == "0 faults, +3.0 MiB" and footprint.text(None) == "not measured"


def test_the_machine_line_names_the_cpu_its_simd_flags_and_the_blas():
    import machine

    line = machine.machine()
    assert line.startswith(machine.cpu()) and "NumPy" in line and machine.blas() in line
    assert machine.cpu().endswith(")")  # the SIMD flags, or that they are unknown


BEFORE_ISSUE_17 = "7593ad7"
"""The engine before issue 17 reworked its memory and its loops: the same bits are expected of it."""


@pytest.mark.slow  # a subprocess on another revision's engine, 200 random problems each
def test_the_engine_gives_the_bits_it_gave_before_issue_17():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    known = subprocess.run(["git", "-C", str(root), "cat-file", "-e", BEFORE_ISSUE_17], capture_output=True)
    if known.returncode:
        pytest.skip(f"this clone does not hold revision {BEFORE_ISSUE_17} (a shallow clone?)")
    script = root / "tests" / "bench" / "compare_engines.py"
    result = subprocess.run([sys.executable, str(script), "--against", BEFORE_ISSUE_17, "--count", "200"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 differ from " in result.stdout
