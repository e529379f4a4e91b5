"""Tests of the one layer value: :func:`convarith.arithmetic.layer`, its padding resolver and its text.

Oracles: the guide's figures (worked by hand, ``tests/guide.py``), brute-force counting of kernel
placements in the padded input, PyTorch's shapes (on empty-cost zero tensors), and the
alternative 'SAME' formulas written in ``REFERENCE.md`` (not the ones the code uses).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from convarith.arithmetic import (
    Layer,
    LayerError,
    geometry,
    layer,
    resolve_padding,
    same_padding,
    transpose_equivalent,
    window_map,
)
from convarith.arithmetic.text import format_padding, format_param, format_size
from tests.guide import GUIDE_FIGURES, GUIDE_OUTPUT

small = st.integers(1, 5)
sizes = st.integers(1, 16)
pads = st.integers(0, 4)


def count_conv_placements(i: int, k: int, s: int, pb: int, pe: int, d: int) -> int:
    """Brute force: every stride step where the dilated kernel fits inside the padded input."""
    taps = [t * d for t in range(k)]
    return sum(1 for start in range(0, pb + i + pe, s) if all(start + t < pb + i + pe for t in taps))


def count_ceil_pool_windows(i: int, k: int, s: int, pb: int, pe: int, d: int) -> int:
    """Brute force of ceil mode: the windows that fit, plus a partial one hanging past the padded input by
    less than a stride; then the last window is dropped if it starts in the right padding (REFERENCE.md:
    PyTorch's and ONNX's rule, applied once)."""
    ek = d * (k - 1) + 1
    padded = pb + i + pe
    starts = range(0, padded + s, s)
    windows = [start for start in starts if start + ek <= padded]
    windows += [start for start in starts if padded < start + ek < padded + s][:1]
    if windows and windows[-1] >= i + pb:
        windows.pop()
    return len(windows)


# The guide's figures, worked by hand.


@pytest.mark.parametrize("name", GUIDE_FIGURES)
def test_guide_figure(name: str) -> None:
    i, k, s, p, d = GUIDE_FIGURES[name]
    lay = layer("conv", i, k, s, p, d)
    assert lay.output_size == (GUIDE_OUTPUT[name],)
    assert lay.padding == ((p, p),) and lay.effective_kernel_size == (d * (k - 1) + 1,)
    assert repr(lay).splitlines()[0].endswith(f"-> output {GUIDE_OUTPUT[name]}")


@pytest.mark.parametrize("name", [n for n in GUIDE_FIGURES if n != "dilation"])
def test_guide_transposed_twin(name: str) -> None:
    """The transposed twin maps the figure's output back to its input (with a = (i + 2p - k) mod s)."""
    i, k, s, p, d = GUIDE_FIGURES[name]
    a = (i + 2 * p - k) % s
    assert layer("conv_transpose", GUIDE_OUTPUT[name], k, s, p, d, output_padding=a).output_size == (i,)


def test_padding_strides_text() -> None:
    assert repr(layer("conv", 5, 3, 2, 1)) == (
        "conv: input 5, kernel 3, stride 2, padding (1, 1) -> output 3\n  o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3"
    )
    assert layer("conv", 5, 3, 2, 1)._repr_latex_() == (
        r"$o = \left\lfloor \frac{5 + 1 + 1 - 3}{2} \right\rfloor + 1 = 3$"
    )


def test_dilation_text_spells_out_the_effective_kernel() -> None:
    assert layer("conv", 7, 3, dilation=2).formula() == "ek = 2·(3 − 1) + 1 = 5; o = ⌊(7 + 0 + 0 − 5) / 1⌋ + 1 = 3"


def test_ceil_mode_text_shows_the_dropped_window() -> None:
    # i=3, k=2, s=2, p=1: ceil((3 + 2 - 2)/2) + 1 = 3 windows, but the third would start at 4 >= 3 + 1.
    pool = layer("max_pool", 3, 2, padding=1, ceil_mode=True)
    assert pool.output_size == (2,)
    assert pool.formula() == "o = ⌈(3 + 1 + 1 − 2) / 2⌉ + 1 − 1 = 2 (a window may not start in the right padding)"


