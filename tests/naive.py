"""Deliberately naive loop references for small inputs (an oracle for the engine's tests).

Written from the definitions, independently of ``convarith.engine.convolution`` and ``convarith.arithmetic.windows``:
padding uses :func:`numpy.pad` (whose ``reflect``/``edge``/``wrap`` modes are PyTorch's
``reflect``/``replicate``/``circular``), and every output cell is a Python loop over its kernel
taps. Integers stay Python integers, so integer results are exact. Slow: small inputs only.

Import it as ``from tests.naive import naive_conv`` (``python -m pytest`` puts the project root
on ``sys.path``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

Pairs = Sequence[tuple[int, int]]

NUMPY_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def naive_pad(x: np.ndarray, pads: Pairs, mode: str = "zeros", value: float = 0) -> np.ndarray:
    """Pad the last ``len(pads)`` axes with :func:`numpy.pad`."""
    widths = [(0, 0)] * (x.ndim - len(pads)) + [tuple(p) for p in pads]
    if mode == "zeros":
        return np.pad(x, widths, mode="constant", constant_values=value)
    return np.pad(x, widths, mode=NUMPY_PAD_MODES[mode])


def naive_conv(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: Sequence[int] | int = 1,
    pads: Pairs | int = 0,
    dilation: Sequence[int] | int = 1,
    groups: int = 1,
    mode: str = "zeros",
) -> np.ndarray:
    """Cross-correlation of batched ``x`` (N, C, *i) with ``weight`` (C_out, C/groups, *k), loop by loop.

    ``y[n, m, o] = b[m] + sum_{c, t} x_pad[n, g*C_g + c, o*s + t*d] * w[m, c, t]``. Returns an
    object array of Python numbers (exact for integers).
    """
    nd = weight.ndim - 2
    s = (stride,) * nd if isinstance(stride, int) else tuple(stride)
    d = (dilation,) * nd if isinstance(dilation, int) else tuple(dilation)
    p = ((pads, pads),) * nd if isinstance(pads, int) else tuple(pads)
    xp = naive_pad(x, p, mode)
    n = x.shape[0]
    c_out, c_group = weight.shape[:2]
    kernel = weight.shape[2:]
    out_group = c_out // groups
    out_size = [(xp.shape[2 + a] - (d[a] * (kernel[a] - 1) + 1)) // s[a] + 1 for a in range(nd)]
    result = np.empty((n, c_out, *out_size), dtype=object)
    for b_, m in itertools.product(range(n), range(c_out)):
        g = m // out_group
        for o in itertools.product(*(range(k) for k in out_size)):
            total = 0 if bias is None else bias[m].item()
            for c in range(c_group):
                for t in itertools.product(*(range(k) for k in kernel)):
                    where = tuple(o[a] * s[a] + t[a] * d[a] for a in range(nd))
                    total += xp[(b_, g * c_group + c, *where)].item() * weight[(m, c, *t)].item()
            result[(b_, m, *o)] = total
    return result


def pool_starts(size: int, k: int, s: int, pb: int, pe: int, d: int, ceil_mode: bool) -> list[int]:
    """Window starts (input coordinates) along one axis: the PyTorch/ONNX rule written out."""
    ek = d * (k - 1) + 1
    span = size + pb + pe - ek
    count = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (count - 1) * s >= size + pb:
        count -= 1
    return [o * s - pb for o in range(count)]


def naive_max_pool(
    x: np.ndarray,
    kernel: Sequence[int],
    stride: Sequence[int],
    pads: Pairs,
    dilation: Sequence[int],
    ceil_mode: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Max over the real cells of each window (padding never wins) and PyTorch's flat index.

    The index is that of the first maximum in window order (row-major taps; a NaN wins), flat in
    the channel plane.
    """
    nd = len(kernel)
    n, c = x.shape[:2]
    size = x.shape[2:]
    starts = [pool_starts(size[a], kernel[a], stride[a], *pads[a], dilation[a], ceil_mode) for a in range(nd)]
    shape = (n, c, *(len(v) for v in starts))
    values = np.empty(shape, dtype=object)
    indices = np.empty(shape, dtype=np.int64)
    for b_, ch in itertools.product(range(n), range(c)):
        for o in itertools.product(*(range(len(v)) for v in starts)):
            best, best_index = None, -1
            for t in itertools.product(*(range(k) for k in kernel)):
                where = tuple(starts[a][o[a]] + t[a] * dilation[a] for a in range(nd))
                if not all(0 <= where[a] < size[a] for a in range(nd)):
                    continue
                value = x[(b_, ch, *where)].item()
                if best is None or value > best or (isinstance(value, float) and math.isnan(value)):
                    best, best_index = value, int(np.ravel_multi_index(where, size))
            values[(b_, ch, *o)] = best
            indices[(b_, ch, *o)] = best_index
    return values, indices


def naive_avg_pool(
    x: np.ndarray,
    kernel: Sequence[int],
    stride: Sequence[int],
    pads: Pairs,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    dilation: Sequence[int] | None = None,
) -> np.ndarray:
    """Sum of the real cells of each window over PyTorch's divisor (an object array).

    Divisor: ``divisor_override``, else the taps inside ``[-pb, i + pe)`` (``count_include_pad``)
    or inside ``[0, i)``. Integer inputs divide with truncation towards zero, as PyTorch's int64.
    """
    nd = len(kernel)
    dil = [1] * nd if dilation is None else list(dilation)
    n, c = x.shape[:2]
    size = x.shape[2:]
    starts = [pool_starts(size[a], kernel[a], stride[a], *pads[a], dil[a], ceil_mode) for a in range(nd)]
    shape = (n, c, *(len(v) for v in starts))
    result = np.empty(shape, dtype=object)
    integer = x.dtype.kind in "iu"
    for b_, ch in itertools.product(range(n), range(c)):
        for o in itertools.product(*(range(len(v)) for v in starts)):
            total, inside, padded = 0, 0, 0
            for t in itertools.product(*(range(k) for k in kernel)):
                where = tuple(starts[a][o[a]] + t[a] * dil[a] for a in range(nd))
                if all(-pads[a][0] <= where[a] < size[a] + pads[a][1] for a in range(nd)):
                    padded += 1
                if all(0 <= where[a] < size[a] for a in range(nd)):
                    inside += 1
                    total += x[(b_, ch, *where)].item()
            divisor = divisor_override or (padded if count_include_pad else inside)
            if integer:
                quotient = abs(total) // divisor
                result[(b_, ch, *o)] = quotient if total >= 0 else -quotient
            else:
                result[(b_, ch, *o)] = total / divisor
    return result
