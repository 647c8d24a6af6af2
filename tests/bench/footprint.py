"""Page faults and peak memory of a step or a loop, each contender in a fresh process of its own.

    python tests/bench/footprint.py

A process sets up (imports, the network, torch's tensors), takes its step or loop twice, then
three more times: it reports the minor page faults of each of those three (memory the system
had to hand over again: freed and asked for anew, or touched for the first time) and the
peak resident set that the five add to the set-up process (VmHWM). Linux only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
PROBE = """
import json, resource, sys
sys.path.insert(0, {here!r})
{setup}
def peak():
    return [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")][0] * 1024
base = peak()
{call}
{call}
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
    {call}
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / 3
print(json.dumps([faults, peak() - base]))
"""

SETUPS = {
    "mlpstep": "import bench_step, bench_loop, mlpstep\nfrom dataclasses import replace\n"
    "problem = replace(mlpstep.load({config}), steps={steps})",
    "torch step": "import bench_step\nrun = bench_step.torch_step_function({config})",
    "torch loop": "import bench_step, bench_loop\nrun = bench_loop.torch_loop_function({config}, {steps})",
}
CALLS = {"mlpstep": "mlpstep.step(problem)", "torch step": "run()", "torch loop": "run()"}


def footprint(kind: str, config: str, steps: int = 1) -> tuple[float, int] | None:
    """(minor page faults a run, once warm; peak RSS the runs add, in bytes) of ``kind`` ("mlpstep",
    "torch step" or "torch loop") on ``config`` (Python code giving it); None where it cannot be measured."""
    if not sys.platform.startswith("linux"):
        return None
    code = PROBE.format(here=str(HERE), setup=SETUPS[kind].format(config=config, steps=steps), call=CALLS[kind])
    env = {**os.environ, **ONE_THREAD}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    if result.returncode:
        return None  # torch not installed, or no /proc
    faults, peak = json.loads(result.stdout.splitlines()[-1])
    return faults, peak


def text(measured: tuple[float, int] | None) -> str:
    """``0 faults, +21.0 MiB`` or ``not measured``."""
    if measured is None:
        return "not measured"
    faults, peak = measured
    return f"{faults:,.0f} faults, +{peak / 2**20:.1f} MiB"


def rows() -> list[tuple[str, str, str]]:
    """(what, mlpstep's footprint, torch's) for the big step and both loops of bench_loop."""
    big = "bench_step.network([784, 512, 512, 10])"
    cases = [
        ("step [784, 512, 512, 10] x 256", big, 1, "torch step"),
        ("[784, 512, 512, 10] x 256, steps: 20", big, 20, "torch loop"),
        ("seed 2-4-2, steps: 10,000", "bench_loop.seed_config()", 10_000, "torch loop"),
    ]
    return [(name, text(footprint("mlpstep", config, steps)), text(footprint(torch, config, steps)))
            for name, config, steps, torch in cases]  # fmt: skip


def main() -> None:
    from machine import machine

    print(machine(), end="\n\n")
    print(f"{'per run, once warm':40} {'mlpstep':>26} {'torch':>26}")
    for name, ours, theirs in rows():
        print(f"{name:40} {ours:>26} {theirs:>26}")


if __name__ == "__main__":
    main()
