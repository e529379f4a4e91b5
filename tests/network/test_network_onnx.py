"""convarith.inspect on ONNX models. Oracle: ONNX's own shape inference (and, for an exported
PyTorch model, PyTorch's shapes)."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from convarith.network import inspect  # noqa: E402


def _weight(name, shape):
    return numpy_helper.from_array(np.ones(shape, np.float32), name)


def _model(size=(1, 3, 32, 30)):
    """A branching graph with every padding form ONNX has."""
    nodes, inits = [], []

    def conv(name, x, cin, cout, k, **attrs):
        inits.append(_weight(f"{name}.w", (cout, cin // attrs.get("group", 1), k, k)))
        nodes.append(helper.make_node("Conv", [x, f"{name}.w"], [name], name=name, kernel_shape=[k, k], **attrs))
        return name

    a = conv("upper", "x", 3, 8, 3, strides=[2, 2], auto_pad="SAME_UPPER")
    b = conv("lower", "x", 3, 8, 4, strides=[2, 2], auto_pad="SAME_LOWER")
    c = conv("explicit", "x", 3, 8, 5, strides=[2, 2], pads=[2, 2, 2, 2], dilations=[1, 1])
    nodes.append(helper.make_node("Concat", [a, b, c], ["cat"], name="cat", axis=1))
    nodes.append(helper.make_node("Relu", ["cat"], ["relu"], name="relu"))
    inits.append(numpy_helper.from_array(np.array([0, 0, 0, 1, 0, 0, 1, 2], np.int64), "pads"))
    nodes.append(helper.make_node("Pad", ["relu", "pads"], ["pad"], name="pad"))
    nodes.append(
        helper.make_node(
            "MaxPool", ["pad"], ["max"], name="max", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1
        )
    )
    nodes.append(
        helper.make_node(
            "AveragePool",
            ["max"],
            ["avg"],
            name="avg",
            kernel_shape=[2, 2],
            strides=[1, 1],
            pads=[0, 0, 1, 1],
            count_include_pad=1,
        )
    )
    d = conv("dw", "avg", 24, 24, 3, group=24, pads=[1, 1, 1, 1])
    inits.append(_weight("up.w", (24, 4, 3, 3)))
    nodes.append(
        helper.make_node(
            "ConvTranspose",
            [d, "up.w"],
            ["up"],
            name="up",
            kernel_shape=[3, 3],
            strides=[2, 2],
            pads=[1, 0, 1, 0],
            output_padding=[1, 1],
        )
    )
    inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales"))
    nodes.append(helper.make_node("Resize", ["up", "", "scales"], ["resize"], name="resize", mode="nearest"))
    inits.append(_weight("same_up.w", (4, 2, 4, 4)))
    nodes.append(
        helper.make_node(
            "ConvTranspose",
            ["resize", "same_up.w"],
            ["same_up"],
            name="same_up",
            kernel_shape=[4, 4],
            strides=[2, 2],
            auto_pad="SAME_UPPER",
        )
    )
    nodes.append(helper.make_node("GlobalAveragePool", ["same_up"], ["gap"], name="gap"))
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(size))],
        [helper.make_tensor_value_info("gap", TensorProto.FLOAT, None)],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def _inferred(model):
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    return {
        v.name: tuple(d.dim_value for d in v.type.tensor_type.shape.dim)
        for v in [*inferred.graph.value_info, *inferred.graph.output]
    }


@pytest.mark.parametrize("size", [(1, 3, 32, 30), (2, 3, 33, 29), (1, 3, 17, 64)])
def test_sizes_match_shape_inference(size):
    model = _model(size)
    report = inspect(model)
    shapes = _inferred(model)
    assert [r.name for r in report.layers] == ["upper", "lower", "explicit", "pad", "max", "avg", "dw", "up", "same_up"]
    for row in report.layers:
        assert row.output_size == shapes[row.name][2:], row.name


def test_attributes_become_layer_values():
    report = inspect(_model())
    assert report["upper"].padding_rule == "same" and report["upper"].convention == "same_upper"
    assert report["upper"].padding == ((0, 1), (0, 1))  # 32 and 30 at stride 2: the extra unit after
    assert report["lower"].padding == ((1, 1), (1, 1))
    assert report["lower"].warnings == ()  # an even kernel at an even stride is centred on its 2-block
    assert report["explicit"].padding == ((2, 2), (2, 2))
    assert report["pad"].padding == ((0, 1), (1, 2))
    assert report["avg"].padding == ((0, 1), (0, 1))
    assert report["dw"].groups == 24 and report["dw"].parameters == 24 * 9
    assert report["up"].layer.output_padding == (1, 1)
    assert report["upper"].in_channels == 3 and report["upper"].out_channels == 8


def test_model_from_a_file(tmp_path):
    path = tmp_path / "m.onnx"
    onnx.save(_model(), path)
    assert [r.output_size for r in inspect(path).layers] == [r.output_size for r in inspect(_model()).layers]
    assert inspect(str(path), input_size=(1, 3, 64, 64))["upper"].output_size == (32, 32)


def test_pytorch_export(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(3, 8, 7, stride=2, padding=3)
            self.pool = nn.MaxPool2d(3, 2, padding=1)
            self.a = nn.Conv2d(8, 8, 3, stride=2, padding=1)
            self.shortcut = nn.Conv2d(8, 8, 1, stride=2)
            self.pad = nn.ZeroPad2d((0, 1, 0, 1))
            self.avg = nn.AvgPool2d(2, 1)

        def forward(self, x):
            x = self.pool(torch.relu(self.stem(x)))
            return self.avg(self.pad(self.a(x) + self.shortcut(x)))

    path = tmp_path / "net.onnx"
    model, size = Net().eval(), (1, 3, 61, 64)
    with warnings.catch_warnings():  # torch 2.13's default exporter needs onnxscript; the TorchScript one
        warnings.simplefilter("ignore", DeprecationWarning)  # works offline and says it is deprecated
        warnings.filterwarnings("ignore", "Constant folding", UserWarning)  # F.pad's pads stay a subgraph
        torch.onnx.export(model, torch.zeros(size), path, dynamo=False)
    exported, traced = inspect(path), inspect(model, size)
    assert [r.output_size for r in exported.layers] == [r.output_size for r in traced.layers]
    assert [r.receptive_field for r in exported.layers] == [r.receptive_field for r in traced.layers]
    assert [r.op for r in exported.layers] == ["conv", "max_pool", "conv", "conv", "pad", "avg_pool"]
    assert exported.layers[4].padding == ((0, 1), (0, 1))  # ZeroPad2d's pads subgraph, folded
    shapes, checked = _inferred(onnx.load(path)), 0
    for row in exported.layers:
        name = next(n.output[0] for n in onnx.load(path).graph.node if n.name == row.name)
        if name in shapes and all(shapes[name]):  # ONNX cannot infer past the computed pads
            assert shapes[name][2:] == row.output_size
            checked += 1
    assert checked >= 4


def test_missing_onnx_names_the_extra(monkeypatch, tmp_path):
    path = tmp_path / "m.onnx"
    onnx.save(_model(), path)
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install convarith\[network\]"):
        inspect(path)


def _graph(nodes, inits, size, opset=18):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(size))],
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def test_channels_last_graph_starting_with_a_rescaling():
    # Keras' export pattern: NHWC input, a Mul (Rescaling) first, then Transpose -> Conv -> Transpose;
    # the layout used to be guessed from the first node: a conv on 32x32x3 came out (32, 3) -> (15, 1)
    nodes = [
        helper.make_node("Mul", ["x", "scale"], ["scaled"], name="rescale"),
        helper.make_node("Pad", ["scaled", "pads"], ["padded"], name="pad"),  # NHWC pads: (0,1) on H and W
        helper.make_node("Transpose", ["padded"], ["t"], name="to_nchw", perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["t", "w"], ["c"], name="conv", kernel_shape=[3, 3], strides=[2, 2]),
        helper.make_node("Transpose", ["c"], ["y"], name="to_nhwc", perm=[0, 2, 3, 1]),
    ]
    inits = [
        numpy_helper.from_array(np.array(1 / 255, np.float32), "scale"),
        numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 1, 1, 0], np.int64), "pads"),
        _weight("w", (8, 3, 3, 3)),
    ]
    model = _graph(nodes, inits, (1, 32, 32, 3))
    report = inspect(model)
    assert report["pad"].padding == ((0, 1), (0, 1))
    assert report["conv"].input_size == (33, 33) and report["conv"].output_size == (16, 16)
    assert report["conv"].output_size == _inferred(model)["c"][2:]
    # input_size in the model's own layout: shape inference is run on it
    again = inspect(model, input_size=(1, 224, 218, 3))
    assert again["conv"].output_size == (112, 109) and again.notes == ()


def test_size_changing_operators_take_the_recorded_sizes_and_are_named():
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["a"], name="first", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("DepthToSpace", ["a"], ["b"], name="d2s", blocksize=2),
        helper.make_node("Einsum", ["b"], ["e"], name="einsum", equation="nchw->nchw"),
        helper.make_node("Conv", ["e", "w2"], ["c"], name="second", kernel_shape=[3, 3]),
    ]
    model = _graph(nodes, [_weight("w1", (8, 3, 3, 3)), _weight("w2", (4, 2, 3, 3))], (1, 3, 10, 12))
    report = inspect(model)
    shapes = _inferred(model)
    assert report["second"].input_size == shapes["b"][2:] == (20, 24)  # assumed size-keeping before: (10, 12)
    assert report["second"].output_size == shapes["c"][2:]
    assert report.assumed == 2 and report.nodes == 5
    assert any("DepthToSpace" in n and "d2s" in n and "recorded" in n for n in report.notes), report.notes
    assert any("Einsum" in n and "einsum" in n for n in report.notes), report.notes
    assert report["second"].receptive_field is None  # what a DepthToSpace does to the field is not computed
    assert "nodes read, 2 assumed" in str(report).splitlines()[0]


def test_convolutions_after_a_global_mean_are_rows():
    # squeeze and excitation: ReduceMean over the spatial axes, two 1x1 convolutions, a Mul
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["h"], name="body", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("ReduceMean", ["h", "axes"], ["m"], name="squeeze", keepdims=1),
        helper.make_node("Conv", ["m", "w2"], ["s1"], name="reduce", kernel_shape=[1, 1]),
        helper.make_node("Conv", ["s1", "w3"], ["s2"], name="expand", kernel_shape=[1, 1]),
        helper.make_node("Sigmoid", ["s2"], ["g"], name="gate"),
        helper.make_node("Mul", ["g", "h"], ["y"], name="excite"),  # the 1x1 branch first
        helper.make_node("Conv", ["y", "w4"], ["z"], name="after", kernel_shape=[3, 3]),
    ]
    inits = [
        _weight("w1", (8, 3, 3, 3)),
        numpy_helper.from_array(np.array([2, 3], np.int64), "axes"),
        _weight("w2", (2, 8, 1, 1)),
        _weight("w3", (8, 2, 1, 1)),
        _weight("w4", (4, 8, 3, 3)),
    ]
    report = inspect(_graph(nodes, inits, (1, 3, 9, 11)))
    assert [r.name for r in report.layers] == ["body", "reduce", "expand", "after"]
    assert report["reduce"].output_size == (1, 1) and report["after"].output_size == (7, 9)
    # every unit of the 1x1 branch reads the whole 9x11 input (and the padding around it)
    field = report["reduce"].field
    assert (field[0].lo, field[0].hi, field[1].lo, field[1].hi) == (-1, 9, -1, 11)
    assert report.parameters == 8 * 27 + 2 * 8 + 8 * 2 + 4 * 72


def test_a_bias_added_after_the_conv_counts_as_its_parameters():
    nodes = [
        helper.make_node("Transpose", ["x"], ["t"], name="to_nchw", perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["t", "w"], ["c"], name="conv", kernel_shape=[3, 3]),
        helper.make_node("Transpose", ["c"], ["u"], name="to_nhwc", perm=[0, 2, 3, 1]),
        helper.make_node("Add", ["u", "b"], ["y"], name="bias_add"),
    ]
    inits = [_weight("w", (8, 3, 3, 3)), numpy_helper.from_array(np.zeros(8, np.float32), "b")]
    row = inspect(_graph(nodes, inits, (1, 16, 16, 3)))["conv"]
    assert row.parameters == 8 * 27 + 8
    assert "bias_add" in row.source and "bias" in row.source


def test_a_recorded_size_that_differs_is_a_note():
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c"], ["y"], name="relu"),
    ]
    model = _graph(nodes, [_weight("w", (4, 3, 3, 3))], (1, 3, 10, 10))
    model.graph.value_info.append(helper.make_tensor_value_info("c", TensorProto.FLOAT, [1, 4, 5, 5]))  # wrong
    report = inspect(model)
    assert report["conv"].output_size == (8, 8)  # ours: o = 10 - 3 + 1
    assert "conv (Conv): computed 8×8, the file records 5×5" in report.notes


def test_a_loop_is_named_not_passed_through():
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("Relu", ["v_in"], ["v_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_in", TensorProto.FLOAT, None),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_out", TensorProto.FLOAT, None),
        ],
    )
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["a"], name="first", kernel_shape=[3, 3]),
        helper.make_node("Loop", ["trips", "keep", "a"], ["b"], name="loop", body=body),
        helper.make_node("Conv", ["b", "w2"], ["c"], name="second", kernel_shape=[3, 3]),
    ]
    inits = [
        _weight("w1", (4, 3, 3, 3)),
        _weight("w2", (4, 4, 3, 3)),
        numpy_helper.from_array(np.array(2, np.int64), "trips"),
        numpy_helper.from_array(np.array(True), "keep"),
    ]
    report = inspect(_graph(nodes, inits, (1, 3, 12, 12)))
    assert [r.output_size for r in report.layers] == [(10, 10), (8, 8)]
    assert report.assumed == 1
    assert any(note.startswith("not understood: 1 node Loop (loop)") for note in report.notes), report.notes


def test_a_dense_layer_after_a_flattening_reshape_is_no_false_note():
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[3, 3]),
        helper.make_node("Reshape", ["c", "shape"], ["f"], name="flat"),
        helper.make_node("MatMul", ["f", "m"], ["y"], name="dense"),
    ]
    inits = [
        _weight("w", (4, 3, 3, 3)),
        numpy_helper.from_array(np.array([1, 256], np.int64), "shape"),
        _weight("m", (256, 5)),
    ]
    report = inspect(_graph(nodes, inits, (1, 3, 10, 10)))
    assert [r.name for r in report.layers] == ["conv"] and report.notes == ()


def test_a_resize_to_constant_sizes_takes_them():
    """Resize's fourth input (sizes) was ignored: only float scales were read."""
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["a"], name="first", kernel_shape=[3, 3]),
        helper.make_node("Resize", ["a", "", "", "sizes"], ["b"], name="up", mode="linear"),
        helper.make_node("Conv", ["b", "w2"], ["c"], name="second", kernel_shape=[3, 3]),
    ]
    sizes = numpy_helper.from_array(np.array([1, 4, 21, 17], np.int64), "sizes")
    model = _graph(nodes, [_weight("w1", (4, 3, 3, 3)), _weight("w2", (2, 4, 3, 3)), sizes], (1, 3, 12, 10))
    report = inspect(model)
    shapes = _inferred(model)
    assert report["second"].input_size == shapes["b"][2:] == (21, 17)
    assert report["second"].output_size == shapes["c"][2:]
    assert report.assumed == 0 and report.notes == ()


