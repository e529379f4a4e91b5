"""``convarith animate model FILE LAYER -o OUT``: a layer of a .keras, an ONNX and a PyTorch-exported model."""

from __future__ import annotations

import warnings
from importlib import resources

import numpy as np
import pytest

from convarith.cli.app import main

KERAS = resources.files("convarith.network") / "data" / "inception_block.keras"
FAST = ["--dpi", "20", "--max-frames", "4"]


def _onnx_model(path, nodes, inputs_shape, inits=()):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, inputs_shape)],
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)],
        list(inits),
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), path)
    return path


@pytest.fixture(scope="module")
def onnx_file(tmp_path_factory):
    pytest.importorskip("onnx")
    from onnx import helper, numpy_helper

    nodes = [
        helper.make_node(
            "Conv", ["x", "w"], ["y"], name="stem", kernel_shape=[7, 7], strides=[2, 2], auto_pad="SAME_UPPER"
        ),
        helper.make_node("Pad", ["y", "pads"], ["p"], name="pad"),
        helper.make_node("LpPool", ["p"], ["z"], name="lp", kernel_shape=[2, 2], strides=[2, 2], p=2),
    ]
    inits = [
        numpy_helper.from_array(np.ones((8, 3, 7, 7), np.float32), "w"),
        numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads"),
    ]
    return _onnx_model(tmp_path_factory.mktemp("model") / "stem.onnx", nodes, [1, 3, 224, 224], inits)


def test_keras_layer_every_format(tmp_path, capsys):
    # stem: Conv2D(16, 3, strides=2, padding='same') on 64x64x3; by hand TensorFlow's 'same' pads
    # (32 - 1)*2 + 3 - 64 = 1 cell, all after: (0, 1), so the bottom-right corner is drawn
    (tmp_path / "frames").mkdir()
    for out in ("stem.gif", "stem.mp4", "stem.tex", "frames/stem.png", "frames/stem.svg", "frames/stem.pdf"):
        assert main(["animate", "model", str(KERAS), "stem", "-o", str(tmp_path / out), *FAST]) == 0, out
    assert main(["animate", "model", str(KERAS), "0", "-o", str(tmp_path / "sheet.png"), "--sheet", *FAST]) == 0
    out = capsys.readouterr().out
    assert "stem: 4 frames" in out and "channels 3 → 16" in out
    # outputs 30, 31 read 2*30 + t .. 2*31 + 2 = 60..64, cell 64 being the padding cell
    assert "bottom-right corner: input rows 60..64, columns 60..64 of 64×64 (padding (0, 1))" in out
    from PIL import Image

    with Image.open(tmp_path / "stem.gif") as gif:
        assert gif.n_frames == 4
    assert (tmp_path / "stem.mp4").stat().st_size > 0 and (tmp_path / "stem.tex").read_text().strip()
    for suffix in ("png", "svg", "pdf"):
        assert len(list((tmp_path / "frames").glob(f"stem-*.{suffix}"))) == 4
    assert (tmp_path / "sheet.png").stat().st_size > 0


def test_keras_default_is_sixteen_frames_and_more_on_request(tmp_path, capsys):
    args = ["animate", "model", str(KERAS), "branch_5x5", "--dpi", "20"]
    assert main([*args, "-o", str(tmp_path / "a.png"), "--sheet"]) == 0
    assert main([*args, "-o", str(tmp_path / "b.png"), "--sheet", "--max-frames", "36"]) == 0
    out = capsys.readouterr().out
    # k=5, s=1, padding (2, 2): 4 outputs read -2 .. 3 + 4 - 2 = 5; 6 outputs read -2 .. 7
    assert "branch_5x5: 16 frames" in out and "top-left corner: input rows -2..5, columns -2..5 of 32×32" in out
    assert "branch_5x5: 36 frames" in out and "input rows -2..7" in out and "channels 16 → 8" in out


