"""Cold start, as ratios against a baseline measured side by side (these machines are noisy).

    python tests/bench/bench_startup.py [--runs 15]

Each figure is the fastest of N interleaved runs of a command, divided by the fastest
run of the baseline `python -c "import numpy, yaml, typer"` in the same environment.
Goals (issue 7): run --json <= 1.15x, table output <= 1.4x.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "baseline: import numpy, yaml, typer": [sys.executable, "-c", "import numpy, yaml, typer"],
    "mlpstep run seed --json": [sys.executable, "-m", "mlpstep", "run", "configs/seed.yaml", "--json"],
    "mlpstep run seed (tables)": [sys.executable, "-m", "mlpstep", "run", "configs/seed.yaml"],
    "mlpstep check seed key": [sys.executable, "-m", "mlpstep", "check", "configs/seed.yaml", "KEY"],
}


def fastest(runs: int, key: Path) -> dict[str, float]:
    best = {name: float("inf") for name in CASES}
    for _ in range(runs):  # interleaved, so a busy moment hits every case alike
        for name, command in CASES.items():
            command = [str(key) if part == "KEY" else part for part in command]
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    key = ROOT / "tests" / "bench" / ".key.yaml"
    key.write_text(subprocess.run([sys.executable, "-m", "mlpstep", "answers", "configs/seed.yaml"], cwd=ROOT,
                                  capture_output=True, text=True, check=True).stdout)
    try:
        best = fastest(args.runs, key)
    finally:
        key.unlink()
    baseline = best["baseline: import numpy, yaml, typer"]
    print(f"{'command':40} {'fastest':>9} {'ratio':>7}")
    for name, seconds in best.items():
        print(f"{name:40} {seconds * 1000:7.0f}ms {seconds / baseline:6.2f}x")


if __name__ == "__main__":
    main()
