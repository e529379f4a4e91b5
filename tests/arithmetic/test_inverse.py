"""The inverse look-ups against brute force (issue 19, item 2).

Each inverse (:func:`input_sizes_for_output`, :func:`padding_for_output`,
:func:`recovering_output_padding`) is checked by enumerating its answer space and calling the
forward formula, and by counting kernel positions by hand (no formula at all). The strategies
deliberately include an output equal to the unpadded output with ``(i - ek) mod s != 0``, where
``padding_for_output`` refused 220 of 20,000 random look-ups before the fix.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import convarith as ca
from convarith.arithmetic import recovering_output_padding

small = st.integers(1, 5)


def positions(i: int, k: int, s: int, pb: int, pe: int, d: int) -> int:
    """Brute force: slide the dilated kernel over the padded input and count where it fits."""
    ek = d * (k - 1) + 1
    return sum(1 for start in range(0, pb + i + pe, s) if start + ek <= pb + i + pe)


@given(i=st.integers(1, 30), o=st.integers(1, 30), k=small, s=small, d=st.integers(1, 3))
@example(i=5, o=1, k=1, s=5, d=1)  # the case: output = unpadded output, (5 - 1) mod 5 != 0
@example(i=7, o=3, k=3, s=2, d=1)  # output = unpadded output, (7 - 3) mod 2 == 0
@example(i=8, o=3, k=3, s=2, d=1)  # output = unpadded output, (8 - 3) mod 2 == 1
def test_padding_for_output_against_brute_force(i: int, o: int, k: int, s: int, d: int) -> None:
    # every total padding up to where the output is surely past o: the smallest that gives o
    totals = [t for t in range(0, o * s + d * k + 2) if positions(i, k, s, t // 2, t - t // 2, d) == o]
    if not totals:
        with pytest.raises(ValueError, match=r"`output_size` \d+ is smaller than the unpadded output"):
            ca.padding_for_output(i, o, k, s, d)
        return
    t = totals[0]
    assert ca.padding_for_output(i, o, k, s, d) == (t // 2, t - t // 2)
    assert ca.conv_output_size(i, k, s, (t // 2, t - t // 2), d) == o


def test_padding_for_output_at_the_unpadded_output() -> None:
    """Hand-worked: 5 cells, kernel 1, stride 5 read cell 0 only: one output, no padding needed."""
    assert ca.padding_for_output(5, 1, 1, stride=5) == (0, 0)
    assert ca.padding_for_output(8, 3, 3, stride=2) == (0, 0)  # windows at 0, 2, 4; cell 7 unread
    assert ca.padding_for_output((5, 8), (1, 3), (1, 3), stride=(5, 2)) == ((0, 0), (0, 0))
    with pytest.raises(ValueError, match=r"`output_size` 2 is smaller than the unpadded output 3"):
        ca.padding_for_output(8, 2, 3, stride=2)


def test_padding_for_output_random_lookups() -> None:
    """The issue's 20,000 random look-ups (seeded): every answer brute-force checked, none refused wrongly."""
    import random

    rng = random.Random(19)
    refused = 0
    for _ in range(20_000):
        i, k, s, d = rng.randint(1, 20), rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 3)
        ek = d * (k - 1) + 1
        if ek > i:
            continue
        o = rng.randint(1, (i - ek) // s + 3)
        unpadded = (i - ek) // s + 1
        try:
            before, after = ca.padding_for_output(i, o, k, s, d)
        except ValueError:
            refused += 1
            assert o < unpadded
            continue
        assert positions(i, k, s, before, after, d) == o
    assert refused > 0


@given(o=st.integers(1, 8), k=small, s=small, pb=st.integers(0, 4), pe=st.integers(0, 4), d=st.integers(1, 3))
def test_input_sizes_for_output_against_brute_force(o: int, k: int, s: int, pb: int, pe: int, d: int) -> None:
    found = ca.input_sizes_for_output(o, k, s, (pb, pe), d)
    limit = (o + 1) * s + d * k + 2  # past this every input gives more than o outputs
    brute = [i for i in range(1, limit) if positions(i, k, s, pb, pe, d) == o]
    assert list(found) == brute
    for i in found:  # and through the forward formula
        assert ca.conv_output_size(i, k, s, (pb, pe), d) == o


def transposed_size(o: int, k: int, s: int, p: int, a: int, d: int) -> int | None:
    """The forward formula of the transpose, None where the padding crops the whole output."""
    try:
        size = ca.conv_transpose_output_size(o, k, s, p, a, d)
    except ValueError:
        return None
    assert isinstance(size, int)
    return size


@given(i=st.integers(1, 20), k=small, s=small, p=st.integers(0, 3), d=st.integers(1, 3))
def test_recovering_output_padding_against_brute_force(i: int, k: int, s: int, p: int, d: int) -> None:
    ek = d * (k - 1) + 1
    if ek > i + 2 * p:
        with pytest.raises(ValueError, match="`kernel_size`"):
            recovering_output_padding(i, k, s, p, d)
        return
    o = positions(i, k, s, p, p, d)
    # every output padding the transposed convolution accepts (a < s or a < d): the ones that give back i
    recovering = [a for a in range(max(s, d)) if transposed_size(o, k, s, p, a, d) == i]
    assert recovering_output_padding(i, k, s, p, d) == recovering[0]
    assert len(recovering) == 1


def test_inverse_lookups_refuse_a_missing_size() -> None:
    with pytest.raises(TypeError, match="`input_size`"):
        recovering_output_padding(None, 3)  # type: ignore[arg-type]
