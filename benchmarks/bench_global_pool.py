"""Benchmark: convarith's global pools against NumPy's own reduction, measured in the same run.

Run by hand from the project root::

    python benchmarks/bench_global_pool.py           # 3000x3000 planes, best of 7
    python benchmarks/bench_global_pool.py --quick   # 1000x1000 planes, best of 3

For each case it prints the best-of-``repeats`` wall time of ``convarith.global_max_pool`` /
``convarith.global_avg_pool`` and of the NumPy baseline (``x.max(axis=spatial, keepdims=True)``,
``x.mean(axis=spatial, keepdims=True)``; for integers the int64 sum divided by the number of
cells, truncated towards zero, which may wrap where ours does not), the ratio ours/NumPy
(target: within a small factor, <= 2), and the largest difference. Ours and NumPy are timed in
turn, repeat after repeat, so the machine's load hits both alike. The int64 average reads the
values three times (their maximum and minimum bound the sum before it is taken in int64, then
the sum), so it is about 3x NumPy's wrapping sum.

Issue 19: before, the global pools ran the windowed pooling loop with one 3000x3000 window and
took 28-42 s on a ``(2, 3000, 3000)`` image; they are now one NumPy reduction (plus, for the
maximum, a sign fix on planes whose maximum is zero, and for integers a bound check).

Measured on the shared 2-core machine (numpy 2.4.6, load 5.6-6.6, two runs), ours/NumPy:
float64 and float32, max and avg, batched, unbatched and plain: 0.36-1.96 (mostly 0.9-1.1;
3000x3000 float64 planes: ours 8.7-17.7 ms, NumPy 8.7-9.1 ms); int64 max 0.56-0.99; int64 avg
3.5-4.3 (the two extra reads of the exact-integer bound). Before, on the same machine at load ~6:
``global_max_pool`` of a ``(1, 2, 3000, 3000)`` image took 95.6 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))  # this checkout

import convarith as ca
from convarith.testing import seeded_rng


def best_times(functions: list[Callable[[], Any]], repeats: int) -> list[float]:
    best = [float("inf")] * len(functions)
    for _ in range(repeats):
        for index, fn in enumerate(functions):
            start = time.perf_counter()
            fn()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def cases(size: int) -> list[tuple[str, np.ndarray, int | None]]:
    rng = seeded_rng(0)
    image = rng.standard_normal((2, size, size))
    return [
        (f"(2, {size}, {size}) float64, default ndim=1", image, None),
        (f"(1, 2, {size}, {size}) float64", image[None], None),
        (f"(1, 2, {size}, {size}) float32", image[None].astype(np.float32), None),
        (f"(2, {size}, {size}) int64, ndim=2", rng.integers(-1000, 1000, (2, size, size)), 2),
        (f"({size}, {size}) plain float64, ndim=2", image[0], 2),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1000x1000 planes, 3 repeats")
    parser.add_argument("--repeats", type=int, default=0)
    args = parser.parse_args()
    size = 1000 if args.quick else 3000
    repeats = args.repeats or (3 if args.quick else 7)
    print(f"convarith {ca.__version__}, numpy {np.__version__}, best of {repeats}, load {os.getloadavg()[0]:.1f}")
    header = f"{'case':<42} {'pool':<4} {'ours ms':>8} {'numpy ms':>9} {'ours/numpy':>10} {'max |diff|':>10}"
    print(header)
    print("-" * len(header))
    for name, x, ndim in cases(size):
        count = x.ndim - 2 if ndim is None else ndim
        axes = tuple(range(x.ndim - count, x.ndim))
        cells = int(np.prod([x.shape[a] for a in axes]))

        def numpy_avg(x: np.ndarray = x, axes: tuple[int, ...] = axes, cells: int = cells) -> np.ndarray:
            if x.dtype.kind == "f":
                return x.mean(axis=axes, keepdims=True)
            total = x.sum(axis=axes, dtype=np.int64, keepdims=True)
            return np.sign(total) * (np.abs(total) // cells)  # truncated, as PyTorch's int64 pools

        pairs = {
            "max": (lambda x=x, ndim=ndim: ca.global_max_pool(x, ndim=ndim), lambda x=x, axes=axes: x.max(axis=axes, keepdims=True)),  # noqa: E501
            "avg": (lambda x=x, ndim=ndim: ca.global_avg_pool(x, ndim=ndim), numpy_avg),
        }  # fmt: skip
        for pool, (ours, theirs) in pairs.items():
            t_ours, t_numpy = best_times([ours, theirs], repeats)
            diff = float(np.abs(ours().astype(np.float64) - theirs().astype(np.float64)).max())
            print(
                f"{name:<42} {pool:<4} {t_ours * 1e3:8.1f} {t_numpy * 1e3:9.1f} {t_ours / t_numpy:10.2f} {diff:10.1e}"
            )
    print("Target: ours/numpy <= 2 (issue 19: 'within a small factor of NumPy's own').")


if __name__ == "__main__":
    main()
