"""The loop definitions (convarith.engine.reference) and the fast engine, against each other and PyTorch.

The reference is the definition, so it is itself checked against an independent oracle (PyTorch
2.13 on CPU, float64); the fast paths are checked against it exactly on integers (hypothesis draws
the layers). ``tests/engine/test_engine.py`` and ``tests/engine/test_pooling.py`` hold more fast-vs-reference
cases (guide figures, padding modes, ONNX-style asymmetric padding).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import convarith as ca
from convarith.engine import reference
from convarith.testing import random_array

torch = pytest.importorskip("torch")
F = torch.nn.functional
FEW = settings(max_examples=25)


@st.composite
def conv_layers(draw: Any) -> dict[str, Any]:
    nd = draw(st.integers(1, 2))
    groups = draw(st.integers(1, 2))
    layer = {
        "nd": nd,
        "groups": groups,
        "c_in": groups * draw(st.integers(1, 2)),
        "c_out": groups * draw(st.integers(1, 2)),
        "kernel": tuple(draw(st.integers(1, 3)) for _ in range(nd)),
        "stride": tuple(draw(st.integers(1, 3)) for _ in range(nd)),
        "dilation": tuple(draw(st.integers(1, 2)) for _ in range(nd)),
        "padding": tuple(draw(st.integers(0, 2)) for _ in range(nd)),
    }
    layer["size"] = tuple(
        draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 6))
        for k, d, p in zip(layer["kernel"], layer["dilation"], layer["padding"], strict=True)
    )
    return layer


def _assume_output(*sizes: Any) -> None:
    """Skip transposed layers whose padding crops the whole output (an error, tested elsewhere)."""
    try:
        ca.conv_transpose_output_size(*sizes)
    except ValueError:
        assume(False)


def _conv_fn(nd: int, transposed: bool = False) -> Any:
    return getattr(F, f"conv_transpose{nd}d" if transposed else f"conv{nd}d")


@FEW
@given(layer=conv_layers(), seed=st.integers(0, 2**16))
def test_reference_conv_is_pytorchs(layer, seed):
    x = random_array((2, layer["c_in"], *layer["size"]), seed, np.float64)
    w = random_array((layer["c_out"], layer["c_in"] // layer["groups"], *layer["kernel"]), seed + 1, np.float64)
    b = random_array((layer["c_out"],), seed + 2, np.float64)
    args = (layer["stride"], layer["padding"], layer["dilation"], layer["groups"])
    ours = reference.conv(x, w, b, *args[:2], args[2], args[3]).astype(np.float64)
    theirs = _conv_fn(layer["nd"])(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), *args).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@FEW
@given(layer=conv_layers(), seed=st.integers(0, 2**16), extra=st.integers(0, 2))
def test_reference_conv_transpose_is_pytorchs(layer, seed, extra):
    nd, groups = layer["nd"], layer["groups"]
    output_padding = tuple(min(extra, max(s, d) - 1) for s, d in zip(layer["stride"], layer["dilation"], strict=True))
    sizes = layer["size"]
    _assume_output(sizes, layer["kernel"], layer["stride"], layer["padding"], output_padding, layer["dilation"])
    x = random_array((1, layer["c_in"], *sizes), seed, np.float64)
    w = random_array((layer["c_in"], layer["c_out"] // groups, *layer["kernel"]), seed + 1, np.float64)
    b = random_array((layer["c_out"],), seed + 2, np.float64)
    ours = reference.conv_transpose(
        x, w, b, layer["stride"], layer["padding"], output_padding, layer["dilation"], groups
    ).astype(np.float64)
    theirs = _conv_fn(nd, transposed=True)(
        torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), layer["stride"], layer["padding"],
        output_padding, groups, layer["dilation"],
    ).numpy()  # fmt: skip
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@FEW
@given(
    layer=conv_layers(),
    seed=st.integers(0, 2**16),
    pads=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=2),
    extra=st.integers(0, 2),
)
def test_fast_conv_transpose_is_the_reference_exactly_on_integers(layer, seed, pads, extra):
    groups, nd = layer["groups"], layer["nd"]
    padding = tuple(pads[:nd])  # ONNX-style (before, after)
    output_padding = tuple(min(extra, max(s, d) - 1) for s, d in zip(layer["stride"], layer["dilation"], strict=True))
    _assume_output(layer["size"], layer["kernel"], layer["stride"], padding, output_padding, layer["dilation"])
    x = random_array((2, layer["c_in"], *layer["size"]), seed, np.int64, low=-9, high=9)
    w = random_array((layer["c_in"], layer["c_out"] // groups, *layer["kernel"]), seed + 1, np.int64, low=-9, high=9)
    arguments = {"stride": layer["stride"], "padding": padding, "output_padding": output_padding,
                 "dilation": layer["dilation"], "groups": groups}  # fmt: skip
    expected = reference.conv_transpose(x, w, None, *arguments.values())
    fast = ca.conv_transpose(x, w, **arguments)
    built = ca.conv_transpose_construction(x, w, **arguments).output
    assert fast.dtype == built.dtype == np.int64
    np.testing.assert_array_equal(fast, expected.astype(np.int64))
    np.testing.assert_array_equal(built, fast)


@FEW
@given(layer=conv_layers(), seed=st.integers(0, 2**16), mode=st.sampled_from(["zeros", "replicate", "circular"]))
def test_fast_conv_is_the_reference_exactly_on_integers(layer, seed, mode):
    # PyTorch's limit: circular padding wraps around at most once
    assume(mode != "circular" or all(p <= n for p, n in zip(layer["padding"], layer["size"], strict=True)))
    x = random_array((2, layer["c_in"], *layer["size"]), seed, np.int32, low=-50, high=50)
    w = random_array((layer["c_out"], layer["c_in"] // layer["groups"], *layer["kernel"]), seed + 1, np.int8)
    args = {"stride": layer["stride"], "padding": layer["padding"], "dilation": layer["dilation"]}
    expected = reference.conv(x, w, None, *args.values(), layer["groups"], mode)
    fast = ca.conv(x, w, groups=layer["groups"], padding_mode=mode, **args)
    assert fast.dtype == np.int64
    np.testing.assert_array_equal(fast, expected.astype(np.int64))


@FEW
@given(layer=conv_layers(), seed=st.integers(0, 2**16), ceil_mode=st.booleans())
def test_reference_pools_are_pytorchs(layer, seed, ceil_mode):
    nd, kernel, stride = layer["nd"], layer["kernel"], layer["stride"]
    padding = tuple(min(p, k // 2) for p, k in zip(layer["padding"], kernel, strict=True))  # PyTorch's limit
    size = tuple(max(n, k) for n, k in zip(layer["size"], kernel, strict=True))
    x = random_array((1, 2, *size), seed, np.float64)
    t = torch.from_numpy(x)
    values, indices = reference.max_pool(x, kernel, stride, padding, 1, ceil_mode)
    expected, expected_indices = getattr(F, f"max_pool{nd}d")(t, kernel, stride, padding, 1, ceil_mode, True)
    np.testing.assert_array_equal(values.astype(np.float64), expected.numpy())
    np.testing.assert_array_equal(indices, expected_indices.numpy())
    average = reference.avg_pool(x, kernel, stride, padding, ceil_mode, False)
    expected_average = getattr(F, f"avg_pool{nd}d")(t, kernel, stride, padding, ceil_mode, False)
    np.testing.assert_allclose(average.astype(np.float64), expected_average.numpy(), rtol=1e-12)
