"""convarith.inspect on layer values and hand-built graphs: receptive fields worked by hand,
warnings, renderings and errors. The framework readers have their own test modules."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction

import pytest

from convarith.arithmetic.layer import Layer, LayerError, layer
from convarith.network import WARNING_CODES, Report, Row, inspect
from convarith.network.graph import Node, execution_order
from convarith.network.report import Pad
from convarith.network.walk import walk


def conv(*args, **kwargs):
    return layer("conv", None, *args, **kwargs)


# (name, layers, input size, [(receptive field, jump, output size) per row]), worked by hand with
# r = r + (ek - 1) S, S = S s per layer.
HAND_STACKS = [
    ("two 3x3", [conv(3, padding=1), conv(3, padding=1)], 8, [(3, 1, 8), (5, 1, 8)]),
    ("resnet stem", [conv(7, 2, 3), layer("max_pool", None, 3, 2, 1)], 224, [(7, 2, 112), (11, 4, 56)]),
    ("dilated", [conv(3, dilation=2), conv(3, dilation=4)], 20, [(5, 1, 16), (13, 1, 8)]),
    ("strided then 3x3", [conv(3, 2, 1), conv(3, 1, 1)], 8, [(3, 2, 4), (7, 2, 4)]),
    ("2x2 pools", [layer("avg_pool", None, 2)] * 3, 16, [(2, 2, 8), (4, 4, 4), (8, 8, 2)]),
]


@pytest.mark.parametrize(("name", "layers", "size", "expected"), HAND_STACKS, ids=[c[0] for c in HAND_STACKS])
def test_receptive_fields_by_hand(name, layers, size, expected):
    report = inspect(layers, input_size=size)
    got = [(r.receptive_field[0], r.jump[0], r.output_size[0]) for r in report.layers]
    assert got == expected


def test_centre_of_resnet_stem_is_input_zero():
    # Araujo et al.: the ResNet stem (7/2/3 then 3/2/1) has r = 11, S = 4, P = 5; unit 0 reads [-5, 5]
    report = inspect([conv(7, 2, 3), layer("max_pool", None, 3, 2, 1)], input_size=(1, 3, 224, 224))
    last = report.layers[-1]
    assert last.centre == (0.0, 0.0)
    assert last.field[0].lo == -5 and last.field[0].hi == 5


def test_full_shape_and_spatial_size_agree():
    stack = [conv(3, 2, 1)]
    assert inspect(stack, input_size=(1, 3, 9, 7))[0].output_size == inspect(stack, input_size=(9, 7))[0].output_size
    assert inspect(stack, input_size=(9, 7))[0].output_size == (5, 4)


def _graph(*nodes):
    return walk(list(nodes), nodes[0].size)


def test_branches_merge_to_the_union_of_their_fields():
    # an Inception-like block: a 1x1, a 3x3 and a 5x5 branch, concatenated, then a 3x3
    x = Node("x", "input", size=(16, 16))
    a = Node("a", "conv", ("x",), kernel_size=1)
    b = Node("b", "conv", ("x",), kernel_size=3, padding=1)
    c = Node("c", "conv", ("x",), kernel_size=5, padding=2)
    cat = Node("cat", "merge", ("a", "b", "c"))
    d = Node("d", "conv", ("cat",), kernel_size=3, padding=1)
    report = _graph(x, a, b, c, cat, d)
    assert [r.receptive_field for r in report.layers] == [(1, 1), (3, 3), (5, 5), (7, 7)]
    assert report["d"].centre == (0.0, 0.0)
    assert report.notes == ()


def test_misaligned_residual_is_noted():
    x = Node("x", "input", size=(16,))
    a = Node("a", "conv", ("x",), kernel_size=2, padding=((0, 1),))  # centred half a pixel right
    add = Node("add", "merge", ("a", "x"))
    out = Node("out", "conv", ("add",), kernel_size=1)
    report = _graph(x, a, add, out)
    assert report["out"].receptive_field == (2,)
    assert any("add" in note and "alignment" in note for note in report.notes)


def test_nodes_in_any_order_are_walked_in_execution_order():
    x = Node("x", "input", size=(8,))
    a = Node("a", "conv", ("x",), kernel_size=3)
    b = Node("b", "conv", ("a",), kernel_size=3)
    assert [n.name for n in execution_order([b, a, x])] == ["x", "a", "b"]
    assert [r.name for r in walk([b, x, a], (8,)).layers] == ["a", "b"]


def test_cycle_and_unknown_input_are_refused():
    with pytest.raises(ValueError, match="cycle"):
        execution_order([Node("a", "conv", ("b",)), Node("b", "conv", ("a",))])
    with pytest.raises(ValueError, match="reads 'nope'"):
        execution_order([Node("a", "conv", ("nope",))])


def test_transposed_convolution_and_upsampling_halve_the_jump():
    x = Node("x", "input", size=(8,))
    down = Node("down", "conv", ("x",), kernel_size=3, stride=2, padding=1)
    up = Node("up", "conv_transpose", ("down",), kernel_size=4, stride=2, padding=1)
    resize = Node("resize", "resize", ("up",), scale=(Fraction(2),))
    last = Node("last", "conv", ("resize",), kernel_size=3, padding=1)
    report = _graph(x, down, up, resize, last)
    assert [r.output_size for r in report.layers] == [(4,), (8,), (16,)]
    assert report["up"].jump == (1,)
    assert report["last"].jump == (Fraction(1, 2),)


# --- warnings -------------------------------------------------------------------------------------


def codes(layers, size):
    return [r.warnings for r in inspect(layers, input_size=size).layers]


def test_asymmetric_padding_tf_same_at_stride_2():
    assert codes([conv(3, 2, "same")], 224) == [("asymmetric-padding",)]
    assert codes([conv(3, 2, "same")], 225) == [()]  # odd input: (1, 1)


def test_even_kernel_shift():
    assert codes([conv(2, padding="same")], 8) == [("asymmetric-padding", "even-kernel-shift")]
    assert codes([conv(4, 2, 1)], 8) == [()]  # even kernel, even stride: the DCGAN layer is centred
    message = inspect([conv(2, padding="same")], input_size=8)[0].messages[1]
    assert (
        message
        == "even-kernel-shift: kernel 2 at stride 1: output y is centred on input y + 0.5, half a pixel off the grid"
    )


def test_cut_content_counts_unread_rows():
    row = inspect([conv(3, 2)], input_size=8)[0]  # o = 3: windows end at input 6, row 7 unread
    assert row.warnings == ("cut-content",)
    assert "row 7 unread (1 of 8)" in row.messages[0]
    assert codes([conv(3, 2)], 9) == [()]


def test_cut_content_ignores_rows_of_an_earlier_padding_layer():
    # Keras' ResNet: ZeroPadding2D(3) then a valid 7x7/2 on 230 leaves row 229 unread: padding, not content
    x = Node("x", "input", size=(224,))
    p = Node("p", "pad", ("x",), padding=((3, 3),))
    c = Node("c", "conv", ("p",), kernel_size=7, stride=2)
    assert _graph(x, p, c)["c"].warnings == ()
    c2 = Node("c", "conv", ("x",), kernel_size=7, stride=2)  # without the pad layer, row 223 is real
    assert _graph(x, c2)["c"].warnings == ("cut-content",)


def test_row_stores_no_value_its_layer_has():
    # issue 21: a row keeps its Layer (or Pad) and only the network facts; the rest reads the layer
    stored = {f.name for f in dataclasses.fields(Row)}
    assert stored & {f.name for f in dataclasses.fields(Layer)} == set()
    assert stored & {f.name for f in dataclasses.fields(Pad)} == set()
    assert stored & {"op", "output_size", "formula"} == set()
    x = Node("x", "input", size=(9, 7))
    p = Node("p", "pad", ("x",), padding=((1, 2), (0, 3)))
    c = Node("c", "conv", ("p",), kernel_size=(3, 2), stride=2, dilation=(1, 2), padding="same", groups=2)
    report = _graph(x, p, c)
    pad, row = report["p"], report["c"]
    assert (pad.layer, pad.op, pad.input_size, pad.output_size) == (None, "pad", (9, 7), (12, 10))
    assert (pad.kernel_size, pad.stride, pad.dilation, pad.padding) == ((1, 1), (1, 1), (1, 1), ((1, 2), (0, 3)))
    assert pad.formula == ("o = 9 + 1 + 2 = 12", "o = 7 + 0 + 3 = 10")
    assert row.pad is None and row.layer is not None
    assert (row.op, row.input_size, row.kernel_size, row.stride, row.dilation, row.groups) == (
        "conv",
        (12, 10),
        (3, 2),
        (2, 2),
        (1, 2),
        2,
    )
    # 'same' at stride 2 (TensorFlow): o = ceil(i / s) = (6, 5); total padding (o - 1) s + ek - i with
    # ek = (3, 3): 5*2 + 3 - 12 = 1 and 4*2 + 3 - 10 = 1, the odd cell after
    assert (row.output_size, row.padding, row.padding_rule) == ((6, 5), ((0, 1), (0, 1)), "same")
    assert row.formula == tuple(row.layer.formulas())
    with pytest.raises(TypeError, match="exactly one of `layer`"):
        dataclasses.replace(row, pad=pad.pad)
    with pytest.raises(TypeError, match="must have an input size"):
        dataclasses.replace(row, layer=layer("conv", None, 3))


def test_ceil_window_in_padding():
    row = inspect([layer("max_pool", None, 2, ceil_mode=True)], input_size=5)[0]
    assert row.output_size == (3,)
    assert row.warnings == ("ceil-window-in-padding",)
    assert codes([layer("max_pool", None, 2, ceil_mode=True)], 6) == [()]


def test_depthwise_without_pointwise():
    def model(then):
        nodes = [
            Node("x", "input", size=(8, 8)),
            Node("dw", "conv", ("x",), kernel_size=3, padding=1, groups=16, in_channels=16, out_channels=16),
            Node("bn", "elementwise", ("dw",)),
        ]
        return walk([*nodes, *then], (8, 8))

    assert model([])["dw"].warnings == ("depthwise-no-pointwise",)
    pw = Node("pw", "conv", ("bn",), kernel_size=1, in_channels=16, out_channels=32)
    assert model([pw])["dw"].warnings == ()
    pool = Node("gap", "end", ("bn",))
    dense = Node("fc", "mix", ("gap",), mixes_channels=True)
    assert model([pool])["dw"].warnings == ("depthwise-no-pointwise",)
    assert model([pool, dense])["dw"].warnings == ()


def test_every_code_is_documented():
    assert set(WARNING_CODES) == {
        "asymmetric-padding",
        "even-kernel-shift",
        "cut-content",
        "ceil-window-in-padding",
        "depthwise-no-pointwise",
        "uneven-overlap",
        "gaps",
    }


# --- porting ------------------------------------------------------------------------------------


def test_porting_advice_for_same_at_stride_2():
    row = inspect([conv(7, 2, "same")], input_size=224)[0]
    assert row.padding == ((2, 3),)
    torch, keras = row.porting
    assert (torch.native, keras.native) == (False, True)
    assert torch.code.startswith("nn.ZeroPad1d((2, 3)), then nn.Conv1d(")
    assert keras.code.endswith("padding='same')")


def test_porting_advice_pytorch_to_keras():
    row = inspect([conv(3, 2, 1)], input_size=224)[0]  # PyTorch's (1, 1) at stride 2 on an even input
    torch, keras = row.porting
    assert torch.native and not keras.native
    assert keras.code.startswith("layers.ZeroPadding1D(((1, 1),)), then layers.Conv1D(")
    assert inspect([conv(3, 2, 1)], input_size=225)[0].advice("keras").code.endswith("padding='same')")


def test_max_pool_ceil_mode_is_a_pytorch_form_of_tf_same():
    row = inspect([layer("max_pool", None, 3, 2, "same")], input_size=(1, 1, 112, 112))[0]
    assert row.padding == ((0, 1), (0, 1))
    assert row.advice("pytorch").code == "nn.MaxPool2d(kernel_size=3, stride=2, padding=0, ceil_mode=True)"


# --- renderings -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    return inspect([conv(7, 2, "same"), layer("max_pool", None, 3, 2, "same"), conv(3, 2)], input_size=(64, 64))


def test_text_table(small):
    lines = str(small).splitlines()
    assert lines[0] == "3 layer values: 3 layers, input 64×64"
    assert lines[1].split() == [
        "#",
        "name",
        "op",
        "kernel",
        "stride",
        "padding",
        "input",
        "output",
        "RF",
        "jump",
        "warnings",
    ]
    assert lines[2].split()[:8] == ["0", "0", "conv", "7", "2", "(2,", "3)", "same"]
    assert "porting to PyTorch: 1 layer needs more than the layer's own arguments" in lines
    assert lines[-1].startswith("  0: nn.ZeroPad2d((2, 3, 2, 3)), then nn.Conv2d(C_in, C_out, kernel_size=7")
    assert repr(small) == str(small)


def test_markdown(small):
    text = small.to_markdown()
    assert "| # | name | op | kernel | stride | padding | input | output | RF | jump | warnings |" in text
    assert text.count("\n| ") == 4


def test_html(small):
    text = small._repr_html_()
    assert text.startswith("<div>") and text.count("<tr") == 4
    assert "o = ⌊(64 + 2 + 3 − 7) / 2⌋ + 1 = 32" in text  # the formula in the row's tooltip


def test_json_round_trip(small):
    data = json.loads(small.to_json())
    assert [row["output_size"] for row in data["layers"]] == [[32, 32], [16, 16], [7, 7]]
    assert data["layers"][0]["padding"] == [[2, 3], [2, 3]]
    assert data["layers"][0]["porting"]["pytorch"]["native"] is False
    assert data["warnings"]["asymmetric-padding"] == ["0", "1"]


def test_json_fractions_are_strings():
    x = Node("x", "input", size=(8,))
    up = Node("up", "resize", ("x",), scale=(Fraction(2),))
    c = Node("c", "conv", ("up",), kernel_size=3, padding=1)
    assert json.loads(walk([x, up, c], (8,)).to_json())["layers"][0]["jump"] == ["1/2"]


def test_figure(small):
    import matplotlib

    matplotlib.use("Agg")
    fig = small.plot()
    ax = fig.axes[0]
    assert [round(v) for v in ax.lines[0].get_ydata()] == [7, 11, 19]
    matplotlib.pyplot.close(fig)


def test_report_lookups(small):
    assert isinstance(small, Report) and len(small) == 3
    assert small["0"] is small[0]
    with pytest.raises(KeyError):
        small["missing"]
    with pytest.raises(ValueError, match="`target`"):
        small[0].advice("caffe")


# --- errors -------------------------------------------------------------------------------------


def test_errors_name_the_layer():
    x = Node("x", "input", size=(4,))
    big = Node("big", "conv", ("x",), kernel_size=7, source="Conv1D")
    with pytest.raises(LayerError, match=r"layer 'big' \(Conv1D\) on input \(4,\)"):
        walk([x, big], (4,))


def test_bad_models_and_sizes(tmp_path):
    with pytest.raises(TypeError, match="`model` must be"):
        inspect(42)
    with pytest.raises(ValueError, match="no such file"):  # said first, whatever the suffix
        inspect("model.h5")
    h5 = tmp_path / "model.h5"
    h5.write_bytes(b"")
    with pytest.raises(ValueError, match=r"reads \.keras and \.onnx files"):
        inspect(h5)
    with pytest.raises(ValueError, match="`input_size` is needed"):
        inspect([conv(3)])
    with pytest.raises(ValueError, match=r"`input_size` \(1, 3, 8\) must be"):
        inspect([conv((3, 3))], input_size=(1, 3, 8))
    with pytest.raises(TypeError, match=r"`model\[1\]` must be a Layer"):
        inspect([conv(3), "conv"], input_size=8)


def test_import_convarith_needs_no_framework():
    import subprocess
    import sys

    code = (
        "import sys, convarith, convarith.network; "
        "print(sorted(m for m in ('torch', 'onnx', 'keras', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_figure_at_250_layers_is_readable(tmp_path):
    # Inception-like: three parallel branches per block, 250 rows
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    nodes, last = [Node("x", "input", size=(299, 299))], "x"
    for block in range(83):
        names = []
        for k in (1, 3, 5):
            name = f"b{block}_{k}x{k}"
            nodes.append(Node(name, "conv", (last,), kernel_size=k, padding=k // 2, in_channels=4, out_channels=4))
            names.append(name)
        nodes.append(Node(f"b{block}_cat", "merge", tuple(names)))
        last = f"b{block}_cat"
    nodes.append(Node("end", "conv", (last,), kernel_size=3, stride=2, in_channels=4, out_channels=4))
    report = walk(nodes, (299, 299))
    assert len(report) == 250
    fig = report.plot()
    fig.savefig(tmp_path / "rf.png", dpi=100)
    width, height = fig.get_size_inches()
    assert width <= 16 and height >= 4  # was 34 x 3.6 inches: a 4065 x 432 strip at 120 dpi
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert 30 <= len(labels) <= 60 and labels[0] == "b0_1x1"
    assert set(labels) <= {r.name for r in report.layers}  # layer names, not indices
    # no line joins the layers of parallel branches (the field would seem to shrink)
    assert all(line.get_linestyle() == "None" for a in fig.axes for line in a.lines if len(line.get_xdata()) > 2)
    # the legend is outside the axes
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    for a in fig.axes:
        assert not legend.overlaps(a.get_window_extent(renderer))
    matplotlib.pyplot.close(fig)


def test_pytorch_squeeze_excitation_convolutions_are_rows():
    # AdaptiveAvgPool2d(1) used to end the spatial axes: the two 1x1 convolutions were not rows, and
    # the gate times the map was read as a 16x upsampling (the last convolution came out 254x254)
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class SqueezeExcite(nn.Module):
        def __init__(self):
            super().__init__()
            self.body, self.pool = nn.Conv2d(3, 8, 3, padding=1), nn.AdaptiveAvgPool2d(1)
            self.reduce, self.expand, self.head = nn.Conv2d(8, 2, 1), nn.Conv2d(2, 8, 1), nn.Conv2d(8, 4, 3)

        def forward(self, x):
            h = self.body(x)
            return self.head(torch.sigmoid(self.expand(self.reduce(self.pool(h)))) * h)

    model = SqueezeExcite()
    seen = {}
    hooks = [
        getattr(model, name).register_forward_hook(lambda m, i, o, name=name: seen.update({name: tuple(o.shape[2:])}))
        for name in ("body", "reduce", "expand", "head")
    ]
    model(torch.zeros(1, 3, 16, 13))
    for hook in hooks:
        hook.remove()
    report = inspect(model, (1, 3, 16, 13))
    assert [(r.name, r.output_size) for r in report.layers] == list(seen.items())
    assert report.parameters == sum(p.numel() for p in model.parameters())