def test_two_axes_text() -> None:
    lay = layer("conv", (5, 6), 3, padding=((1, 1), (0, 1)), dilation=(1, 2))
    lines = repr(lay).splitlines()
    assert lines[0] == "conv: input 5×6, kernel 3, stride 1, padding (1, 1)×(0, 1), dilation 1×2 -> output 5×3"
    assert lines[1].startswith("  axis 0: o = ") and lines[2].startswith("  axis 1: ek = 2·(3 − 1) + 1 = 5; ")
    assert lay.latex().startswith(r"\begin{aligned}&\text{axis 0: }")


def test_text_names_the_rule() -> None:
    assert repr(layer("conv", 224, 7, 2, "same")).splitlines()[0] == (
        "conv: input 224, kernel 7, stride 2, padding (2, 3) (same, tensorflow) -> output 112"
    )
    assert repr(layer("conv", 5, 3, padding="full")).splitlines()[0].endswith("padding (2, 2) (full) -> output 7")
    assert repr(layer("conv", None, 7, 2, "same")) == "conv: kernel 7, stride 2, padding same (tensorflow)"


def test_formatting_one_style() -> None:
    assert format_size((5, 6)) == "5×6" and format_size((5, 5)) == "5×5" and format_size((5,)) == "5"
    assert format_param((3, 3)) == "3" and format_param((3, 2)) == "3×2"
    assert format_padding(((1, 2),)) == "(1, 2)" and format_padding(((0, 1), (1, 1))) == "(0, 1)×(1, 1)"


# Every form a user may write.

PARSE_FORMS: list[tuple[str, dict[str, Any], tuple[tuple[int, int], ...], bool]] = [
    ("int", {"input_size": 5, "kernel_size": 3, "padding": 1}, ((1, 1),), True),
    ("one (before, after) pair", {"input_size": 6, "kernel_size": 4, "padding": (0, 1)}, ((0, 1),), True),
    ("one int per axis", {"input_size": (5, 5), "kernel_size": 3, "padding": (1, 2)}, ((1, 1), (2, 2)), False),
    ("pairs per axis", {"input_size": 5, "kernel_size": 3, "padding": ((0, 1), (1, 0))}, ((0, 1), (1, 0)), False),
    (
        "int and pair per axis",
        {"input_size": (5, 6), "kernel_size": 3, "padding": (1, (0, 2))},
        ((1, 1), (0, 2)),
        False,
    ),
    ("per-axis kernel", {"input_size": 6, "kernel_size": (3, 2), "padding": 0}, ((0, 0), (0, 0)), False),
    ("same", {"input_size": 224, "kernel_size": 7, "stride": 2, "padding": "same"}, ((2, 3),), True),
    ("SAME upper case", {"input_size": 224, "kernel_size": 7, "stride": 2, "padding": "SAME"}, ((2, 3),), True),
    (
        "same with a convention",
        {"input_size": 224, "kernel_size": 7, "stride": 2, "padding": "same", "convention": "caffe"},
        ((3, 3),),
        True,
    ),
    ("a convention as padding", {"input_size": 6, "kernel_size": 4, "padding": "same_lower"}, ((2, 1),), True),
    ("valid", {"input_size": 5, "kernel_size": 3, "padding": "valid"}, ((0, 0),), True),
    ("full", {"input_size": 5, "kernel_size": 3, "dilation": 2, "padding": "full"}, ((4, 4),), True),
]


@pytest.mark.parametrize(("form", "kwargs", "expected", "scalar"), PARSE_FORMS, ids=[f[0] for f in PARSE_FORMS])
def test_parse_form(form: str, kwargs: dict[str, Any], expected: tuple[tuple[int, int], ...], scalar: bool) -> None:
    lay = layer("conv", **kwargs)
    assert lay.padding == expected
    assert lay.scalar is scalar
    assert lay.ndim == len(expected)
    assert all(len(v) == lay.ndim for v in (lay.kernel_size, lay.stride, lay.dilation, lay.output_padding))


def test_rule_is_recorded() -> None:
    assert (layer("conv", 5, 3, padding=1).padding_rule, layer("conv", 5, 3, padding="valid").padding_rule) == (
        "explicit",
        "valid",
    )
    caffe = layer("conv", 5, 3, padding="caffe")
    assert (caffe.padding_rule, caffe.convention) == ("same", "caffe")


def test_stride_defaults() -> None:
    assert layer("conv", 6, 2).stride == (1,)
    assert layer("max_pool", 6, 2).stride == (2,)
    assert layer("avg_pool", (6, 6), (2, 3)).stride == (2, 3)


