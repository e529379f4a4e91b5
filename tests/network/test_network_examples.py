"""The example networks shipped as package data: small, read without any framework, and true to Keras.

Oracles: the same model rebuilt with Keras 3 (torch backend) gives the same report from the live
model as from the shipped file, and Keras' own layer output shapes are the report's output sizes;
the sizes, pads and receptive fields are also worked by hand.

Regenerate the shipped file with ``KERAS_BACKEND=torch python tests/network/test_network_examples.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from convarith.network import EXAMPLES, example, inspect

ROOT = Path(__file__).resolve().parents[2]


def build_inception_block(keras: Any) -> Any:
    """The ``inception_block`` example, built with Keras (the shipped file is this model's config)."""
    layers = keras.layers
    x = keras.Input(shape=(64, 64, 3), name="image")
    h = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="stem")(x)
    b1 = layers.Conv2D(8, 1, name="branch_1x1")(h)
    b3 = layers.Conv2D(8, 3, padding="same", name="branch_3x3")(h)
    b5 = layers.Conv2D(8, 5, padding="same", name="branch_5x5")(h)
    h = layers.Concatenate(name="concat")([b1, b3, b5])
    down = layers.Conv2D(24, 3, strides=2, padding="same", name="down")(h)
    short = layers.Conv2D(24, 1, strides=2, name="shortcut")(h)
    h = layers.Add(name="residual")([down, short])
    h = layers.ReLU(name="relu")(h)
    h = layers.DepthwiseConv2D(3, padding="same", name="depthwise")(h)
    y = layers.GlobalAveragePooling2D(name="pool")(h)
    return keras.Model(x, y, name="inception_block")


def save_without_weights(model: Any, path: Path, scratch: Path) -> None:
    """Save ``model`` as a ``.keras`` zip that keeps only ``config.json`` and ``metadata.json``."""
    full = scratch / "full.keras"
    model.save(full)
    with zipfile.ZipFile(full) as source, zipfile.ZipFile(path, "w") as target:
        for name in ("metadata.json", "config.json"):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))


def _stable(value: Any) -> Any:
    """A parsed config without what changes from one save to the next (Python object ids)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


# --- NumPy only --------------------------------------------------------------------------------


def test_every_example_is_a_small_keras_file_without_weights() -> None:
    for name in EXAMPLES:
        path = example(name)
        assert path.is_file() and path.suffix == ".keras"
        assert path.stat().st_size < 4096
        with zipfile.ZipFile(path) as archive:
            assert sorted(archive.namelist()) == ["config.json", "metadata.json"]
            assert json.loads(archive.read("metadata.json"))["keras_version"] == "3.15.1"


def test_unknown_example_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"`name` must be one of \['inception_block'\], got 'resnet'"):
        example("resnet")


def test_inception_block_worked_by_hand() -> None:
    report = inspect(example("inception_block"))
    assert report.source == "inception_block.keras" and report.input_size == (64, 64)
    rows = {r.name: r for r in report.layers}
    assert list(rows) == ["stem", "branch_1x1", "branch_3x3", "branch_5x5", "down", "shortcut", "depthwise"]
    # TF 'same' at stride 2 on 64: o = 32, total pad (32 - 1)*2 + 3 - 64 = 1, the extra unit after
    assert rows["stem"].output_size == (32, 32) and rows["stem"].padding == ((0, 1), (0, 1))
    assert rows["down"].output_size == (16, 16) and rows["down"].padding == ((0, 1), (0, 1))
    # receptive fields: 3; the 5x5 branch 3 + 4*2 = 11; down 11 + 2*2 = 15; depthwise 15 + 2*4 = 23
    assert [rows[n].receptive_field for n in ("stem", "branch_5x5", "down", "depthwise")] == [
        (3, 3),
        (11, 11),
        (15, 15),
        (23, 23),
    ]
    assert rows["depthwise"].jump == (4, 4) and rows["depthwise"].groups == 24
    # a 1x1 window at stride 2 on 32 rows reads rows 0, 2, ..., 30: row 31 is never read
    assert report.warnings == {
        "asymmetric-padding": ("stem", "down"),
        "cut-content": ("shortcut",),
        "depthwise-no-pointwise": ("depthwise",),
    }


def test_example_is_inspected_with_numpy_alone() -> None:
    code = (
        "import sys\n"
        "import convarith as ca\n"
        "report = ca.inspect(ca.network.example('inception_block'))\n"
        "heavy = {'torch', 'keras', 'onnx', 'tensorflow'} & {m.split('.')[0] for m in sys.modules}\n"
        "print(len(report.layers), sorted(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "7 []"


# --- against Keras -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras() -> Any:
    pytest.importorskip("torch")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    module = pytest.importorskip("keras")
    if module.backend.backend() != "torch":
        pytest.skip("needs KERAS_BACKEND=torch")
    return module


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")
def test_shipped_file_is_the_keras_model(keras: Any, tmp_path: Path) -> None:
    import numpy as np

    model = build_inception_block(keras)
    shipped, live = inspect(example("inception_block")), inspect(model)
    assert [r.to_dict() for r in shipped.layers] == [r.to_dict() for r in live.layers]
    assert shipped.notes == live.notes
    # saving the rebuilt model the same way gives the same config (object ids and the date aside)
    fresh = tmp_path / "inception_block.keras"
    save_without_weights(model, fresh, tmp_path)
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(example("inception_block")) as b:
        assert _stable(json.loads(a.read("config.json"))) == _stable(json.loads(b.read("config.json")))
    # Keras runs the model and reports every layer's output: the report's output sizes
    names = [r.name for r in shipped.layers]
    probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
    outputs = probe(np.zeros((1, 64, 64, 3), np.float32))
    assert [tuple(o.shape[1:-1]) for o in outputs] == [r.output_size for r in shipped.layers]
    assert [o.shape[-1] for o in outputs] == [r.out_channels for r in shipped.layers]
    assert sum(r.parameters for r in shipped.layers) == model.count_params()


if __name__ == "__main__":
    import tempfile

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras as _keras

    with tempfile.TemporaryDirectory() as scratch:
        save_without_weights(
            build_inception_block(_keras), ROOT / "convarith/network/data/inception_block.keras", Path(scratch)
        )
