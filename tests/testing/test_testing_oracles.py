"""convarith as the oracle of real code: PyTorch's functional ops and ONNX's shape inference.

PyTorch's ``torch.nn.functional`` ops are wrapped to the engine's call shape and run through
:func:`convarith.testing.check_op`; ONNX's shape inference on a one-node model is wrapped to the
output-size formulas' call shape and run through :func:`convarith.testing.check_output_size`. A
check that passes also shows that the strategies draw only layers the framework accepts (a refusal
would be reported as the counterexample). Where a framework differs, the check's counterexample is
asserted as a documented quirk of that framework, not a failure of convarith (docs/oracle.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import convarith as ca
from convarith.arithmetic import LayerError, layer
from convarith.testing import check_op, check_output_size

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
F = torch.nn.functional


# -- PyTorch, called as the engine is --------------------------------------------------------------


def _tensor(array: np.ndarray) -> Any:
    return torch.from_numpy(np.ascontiguousarray(array))


def torch_conv(x, weight, *, stride, padding, dilation, groups):
    conv = getattr(F, f"conv{x.ndim - 2}d")
    return conv(_tensor(x), _tensor(weight), stride=stride, padding=padding, dilation=dilation, groups=groups)


def torch_conv_transpose(x, weight, *, stride, padding, output_padding, dilation, groups):
    conv = getattr(F, f"conv_transpose{x.ndim - 2}d")
    return conv(
        _tensor(x),
        _tensor(weight),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
    )


def torch_max_pool(x, kernel_size, *, stride, padding, dilation, ceil_mode):
    pool = getattr(F, f"max_pool{x.ndim - 2}d")
    return pool(_tensor(x), kernel_size, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)


def torch_avg_pool(x, kernel_size, *, stride, padding, ceil_mode, count_include_pad):
    pool = getattr(F, f"avg_pool{x.ndim - 2}d")
    options = {"stride": stride, "padding": padding, "ceil_mode": ceil_mode, "count_include_pad": count_include_pad}
    return pool(_tensor(x), kernel_size, **options)


def torch_lp_pool(x, norm_type, kernel_size, *, stride, ceil_mode):
    pool = getattr(F, f"lp_pool{x.ndim - 2}d")
    if x.ndim == 3:  # lp_pool1d takes an int kernel_size only (see the quirk test below)
        kernel_size, stride = kernel_size[0], stride[0]
    return pool(_tensor(x), norm_type, kernel_size, stride=stride, ceil_mode=ceil_mode)


TORCH_OPS = {
    "conv": torch_conv,
    "conv_transpose": torch_conv_transpose,
    "max_pool": torch_max_pool,
    "avg_pool": torch_avg_pool,
    "lp_pool": torch_lp_pool,
}


@pytest.mark.parametrize("ndim", [1, 2])
@pytest.mark.parametrize("op", sorted(TORCH_OPS))
def test_pytorch_functional_ops_agree_with_the_engine(op: str, ndim: int) -> None:
    """Every drawn case runs in PyTorch (a refusal would fail) and gives the engine's values."""
    assert check_op(TORCH_OPS[op], op, ndim=ndim, max_examples=60) == 60


@pytest.mark.slow
@pytest.mark.parametrize("op", sorted(set(TORCH_OPS) - {"avg_pool"}))  # avg_pool3d: see its quirk below
def test_pytorch_functional_ops_agree_in_3d(op: str) -> None:
    assert check_op(TORCH_OPS[op], op, ndim=3, max_size=4, max_examples=30) == 30


def test_pytorch_float32_within_the_float32_tolerance() -> None:
    assert check_op(torch_conv, "conv", ndim=2, dtype=np.float32, max_examples=40) == 40