def test_kinds() -> None:
    ops = ["conv", "conv_transpose", "max_pool", "avg_pool", "lp_pool"]
    assert [layer(op, 6, 2).kind for op in ops] == ["conv", "transpose", "pool", "pool", "pool"]


def test_layer_without_input_size() -> None:
    stack_layer = layer("conv", None, 3, 2, "caffe")  # Caffe's split never needs the input size
    assert stack_layer.padding == ((1, 1),) and stack_layer.output_size is None
    waiting = layer("conv", None, 4, 2, "same")  # TensorFlow's does at stride 2
    assert waiting.padding is None
    assert waiting.with_input(9).padding == ((1, 2),) and waiting.with_input(10).padding == ((1, 1),)
    assert waiting.with_input((9, 10)).padding == ((1, 2), (1, 1))  # an int layer spreads over the axes
    assert layer("conv", None, 3, 1, "same").padding == ((1, 1),)  # stride 1: ek - 1 whatever the input


def test_with_input_gives_the_layer_built_with_it() -> None:
    for kwargs in ({"padding": 1}, {"padding": "same"}, {"padding": ((0, 1), (1, 0))}, {"padding": "full"}):
        assert layer("conv", None, 3, 2, **kwargs).with_input((7, 8)) == layer("conv", (7, 8), 3, 2, **kwargs)


def test_layer_is_an_immutable_value() -> None:
    lay = layer("conv", 5, 3)
    assert lay == layer("conv", 5, 3) and hash(lay) == hash(layer("conv", 5, 3))
    with pytest.raises(AttributeError):
        lay.stride = (2,)  # type: ignore[misc]


def test_geometry_is_the_layer() -> None:
    assert geometry("conv", 5, 3, 2, 1) == layer("conv", 5, 3, 2, 1)
    assert geometry("pool", 5, 2, ceil_mode=True) == layer("max_pool", 5, 2, ceil_mode=True)
    assert geometry("transpose", 3, 3, 2, 1, output_padding=1) == layer("conv_transpose", 3, 3, 2, 1, output_padding=1)


def test_window_map_of_a_layer() -> None:
    assert window_map(layer("conv", (5, 6), 3, 2, 1)) == window_map((5, 6), 3, 2, 1)
    assert window_map(layer("max_pool", 5, 2, ceil_mode=True)) == window_map(5, 2, 2, ceil_mode=True, pooling=True)
    # a transposed layer's windows are those of the convolution it transposes: one per input cell
    assert window_map(layer("conv_transpose", 3, 3, 2, 1, output_padding=1)) == window_map(6, 3, 2, 1)


def test_transpose_equivalent_of_a_layer() -> None:
    eq = transpose_equivalent(layer("conv_transpose", 3, 3, 2, 1, output_padding=1))
    assert (eq.zeros_between, eq.stretched_size, eq.padding, eq.output_size) == (1, 5, (1, 2), 6)


# Validation: one named test per failure mode; every ValueError is a LayerError.


def test_unknown_op() -> None:
    with pytest.raises(LayerError, match=r"`op` must be one of 'conv', 'conv_transpose', 'max_pool'.*; got 'deconv'"):
        layer("deconv", 5, 3)


def test_unknown_convention() -> None:
    with pytest.raises(LayerError, match=r"`convention` must be one of 'tensorflow'.*; got 'mxnet'"):
        layer("conv", 5, 3, padding="same", convention="mxnet")


def test_unknown_pool_convention() -> None:
    with pytest.raises(LayerError, match=r"`pool_convention` must be one of 'pytorch', 'onnx', 'caffe'; got 'tf'"):
        layer("max_pool", 5, 2, pool_convention="tf")


def test_unknown_padding_word() -> None:
    with pytest.raises(LayerError, match=r"`padding` must be one of 'same', 'valid', 'full'.*; got 'half'"):
        layer("conv", 5, 3, padding="half")


def test_missing_kernel_size() -> None:
    with pytest.raises(TypeError, match=r"`kernel_size` is required for a conv layer"):
        layer("conv", 5)


def test_ceil_mode_not_a_bool() -> None:
    with pytest.raises(TypeError, match=r"`ceil_mode` must be a bool, got int 1"):
        layer("max_pool", 5, 2, ceil_mode=1)  # type: ignore[arg-type]


