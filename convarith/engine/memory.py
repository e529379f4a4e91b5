"""The engine's memory bound: temporaries stay under :data:`MAX_TEMPORARY_BYTES` whatever the input.

Temporary buffers (the padded cells of a block, its column matrix, the GEMM's result and a block
of the output) are kept under :data:`MAX_TEMPORARY_BYTES` (32 MiB) by splitting the output into
blocks of whole images, else rows, and so on; the buffers are allocated once and reused from
block to block. The one exception is a single output position that needs more
(``C_in * prod(kernel)`` values): blocks of one position are then used. Input and result are not
counted. Huge strides, dilations or paddings cost nothing extra: when the kernel reads only a
small fraction of the padded cells, each tap's cells are gathered directly (memory and time follow
the output and the kernel). ``tests/engine/test_engine.py``, ``tests/engine/test_pooling.py`` and
``tests/engine/test_huge.py`` check the bound with :mod:`tracemalloc` (which NumPy reports to), also with
the bound lowered to 64-128 KiB.

The bound can be changed by assigning ``convarith.engine.memory.MAX_TEMPORARY_BYTES`` (read at each
call). Larger blocks mean fewer, larger GEMMs (faster); the default is measured on the benchmark
cases (``benchmarks/bench_engine.py``).

Results are bounded too: before allocating, every engine function computes the size of what it
returns (and of any intermediate array of that kind: a padded input, the construction's
stretched input) from the layer's numbers, and refuses one larger than
:data:`MAX_RESULT_BYTES` (1 GiB) with a ``ValueError`` naming the argument and the size
(``padding 1000000 gives a 1×1×2000003×2000003 output of float64: 29.1 TiB``), instead of
NumPy's ``MemoryError`` or "Maximum allowed dimension exceeded". The size counts at least one
image and one channel, so an empty batch does not hide a huge spatial size. Assign
``convarith.engine.memory.MAX_RESULT_BYTES`` to change it (read at each call).
:data:`convarith.engine.MAX_MATRIX_BYTES` bounds ``conv_matrix`` further.

Examples
--------
>>> check_result_size((1, 1, 2000003, 2000003), 8, "`padding` 1000000", dtype="float64")
Traceback (most recent call last):
...
ValueError: `padding` 1000000 gives a 1×1×2000003×2000003 output of float64: 29.1 TiB, more than ...
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from convarith.arithmetic.validate import magnitude

__all__ = [
    "CACHE_BYTES",
    "MAX_RESULT_BYTES",
    "MAX_TEMPORARY_BYTES",
    "check_result_size",
    "number_text",
    "readable_bytes",
]

MAX_TEMPORARY_BYTES = 32 * 2**20
"""Bound on the temporary buffers of one engine call, in bytes (see the module notes)."""

CACHE_BYTES = 2**20
"""Size of the depthwise column blocks (channel chunks): about one core's L2 cache (measured best)."""

MAX_RESULT_BYTES = 2**30
"""Bound on an array an engine call returns or builds whole (an output, a padded input), in bytes."""


def number_text(value: Any) -> str:
    """An int (or a tuple of them) for a message: exact up to 20 digits, else ``'~2**N'``.

    Huge arguments (``padding=10**5000``) never print whole, nor overflow a float.
    """
    if isinstance(value, tuple | list):
        return "(" + ", ".join(number_text(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, int) and abs(value) >= 10**20:
        return magnitude(value)
    return str(value)


def readable_bytes(n: int) -> str:
    """``n`` bytes in binary units, e.g. ``'29.1 TiB'`` (ints of any size, never a float overflow)."""
    if n >= 2**80:
        return f"~2**{n.bit_length() - 1} bytes"
    for unit, size in (("EiB", 2**60), ("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def check_result_size(shape: Sequence[int], itemsize: int, cause: str, what: str = "output", dtype: str = "") -> None:
    """Refuse an array of ``shape`` larger than :data:`MAX_RESULT_BYTES`, before it is allocated.

    ``cause`` names the argument that made it so large (``"`padding` 1000000"``); zero batch
    or channel sizes count as one (see the module notes).
    """
    cells = math.prod(max(int(n), 1) for n in shape)
    size = cells * itemsize
    if size > MAX_RESULT_BYTES:
        kind = dtype or f"{itemsize}-byte values"
        raise ValueError(
            f"{cause} gives a {'×'.join(number_text(int(n)) for n in shape)} {what} of {kind}: {readable_bytes(size)}, "
            f"more than MAX_RESULT_BYTES = {readable_bytes(MAX_RESULT_BYTES)} "
            "(convarith.engine.memory.MAX_RESULT_BYTES)"
        )
