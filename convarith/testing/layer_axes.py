"""One axis of a valid layer, drawn for :mod:`convarith.testing.strategies`.

:func:`draw_axis` draws the kernel, dilation, stride, padding and input size (or output padding)
of one axis so that :func:`convarith.arithmetic.layer` accepts the layer, aiming at the edge case
drawn for the whole layer (see :data:`convarith.testing.strategies.EDGES`). Needs hypothesis
(imported by :mod:`convarith.testing.strategies` once it has checked that it is installed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from convarith.arithmetic import effective_kernel_size

__all__ = ["MAX_DILATION", "MAX_STRIDE", "POOLS", "draw_axis"]

POOLS: tuple[str, ...] = ("max_pool", "avg_pool", "lp_pool")
"""The pooling ops."""
MAX_STRIDE = 3
"""Largest stride drawn (except above the kernel, for that edge case)."""
MAX_DILATION = 3
"""Largest dilation drawn."""


def _pad_bound(op: str, k: int, ek: int, pool_convention: str) -> int:
    """The largest padding on one side that ``layer()`` (and the framework it follows) accepts."""
    if op in POOLS:
        return k // 2 if pool_convention == "pytorch" else k - 1
    return ek - 1  # 'full' padding: every partial overlap


def _ceil_window_in_padding(i: int, k: int, s: int, pb: int, pe: int, d: int) -> bool:
    """Whether ceil mode's last window would start in the right padding (so it is dropped)."""
    ek = effective_kernel_size(k, d)
    o = (i + pb + pe - ek + s - 1) // s + 1
    return i + pb + pe >= ek and (o - 1) * s >= i + pb


def _draw_stride(draw: Callable[..., Any], ek: int, form: str, convention: str, edge: str) -> int:
    """The stride of one axis, for the edge case drawn."""
    if form == "same" and convention == "pytorch":
        return 1  # PyTorch refuses padding='same' at a stride
    if edge == "stride_above_kernel":
        return draw(st.integers(ek + 1, ek + 2))
    if edge == "ceil_window_in_padding":
        return draw(st.integers(2, MAX_STRIDE))  # at stride 1 every ceil window is a floor window
    return draw(st.integers(1, MAX_STRIDE))


def _draw_pad_pair(draw: Callable[..., Any], form: str, bound: int) -> tuple[int, int]:
    """``(before, after)`` padding of one axis in the padding form drawn (0 for a word)."""
    if form == "symmetric":
        pb = draw(st.integers(0, bound))
        return pb, pb
    if form == "pairs":
        return draw(st.integers(0, bound)), draw(st.integers(0, bound))
    return 0, 0  # 'none', or resolved by layer() from the word


def _draw_input_size(
    draw: Callable[..., Any],
    k: int,
    s: int,
    d: int,
    pads: tuple[int, int],
    form: str,
    convention: str,
    edge: str,
    bound: int,
    max_size: int,
) -> tuple[int, int, int]:
    """``(input size, pb, pe)`` of one axis of a convolution or pooling layer, for the edge case drawn."""
    pb, pe = pads
    ek = effective_kernel_size(k, d)
    if form == "same" and convention == "caffe":  # symmetric (ek - 1) // 2: an even kernel loses one
        low = max(1, ek - 2 * ((ek - 1) // 2))
    else:
        low = ek if form == "valid" else 1 if form in ("same", "full") else max(1, ek - pb - pe)
    low = min(low, max_size)
    if edge == "kernel_fills_input":
        return low, pb, pe
    if edge == "ceil_window_in_padding":
        # every (input, padding) of this kernel and stride whose last ceil window would start
        # in the right padding (or past the input), in the padding form drawn
        pairs = [(b, e) for b in range(bound + 1) for e in range(bound + 1) if form == "pairs" or b == e]
        dropped = [
            (n, b, e)
            for b, e in (pairs if form in ("symmetric", "pairs") else [(0, 0)])
            for n in range(max(1, ek - b - e), max_size + 1)
            if _ceil_window_in_padding(n, k, s, b, e, d)
        ]
        if dropped:
            i, pb, pe = draw(st.sampled_from(dropped))
            return i, pb, pe
    return low + draw(st.integers(0, max_size - low)), pb, pe  # an offset: shrinks with the kernel


def draw_axis(
    draw: Callable[..., Any],
    op: str,
    form: str,
    edge: str,
    convention: str,
    pool_convention: str,
    max_size: int,
    dilation: bool,
) -> tuple[int, int, int, tuple[int, int], int, int]:
    """``(kernel, stride, dilation, (pb, pe), input size, output padding)`` of one axis."""
    k = draw(st.integers(1, max_size))
    d = 1 if not dilation or k == 1 else draw(st.integers(1, max(1, min(MAX_DILATION, (max_size - 1) // (k - 1)))))
    ek = effective_kernel_size(k, d)
    s = _draw_stride(draw, ek, form, convention, edge)
    bound = _pad_bound(op, k, ek, pool_convention)
    pb, pe = _draw_pad_pair(draw, form, bound)
    if op != "conv_transpose":
        i, pb, pe = _draw_input_size(draw, k, s, d, (pb, pe), form, convention, edge, bound, max_size)
        return k, s, d, (pb, pe), i, 0
    a = draw(st.integers(0, max(s, d) - 1))
    i = draw(st.integers(1, max_size))
    cap = (i - 1) * s + ek + a - 1  # pb + pe <= cap keeps an output
    if form in ("symmetric", "none"):
        pb = pe = min(pb, cap // 2)
    else:
        pb = min(pb, cap)
        pe = min(pe, cap - pb)
    return k, s, d, (pb, pe), i, a