def test_onnx_layer_by_name_and_index(onnx_file, tmp_path, capsys):
    assert main(["animate", "model", str(onnx_file), "stem", "-o", str(tmp_path / "s.gif"), *FAST]) == 0
    assert main(["animate", "model", str(onnx_file), "0", "-o", str(tmp_path / "t.gif"), *FAST]) == 0
    out = capsys.readouterr().out
    # SAME_UPPER on 224, k=7, s=2: pads (112 - 1)*2 + 7 - 224 = 5 = 2 + 3; outputs 110, 111 read 218..226
    assert out.count("bottom-right corner: input rows 218..226, columns 218..226 of 224×224 (padding (2, 3))") == 2
    assert "channels 3 → 8" in out


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ("pad", "'pad' layer: pictures show conv"),
        ("lp", "'lp_pool' layer: pictures show conv"),
        ("stme", "LAYER 'stme' is not a layer of the model; close: stem"),
        ("7", "LAYER '7': the report has layers 0..2"),
    ],
)
def test_onnx_layers_without_a_picture_are_one_line_errors(onnx_file, tmp_path, capsys, layer, message):
    assert main(["animate", "model", str(onnx_file), layer, "-o", str(tmp_path / "x.gif")]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and message in captured.err and not (tmp_path / "x.gif").exists()


def test_three_d_layer_is_a_one_line_error(tmp_path, capsys):
    pytest.importorskip("onnx")
    from onnx import helper, numpy_helper

    conv = helper.make_node("Conv", ["x", "w"], ["y"], name="c3d", kernel_shape=[3, 3, 3])
    path = _onnx_model(
        tmp_path / "c3d.onnx",
        [conv],
        [1, 1, 8, 8, 8],
        [numpy_helper.from_array(np.ones((2, 1, 3, 3, 3), np.float32), "w")],
    )
    assert main(["animate", "model", str(path), "c3d", "-o", str(tmp_path / "x.gif")]) == 2
    assert "LAYER 'c3d' has 3 spatial axes: pictures have 1 or 2" in capsys.readouterr().err


def test_bad_options_are_one_line_errors(tmp_path, capsys):
    base = ["animate", "model", str(KERAS), "stem"]
    assert main([*base, "-o", str(tmp_path / "x.gif"), "--max-frames", "0"]) == 2
    assert "must be between 1 and 1024, got 0" in capsys.readouterr().err
    assert main([*base, "-o", str(tmp_path / "x.txt")]) == 2
    assert "must end with .gif" in capsys.readouterr().err
    assert main(["animate", "model", str(tmp_path / "none.onnx"), "stem", "-o", str(tmp_path / "x.gif")]) == 2
    assert capsys.readouterr().err.startswith("convarith: error: ")


def test_pytorch_model_exported_to_onnx(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 5, stride=2, padding=2),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(3, 2, 1),
        torch.nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1),
    ).eval()
    path = tmp_path / "tiny.onnx"
    # torch 2.13's default (dynamo) exporter needs onnxscript, not installed: the TorchScript exporter
    # works offline and says it is deprecated
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(model, (torch.zeros(1, 3, 40, 40),), str(path), dynamo=False)
    for layer in ("/0/Conv", "/2/MaxPool", "/3/ConvTranspose", "2"):
        assert main(["animate", "model", str(path), layer, "-o", str(tmp_path / "o.gif"), "--overwrite", *FAST]) == 0
    out = capsys.readouterr().out
    # conv: 4 outputs (2x2) of 20x20 read 2*o + t - 2: -2 .. 2 + 4 - 2 = 4
    assert "/0/Conv: 4 frames" in out and "top-left corner: input rows -2..4, columns -2..4 of 40×40" in out
    assert "channels 3 → 8" in out and "channels 8 → 4" in out
    # the transposed layer, 10 -> 20: output cells 0, 1 are written by input cells 0 and 1 (2*j + t - 1)
    assert "output 2×2 of 20×20" in out and "input rows 0..1, columns 0..1 of 10×10" in out
    assert main(["animate", "model", str(path), "/0/conv", "-o", str(tmp_path / "p.gif")]) == 2
    assert "close: /0/Conv" in capsys.readouterr().err


def test_the_drawing_gates_of_animate_apply(tmp_path, capsys):
    pytest.importorskip("onnx")
    from onnx import helper, numpy_helper

    # dilation 100: 4 output cells per axis read 3*1 + 100*2 + 1 = 204 cells, a grid of 41 616 > 4096
    conv = helper.make_node("Conv", ["x", "w"], ["y"], name="wide", kernel_shape=[3, 3], dilations=[100, 100])
    path = _onnx_model(
        tmp_path / "wide.onnx",
        [conv],
        [1, 1, 400, 400],
        [numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), "w")],
    )
    assert main(["animate", "model", str(path), "wide", "-o", str(tmp_path / "x.gif")]) == 2
    assert "a padded input of 204×204 = 41616 cells; a drawn grid has at most 4096" in capsys.readouterr().err
    base = ["animate", "model", str(KERAS), "stem"]
    assert main([*base, "-o", str(tmp_path / "x.gif"), "--sheet"]) == 2
    assert "`--sheet` needs a .png output" in capsys.readouterr().err
    (tmp_path / "old.gif").write_bytes(b"mine")
    assert main([*base, "-o", str(tmp_path / "old.gif")]) == 2
    assert "pass --overwrite" in capsys.readouterr().err and (tmp_path / "old.gif").read_bytes() == b"mine"
    assert main([*base, "-o", str(tmp_path / "x.gif"), "--dpi", "5"]) == 2
    assert "--dpi" in capsys.readouterr().err
