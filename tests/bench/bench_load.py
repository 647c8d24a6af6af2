"""Loading a config of a million parameters: matrices in .npy, .npz or .csv files, or one .json.

    python tests/bench/bench_load.py [--runs 5]

The network is [784, 1024, 192, 10] (1,002,570 parameters) with a batch of 64
inputs. Each figure is the fastest ``mlpstep.load`` of ``--runs``; the baseline
reads the same files with NumPy or json alone (np.load, np.loadtxt, json.loads),
so the ratio is what mlpstep adds to reading them: its checks and conversions. YAML is shown for scale on a tenth of the
network: PyYAML spends microseconds on every number, so big networks belong in
files.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

import mlpstep

SIZES = [784, 1024, 192, 10]
BATCH = 64
GOALS = {".npy": 0.1, ".npz": 0.1, ".csv": 1.0, ".json": 1.0}
"""Seconds: well under one for binary files; under one for text, which the parsers alone take most of."""


def arrays(sizes: list[int] = SIZES, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {"input": rng.normal(0, 1, (BATCH, sizes[0]))}
    for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), 1):
        out[f"W{k}"] = rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out))
        out[f"w{k}0"] = rng.normal(0, 0.1, n_out)
    return out


def parameters(sizes: list[int] = SIZES) -> int:
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))


def _config(sizes: list[int], value) -> dict:
    """A config whose matrices are ``value(name)``."""
    return {
        "input": value("input"),
        "label": [k % sizes[-1] for k in range(BATCH)],
        "loss": "nll",
        "learning_rate": 0.1,
        "layers": [
            {
                "weights": value(f"W{k}"),
                "bias": value(f"w{k}0"),
                "activation": "relu" if k < len(sizes) - 1 else "softmax",
            }
            for k in range(1, len(sizes))
        ],
    }


def write_configs(folder: Path) -> dict[str, tuple[Path, callable]]:
    """Each format's config, and the baseline that reads its data without mlpstep."""
    data = arrays()
    for name, value in data.items():
        np.save(folder / f"{name}.npy", value)
        np.savetxt(folder / f"{name}.csv", value if value.ndim == 2 else value[None, :], delimiter=",", fmt="%.17g")
    np.savez(folder / "network.npz", **data)
    configs = {
        ".npy": _config(SIZES, lambda name: {"file": f"{name}.npy"}),
        ".npz": _config(SIZES, lambda name: {"file": "network.npz", "key": name}),
        ".csv": _config(SIZES, lambda name: {"file": f"{name}.csv"}),
        ".json": _config(SIZES, lambda name: data[name].tolist()),
    }
    out = {}
    for kind, config in configs.items():
        path = folder / f"config{kind.replace('.', '_')}.{'json' if kind == '.json' else 'yaml'}"
        path.write_text(json.dumps(config))  # JSON is YAML too
        out[kind] = path
    small = arrays([784, 100, 10])
    yaml_path = folder / "small.yaml"
    yaml_path.write_text(
        json.dumps(_config([784, 100, 10], lambda name: small[name].tolist()))
    )  # one line: under the YAML cap
    out["yaml"] = yaml_path
    names = list(data)
    out_baselines = {
        ".npy": lambda: [np.load(folder / f"{name}.npy") for name in names],
        ".npz": lambda: [np.load(folder / "network.npz")[name] for name in names],
        ".csv": lambda: [np.loadtxt(folder / f"{name}.csv", delimiter=",") for name in names],
        ".json": lambda: json.loads((folder / "config_json.json").read_text()),
        "yaml": lambda: json.loads(yaml_path.read_text()),
    }
    return {kind: (path, out_baselines[kind]) for kind, path in out.items()}


def fastest(function, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def figures(runs: int = 5) -> list[tuple[str, float, str, float, float | None]]:
    """(figure, seconds, baseline, its seconds, goal in seconds or None)."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for kind, (path, baseline) in write_configs(Path(folder)).items():
            ours = fastest(lambda path=path: mlpstep.load(str(path)), runs if kind != "yaml" else 1)
            theirs = fastest(baseline, runs if kind != "yaml" else 1)
            if kind == "yaml":
                count = parameters([784, 100, 10]) + BATCH * 784
                rows.append((f"load YAML, {count:,} numbers", ours, "json.loads of the same text", theirs, None))
            else:
                what = "matrices in " + kind if kind != ".json" else "one .json config"
                rows.append((f"load 1M parameters, {what}", ours, "read with NumPy/json alone", theirs, GOALS[kind]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{parameters():,} parameters, a batch of {BATCH}")
    for name, seconds, baseline, base, goal in figures(args.runs):
        target = f"(goal < {goal:g} s)" if goal else ""
        print(f"{name:44} {seconds:7.3f} s   {baseline}: {base:6.3f} s   {target}")


if __name__ == "__main__":
    main()
