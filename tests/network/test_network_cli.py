"""``convarith inspect``: the subcommand module, driven through its own parser."""

from __future__ import annotations

import argparse
import json

import pytest

from convarith.cli import inspect as inspect_cli


def run(argv, capsys):
    parser = argparse.ArgumentParser(prog="convarith")
    inspect_cli.add_command(parser.add_subparsers())
    args = parser.parse_args(["inspect", *argv])
    args.handler(args)
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def onnx_file(tmp_path_factory):
    onnx = pytest.importorskip("onnx")
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    node = helper.make_node(
        "Conv", ["x", "w"], ["y"], name="stem", kernel_shape=[7, 7], strides=[2, 2], auto_pad="SAME_UPPER"
    )
    pool = helper.make_node(
        "MaxPool", ["y"], ["z"], name="pool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]
    )
    graph = helper.make_graph(
        [node, pool],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 224, 224])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.ones((8, 3, 7, 7), np.float32), "w")],
    )
    path = tmp_path_factory.mktemp("cli") / "stem.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), path)
    return path


def test_text(onnx_file, capsys):
    out = run([str(onnx_file)], capsys)
    assert out.splitlines()[0] == (
        "stem.onnx: 2 layers, input 224×224, 1,176 conv parameters, 14,751,744 multiply-adds; 3 nodes read, 0 assumed"
    )
    assert "nn.ZeroPad2d((2, 3, 2, 3)), then nn.Conv2d(3, 8, kernel_size=7, stride=2, padding=0)" in out


def test_verbose_shows_formulas(onnx_file, capsys):
    out = run([str(onnx_file), "-v"], capsys)
    assert "\n  o = ⌊(224 + 2 + 3 − 7) / 2⌋ + 1 = 112\n" in out
    assert out.count("o = ⌊(224 + 2 + 3 − 7) / 2⌋ + 1 = 112") == 1  # square: one line, not one per axis
    assert "  asymmetric-padding: padding (2, 3) on every axis: PyTorch's padding= pads both sides alike" in out


def test_json_and_input(onnx_file, capsys):
    data = json.loads(run([str(onnx_file), "--format", "json", "--input", "1,3,225,225"], capsys))
    assert [row["output_size"] for row in data["layers"]] == [[113, 113], [57, 57]]
    assert data["layers"][0]["padding"] == [[3, 3], [3, 3]]


def test_markdown(onnx_file, capsys):
    out = run([str(onnx_file), "--format", "markdown"], capsys)
    assert out.startswith("**stem.onnx: 2 layers")
    assert "| 1 | pool | max_pool |" in out


def test_figure(onnx_file, capsys, tmp_path):
    run([str(onnx_file), "--figure", str(tmp_path / "rf.png")], capsys)
    assert (tmp_path / "rf.png").read_bytes()[:4] == b"\x89PNG"


def test_pytorch_model_by_import_path(capsys, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    (tmp_path / "tiny_models.py").write_text(
        "import torch.nn as nn\n"
        "def net():\n"
        "    return nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.MaxPool2d(2))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    out = run(["tiny_models:net", "--input", "1,3,32,32"], capsys)
    assert "Sequential (torch.fx): 2 layers, input 32×32" in out


def test_bad_import_path(capsys):
    with pytest.raises(ValueError, match="cannot import 'nothing' from 'json'"):
        run(["json:nothing"], capsys)


def test_bad_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        run(["m.onnx", "--format", "html"], capsys)


def test_verbose_keeps_one_line_per_axis_where_they_differ(onnx_file, capsys):
    out = run([str(onnx_file), "-v", "--input", "1,3,224,230"], capsys)
    assert "  o = ⌊(224 + 2 + 3 − 7) / 2⌋ + 1 = 112\n  o = ⌊(230 + 2 + 3 − 7) / 2⌋ + 1 = 115\n" in out
