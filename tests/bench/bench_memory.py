"""Peak memory of the big step: [784, 512, 512, 10], a batch of 256, weights in .npy files.

    python tests/bench/bench_memory.py

Two fresh processes: the interpreter baseline imports NumPy and mlpstep's
engine; the other also loads the config and takes the step. Each reports its
peak resident set (VmHWM). Goal: the step's peak <= baseline + 2 x (parameters
+ gradients + activations), in float64 bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

SIZES = [784, 512, 512, 10]
BATCH = 256
IMPORTS = "import numpy, mlpstep, mlpstep.loading.config, mlpstep.engine, mlpstep.loading.reader"
PEAK = "print([int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM')][0] * 1024)"


def budget_parts(sizes: list[int] = SIZES, batch: int = BATCH) -> dict[str, int]:
    """Bytes of the parameters, their gradients (and dL/dz, dL/da), and the activations (x, z, a)."""
    layers = list(zip(sizes, sizes[1:]))
    params = sum(n_in * n_out + n_out for n_in, n_out in layers)
    grads = params + sum(n_out * batch for _, n_out in layers) + sum(n_in * batch for n_in, _ in layers[1:])
    activations = sizes[0] * batch + sum(2 * n_out * batch for _, n_out in layers)
    return {"parameters": 8 * params, "gradients": 8 * grads, "activations": 8 * activations}


def write_config(folder: Path) -> Path:
    rng = np.random.default_rng(0)
    np.save(folder / "x.npy", rng.normal(0, 1, (BATCH, SIZES[0])))
    layers = []
    for k, (n_in, n_out) in enumerate(zip(SIZES, SIZES[1:]), 1):
        np.save(folder / f"W{k}.npy", rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)))
        np.save(folder / f"b{k}.npy", rng.normal(0, 0.1, n_out))
        layers.append({"weights": {"file": f"W{k}.npy"}, "bias": {"file": f"b{k}.npy"},
                       "activation": "relu" if k < len(SIZES) - 1 else "softmax"})  # fmt: skip
    config = {"input": {"file": "x.npy"}, "label": [k % SIZES[-1] for k in range(BATCH)], "loss": "nll",
              "learning_rate": 0.1, "layers": layers}  # fmt: skip
    path = folder / "big.yaml"
    path.write_text(json.dumps(config))
    return path


def peak(code: str) -> int:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return int(result.stdout.split()[-1])


def figures() -> list[tuple[str, int, str, int, int]]:
    """(figure, the step's peak - baseline, baseline, baseline bytes, the budget in bytes)."""
    with tempfile.TemporaryDirectory() as folder:
        config = write_config(Path(folder))
        baseline = min(peak(f"{IMPORTS}\n{PEAK}") for _ in range(3))
        step = min(peak(f"{IMPORTS}\ntrace = mlpstep.step(mlpstep.load({str(config)!r}))\n{PEAK}") for _ in range(3))
    budget = 2 * sum(budget_parts().values())
    return [
        (
            "peak RSS of the step, above baseline",
            step - baseline,
            "interpreter with NumPy and mlpstep",
            baseline,
            budget,
        )
    ]


def main() -> None:
    parts = budget_parts()
    print(", ".join(f"{name} {size / 2**20:.1f} MiB" for name, size in parts.items()))
    for name, extra, baseline, base, budget in figures():
        print(f"{name}: {extra / 2**20:.1f} MiB ({baseline}: {base / 2**20:.1f} MiB); "
              f"goal <= {budget / 2**20:.1f} MiB = 2 x (parameters + gradients + activations)")  # fmt: skip


if __name__ == "__main__":
    main()