def test_ceil_mode_on_a_convolution() -> None:
    with pytest.raises(LayerError, match=r"`ceil_mode` applies to pooling only, not to 'conv'"):
        layer("conv", 5, 3, ceil_mode=True)


def test_groups_below_one() -> None:
    with pytest.raises(LayerError, match=r"`groups` must be positive, got 0"):
        layer("conv", 5, 3, groups=0)


def test_groups_on_a_pooling() -> None:
    with pytest.raises(LayerError, match=r"`groups` 2 applies to convolutions only, not to 'avg_pool'"):
        layer("avg_pool", 5, 2, groups=2)


def test_output_padding_on_a_convolution() -> None:
    with pytest.raises(LayerError, match=r"`output_padding` 1 applies to transposed convolutions only"):
        layer("conv", 5, 3, output_padding=1)


def test_output_padding_not_below_stride_or_dilation() -> None:
    with pytest.raises(LayerError, match=r"`output_padding` 2 must be smaller than `stride` 2 or `dilation` 1"):
        layer("conv_transpose", 3, 3, 2, output_padding=2)


def test_output_padding_rule_per_axis() -> None:
    with pytest.raises(LayerError, match=r"`output_padding` 1 must be smaller .* `stride` 1 .* on axis 1"):
        layer("conv_transpose", (3, 3), 3, (2, 1), output_padding=(1, 1))


def test_padding_word_on_a_transposed_convolution() -> None:
    with pytest.raises(
        LayerError, match=r"`padding` 'full': a transposed convolution takes numbers, 'same' or 'valid'"
    ):
        layer("conv_transpose", 3, 3, padding="full")
    with pytest.raises(LayerError, match=r"`convention` 'pytorch': transposed 'same' is defined by TensorFlow/Keras"):
        layer("conv_transpose", 3, 3, padding="same", convention="pytorch")


def test_pytorch_same_with_a_stride() -> None:
    with pytest.raises(LayerError, match=r"`stride` 2: PyTorch refuses padding='same' for strided convolutions"):
        layer("conv", 8, 3, 2, "same", convention="pytorch")


def test_pytorch_pooling_padding_above_half_the_kernel() -> None:
    with pytest.raises(LayerError, match=r"`padding` 2 is more than half the kernel size 3 \(3 // 2 = 1\)"):
        layer("max_pool", 8, 3, padding=2)


def test_caffe_pooling_header_names_its_rounding() -> None:
    """Caffe pooling rounds up without a ceil_mode argument: the header says which rule, not "ceil_mode"."""
    caffe = layer("max_pool", 6, 3, 2, 1, pool_convention="caffe")
    header = repr(caffe).splitlines()[0]
    assert header == "max_pool: input 6, kernel 3, stride 2, padding (1, 1), caffe rounding (up) -> output 4"
    assert "ceil_mode" not in repr(caffe)
    pytorch = layer("max_pool", 6, 3, 2, 1, ceil_mode=True)  # PyTorch's argument keeps its name
    assert repr(pytorch).splitlines()[0].endswith("padding (1, 1), ceil_mode -> output 4")


def test_caffe_pooling_asymmetric_padding() -> None:
    with pytest.raises(LayerError, match=r"`padding` \(0, 1\) is asymmetric: Caffe pads both sides alike"):
        layer("max_pool", 8, 3, padding=(0, 1), pool_convention="caffe")


def test_caffe_pooling_padding_not_below_kernel() -> None:
    with pytest.raises(LayerError, match=r"`padding` 2 must be smaller than `kernel_size` 2 \(Caffe\)"):
        layer("max_pool", 8, 2, padding=2, pool_convention="caffe")


def test_kernel_larger_than_padded_input() -> None:
    with pytest.raises(LayerError, match=r"`kernel_size` 5 is larger than the padded input 4 = 3 \+ 0 \+ 1: no output"):
        layer("conv", 3, 5, padding=(0, 1))


def test_dilated_kernel_larger_than_padded_input() -> None:
    with pytest.raises(LayerError, match=r"`kernel_size` 3 \(dilated: 2\*\(3 - 1\) \+ 1 = 5\) is larger .* on axis 1"):
        layer("conv", (5, 4), 3, dilation=(1, 2))


def test_pooling_without_output() -> None:
    with pytest.raises(LayerError, match=r"`kernel_size` 4 is larger than the padded input 3 = 3 \+ 0 \+ 0"):
        layer("avg_pool", 3, 4)


