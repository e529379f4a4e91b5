"""Framework padding translation: hand-derived SAME splits, PyTorch as oracle, the TensorNets case."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convarith as ca
import convarith.engine.convolution as engine
from convarith.studies.frameworks import FRAMEWORKS, translate
from convarith.testing import random_array

# Hand-derived 'SAME' splits at stride 2, both input parities (o = ceil(i/2), total = (o-1)*2 + k - i):
# name: (i, k, TensorFlow/SAME_UPPER pads, SAME_LOWER pads, Caffe/hand-written PyTorch pads, output)
SAME_STRIDE_2 = {
    "tensornets_224": (224, 7, (2, 3), (3, 2), (3, 3), 112),  # o=112, total=222+7-224=5
    "tensornets_299": (299, 7, (3, 3), (3, 3), (3, 3), 150),  # o=150, total=298+7-299=6
    "k3_even_input": (224, 3, (0, 1), (1, 0), (1, 1), 112),  # total=222+3-224=1
    "k3_odd_input": (225, 3, (1, 1), (1, 1), (1, 1), 113),  # total=224+3-225=2
    "k4_even_input": (8, 4, (1, 1), (1, 1), (1, 1), 4),  # total=6+4-8=2
    "k4_odd_input": (9, 4, (1, 2), (2, 1), (1, 1), 5),  # total=8+4-9=3
    "k2_odd_input": (7, 2, (0, 1), (1, 0), (0, 0), 4),  # total=6+2-7=1
    "k2_even_input": (8, 2, (0, 0), (0, 0), (0, 0), 4),  # total=6+2-8=0
    "k1_even_input": (224, 1, (0, 0), (0, 0), (0, 0), 112),  # total=max(222+1-224, 0)=0
}


@pytest.mark.parametrize("name", SAME_STRIDE_2)
def test_same_splits_at_stride_2(name):
    i, k, upper, lower, symmetric, o = SAME_STRIDE_2[name]
    for framework, word in [("tensorflow", "SAME"), ("keras", "same"), ("jax", "SAME"), ("onnx", "SAME_UPPER")]:
        t = translate(framework, i, k, stride=2, padding=word)
        assert t.padding == (upper,), framework
        assert t.output_size == (o,)
    for framework, word in [("jax", "SAME_LOWER"), ("onnx", "SAME_LOWER")]:
        assert translate(framework, i, k, stride=2, padding=word).padding == (lower,)
    assert translate("tensorflow", i, k, 2, "SAME").counterpart("caffe").padding == (symmetric,)
    assert translate("tensorflow", i, k, 2, "SAME").counterpart("pytorch").padding == (symmetric,)


@pytest.mark.parametrize("name", SAME_STRIDE_2)
def test_pytorch_explicit_pads_give_the_claimed_output(name):
    torch = pytest.importorskip("torch")
    i, k, *_ = SAME_STRIDE_2[name]
    t = translate("tensorflow", (i, 5), (k, 1), stride=2, padding="SAME")
    (hb, he), (wb, we) = t.padding
    x = torch.from_numpy(random_array((1, 1, i, 5), seed=i))
    w = torch.from_numpy(random_array((1, 1, k, 1), seed=k))
    y = torch.nn.functional.conv2d(torch.nn.functional.pad(x, (wb, we, hb, he)), w, stride=2)
    assert tuple(y.shape[2:]) == t.output_size


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize(("i", "k", "d"), [(5, 4, 1), (6, 4, 1), (7, 2, 1), (7, 3, 2), (9, 2, 3), (8, 5, 1)])
def test_pytorch_same_matches_pytorch(i, k, d):
    torch = pytest.importorskip("torch")
    t = translate("pytorch", (i, i + 1), k, padding="same", dilation=d)
    x = torch.from_numpy(random_array((1, 2, i, i + 1), seed=i))
    w = torch.from_numpy(random_array((3, 2, k, k), seed=k))
    expected = torch.nn.functional.conv2d(x, w, padding="same", dilation=d)
    (hb, he), (wb, we) = t.padding
    ours = torch.nn.functional.conv2d(torch.nn.functional.pad(x, (wb, we, hb, he)), w, dilation=d)
    torch.testing.assert_close(ours, expected)
    assert t.output_size == tuple(expected.shape[2:])
    assert t.equivalent("pytorch").native


@pytest.mark.parametrize("padding", [0, 1, 3, (1, 2)])
def test_pytorch_numbers_match_pytorch(padding):
    torch = pytest.importorskip("torch")
    t = translate("pytorch", (11, 9), 3, stride=2, padding=padding)
    x = torch.from_numpy(random_array((1, 1, 11, 9), seed=3))
    w = torch.from_numpy(random_array((1, 1, 3, 3), seed=4))
    expected = torch.nn.functional.conv2d(x, w, stride=2, padding=padding)
    assert t.output_size == tuple(expected.shape[2:])
    (hb, he), (wb, we) = t.padding
    ours = torch.nn.functional.conv2d(torch.nn.functional.pad(x, (wb, we, hb, he)), w, stride=2)
    torch.testing.assert_close(ours, expected)


def test_native_flags_tensornets_224():
    t = translate("tensorflow", (224, 224), 7, stride=2, padding="SAME")
    native = {e.framework: e.native for e in t.equivalents}
    assert native == {"pytorch": False, "tensorflow": True, "keras": True, "jax": True, "onnx": True, "caffe": False}
    assert "F.pad(x, (2, 3, 2, 3))" in t.equivalent("pytorch").code
    assert "auto_pad='SAME_UPPER'" in t.equivalent("onnx").code


def test_native_flags_tensornets_299_all_native():
    t = translate("tensorflow", 299, 7, stride=2, padding="SAME")
    assert all(e.native for e in t.equivalents)
    assert all(c.shift == (0,) for c in t.counterparts)


def test_caffe_layer_in_keras_needs_zero_padding():
    t = translate("caffe", (224, 224), 7, stride=2, padding=3)
    assert t.padding == ((3, 3), (3, 3))
    assert not t.equivalent("keras").native
    assert "ZeroPadding2D" in t.equivalent("keras").code
    assert t.equivalent("tensorflow").native  # tf.nn.conv2d takes explicit pairs
    assert t.counterpart("tensorflow").shift == (1, 1)  # TF's windows start one unit later


def test_onnx_pads_layout_begins_then_ends():
    t = translate("onnx", (6, 7), 2, padding=((1, 0), (0, 1)))
    assert "pads=[1, 0, 0, 1]" in t.equivalent("onnx").code
    t = translate("jax", (6, 7), 3, padding=((1, 2), (3, 4)))
    assert "pads=[1, 3, 2, 4]" in t.equivalent("onnx").code


def test_same_lower_shift_against_tensorflow():
    t = translate("onnx", 9, 4, stride=2, padding="SAME_LOWER")
    assert t.padding == ((2, 1),)
    assert t.counterpart("tensorflow").shift == (1,)  # TF's windows start one unit later
    assert not t.equivalent("pytorch").native


def test_repr_names_every_framework():
    text = repr(translate("tensorflow", 224, 7, stride=2, padding="SAME"))
    assert all(name in text for name in FRAMEWORKS)
    assert "NOT NATIVE" in text and "pads (2, 3), output 112" in text


# Failure modes, one test each.


def test_unknown_framework():
    with pytest.raises(ValueError, match=r"`framework` must be one of 'pytorch'"):
        translate("mxnet", 5, 3)


def test_keras_explicit_padding_refused():
    with pytest.raises(ValueError, match=r"Keras convolutions take 'same' or 'valid' only"):
        translate("keras", 5, 3, padding=1)


def test_pytorch_asymmetric_refused():
    with pytest.raises(ValueError, match=r"pytorch pads both sides alike"):
        translate("pytorch", 5, 3, padding=(0, 1))


def test_caffe_word_refused():
    with pytest.raises(ValueError, match=r"Caffe has no padding words"):
        translate("caffe", 5, 3, padding="same")


def test_onnx_same_is_not_an_onnx_word():
    with pytest.raises(ValueError, match=r"'same' is not a onnx padding: onnx takes one of 'SAME_UPPER'"):
        translate("onnx", 5, 3, padding="same")


def test_pytorch_same_with_stride_refused():
    with pytest.raises(ValueError, match=r"PyTorch refuses padding='same' for strided convolutions"):
        translate("pytorch", 224, 7, stride=2, padding="same")


def test_float_padding_refused():
    with pytest.raises(TypeError, match=r"`padding` must be a word, an int or a tuple, got float"):
        translate("tensorflow", 5, 3, padding=1.5)


def test_kernel_larger_than_input_refused():
    with pytest.raises(ValueError, match=r"larger than the padded input"):
        translate("tensorflow", 3, 5, padding="VALID")


def test_tensornets_case_with_the_engine():
    x = random_array((1, 1, 224, 224), seed=7, dtype=np.float64)
    w = random_array((1, 1, 7, 7), seed=8, dtype=np.float64)
    tf = translate("tensorflow", (224, 224), 7, stride=2, padding="SAME")
    port = tf.counterpart("pytorch")
    y_tf = engine.conv(x, w, stride=2, padding="same", convention="tensorflow")
    y_pt = engine.conv(x, w, stride=2, padding=port.padding)
    assert y_tf.shape == y_pt.shape == (1, 1, 112, 112)
    assert not np.allclose(y_tf, y_pt)
    # One input pixel apart: TF on x equals the PyTorch layer on x moved one pixel up and left,
    # except outputs 0 and 1 (windows from -3 and -1 of the moved input), where TF reads input 0
    # and the moved input has padding instead.
    moved = np.zeros_like(x)
    moved[..., :-1, :-1] = x[..., 1:, 1:]
    y_moved = engine.conv(moved, w, stride=2, padding=port.padding)
    np.testing.assert_allclose(y_tf[..., 2:, 2:], y_moved[..., 2:, 2:], rtol=1e-12)
    assert not np.allclose(y_tf[..., 1, 2:], y_moved[..., 1, 2:])
    # On 299 the splits agree: identical outputs.
    x = random_array((1, 1, 299, 299), seed=9, dtype=np.float64)
    same = translate("tensorflow", (299, 299), 7, stride=2, padding="SAME")
    assert same.padding == same.counterpart("pytorch").padding == ((3, 3), (3, 3))
    np.testing.assert_array_equal(engine.conv(x, w, stride=2, padding="same"), engine.conv(x, w, stride=2, padding=3))


@given(i=st.integers(5, 40), k=st.integers(1, 7), s=st.integers(1, 4), d=st.integers(1, 2))
def test_tensorflow_same_output_is_ceil_i_over_s_in_pytorch(i, k, s, d):
    torch = pytest.importorskip("torch")
    assume(d * (k - 1) + 1 <= i)
    t = translate("tensorflow", i, k, stride=s, padding="SAME", dilation=d)
    assert t.output_size == (-(-i // s),)
    ((b, a),) = t.padding
    assert b in (a, a - 1)  # TensorFlow puts the extra unit after
    x = torch.zeros(1, 1, i)
    y = torch.nn.functional.conv1d(torch.nn.functional.pad(x, (b, a)), torch.zeros(1, 1, k), stride=s, dilation=d)
    assert tuple(y.shape[2:]) == t.output_size


@given(i=st.integers(14, 30), k=st.integers(1, 6), s=st.integers(1, 3), lower=st.booleans())
def test_counterpart_shift_moves_the_windows(i, k, s, lower):
    # A framework whose windows start `shift` units later computes, on x, what the source computes
    # on x moved by `shift` - wherever neither window touches the border.
    source = translate("onnx", i, k, stride=s, padding="SAME_LOWER" if lower else "SAME_UPPER")
    ((sb, _),) = source.padding
    x = random_array((1, 1, i), seed=i, dtype=np.float64)
    w = random_array((1, 1, k), seed=k, dtype=np.float64)
    compared = 0
    for c in source.counterparts:
        (shift,) = c.shift
        ((pb, _),) = c.padding
        out = engine.conv(x, w, stride=s, padding=c.padding)[0, 0]
        moved = engine.conv(np.roll(x, -shift), w, stride=s, padding=source.padding)[0, 0]
        for y in range(min(len(out), len(moved))):
            lo = y * s - pb  # this framework's window, in x
            if lo >= 0 and lo + k - 1 < i and y * s - sb >= 0 and y * s - sb + k - 1 < i:
                assert out[y] == pytest.approx(moved[y], rel=1e-12), (c.framework, y)
                compared += 1
    assert compared > 0


def test_translation_is_built_from_the_layer_value():
    """The source and each counterpart are :class:`convarith.arithmetic.Layer` values; text from text.py."""
    t = translate("onnx", (9, 9), 4, stride=2, padding=((1, 2), (2, 1)))
    assert t.layer == ca.arithmetic.layer("conv", (9, 9), 4, 2, ((1, 2), (2, 1)))
    assert t.counterpart("onnx").layer.padding_rule == "same"
    first = repr(t).splitlines()[0]
    assert first == "onnx conv: input 9×9, kernel 4, stride 2 -> pads (1, 2)×(2, 1), output 5×5"
    caffe = "     caffe: pads (1, 1) -> output 4×4, shift +0, +1  ((ek - 1) // 2 both sides)"
    assert repr(t.counterpart("caffe")) == caffe


def test_framework_errors_are_layer_errors():
    """Widgets and the CLI catch exactly LayerError: a framework's refusal is one."""
    with pytest.raises(ca.arithmetic.LayerError, match="PyTorch refuses padding='same' for strided"):
        translate("pytorch", 8, 3, stride=2, padding="same")
    with pytest.raises(ca.arithmetic.LayerError, match="caffe pads both sides alike"):
        translate("caffe", 8, 3, padding=((0, 1),))
