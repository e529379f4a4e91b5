"""The engine against ONNX 1.22's backend node test data (Conv, ConvInteger, MaxPool, AveragePool,
LpPool, GlobalAveragePool, GlobalMaxPool).

Each case folder holds ``model.onnx`` (one node) and ``test_data_set_0/{input,output}_*.pb``. We
read the node's attributes, map them to convarith's API and compare with the stored outputs,
which ONNX generated with its reference implementations of the operators. We never run
``onnx.reference``'s evaluator (its auto_pad handling is buggy for Conv and MaxPool, see
REFERENCE.md); the stored data is the oracle. ConvTranspose cases belong to the transposed
convolution's tests.

Mapping: ``pads = [b_1, ..., b_n, e_1, ..., e_n]`` -> ``((b_1, e_1), ..., (b_n, e_n))``;
``auto_pad`` SAME_UPPER / SAME_LOWER -> the pads of :func:`convarith.same_padding` with that
convention; VALID -> no padding; ONNX's ``strides`` default to 1 (PyTorch's pooling stride
defaults to the kernel); AveragePool's ``count_include_pad`` defaults to 0; MaxPool's second
output (indices) is flat over the whole tensor, ``(n*C + c)*plane + index_in_plane``, in row-major
order, or column-major within the plane when ``storage_order = 1``. PyTorch's pooling limit
``padding <= kernel_size // 2`` is not enforced by convarith, so ONNX cases such as a 3x3 window
with pads of 2 run as they are.

Where we deliberately follow PyTorch instead of ONNX, the case is listed in ``DEVIATIONS`` with
the reason (LpPool's missing absolute value) and checked both ways.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import convarith as ca
from convarith.engine.convolution import conv
from convarith.engine.pooling import avg_pool, global_avg_pool, global_max_pool, lp_pool, max_pool

PREFIXES = (
    "test_basic_conv",
    "test_conv_",
    "test_convinteger",
    "test_maxpool",
    "test_averagepool",
    "test_lppool",
    "test_globalaveragepool",
    "test_globalmaxpool",
)

DEVIATIONS = {
    "test_lppool_1d_default": "p = 3 on signed data: ONNX sums |x|^3, PyTorch (and lp_pool) sums x^3 without abs; "
    "we feed |x| to check everything else, and check separately that the signed result differs",
    "test_lppool_2d_pads": "p = 3 on signed data (as above)",
    "test_lppool_3d_default": "p = 3 on signed data (as above)",
}
"""Cases where convarith follows PyTorch, and why. Every other case is compared as is."""

TOLERANCES = {
    # The expected output was typed in with 4 decimals (0.1511 for 1.3595/9 = 0.151056...).
    "test_averagepool_2d_ceil_last_window_starts_on_pad": 5e-4,
}
"""Relative tolerance per case where the stored data is rounded; default 1e-5."""


def _node_dir() -> Path | None:
    try:
        import onnx
    except ImportError:
        return None
    path = Path(onnx.__file__).parent / "backend" / "test" / "data" / "node"
    return path if path.is_dir() else None


NODE_DIR = _node_dir()
CASES = sorted(p.name for p in NODE_DIR.iterdir() if p.name.startswith(PREFIXES)) if NODE_DIR else []


def _load(name):
    import onnx
    from onnx import numpy_helper

    folder = NODE_DIR / name
    model = onnx.load(str(folder / "model.onnx"))
    (node,) = model.graph.node
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    attrs = {k: v.decode() if isinstance(v, bytes) else v for k, v in attrs.items()}

    def tensors(kind):
        files = sorted((folder / "test_data_set_0").glob(f"{kind}_*.pb"), key=lambda f: int(f.stem.split("_")[1]))
        return [numpy_helper.to_array(onnx.load_tensor(str(f))) for f in files]

    return node.op_type, attrs, tensors("input"), tensors("output")


def _padding(attrs, x, kernel, strides, dilations):
    sizes = x.shape[2:]
    nd = len(sizes)
    auto_pad = attrs.get("auto_pad", "NOTSET")
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        return ca.same_padding(sizes, kernel, strides, dilations, convention=auto_pad.lower())
    if auto_pad == "VALID":
        return ((0, 0),) * nd
    pads = attrs.get("pads", [0] * (2 * nd))
    return tuple((pads[a], pads[a + nd]) for a in range(nd))


def _pool_params(attrs, x):
    nd = x.ndim - 2
    kernel = tuple(attrs["kernel_shape"])
    strides = tuple(attrs.get("strides", [1] * nd))
    dilations = tuple(attrs.get("dilations", [1] * nd))
    padding = _padding(attrs, x, kernel, strides, dilations)
    return {"stride": strides, "padding": padding, "ceil_mode": bool(attrs.get("ceil_mode", 0))}, kernel, dilations


def _onnx_indices(indices, shape, storage_order):
    n, c = shape[:2]
    plane = int(np.prod(shape[2:]))
    if storage_order == 1:  # column-major within the plane
        rows, cols = np.unravel_index(indices, shape[2:])
        indices = cols * shape[2] + rows
    offsets = (np.arange(n)[:, None] * c + np.arange(c)[None, :]) * plane
    return indices + offsets.reshape(n, c, *[1] * (len(shape) - 2))


def run(name, op, attrs, inputs):
    """Our outputs for one ONNX node."""
    x = inputs[0]
    nd = x.ndim - 2
    if op in ("Conv", "ConvInteger"):
        w = inputs[1]
        kernel = tuple(attrs.get("kernel_shape", w.shape[2:]))
        strides = tuple(attrs.get("strides", [1] * nd))
        dilations = tuple(attrs.get("dilations", [1] * nd))
        padding = _padding(attrs, x, kernel, strides, dilations)
        bias = None
        if op == "ConvInteger":  # (x - x_zero_point) * (w - w_zero_point), exact integers
            x_zero = inputs[2] if len(inputs) > 2 else 0
            w_zero = inputs[3] if len(inputs) > 3 else np.zeros(1, dtype=np.int64)
            x = x.astype(np.int64) - np.int64(x_zero)
            w = w.astype(np.int64) - np.asarray(w_zero, dtype=np.int64).reshape(-1, *[1] * (w.ndim - 1))
        elif len(inputs) > 2:
            bias = inputs[2]
        y = conv(x, w, bias, stride=strides, padding=padding, dilation=dilations, groups=attrs.get("group", 1))
        return [y]
    if op == "MaxPool":
        params, kernel, dilations = _pool_params(attrs, x)
        values, indices = max_pool(x, kernel, dilation=dilations, return_indices=True, **params)
        return [values, _onnx_indices(indices, x.shape, attrs.get("storage_order", 0))]
    if op == "AveragePool":
        params, kernel, dilations = _pool_params(attrs, x)
        include = bool(attrs.get("count_include_pad", 0))
        return [avg_pool(x, kernel, dilation=dilations, count_include_pad=include, **params)]
    if op == "LpPool":
        params, kernel, dilations = _pool_params(attrs, x)
        p = attrs.get("p", 2)
        source = np.abs(x) if name in DEVIATIONS else x
        return [lp_pool(source, p, kernel, dilation=dilations, **params)]
    if op == "GlobalAveragePool":
        return [global_avg_pool(x)]
    if op == "GlobalMaxPool":
        return [global_max_pool(x)]
    raise AssertionError(f"unmapped ONNX op {op} in {name}")


def test_onnx_node_data_is_available():
    if NODE_DIR is None:
        pytest.skip("onnx 1.22 with its backend node test data is not installed")
    assert len(CASES) >= 55, CASES


@pytest.mark.parametrize("name", CASES)
def test_onnx_backend_case(name):
    op, attrs, inputs, outputs = _load(name)
    ours = run(name, op, attrs, inputs)
    expected_outputs = outputs[: len(ours)] if op == "MaxPool" else outputs
    assert len(ours) >= len(expected_outputs)
    for got, expected in zip(ours, expected_outputs, strict=False):
        assert got.shape == expected.shape, (got.shape, expected.shape)
        if expected.dtype.kind in "iu":
            np.testing.assert_array_equal(got, expected)
        else:
            assert got.dtype == expected.dtype
            np.testing.assert_allclose(got, expected, rtol=TOLERANCES.get(name, 1e-5), atol=1e-5)


@pytest.mark.parametrize("name", sorted(DEVIATIONS))
def test_lp_pool_deviation_from_onnx_is_the_documented_sign_quirk(name):
    if NODE_DIR is None:
        pytest.skip("onnx backend node test data is not installed")
    op, attrs, inputs, outputs = _load(name)
    assert op == "LpPool" and attrs["p"] % 2 == 1
    x = inputs[0]
    assert (x < 0).any()
    params, kernel, dilations = _pool_params(attrs, x)
    with np.errstate(invalid="ignore"):
        signed = lp_pool(x, attrs["p"], kernel, dilation=dilations, **params)
    assert not np.allclose(signed, outputs[0], equal_nan=True)  # PyTorch's signed sum differs from ONNX's abs
