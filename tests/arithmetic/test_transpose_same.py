"""Transposed 'same' and 'valid' in the one resolver (issue 18, item 5).

``layer('conv_transpose', i, k, stride=s, padding='same', convention=...)`` against the
frameworks: Keras 3 (torch backend) ``Conv1DTranspose`` outputs, shapes and values with the
weights copied; the ONNX backend case ``test_convtranspose_autopad_same`` (SAME_UPPER); hand-worked
ONNX SAME_LOWER splits from the operator spec. And a grep: no other module splits a transposed
'same' on its own.
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import convarith as ca
from convarith.arithmetic import LayerError, layer
from convarith.arithmetic.padding import transpose_padding
from convarith.testing import seeded_rng

ROOT = Path(__file__).resolve().parents[2]


def test_same_gives_i_times_s_for_every_convention():
    for convention in ("tensorflow", "keras", "jax", "same_upper", "same_lower"):
        for i, k, s, d in [(8, 3, 2, 1), (7, 4, 2, 1), (5, 1, 3, 1), (6, 3, 3, 2), (9, 5, 1, 1)]:
            lay = layer("conv_transpose", i, k, stride=s, padding="same", dilation=d, convention=convention)
            assert lay.output_size == (i * s,), (convention, i, k, s, d)


def test_onnx_splits_by_hand():
    # spec: total = s(i - 1) + a + ek - i*s = a + ek - s; SAME_UPPER total // 2 before, SAME_LOWER the larger half
    assert layer("conv_transpose", 4, 4, 1, "same", convention="same_upper").padding == ((1, 2),)
    assert layer("conv_transpose", 4, 4, 1, "same", convention="same_lower").padding == ((2, 1),)
    lay = layer("conv_transpose", 4, 3, 2, "same", convention="same_lower", output_padding=1)
    assert (lay.padding, lay.output_padding, lay.output_size) == (((1, 1),), (1,), (8,))  # total 1 + 3 - 2 = 2
    assert layer("conv_transpose", 4, 3, 2, "valid", convention="same_upper").output_size == (9,)


def test_padding_rule_and_convention_are_kept_and_with_input_resolves():
    stack = layer("conv_transpose", None, 3, stride=2, padding="same")
    assert stack.padding == ((0, 1),) and stack.padding_rule == "same"
    sized = stack.with_input(10)
    assert sized.output_size == (20,) and sized.padding_rule == "same" and sized.convention == "tensorflow"


def test_refusals_name_the_rule():
    with pytest.raises(LayerError, match="`convention` 'caffe': transposed 'same'"):
        transpose_padding(3, 2, convention="caffe")
    with pytest.raises(LayerError, match="`padding` must be one of 'same', 'valid'"):
        transpose_padding(3, 2, padding="full")


def test_onnx_backend_autopad_same():
    onnx = pytest.importorskip("onnx")
    from onnx import helper, numpy_helper

    folder = Path(onnx.__file__).parent / "backend" / "test" / "data" / "node" / "test_convtranspose_autopad_same"
    if not folder.is_dir():
        pytest.skip("this onnx has no stored backend node data")
    node = onnx.load(str(folder / "model.onnx")).graph.node[0]
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}

    def tensor(name):
        proto = onnx.TensorProto()
        proto.ParseFromString((folder / "test_data_set_0" / name).read_bytes())
        return numpy_helper.to_array(proto)

    x, w, expected = tensor("input_0.pb"), tensor("input_1.pb"), tensor("output_0.pb")
    convention = attrs["auto_pad"].decode().lower()
    lay = layer("conv_transpose", x.shape[2:], w.shape[2:], attrs["strides"], "same", convention=convention)
    assert lay.output_size == expected.shape[2:]
    got = ca.conv_transpose(x, w, stride=lay.stride, padding=lay.padding, output_padding=lay.output_padding)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def _keras():
    pytest.importorskip("torch")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs KERAS_BACKEND=torch")
    return keras


KERAS_GRID = [
    (i, k, s, d, word, a)
    for i in (5, 6)
    for k in (1, 2, 3, 4, 5)
    for s in (1, 2, 3)
    for d in (1, 2)
    for word in ("same", "valid")
    for a in (None, *range(s))
    if not (d > 1 and s > 1)  # Keras refuses dilation with strides
]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_keras_conv_transpose_shapes_and_values():
    keras = _keras()
    rng = seeded_rng(0)
    checked = 0
    for i, k, s, d, word, a in KERAS_GRID:
        try:
            conv = keras.layers.Conv1DTranspose(
                2, k, strides=s, padding=word, output_padding=a, dilation_rate=d, use_bias=False
            )
            x = rng.standard_normal((1, i, 3)).astype("float32")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                y = np.asarray(keras.ops.convert_to_numpy(conv(x)))
        except ValueError:  # Keras refuses some combinations (output_padding >= stride, ...)
            continue
        said = " ".join(str(w.message) for w in caught)
        if "Clamping output_padding" in said:
            continue  # the torch backend changes the layer
        values = "inconsistencies across backends" not in said  # else the torch backend's split differs
        pads, extra = transpose_padding(k, s, d, word, None if a is None else (a,), "tensorflow")
        lay = layer("conv_transpose", i, k, s, pads, d, output_padding=extra)
        assert lay.output_size == (y.shape[1],), (i, k, s, d, word, a)
        if a is None:  # layer() itself: output_padding 0 is Keras' None
            assert layer("conv_transpose", i, k, s, word, d).output_size == (y.shape[1],)
        kernel = np.asarray(keras.ops.convert_to_numpy(conv.kernel))  # (k, out, in)
        w = kernel.transpose(2, 1, 0)  # (in, out, k): PyTorch's layout
        ours = ca.conv_transpose(x.transpose(0, 2, 1), w, stride=s, padding=pads, output_padding=extra, dilation=d)
        if values:
            np.testing.assert_allclose(ours, y.transpose(0, 2, 1), atol=1e-5, err_msg=str((i, k, s, d, word, a)))
            checked += 1
    assert checked >= 100, checked


def test_one_resolver():
    # no other module splits a transposed 'same' (the old readers computed i*s and the split themselves)
    offenders = []
    for path in (ROOT / "convarith").rglob("*.py"):
        if path.name == "padding.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):  # code only: docstrings may quote the formulas
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                    body.pop(0)
        code = ast.unparse(tree)
        if re.search(r"total // 2|\bi \* s\b|ek - s\b", code):
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_keras_reader_uses_the_resolver():
    keras = _keras()
    from convarith.network import inspect

    x = keras.Input((9, 8, 2))
    y = keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same", name="a")(x)
    y = keras.layers.Conv2DTranspose(3, 4, strides=2, padding="same", output_padding=1, name="b")(y)
    y = keras.layers.Conv2DTranspose(3, 1, strides=3, padding="valid", name="c")(y)
    y = keras.layers.Conv2DTranspose(3, (2, 3), strides=(2, 1), padding="same", output_padding=(0, 0), name="d")(y)
    model = keras.Model(x, y)
    for row in inspect(model).layers:
        assert row.output_size == tuple(model.get_layer(row.name).output.shape[1:-1]), row.name