def test_transposed_padding_crops_everything() -> None:
    with pytest.raises(LayerError, match=r"`padding` 2 \+ 2 crops away the whole output: o = \(1 - 1\)\*1 - 2 - 2"):
        layer("conv_transpose", 1, 3, padding=2, pool_convention="onnx")


def test_negative_padding() -> None:
    with pytest.raises(LayerError, match=r"`padding before` must be non-negative, got -1"):
        layer("conv", 5, 3, padding=(-1, 1))


def test_size_below_one() -> None:
    with pytest.raises(LayerError, match=r"`stride` must be positive, got 0"):
        layer("conv", 5, 3, stride=0)


def test_axes_disagree() -> None:
    with pytest.raises(LayerError, match=r"per-axis sizes must have the same number of axes: `input_size` has 2, "):
        layer("conv", (5, 5), (3, 3, 3))


def test_padding_has_the_wrong_number_of_axes() -> None:
    with pytest.raises(LayerError, match=r"`padding` must be an int, or one int or \(before, after\) pair per axis"):
        layer("conv", (5, 5, 5), 3, padding=(1, 1))


def test_float_size() -> None:
    with pytest.raises(TypeError, match=r"`kernel_size` must be an integer, got float 3.0"):
        layer("conv", 5, 3.0)  # type: ignore[arg-type]


def test_output_size_needs_the_input_size() -> None:
    with pytest.raises(LayerError, match=r"`input_size` was not given: the layer has no output size"):
        _ = layer("conv", None, 3).output_shape


def test_resolver_needs_the_input_size() -> None:
    with pytest.raises(LayerError, match=r"`input_size` is needed: the 'tensorflow' split .* at stride 2 depends"):
        resolve_padding("same", None, 3, 2)


