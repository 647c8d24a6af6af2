"""Every benchmark (issues 7 and 17), each figure beside its baseline measured in the same run.

    python tests/bench/run.py            # about two minutes
    python tests/bench/run.py --quick    # fewer repeats, for a first look

Prints the machine (CPU model and SIMD flags, the BLAS and its kernels), then
one line per figure: what was measured, its baseline, the ratio or rate, the
goal and whether it is met; then the page faults and peak memory of the big
step and the loops, each in a fresh process, against torch's; then the scaling
table of the big step. Exit status 1 when a goal is missed. Speed is measured here,
never asserted in the tests: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one thread for NumPy and torch alike, before either loads

sys.path.insert(0, str(Path(__file__).parent))

import bench_check  # noqa: E402
import bench_load  # noqa: E402
import bench_loop  # noqa: E402
import bench_memory  # noqa: E402
import bench_startup  # noqa: E402
import bench_step  # noqa: E402
import footprint  # noqa: E402
from machine import machine  # noqa: E402


def rows(quick: bool) -> list[tuple[str, str, str, str, str, bool | None]]:
    """(figure, measured, baseline, result, goal, met) for every figure."""
    out = []
    for name, seconds, baseline, base, goal in bench_startup.figures(5 if quick else 15):
        ratio = seconds / base
        out.append((name, f"{seconds * 1e3:.0f} ms", f"{baseline}: {base * 1e3:.0f} ms", f"{ratio:.2f}x",
                    f"<= {goal:g}x" if goal else "", ratio <= goal if goal else None))  # fmt: skip
    for name, seconds, baseline, base, goal in bench_step.figures(5 if quick else 15):
        ratio = seconds / base
        known = ratio == ratio  # nan without torch
        out.append((name, f"{seconds * 1e3:.1f} ms", f"{baseline}: {base * 1e3:.1f} ms" if known else baseline,
                    f"{ratio:.3f}x" if known else "", f"<= {goal:g}x" if goal else "",
                    ratio <= goal if known and goal else None))  # fmt: skip
    for name, seconds, baseline, base, goal in bench_loop.figures(2 if quick else 5):
        ratio = seconds / base
        known = ratio == ratio  # nan without torch
        out.append((name, f"{seconds * 1e6:.1f} us", f"{baseline}: {base * 1e6:.1f} us" if known else baseline,
                    f"{ratio:.2f}x" if known else "", f"<= {goal:g}x", ratio <= goal if known else None))  # fmt: skip
    for name, seconds, baseline, base, goal in bench_load.figures(2 if quick else 5):
        out.append((name, f"{seconds:.3f} s", f"{baseline}: {base:.3f} s", f"{seconds / base:.1f}x",
                    f"< {goal:g} s" if goal else "", seconds < goal if goal else None))  # fmt: skip
    count = 1000
    for name, rate, baseline, base, goal in bench_check.figures(count, 1 if quick else 3):
        out.append((name, f"{count / rate:.2f} s, {rate:.0f} files/s", f"{baseline}: {1 / base:.2f} s",
                    f"{count / rate * base:.1f}x", f">= {goal} files/s", rate >= goal))  # fmt: skip
    for name, extra, baseline, base, budget in bench_memory.figures():
        out.append((name, f"{extra / 2**20:.1f} MiB", f"{baseline}: {base / 2**20:.1f} MiB", "",
                    f"<= {budget / 2**20:.1f} MiB", extra <= budget))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    print(machine(), end="\n\n", flush=True)
    table = rows(args.quick)
    header = ("figure", "measured", "baseline", "ratio", "goal", "")
    widths = [max(len(str(row[k])) for row in [header, *table]) for k in range(5)]
    print("  ".join(title.ljust(w) for title, w in zip(header, widths)).rstrip())
    for *cells, met in table:
        mark = {True: "met", False: "MISSED", None: ""}[met]
        print(("  ".join(cell.ljust(w) for cell, w in zip(cells, widths)) + "  " + mark).rstrip())
    print("\nPage faults and peak memory a run adds, each contender in a fresh process (footprint.py):")
    print(f"{'per run, once warm':40} {'mlpstep':>26} {'torch':>26}")
    for name, ours, theirs in footprint.rows():
        print(f"{name:40} {ours:>26} {theirs:>26}")
    print("\nThe step of [784, w, w, 10] x 256 as the network widens, against torch (one thread each);")
    print("the time per multiply-add of its matrix products stays flat: the time is the products':")
    bench_step.print_scaling(bench_step.scaling(5 if args.quick else 9))
    sys.exit(1 if any(met is False for *_, met in table) else 0)


if __name__ == "__main__":
    main()
