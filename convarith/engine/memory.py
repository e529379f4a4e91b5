"""The engine's memory bound: temporaries stay under :data:`MAX_TEMPORARY_BYTES` whatever the input.

Temporary buffers (the padded cells of a block, its column matrix, the GEMM's result and a block
of the output) are kept under :data:`MAX_TEMPORARY_BYTES` (32 MiB) by splitting the output into
blocks of whole images, else rows, and so on; the buffers are allocated once and reused from
block to block. The one exception is a single output position that needs more
(``C_in * prod(kernel)`` values): blocks of one position are then used. Input and result are not
counted. Huge strides, dilations or paddings cost nothing extra: when the kernel reads only a
small fraction of the padded cells, each tap's cells are gathered directly (memory and time follow
the output and the kernel). ``tests/test_engine.py``, ``tests/test_pooling.py`` and
``tests/test_huge.py`` check the bound with :mod:`tracemalloc` (which NumPy reports to), also with
the bound lowered to 64-128 KiB.

The bound can be changed by assigning ``convarith.engine.memory.MAX_TEMPORARY_BYTES`` (read at each
call). Larger blocks mean fewer, larger GEMMs (faster); the default is measured on the benchmark
cases (``benchmarks/bench_engine.py``).
"""

from __future__ import annotations

__all__ = ["CACHE_BYTES", "MAX_TEMPORARY_BYTES"]

MAX_TEMPORARY_BYTES = 32 * 2**20
"""Bound on the temporary buffers of one engine call, in bytes (see the module notes)."""

CACHE_BYTES = 2**20
"""Size of the depthwise column blocks (channel chunks): about one core's L2 cache (measured best)."""
