"""Benchmark: convarith.conv_transpose against PyTorch CPU on a decoder layer.

The layer: N=8, 64 -> 32 channels, 28x28 -> 56x56, kernel 4, stride 2, padding 1, float32 (the
upsampling step of a DCGAN/U-Net decoder). Both sides run with the same number of threads (2 by
default: OpenBLAS for NumPy, ``torch.set_num_threads`` for PyTorch).

    python benchmarks/bench_transpose.py              # 20 repeats
    python benchmarks/bench_transpose.py --quick      # 3 repeats
    python benchmarks/bench_transpose.py --threads 1  # both sides single-threaded

Prints our time, PyTorch's, their ratio (target: within 2x), the largest difference between the
two outputs, our peak memory (tracemalloc: NumPy reports its allocations there), and the load
average, since the timings on a shared machine depend on it. The runs alternate between the two
sides, so load hits both alike; best and median are both shown.
"""

from __future__ import annotations

import os
import sys


def _threads_from_argv(default: int = 2) -> int:
    """``--threads N`` must be known before NumPy loads OpenBLAS, so it is read here first."""
    for index, arg in enumerate(sys.argv):
        if arg == "--threads" and index + 1 < len(sys.argv):
            return int(sys.argv[index + 1])
        if arg.startswith("--threads="):
            return int(arg.split("=", 1)[1])
    return default


THREADS = _threads_from_argv()
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = str(THREADS)

import argparse  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))  # this checkout

import convarith as ca  # noqa: E402
from convarith.testing import random_array  # noqa: E402

LAYER = {"batch": 8, "in_channels": 64, "out_channels": 32, "size": 28, "kernel": 4, "stride": 2, "padding": 1}


def interleaved_times(runs: dict[str, Callable[[], Any]], repeats: int) -> dict[str, list[float]]:
    """Time each function ``repeats`` times, alternating between them so that load from other
    processes on a shared machine hits both sides alike."""
    for run in runs.values():
        run()  # warm up
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def torch_baseline(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, *, stride: int, padding: int
) -> Callable[[], np.ndarray] | None:
    """PyTorch's conv_transpose2d on the same arrays with THREADS threads, or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(THREADS)
    tx, tw, tb = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)

    def run() -> np.ndarray:
        with torch.no_grad():
            return torch.nn.functional.conv_transpose2d(tx, tw, tb, stride=stride, padding=padding).numpy()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 20")
    parser.add_argument("--threads", type=int, default=2, help="threads for both sides (default 2)")
    args = parser.parse_args()
    repeats = 3 if args.quick else 20

    n, cin, cout, size = LAYER["batch"], LAYER["in_channels"], LAYER["out_channels"], LAYER["size"]
    k, s, p = LAYER["kernel"], LAYER["stride"], LAYER["padding"]
    x = random_array((n, cin, size, size), seed=1)
    w = random_array((cin, cout, k, k), seed=2)
    b = random_array((cout,), seed=3)

    def ours() -> np.ndarray:
        return ca.conv_transpose(x, w, b, stride=s, padding=p)

    out = ours()
    print(f"decoder layer: x {x.shape} float32, weight {w.shape}, stride {s}, padding {p} -> {out.shape}")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"threads: {THREADS} on {os.cpu_count()} cores; load average before: {load}")
    tracemalloc.start()
    ours()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    runs: dict[str, Callable[[], Any]] = {"ours": ours}
    theirs = torch_baseline(x, w, b, stride=s, padding=p)
    if theirs is not None:
        runs["torch"] = theirs
    times = interleaved_times(runs, repeats)
    best = {name: min(t) for name, t in times.items()}
    median = {name: float(np.median(t)) for name, t in times.items()}
    print(
        f"convarith.conv_transpose: best {best['ours'] * 1e3:7.2f} ms, median {median['ours'] * 1e3:7.2f} ms "
        f"({repeats} runs)"
    )
    print(
        f"  peak memory (tracemalloc): {peak / 2**20:.1f} MiB; output alone {out.nbytes / 2**20:.1f} MiB, "
        f"input {x.nbytes / 2**20:.1f} MiB"
    )
    if theirs is None:
        print("PyTorch is not installed: no baseline")
        return
    difference = float(np.abs(theirs() - out).max())
    print(
        f"torch conv_transpose2d:   best {best['torch'] * 1e3:7.2f} ms, median {median['torch'] * 1e3:7.2f} ms "
        f"({THREADS} threads)"
    )
    print(
        f"ratio ours/torch: best {best['ours'] / best['torch']:.2f}x, median {median['ours'] / median['torch']:.2f}x "
        f"(target <= 2x); max |difference| {difference:.2e}"
    )


if __name__ == "__main__":
    main()