def test_a_resize_to_a_computed_size_takes_the_recorded_size(tmp_path):
    """F.interpolate(size=...) exports a computed `sizes` input: the CLI ended in an AssertionError."""
    torch = pytest.importorskip("torch")
    nn, F = torch.nn, torch.nn.functional

    class Up(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Conv2d(3, 4, 3), nn.Conv2d(4, 2, 3)

        def forward(self, x):
            h = self.a(x)
            return self.b(F.interpolate(h, size=(h.shape[2] * 2 + 1, 9), mode="bilinear"))

    path, size = tmp_path / "up.onnx", (1, 3, 12, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(Up().eval(), torch.zeros(size), path, dynamo=False)
    resize = next(n for n in onnx.load(path).graph.node if n.op_type == "Resize")
    assert len(resize.input) > 3 and resize.input[3], "the export must carry a computed sizes input"
    report = inspect(path)
    assert [r.output_size for r in report.layers] == [(10, 8), (19, 7)]  # torch: a on 12x10, b on 21x9
    assert report.assumed == 0


def test_a_resize_to_sizes_computed_from_the_input_shape_follows_input_size():
    """Shape -> Resize: the sizes are folded on the size asked for, not on the declared (or symbolic 1) one."""
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Resize", ["x", "", "", "shape"], ["b"], name="same_size", mode="nearest"),
        helper.make_node("Conv", ["b", "w"], ["c"], name="conv", kernel_shape=[3, 3]),
    ]
    for declared in [(1, 3, 12, 10), ("N", 3, "H", "W")]:
        model = _graph(nodes, [_weight("w", (2, 3, 3, 3))], declared)
        report = inspect(model, input_size=(1, 3, 20, 16))  # the conv read 12x10 (or 1x1: no output) before
        assert report["conv"].input_size == (20, 16) and report["conv"].output_size == (18, 14)
        assert report.assumed == 0


def test_a_resize_to_a_run_time_size_with_no_recorded_shape_is_named():
    """Sizes from a graph input: nothing to fold, no shape recorded; size-keeping, and the notes say so."""
    nodes = [
        helper.make_node("Resize", ["x", "", "", "sizes"], ["b"], name="up", mode="nearest"),
        helper.make_node("Conv", ["b", "w"], ["c"], name="conv", kernel_shape=[3, 3]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 10]),
            helper.make_tensor_value_info("sizes", TensorProto.INT64, [4]),
        ],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, None)],
        [_weight("w", (2, 3, 3, 3))],
    )
    report = inspect(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]))
    assert report["conv"].input_size == (12, 10)
    assert report.assumed == 1
    assert any("up" in n and "computed at run time" in n for n in report.notes), report.notes
