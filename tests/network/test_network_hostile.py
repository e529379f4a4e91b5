"""Hostile and broken model files through ``convarith inspect``: one line on stderr, exit 2, no
traceback, nothing written, in bounded time and memory (issue 18, item 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from convarith.cli import main
from convarith.network import inspect
from convarith.network.from_keras import MAX_CONFIG_BYTES


def _keras(path: Path, config) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", config if isinstance(config, str) else json.dumps(config))
    return path


def _conv(**cfg):
    layer = {"name": "c", "filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid"}
    layer.update(cfg)
    return {
        "class_name": "Sequential",
        "config": {
            "layers": [
                {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 8, 8, 3]}},
                {"class_name": "Conv2D", "config": {k: v for k, v in layer.items() if v is not None}},
            ]
        },
    }


def _cases(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, words its one-line error must hold)."""
    random_onnx = folder / "random.onnx"
    random_onnx.write_bytes(bytes(range(256)) * 40)
    empty_onnx = folder / "empty.onnx"
    empty_onnx.write_bytes(b"")
    not_zip = folder / "text.keras"
    not_zip.write_text("hello")
    no_config = folder / "noconfig.keras"
    with zipfile.ZipFile(no_config, "w") as archive:
        archive.writestr("metadata.json", "{}")
    return {
        "random bytes .onnx": (random_onnx, "not an ONNX model"),
        "empty .onnx": (empty_onnx, "empty"),
        "missing .onnx": (folder / "missing.onnx", "no such file"),
        "missing .keras": (folder / "missing.keras", "no such file"),
        "a directory": (folder, "is not a file"),
        "text named .keras": (not_zip, "not a Keras 3 .keras file"),
        "zip without config.json": (no_config, "not a Keras 3 .keras file"),
        "no 'config'": (_keras(folder / "noconf.keras", {"class_name": "Functional"}), '"config"'),
        "config is a list": (_keras(folder / "list.keras", [1, 2, 3]), '"config"'),
        "layers not a list": (_keras(folder / "nolayers.keras", {"config": {"layers": 3}}), '"layers"'),
        "deep JSON": (_keras(folder / "deep.keras", "[" * 100_000 + "]" * 100_000), "nests deeper"),
        "not JSON": (_keras(folder / "bad.keras", "{nope"), "not JSON"),
        "Conv2D without kernel_size": (_keras(folder / "nokernel.keras", _conv(kernel_size=None)), "'kernel_size'"),
        "kernel_size words": (_keras(folder / "words.keras", _conv(kernel_size="abc")), "layer 'c' (Conv2D)"),
        "stride 0": (_keras(folder / "stride0.keras", _conv(strides=[0, 0])), "stride"),
        "kernel larger than input": (_keras(folder / "big.keras", _conv(kernel_size=[9, 9])), "larger"),
        "no InputLayer": (
            _keras(folder / "noinput.keras", {"class_name": "Functional", "config": {"layers": []}}),
            "InputLayer",
        ),
    }


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return _cases(tmp_path_factory.mktemp("hostile"))


CASE_NAMES = [  # the names, for the test ids
    "random bytes .onnx", "empty .onnx", "missing .onnx", "missing .keras", "a directory", "text named .keras",
    "zip without config.json", "no 'config'", "config is a list", "layers not a list", "deep JSON", "not JSON",
    "Conv2D without kernel_size", "kernel_size words", "stride 0", "kernel larger than input", "no InputLayer",
]  # fmt: skip


@pytest.mark.parametrize("case", CASE_NAMES)
def test_cli_says_one_line_and_exits_2(case, cases, capsys, tmp_path):
    if "onnx" in case:
        pytest.importorskip("onnx")
    path, words = cases[case]
    figure = tmp_path / "rf.png"
    status = main(["inspect", str(path), "--figure", str(figure)])
    out, err = capsys.readouterr()
    assert status == 2, (out, err)
    assert out == "" and err.count("\n") == 1 and err.startswith("convarith: error: "), err
    assert words in err, err
    assert "Traceback" not in err
    assert not figure.exists()  # nothing written


@pytest.mark.parametrize("case", CASE_NAMES)
def test_library_raises_value_error_naming_the_file(case, cases):
    if "onnx" in case:
        pytest.importorskip("onnx")
    path, _ = cases[case]
    with pytest.raises(ValueError) as caught:
        inspect(path)
    assert str(path) in str(caught.value) or path.name in str(caught.value)


def test_missing_file_is_said_before_a_missing_framework(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ValueError, match="no such file"):
        inspect(tmp_path / "missing.onnx")
    (tmp_path / "empty.onnx").write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        inspect(tmp_path / "empty.onnx")


def test_huge_config_is_refused_from_the_zip_header(tmp_path):
    # a config.json larger than the bound, compressed to a small zip: refused before it is read
    path = tmp_path / "bomb.keras"
    chunk = b" " * 2**20
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("config.json", "w", force_zip64=True) as member:
            member.write(b"{")
            for _ in range(MAX_CONFIG_BYTES // len(chunk) + 1):
                member.write(chunk)
            member.write(b"}")
    assert path.stat().st_size < MAX_CONFIG_BYTES / 100
    script = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
        "from convarith.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", script, "inspect", str(path)], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 2, done.stderr
    assert "more than the" in done.stderr and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_shipped_example_by_name(capsys):
    assert main(["inspect", "inception_block"]) == 0
    assert capsys.readouterr().out.startswith("inception_block.keras: ")