BAD_CALLS: list[tuple[Any, ...]] = [
    ("conv", 5, 3, 1, 1, 1, {"groups": 0}),
    ("conv", 3, 5, 1, 0, 1, {}),
    ("max_pool", 8, 3, None, 2, 1, {}),
    ("conv_transpose", 3, 3, 2, 0, 1, {"output_padding": 2}),
    ("conv", 8, 3, 2, "same", 1, {"convention": "pytorch"}),
    ("conv", 5, 3, 1, "half", 1, {}),
    ("conv", 5, 3, 1, 0, 1, {"ceil_mode": True}),
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_every_value_error_is_a_layer_error(call: tuple[Any, ...]) -> None:
    """Widgets catch exactly LayerError: every rule broken by a value raises one (never a bare ValueError)."""
    *args, kwargs = call
    with pytest.raises(ValueError) as info:
        layer(*args, **kwargs)
    assert type(info.value) is LayerError


# Properties: brute force, PyTorch, and REFERENCE.md's own 'SAME' formulas.


@given(i=sizes, k=small, s=small, pb=pads, pe=pads, d=small)
def test_conv_output_counts_kernel_placements(i: int, k: int, s: int, pb: int, pe: int, d: int) -> None:
    expected = count_conv_placements(i, k, s, pb, pe, d)
    if expected == 0:
        with pytest.raises(LayerError, match="larger than the padded input"):
            layer("conv", i, k, s, (pb, pe), d)
        return
    assert layer("conv", i, k, s, (pb, pe), d).output_size == (expected,)


@given(i=sizes, k=small, s=small, pb=pads, pe=pads, d=small, ceil_mode=st.booleans())
def test_pool_output_counts_windows(i: int, k: int, s: int, pb: int, pe: int, d: int, ceil_mode: bool) -> None:
    counter = count_ceil_pool_windows if ceil_mode else count_conv_placements
    expected = counter(i, k, s, pb, pe, d)
    if expected == 0:
        with pytest.raises(LayerError, match="larger than the padded input"):
            layer("max_pool", i, k, s, (pb, pe), d, ceil_mode=ceil_mode, pool_convention="onnx")
        return
    pool = layer("max_pool", i, k, s, (pb, pe), d, ceil_mode=ceil_mode, pool_convention="onnx")
    assert pool.output_size == (expected,)


@given(i=st.integers(1, 12), k=small, s=small, p=pads, d=st.integers(1, 3))
def test_conv_shapes_match_pytorch(i: int, k: int, s: int, p: int, d: int) -> None:
    torch = pytest.importorskip("torch")
    x, w = torch.zeros(1, 1, i, i + 1), torch.zeros(1, 1, k, k)
    try:
        expected = tuple(torch.nn.functional.conv2d(x, w, stride=s, padding=p, dilation=d).shape[2:])
    except RuntimeError:
        with pytest.raises(LayerError):
            layer("conv", (i, i + 1), k, s, p, d)
        return
    assert layer("conv", (i, i + 1), k, s, p, d).output_size == expected


@given(i=st.integers(1, 12), k=small, s=small, p=st.integers(0, 2), d=st.integers(1, 3), ceil_mode=st.booleans())
def test_pool_shapes_match_pytorch(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> None:
    torch = pytest.importorskip("torch")
    x = torch.zeros(1, 1, i)
    try:
        out = torch.nn.functional.max_pool1d(x, k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
        expected = tuple(out.shape[2:])
    except RuntimeError:
        with pytest.raises(LayerError):
            layer("max_pool", i, k, s, p, d, ceil_mode=ceil_mode)
        return
    if 0 in expected:  # PyTorch returns an empty tensor where there is no window
        with pytest.raises(LayerError):
            layer("max_pool", i, k, s, p, d, ceil_mode=ceil_mode)
        return
    assert layer("max_pool", i, k, s, p, d, ceil_mode=ceil_mode).output_size == expected


@given(i=st.integers(1, 8), k=small, s=small, p=pads, a=st.integers(0, 3), d=st.integers(1, 3))
def test_transposed_shapes_match_pytorch(i: int, k: int, s: int, p: int, a: int, d: int) -> None:
    torch = pytest.importorskip("torch")
    x, w = torch.zeros(1, 1, i), torch.zeros(1, 1, k)
    try:
        out = torch.nn.functional.conv_transpose1d(x, w, stride=s, padding=p, output_padding=a, dilation=d)
        expected = tuple(out.shape[2:])
    except RuntimeError:
        with pytest.raises(LayerError):
            layer("conv_transpose", i, k, s, p, d, output_padding=a)
        return
    assert layer("conv_transpose", i, k, s, p, d, output_padding=a).output_size == expected


@given(i=st.integers(1, 40), k=small, s=small, d=st.integers(1, 3))
def test_same_padding_follows_the_reference_formulas(i: int, k: int, s: int, d: int) -> None:
    """REFERENCE.md: total = max(ek - s, 0) if i % s == 0 else max(ek - i % s, 0); TF puts total // 2 before."""
    ek = d * (k - 1) + 1
    total = max(ek - s, 0) if i % s == 0 else max(ek - i % s, 0)
    upper = (total // 2, total - total // 2)
    for convention in ("tensorflow", "keras", "jax", "same_upper"):
        assert resolve_padding("same", i, k, s, d, convention=convention) == (upper,)
    assert resolve_padding("same_lower", i, k, s, d) == (upper[::-1],)
    assert layer("conv", i, k, s, "same", d).output_size == (math.ceil(i / s),)
    assert resolve_padding("caffe", i, k, s, d) == (((ek - 1) // 2, (ek - 1) // 2),)
    assert resolve_padding("full", i, k, s, d) == ((ek - 1, ek - 1),)
    assert resolve_padding("valid", i, k, s, d) == ((0, 0),)
    assert same_padding(i, k, s, d) == upper


@given(i=st.integers(1, 12), k=small, d=st.integers(1, 3))
def test_pytorch_same_matches_pytorch(i: int, k: int, d: int) -> None:
    torch = pytest.importorskip("torch")
    assume(d * (k - 1) + 1 <= 2 * i + 4)
    x, w = torch.zeros(1, 1, i), torch.zeros(1, 1, k)
    with warnings.catch_warnings():  # PyTorch warns that an even total needs a padded copy
        warnings.simplefilter("ignore", UserWarning)
        expected = tuple(torch.nn.functional.conv1d(x, w, padding="same", dilation=d).shape[2:])
    lay = layer("conv", i, k, 1, "same", d, convention="pytorch")
    assert lay.output_size == expected == (i,)
    (pb, pe) = lay.padding[0] if lay.padding else (None, None)
    assert (pb, pe) == (d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)


def test_layer_class_is_exported() -> None:
    assert isinstance(layer("conv", 5, 3), Layer)
