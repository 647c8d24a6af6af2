"""The engine against PyTorch float64 autograd.

tests/golden/torch_cases.json was computed by tests/golden/torch_reference.py
(regenerate with: pip install torch==2.13.0 && python tests/golden/make_golden.py).
The live test below also draws fresh random networks; it skips without torch.
"""

import itertools
import json
import zlib
from pathlib import Path

import numpy as np
import pytest
from random_networks import ACTIVATIONS, BATCHES, LAYOUTS, random_config, valid_pairs

import mlpstep
from mlpstep.functions.activations import ACTIVATIONS as ALL_ACTIVATIONS

GOLDEN = Path(__file__).parent / "golden"
CASES = json.loads((GOLDEN / "torch_cases.json").read_text())["cases"]


def assert_matches(actual: dict, expected: dict):
    assert actual["loss"] == pytest.approx(expected["loss"], rel=1e-9, abs=1e-12)
    for section in ("forward", "grads", "updated"):
        assert list(actual[section]) == list(expected[section]), section
        for name, value in expected[section].items():
            got = np.array(actual[section][name])
            assert got.shape == np.shape(value), f"{section}.{name}"
            np.testing.assert_allclose(got, value, rtol=1e-9, atol=1e-12, err_msg=f"{section}.{name}")


def name_of(activation) -> str:
    """An activation's name, given as a name or as a mapping with options."""
    return activation if isinstance(activation, str) else activation["name"]


def test_golden_cases_cover_every_activation_loss_and_layout():
    configs = [case["config"] for case in CASES]
    outputs = {(name_of(c["layers"][-1]["activation"]), c["loss"]) for c in configs}
    assert outputs >= set(valid_pairs())
    assert {output for output, _ in outputs} == set(ALL_ACTIVATIONS) > set(ACTIVATIONS)
    hidden = {name_of(layer["activation"]) for c in configs for layer in c["layers"][:-1]}
    assert hidden == set(ALL_ACTIVATIONS)
    assert {c["layout"] for c in configs} == set(LAYOUTS)
    assert {c.get("relu_grad_at_zero", 0) for c in configs} == {0, 0.5, 1}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_engine_matches_torch_golden_case(case):
    assert_matches(mlpstep.step(mlpstep.load(case["config"])).to_dict(), case["expected"])


@pytest.mark.slow  # imports PyTorch
@pytest.mark.parametrize("output,loss", list(valid_pairs()))
def test_engine_matches_live_torch_on_random_networks(output, loss):
    pytest.importorskip("torch")
    from torch_reference import torch_step

    rng = np.random.default_rng(zlib.crc32(repr((output, loss)).encode()))
    for layout, (batch, reduction) in itertools.product(LAYOUTS, BATCHES):
        depth = int(rng.integers(1, 4))
        sizes = [int(n) for n in rng.integers(1, 6, size=depth + 1)]
        hidden = [ACTIVATIONS[int(k)] for k in rng.integers(len(ACTIVATIONS), size=depth - 1)]
        sizes[1:] = [max(n, 2) if act == "softmax" else n for n, act in zip(sizes[1:], [*hidden, output])]
        config = random_config(rng, sizes, [*hidden, output], loss, layout, batch, reduction)
        assert_matches(mlpstep.step(mlpstep.load(config)).to_dict(), torch_step(config))
