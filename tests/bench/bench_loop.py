"""Several steps: mlpstep's ``steps: N`` against a PyTorch loop doing the same N steps, one thread each.

    python tests/bench/bench_loop.py [--runs 5]

Two figures, each the time per step, fastest of ``--runs`` interleaved runs:
the seed's 2-4-2 network over 10,000 steps (what a tiny network pays per step
beyond its arithmetic), and [784, 512, 512, 10] x 256 over 20 steps (whether a
loop reuses its buffers). The PyTorch loop takes the same SGD steps and keeps
what mlpstep keeps of a loop: the loss before each step and, at the end, the
parameters and the loss after the last step.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy loads its BLAS

import argparse
from dataclasses import replace
from pathlib import Path

import bench_step
from machine import machine

import mlpstep

TINY_STEPS = 10_000
BIG_STEPS = 20
GOALS = {"tiny": 0.3, "big": 0.95}
"""Issue 17's goals: mlpstep's time per step over torch's."""


def torch_loop_function(config: dict, steps: int):
    """``steps`` SGD steps in PyTorch float64 (softmax outputs with nll): returns a function running
    them from the config's parameters, whose result is (the losses, the final loss, the final weights)."""
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    x = torch.tensor(config["input"], dtype=torch.float64).reshape(-1, len(config["layers"][0]["weights"]))
    labels = torch.tensor(config["label"]).reshape(-1)
    lr = config["learning_rate"]

    def logits(ws, bs):
        a = x
        for k, (w, b) in enumerate(zip(ws, bs)):
            z = torch.addmm(b, a, w)
            a = torch.relu(z) if k < len(ws) - 1 else z
        return a

    def run():
        weights = [
            torch.tensor(layer["weights"], dtype=torch.float64, requires_grad=True) for layer in config["layers"]
        ]
        biases = [torch.tensor(layer["bias"], dtype=torch.float64, requires_grad=True) for layer in config["layers"]]
        optimizer = torch.optim.SGD([*weights, *biases], lr=lr)
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.cross_entropy(logits(weights, biases), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        with torch.no_grad():
            final = float(F.cross_entropy(logits(weights, biases), labels))
        return losses, final, [w.detach().numpy() for w in weights]

    return run


def seed_config() -> dict:
    """The seed as plain data (one point, a class index), for the torch loop."""
    import yaml

    with open(Path(__file__).resolve().parents[2] / "configs" / "seed.yaml") as f:
        return yaml.safe_load(f)


def figures(runs: int = 5) -> list[tuple[str, float, str, float, float]]:
    """(figure, seconds per step, baseline, its seconds per step, goal) for the tiny and the big loop."""
    out = []
    for key, config, steps, name in (
        ("tiny", seed_config(), TINY_STEPS, f"seed 2-4-2, steps: {TINY_STEPS:,}, per step"),
        (
            "big",
            bench_step.network([784, 512, 512, 10]),
            BIG_STEPS,
            f"[784, 512, 512, 10] x 256, steps: {BIG_STEPS}, per step",
        ),
    ):
        problem = replace(mlpstep.load(config), steps=steps)
        functions = {"mlpstep": lambda problem=problem: mlpstep.step(problem)}
        try:
            functions["torch"] = torch_loop_function(config, steps)
        except ImportError:
            best = bench_step.fastest(functions, runs)
            out.append((name, best["mlpstep"] / steps, "torch not installed", float("nan"), GOALS[key]))
            continue
        best = bench_step.fastest(functions, runs)
        out.append((name, best["mlpstep"] / steps, "torch loop, same steps", best["torch"] / steps, GOALS[key]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(machine(), end="\n\n")
    for name, seconds, baseline, base, goal in figures(args.runs):
        print(f"{name:52} {seconds * 1e6:9.1f} us  {baseline}: {base * 1e6:9.1f} us  "
              f"{seconds / base:.2f}x (goal <= {goal:g}x)")  # fmt: skip


if __name__ == "__main__":
    main()
