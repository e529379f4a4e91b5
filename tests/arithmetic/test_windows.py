"""The index map: what each output cell reads, checked against brute force and the formulas."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convarith as ca

small = st.integers(1, 3)


@given(i=st.integers(1, 7), j=st.integers(1, 6), k=small, s=small, pb=st.integers(0, 2), pe=st.integers(0, 2), d=small)
def test_reads_are_the_brute_force_window(i: int, j: int, k: int, s: int, pb: int, pe: int, d: int) -> None:
    ek = d * (k - 1) + 1
    assume(ek <= i + pb + pe and ek <= j + pb + pe)
    m = ca.window_map((i, j), k, s, ((pb, pe), (pb, pe)), d)
    assert m.output_shape == ca.conv_output_size((i, j), k, s, ((pb, pe), (pb, pe)), d)
    for out in m.positions():
        reads = m.reads(out)
        # brute force: top-left corner of the window in input coordinates, then every d-th cell
        corner = (out[0] * s - pb, out[1] * s - pb)
        expected = [(corner[0] + a * d, corner[1] + b * d) for a, b in itertools.product(range(k), repeat=2)]
        assert [r.input for r in reads] == expected
        for r in reads:
            inside = 0 <= r.input[0] < i and 0 <= r.input[1] < j
            assert (r.kind == "input") == inside
            assert r.kind in ("input", "padding")


@given(i=st.integers(1, 9), k=small, s=small, p=st.integers(0, 2), d=small)
def test_readers_invert_reads(i: int, k: int, s: int, p: int, d: int) -> None:
    assume(d * (k - 1) + 1 <= i + 2 * p)
    m = ca.window_map(i, k, s, p, d)
    forward = {(r.input, out, r.offset) for out in m.positions() for r in m.reads(out)}
    backward = {((c,), out, off) for c in range(-p, i + p) for out, off in m.readers((c,))}
    assert forward == backward


@given(i=st.integers(1, 9), k=small, s=small, p=st.integers(0, 2), d=small)
def test_padded_slices_cover_the_indices(i: int, k: int, s: int, p: int, d: int) -> None:
    assume(d * (k - 1) + 1 <= i + 2 * p)
    axis = ca.window_map(i, k, s, p, d).axes[0]
    padded = list(range(-p, i + p))
    idx = axis.indices()
    for t in range(k):
        assert padded[axis.padded_slice(t)] == idx[:, t].tolist()


def test_ceil_mode_overhang_cells() -> None:
    m = ca.window_map(5, 2, 2, ceil_mode=True, pooling=True)  # windows at 0, 2, 4: the last overhangs
    assert m.output_shape == (3,)
    assert m.axes[0].overhang == 1
    assert [r.kind for r in m.reads((2,))] == ["input", "overhang"]


def test_position_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"`output` \(3,\) is not a position of the output \(3,\)"):
        ca.window_map(5, 3, 2, 1).reads((3,))


def test_ceil_mode_needs_pooling() -> None:
    with pytest.raises(ValueError, match="`ceil_mode` applies to pooling only"):
        ca.window_map(5, 2, ceil_mode=True)
