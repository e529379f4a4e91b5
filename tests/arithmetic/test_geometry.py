"""The geometry object: its numbers agree with the formulas, its text with hand-written formulas."""

from __future__ import annotations

import pytest

import convarith as ca


def test_repr_prints_the_formula_with_numbers() -> None:
    # The example given in the foundation issue, typed by hand.
    geo = ca.geometry("conv", 5, 3, stride=2, padding=1)
    assert repr(geo).splitlines()[-1].strip() == "o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3"


def test_repr_shows_dilation_as_effective_kernel() -> None:
    text = repr(ca.geometry("conv", 7, 3, dilation=2))
    assert "ek = 2·(3 − 1) + 1 = 5" in text
    assert text.endswith("o = ⌊(7 + 0 + 0 − 5) / 1⌋ + 1 = 3")


def test_repr_of_transposed() -> None:
    text = repr(ca.geometry("transpose", 28, 4, stride=2, padding=1))
    assert text.endswith("o = (28 − 1)·2 − 1 − 1 + 4 + 0 = 56")


def test_ceil_mode_repr_explains_the_dropped_window() -> None:
    # i=3, k=2, s=2, p=1: ceil(3/2) + 1 = 3 windows, but the third would start at 4 >= 3 + 1.
    geo = ca.geometry("pool", 3, 2, stride=2, padding=1, ceil_mode=True)
    assert geo.output_shape == (2,)
    assert "− 1 = 2 (a window may not start in the right padding)" in repr(geo)


def test_per_axis_lines() -> None:
    geo = ca.geometry("conv", (5, 6), (3, 2))
    lines = repr(geo).splitlines()
    assert lines[0] == "conv: input 5×6, kernel 3×2, stride 1, padding (0, 0) -> output 3×5"
    assert lines[1].startswith("  axis 0: ") and lines[1].endswith("= 3")
    assert lines[2].startswith("  axis 1: ") and lines[2].endswith("= 5")


@pytest.mark.parametrize(
    ("padding", "convention", "pads"),
    [("same", "tensorflow", (2, 3)), ("same", "same_lower", (3, 2)), ("valid", "tensorflow", (0, 0))],
)
def test_string_padding_uses_the_convention(padding: str, convention: str, pads: tuple[int, int]) -> None:
    geo = ca.geometry("conv", 224, 7, stride=2, padding=padding, convention=convention)
    assert geo.padding == (pads,)
    assert geo.output_shape == (ca.conv_output_size(224, 7, 2, pads),)


def test_latex_for_notebooks() -> None:
    latex = ca.geometry("conv", 5, 3, stride=2, padding=1)._repr_latex_()
    assert latex.startswith("$") and latex.endswith("$")
    assert r"\frac{5 + 1 + 1 - 3}{2}" in latex
    two_axes = ca.geometry("pool", (5, 4), 2, ceil_mode=True)._repr_latex_()
    assert r"\begin{aligned}" in two_axes and r"\lceil" in two_axes


def test_output_shape_matches_formula_functions() -> None:
    assert ca.geometry("pool", 112, 3, 2, 1).output_shape == (ca.pool_output_size(112, 3, 2, 1),)
    assert ca.geometry("transpose", 3, 3, 2, 1, output_padding=1).output_shape == (6,)


def test_output_padding_only_for_transposed() -> None:
    with pytest.raises(ValueError, match=r"`output_padding` 1 applies to transposed convolutions only"):
        ca.geometry("conv", 5, 3, output_padding=1)


def test_ceil_mode_only_for_pooling() -> None:
    with pytest.raises(ValueError, match=r"`ceil_mode` applies to pooling only"):
        ca.geometry("conv", 5, 3, ceil_mode=True)


def test_unknown_kind() -> None:
    # the layer ops first, then the older spellings (issue 21: one op vocabulary)
    with pytest.raises(
        ValueError,
        match=r"`kind` must be one of 'conv', 'conv_transpose', 'max_pool', .*'pool'.*'transpose'.*; got 'deconv'",
    ):
        ca.geometry("deconv", 5, 3)  # type: ignore[arg-type]