def torch_pool_output_size(input_size, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """PyTorch's pooling output size, read off max_pool1d on zeros."""
    out = F.max_pool1d(torch.zeros(1, 1, input_size), kernel_size, stride, padding, dilation, ceil_mode)
    return out.shape[-1]


def test_pytorch_pool_output_size_agrees_in_ceil_mode() -> None:
    assert check_output_size(torch_pool_output_size, "pool", ceil_mode=True) == 200


# -- ONNX shape inference, called as the formulas are -------------------------------------------


def onnx_output_size(op_type: str, opset: int = 22):
    """An output-size function that asks ONNX's shape inference about a one-node model."""
    from onnx import TensorProto, helper

    def size(input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1, ceil_mode=False):
        scalar = isinstance(input_size, int)
        values = (input_size, kernel_size, stride, dilation, output_padding)
        sizes, kernel, strides, dilations, extra = ((v,) if isinstance(v, int) else tuple(v) for v in values)
        nd = len(sizes)
        if isinstance(padding, int):
            pads = [(padding, padding)] * nd
        elif scalar:
            pads = [tuple(padding)]
        else:
            pads = [(p, p) if isinstance(p, int) else tuple(p) for p in padding]
        attributes: dict[str, Any] = {
            "kernel_shape": list(kernel),
            "strides": list(strides),
            "pads": [b for b, _ in pads] + [e for _, e in pads],  # ONNX: all begins, then all ends
            "dilations": list(dilations),
        }
        inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, *sizes])]
        if op_type in ("Conv", "ConvTranspose"):
            inputs.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, [1, 1, *kernel]))
        if op_type == "ConvTranspose":
            attributes["output_padding"] = list(extra)
        if op_type in ("MaxPool", "AveragePool", "LpPool"):
            attributes["ceil_mode"] = int(ceil_mode)
        node = helper.make_node(op_type, [i.name for i in inputs], ["y"], **attributes)
        output = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
        model = helper.make_model(
            helper.make_graph([node], "one_node", inputs, [output]), opset_imports=[helper.make_opsetid("", opset)]
        )
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        onnx.checker.check_model(inferred, full_check=True)  # the checker accepts the node
        dims = tuple(d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim[2:])
        return dims[0] if scalar else dims

    size.__name__ = f"onnx_{op_type}_size"
    return size


@pytest.mark.parametrize("ndim", [None, 2])
def test_onnx_conv_shape_inference_agrees_on_every_valid_layer(ndim) -> None:
    size = onnx_output_size("Conv")
    assert check_output_size(size, "conv", ndim=ndim, padding=("symmetric", "pairs"), max_examples=100) == 100


def test_onnx_conv_transpose_shape_inference_agrees() -> None:
    size = onnx_output_size("ConvTranspose")
    assert check_output_size(size, "conv_transpose", ndim=2, padding=("symmetric", "pairs"), max_examples=100) == 100


@pytest.mark.parametrize("op_type", ["MaxPool", "AveragePool", "LpPool"])
def test_onnx_pool_shape_inference_agrees_also_in_ceil_mode(op_type: str) -> None:
    """Including the last ceil-mode window that would start in the right padding (dropped by both)."""
    size = onnx_output_size(op_type)
    forms = ("symmetric", "pairs")
    assert check_output_size(size, "pool", ndim=2, padding=forms, pool_convention="onnx", max_examples=100) == 100


# -- the quirks, as documented in docs/oracle.md ----------------------------------------------------


