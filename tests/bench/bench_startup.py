"""Cold start, as ratios against a baseline measured side by side (these machines are noisy).

    python tests/bench/bench_startup.py [--runs 15]

Each figure is the fastest of N interleaved runs of a command, divided by the fastest
run of the baseline `python -c "import numpy, yaml, typer"` in the same environment.
Goals (issue 7): run --json <= 1.15x, table output <= 1.4x.

mlpstep ends without Python's shutdown (``cli.app.script``), which the baseline pays (10-15 ms
of its ~95). So that the figures show what mlpstep's own imports and work cost too, run --json
is also divided by the baseline ending the same way (``os._exit(0)``).

Commands run as installed: the `mlpstep` script next to this Python, with bytecode
written (pip compiles it at install; PYTHONDONTWRITEBYTECODE would make every run
compile mlpstep's modules again, which no installed copy does) and one warm-up run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("mlpstep")
MLPSTEP = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "mlpstep"]
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
QUICK = "the same, ending without Python's shutdown"
CASES = {
    "baseline: import numpy, yaml, typer": [sys.executable, "-c", "import numpy, yaml, typer"],
    QUICK: [sys.executable, "-c", "import numpy, yaml, typer, os; os._exit(0)"],
    "mlpstep run seed --json": [*MLPSTEP, "run", "configs/seed.yaml", "--json"],
    "mlpstep run seed (tables)": [*MLPSTEP, "run", "configs/seed.yaml"],
    "mlpstep check seed key": [*MLPSTEP, "check", "configs/seed.yaml", "KEY"],
}
GOALS = {"mlpstep run seed --json": 1.15, "mlpstep run seed (tables)": 1.4}


def fastest(runs: int, key: Path) -> dict[str, float]:
    best = {name: float("inf") for name in CASES}
    for k in range(runs + 1):  # interleaved, so a busy moment hits every case alike; run 0 warms up
        for name, command in CASES.items():
            command = [str(key) if part == "KEY" else part for part in command]
            start = time.perf_counter()
            subprocess.run(
                command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV
            )
            if k:
                best[name] = min(best[name], time.perf_counter() - start)
    return best


def figures(runs: int = 15) -> list[tuple[str, float, str, float, float | None]]:
    """(figure, seconds, baseline, its seconds, goal as a ratio or None)."""
    key = ROOT / "tests" / "bench" / ".key.yaml"
    key.write_text(subprocess.run([*MLPSTEP, "answers", "configs/seed.yaml"], cwd=ROOT,
                                  capture_output=True, text=True, check=True).stdout)  # fmt: skip
    try:
        best = fastest(runs, key)
    finally:
        key.unlink()
    baseline_name = "baseline: import numpy, yaml, typer"
    baseline, quick = best.pop(baseline_name), best.pop(QUICK)
    rows = [(f"cold start: {name}", seconds, baseline_name.split(": ")[1], baseline, GOALS.get(name))
            for name, seconds in best.items()]  # fmt: skip
    json_run = "mlpstep run seed --json"
    return rows[:1] + [(f"cold start: {json_run}", best[json_run], QUICK, quick, None)] + rows[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for name, seconds, baseline, base, goal in figures(args.runs):
        target = f"(goal <= {goal:g}x)" if goal else ""
        print(f"{name:40} {seconds * 1000:5.0f} ms  {baseline}: {base * 1000:4.0f} ms  {seconds / base:5.2f}x {target}")


if __name__ == "__main__":
    main()
