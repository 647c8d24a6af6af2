"""The machine a figure was measured on: CPU model and SIMD flags, memory, OS, Python, NumPy
and the BLAS it calls (with the kernels OpenBLAS chose for this CPU), and torch."""

from __future__ import annotations

import os
import platform

SIMD = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
        "amx_tile", "asimd", "sve")  # fmt: skip
"""The flags that decide which kernels BLAS and NumPy run, as /proc/cpuinfo names them."""


def cpu() -> str:
    """``AMD EPYC (avx2 fma avx512f ...)``: the model, and its SIMD flags among SIMD."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() in ("flags", "Features") and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return f"{model} ({' '.join(flag for flag in SIMD if flag in flags) or 'SIMD flags unknown'})"


def blas() -> str:
    """``OpenBLAS 0.3.31 (Haswell kernels, pthreads)``, from threadpoolctl, else NumPy's build info."""
    import numpy as np

    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            if info.get("user_api") == "blas":
                arch = f"{info.get('architecture')} kernels, " if info.get("architecture") else ""
                api = info["internal_api"]
                name = {"openblas": "OpenBLAS", "mkl": "MKL", "blis": "BLIS"}.get(api, api)
                return f"{name} {info.get('version')} ({arch}{info.get('threading_layer')})"
    except ImportError:
        pass
    config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return f"{config['name']} {config.get('version', '')}"


def machine() -> str:
    """One line naming everything a speed depends on."""
    import numpy as np

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    parts = [f"{cpu()}, {os.cpu_count()} cores, {memory:.0f} GiB", f"{platform.system()} {platform.release()}",
             f"Python {platform.python_version()}", f"NumPy {np.__version__} with {blas()}"]  # fmt: skip
    try:
        import torch

        parts.append(f"torch {torch.__version__}")
    except ImportError:
        parts.append("torch not installed (no torch baselines)")
    return " · ".join(parts)


if __name__ == "__main__":
    print(machine())