@pytest.mark.parametrize(
    ("i", "k", "s", "onnx_answer"),
    [
        (2, 3, 2, 1),  # (2 - 3)/2 truncates to 0, + 1: one output where no window fits
        (1, 2, 1, 0),  # (1 - 2)/1 = -1, + 1: a zero-size output
        (3, 5, 1, -1),  # (3 - 5)/1 = -2, + 1: a negative size
    ],
)
def test_quirk_onnx_shape_inference_answers_where_the_kernel_exceeds_the_padded_input(i, k, s, onnx_answer) -> None:
    """convarith and PyTorch refuse a kernel larger than the padded input; ONNX's shape inference
    divides with C++'s truncation and answers a number (1 for i=2, k=3, s=2)."""
    from onnx import TensorProto, helper

    with pytest.raises(LayerError, match="larger than the padded input"):
        layer("conv", i, k, stride=s)
    with pytest.raises(RuntimeError):
        F.conv1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s)
    node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[k], strides=[s])
    inputs = [
        helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, i]),
        helper.make_tensor_value_info("w", TensorProto.FLOAT, [1, 1, k]),
    ]
    graph = helper.make_graph([node], "g", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    assert inferred.graph.output[0].type.tensor_type.shape.dim[2].dim_value == onnx_answer


def test_quirk_pytorch_pooling_refuses_padding_above_half_the_kernel() -> None:
    """ONNX pools take padding up to the kernel; PyTorch refuses more than kernel_size // 2, and so
    does convarith's default pool_convention='pytorch'. check_output_size with ONNX's limit finds
    the smallest such layer."""
    with pytest.raises(AssertionError) as caught:
        check_output_size(torch_pool_output_size, "pool", pool_convention="onnx")
    message = str(caught.value)
    # smallest: kernel 2 allows ONNX padding 1 = 2 // 2 (PyTorch too), so kernel 3 with padding 2? no:
    # 3 // 2 = 1; kernel 2, padding 1 is fine for both, kernel 3 padding 2 is the first refusal
    assert "kernel 3" in message and "padding (2, 2)" in message
    assert "raised RuntimeError: max_pool1d() padding should be at most half of kernel size" in message
    assert ca.pool_output_size(1, 3, 1, 2, convention="onnx") == 3  # (1 + 4 - 3)/1 + 1, worked by hand


def test_quirk_pytorch_lp_pool1d_takes_an_int_kernel_size_only() -> None:
    """check_op found it: lp_pool1d multiplies by kernel_size, so a one-entry tuple (which every
    other 1-D op takes) raises a TypeError; lp_pool2d takes tuples. The wrapper above passes an int."""

    def as_the_engine_calls_it(x, norm_type, kernel_size, *, stride, ceil_mode):
        return F.lp_pool1d(_tensor(x), norm_type, kernel_size, stride=stride, ceil_mode=ceil_mode)

    with pytest.raises(AssertionError, match=r"raised TypeError: mul\(\): argument 'other'"):
        check_op(as_the_engine_calls_it, "lp_pool", ndim=1)
    assert F.lp_pool2d(torch.ones(1, 1, 2, 2), 2, (2, 2)).item() == 2.0  # sqrt(1 + 1 + 1 + 1)


def test_quirk_pytorch_avg_pool3d_refuses_an_input_smaller_than_the_kernel_even_when_padded() -> None:
    """check_op found it: avg_pool3d checks the kernel against the unpadded input, while
    avg_pool1d, avg_pool2d and max_pool3d (and ONNX, and convarith) check the padded input."""
    with pytest.raises(AssertionError) as caught:
        check_op(torch_avg_pool, "avg_pool", ndim=3, max_size=4)
    message = str(caught.value)
    # smallest: a kernel larger than the input needs k = 2 (padding 1 = 2 // 2) over an input of 1,
    # on one of the three axes (each is as small; the shrinker picks one)
    pads = {"2×1×1": "(1, 1)×(0, 0)×(0, 0)", "1×2×1": "(0, 0)×(1, 1)×(0, 0)", "1×1×2": "(0, 0)×(0, 0)×(1, 1)"}
    header = "avg_pool: input 1×1×1, kernel {}, stride 1, padding {} -> output"
    assert any(header.format(k, p) in message for k, p in pads.items())
    assert "raised RuntimeError: input image (T: 1 H: 1 W: 1) smaller than kernel size" in message
    assert F.avg_pool2d(torch.ones(1, 1, 1, 1), (2, 1), stride=1, padding=(1, 0)).shape == (1, 1, 2, 1)
    assert F.max_pool3d(torch.ones(1, 1, 1, 1, 1), (2, 1, 1), stride=1, padding=(1, 0, 0)).shape == (1, 1, 2, 1, 1)
