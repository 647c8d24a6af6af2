"""Grading a class: ``mlpstep check`` over 1,000 answer files in one call.

    python tests/bench/bench_check.py [--files 1000] [--runs 3]

The files are the seed's answer key with a few answers changed in each, as
students would get some wrong (every third file has a wrong cell, every
seventh a transposed matrix). Figures are files per second of the whole
command, start-up included; the baseline is the same command on one file.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "configs/seed.yaml"
GOAL = 500  # files per second


def answer_files(folder: Path, count: int) -> list[str]:
    key = subprocess.run([sys.executable, "-m", "mlpstep", "answers", CONFIG, "--decimals", "4"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    rng = random.Random(0)
    paths = []
    for k in range(count):
        text = key
        if k % 7 == 0:  # dL/dW1 written transposed
            text = re.sub(r"W1\.grad: .*", "W1.grad: [[6, 28], [6, 28], [0, 0], [0, 0]]", text)
        if k % 3 == 0:  # one number off
            numbers = list(re.finditer(r"(?<![\w.])-?\d+\.\d+", text))
            hit = rng.choice(numbers)
            text = text[: hit.start()] + str(round(float(hit.group()) + 0.5, 4)) + text[hit.end() :]
        path = folder / f"student{k:04d}.yaml"
        path.write_text(text)
        paths.append(str(path))
    return paths


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[:6])} ... failed: {result.stderr.decode()[-500:]}")
    return time.perf_counter() - start


def figures(count: int = 1000, runs: int = 3) -> list[tuple[str, float, str, float, float]]:
    """(figure, files per second, baseline, its files per second, goal)."""
    with tempfile.TemporaryDirectory() as folder:
        paths = answer_files(Path(folder), count)
        check = [sys.executable, "-m", "mlpstep", "check", CONFIG]
        cases = {"table": [*check, *paths], "json": [*check, *paths, "--json"], "one": [*check, paths[1]]}
        best = {name: float("inf") for name in cases}
        for _ in range(runs):
            for name, command in cases.items():
                best[name] = min(best[name], timed(command))
    one = 1 / best["one"]
    return [(f"check {count:,} files (table)", count / best["table"], "one file", one, GOAL),
            (f"check {count:,} files --json", count / best["json"], "one file", one, GOAL)]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for name, rate, baseline, base_rate, goal in figures(args.files, args.runs):
        print(f"{name:34} {rate:7.0f} files/s  {baseline}: {base_rate:5.1f} files/s  (goal >= {goal} files/s)")


if __name__ == "__main__":
    main()
