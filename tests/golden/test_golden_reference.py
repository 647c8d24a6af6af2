"""The torch reference itself: seed-notebook numbers, and the committed golden
file still matches what the reference computes (skipped without torch)."""

import json
import math
from pathlib import Path

import pytest
from torch_reference import torch_step

pytestmark = pytest.mark.slow  # every test runs PyTorch
HERE = Path(__file__).resolve().parent

CASES = json.loads((HERE / "torch_cases.json").read_text())["cases"]

SEED_CONFIG = {
    "layout": "columns",
    "input": [3, 14],
    "label": 1,
    "loss": "nll",
    "learning_rate": 0.1,
    "relu_grad_at_zero": 0,
    "layers": [
        {"weights": [[1, 0, -1, 0], [0, 1, 0, -1]], "bias": [-1, -1, -1, -1], "activation": "relu"},
        {"weights": [[1, -1], [1, -1], [1, -1], [1, -1]], "bias": [0, 2], "activation": "softmax"},
    ],
}


def _close(a, b, rel=1e-12):
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_close(a[k], b[k], rel) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_close(x, y, rel) for x, y in zip(a, b))
    return math.isclose(a, b, rel_tol=rel, abs_tol=rel)


def test_seed_notebook():
    pytest.importorskip("torch")
    out = torch_step(SEED_CONFIG)
    assert out["forward"]["a1"] == [[2.0], [13.0], [0.0], [0.0]]
    assert out["loss"] == 28.000000000000693
    assert _close(out["forward"]["a2"], [[1.0], [6.91440011e-13]], 1e-8)
    assert _close(out["grads"]["z2"], [[1.0], [-1.0]], 1e-11)
    assert _close(out["grads"]["a1"], [[2.0]] * 4, 1e-11)
    assert _close(out["updated"]["W1"], [[0.4, -0.6, -1, 0], [-2.8, -1.8, 0, -1]], 1e-11)
    assert _close(out["updated"]["w10"], [[-1.2], [-1.2], [-1], [-1]], 1e-11)
    assert _close(out["updated"]["W2"], [[0.8, -0.8], [-0.3, 0.3], [1, -1], [1, -1]], 1e-11)
    assert _close(out["updated"]["w20"], [[-0.1], [2.1]], 1e-11)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_file_matches_reference(case):
    pytest.importorskip("torch")
    assert _close(torch_step(case["config"]), case["expected"])
