"""convarith.inspect on real Keras architectures (keras.applications, weights=None, torch backend).

Oracles: Keras' own layer output shapes, and the published receptive fields of VGG-16 (Araujo,
Norris and Sim, Distill 2019; the table of google-research/receptive_field)."""

from __future__ import annotations

import os
import warnings

import pytest

pytest.importorskip("torch")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from convarith.network import inspect  # noqa: E402

# Keras 3.15 converts its torch variables with np.array(x, copy=False), which NumPy 2 warns about
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"),
]

_BUILT: dict[tuple, object] = {}


def build(name, **kwargs):
    """Build an application once per session (several seconds each)."""
    key = (name, tuple(sorted(kwargs.items())))
    if key not in _BUILT:
        if keras.backend.backend() != "torch":
            pytest.skip("needs KERAS_BACKEND=torch")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input shape not one of the pretrained sizes"
            _BUILT[key] = getattr(keras.applications, name)(weights=None, **kwargs)
    return _BUILT[key]


def _check_shapes(model, report):
    for row in report.layers:
        name = row.name.split("/")[0]
        if row.name.endswith("/depthwise"):
            continue  # inside a SeparableConv2D: no Keras tensor of its own
        assert tuple(model.get_layer(name).output.shape[1:-1]) == row.output_size, row.name


ARCHITECTURES = {
    "ResNet50": {},
    "MobileNetV2": {},
    "InceptionV3": {},
    "DenseNet121": {},
    "Xception": {},  # SeparableConv2D: depthwise and pointwise rows
}


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_sizes_match_keras(name):
    model = build(name, **ARCHITECTURES[name])
    report = inspect(model)
    _check_shapes(model, report)
    assert len(report.layers) > 20


def test_odd_input_sizes_match_keras():
    # a non-square odd input: the 'same' splits and the floors change with the parity of each axis
    model = build("ResNet50", include_top=False, input_shape=(197, 229, 3))
    report = inspect(model)
    _check_shapes(model, report)
    assert report["conv1_conv"].input_size == (203, 235)
    assert "cut-content" in report["conv3_block1_1_conv"].warnings  # 1x1 stride 2 on an even map leaves its last row


def test_fully_convolutional_model_takes_input_size():
    import numpy as np

    model = build("MobileNetV2", include_top=False, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="`input_size` is needed"):
        inspect(model)
    with pytest.raises(ValueError, match=r"N, \*spatial, C"):
        inspect(model, input_size=(1, 3, 161))
    report = inspect(model, input_size=(1, 161, 97, 3))
    assert [r.to_dict() for r in report.layers] == [r.to_dict() for r in inspect(model, input_size=(161, 97)).layers]
    # the oracle: Keras runs the model on that input and reports every layer's output
    names = [r.name for r in report.layers]
    probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
    outputs = probe(np.zeros((1, 161, 97, 3), np.float32))
    assert [tuple(o.shape[1:-1]) for o in outputs] == [r.output_size for r in report.layers]


def test_saved_file_is_read_without_keras(tmp_path):
    model = build("MobileNetV2", input_shape=(96, 96, 3), include_top=False)
    path = tmp_path / "mobilenet.keras"
    model.save(path)
    from_file, live = inspect(path), inspect(model)
    assert [r.to_dict() for r in from_file.layers] == [r.to_dict() for r in live.layers]
    assert from_file.source == "mobilenet.keras"
    # MobileNetV2's first convolution is TF 'same' at stride 2 on an even input: (0, 1)
    assert from_file["Conv1"].warnings == ("asymmetric-padding",)
    assert from_file["Conv1"].advice("pytorch").code.startswith("nn.ZeroPad2d((0, 1, 0, 1)), then nn.Conv2d(3, 32")
    # its stride-2 depthwise layers come after an explicit ZeroPadding2D(((0, 1), (0, 1))), which PyTorch can say
    assert from_file["block_1_pad"].padding == ((0, 1), (0, 1)) and from_file["block_1_pad"].advice("pytorch").native
    assert not any("depthwise-no-pointwise" in r.warnings for r in from_file.layers)


def test_onnx_export_gives_the_same_rows(tmp_path):
    pytest.importorskip("onnx")
    import numpy as np

    layers = keras.layers
    x = keras.Input((33, 40, 3))
    stem = layers.Conv2D(8, 3, strides=2, padding="same", name="stem")(x)
    a = layers.DepthwiseConv2D(3, padding="same", name="dw")(stem)
    a = layers.Conv2D(8, 1, name="pw")(a)
    b = layers.MaxPooling2D(3, strides=1, padding="same", name="pool")(stem)
    y = layers.Add(name="add")([a, b])
    y = layers.ZeroPadding2D(((0, 1), (1, 0)), name="pad")(y)
    y = layers.Conv2D(4, 4, strides=2, name="even")(y)
    y = layers.Conv2DTranspose(4, 3, strides=2, padding="same", name="up")(y)  # ONNX: crops by a Slice
    y = layers.UpSampling2D(2, name="twice")(y)  # ONNX: Unsqueeze, Expand, Reshape
    y = layers.Conv2D(4, 3, padding="same", name="last")(y)
    model = keras.Model(x, y)
    model(np.zeros((1, 33, 40, 3), np.float32))
    path = tmp_path / "small.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.export(path, format="onnx", verbose=False)
    exported = [r for r in inspect(path).layers if r.source != "Pad"]  # Keras' torch backend pads 'same' with F.pad
    rows = [r for r in inspect(model).layers if r.op != "pad"]
    assert len(rows) == 7
    up = next(n for n, r in enumerate(rows) if r.name == "up")
    assert exported[up].output_size == (17, 19) and rows[up].output_size == (16, 18)  # before and after the crop
    del exported[up], rows[up]
    assert [r.output_size for r in exported] == [r.output_size for r in rows]
    assert [r.receptive_field for r in exported] == [r.receptive_field for r in rows]
    assert [r.jump for r in exported] == [r.jump for r in rows]


# Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019,
# and google-research/receptive_field RECEPTIVE_FIELD_TABLE.md, VGG-16: (receptive field, effective
# stride, effective padding) per end-point. Keras' layer names for the same end-points.
VGG16_PUBLISHED = {
    "block1_conv1": (3, 1, 1),
    "block1_pool": (6, 2, 2),
    "block2_pool": (16, 4, 6),
    "block3_pool": (44, 8, 18),
    "block4_pool": (100, 16, 42),
    "block5_conv2": (164, 16, 74),
    "block5_pool": (212, 32, 90),
}


def test_vgg16_matches_the_published_receptive_fields():
    report = inspect(build("VGG16", include_top=False, input_shape=(224, 224, 3)))
    for name, (r, s, p) in VGG16_PUBLISHED.items():
        row = report[name]
        assert row.receptive_field == (r, r) and row.jump == (s, s), name
        assert (-row.field[0].lo, -row.field[1].lo) == (p, p), name


def _keras_sizes(model, names, size):
    """Keras' own output sizes of the named layers on an input of ``size`` (a run of the model)."""
    import numpy as np

    probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
    outputs = probe(np.zeros((1, *size, 3), np.float32))
    return [tuple(o.shape[1:-1]) for o in outputs]


def test_squeeze_excitation_with_its_branch_first():
    layers = keras.layers
    x = keras.Input((12, 10, 3))
    h = layers.Conv2D(8, 3, padding="same", name="body")(x)
    se = layers.GlobalAveragePooling2D(name="squeeze")(h)
    se = layers.Reshape((1, 1, 8), name="reshape")(se)
    se = layers.Conv2D(2, 1, name="reduce")(se)
    se = layers.Conv2D(8, 1, activation="sigmoid", name="expand")(se)
    y = layers.Multiply(name="excite")([se, h])  # the 1x1 branch first: everything after used to be dropped
    y = layers.Conv2D(4, 3, strides=2, name="after")(y)
    y = layers.MaxPooling2D(2, name="pool")(y)
    model = keras.Model(x, y)
    report = inspect(model)
    names = ["body", "reduce", "expand", "after", "pool"]
    assert [r.name for r in report.layers] == names
    assert [r.output_size for r in report.layers] == _keras_sizes(model, names, (12, 10))
    convs = sum(model.get_layer(n).count_params() for n in names[:4])
    assert report.parameters == convs
    # the gate reads the whole input: so does every unit after the Multiply (and the padding around it)
    field = report["after"].field
    assert field[0].lo == -1 and field[0].hi >= 12 and field[1].lo == -1 and field[1].hi >= 10
    assert report.nodes == 9 and report.assumed == 0  # input, 8 layers


def test_a_lambda_that_halves_the_size_takes_keras_recorded_size():
    layers = keras.layers
    x = keras.Input((16, 16, 3))
    h = layers.Conv2D(4, 3, padding="same", name="first")(x)
    h = layers.Lambda(lambda t: t[:, ::2, ::2, :], name="halve")(h)
    h = layers.Conv2D(4, 3, name="second")(h)
    model = keras.Model(x, h)
    report = inspect(model)
    assert report["second"].input_size == (8, 8)  # assumed size-keeping before: 16x16
    assert [r.output_size for r in report.layers] == _keras_sizes(model, ["first", "second"], (16, 16))
    assert report.assumed == 1
    assert any("Lambda" in n and "halve" in n and "records" in n for n in report.notes), report.notes


def test_nested_sequential_is_read_in_place(tmp_path):
    layers = keras.layers
    stem = keras.Sequential(
        [keras.Input((20, 20, 3)), layers.Conv2D(8, 4, strides=4, name="patchify"), layers.MaxPooling2D(name="p")],
        name="stem",
    )
    x = keras.Input((20, 20, 3))
    y = layers.Conv2D(4, 1, name="head")(stem(x))
    model = keras.Model(x, y)
    path = tmp_path / "nested.keras"
    model.save(path)
    report = inspect(path)  # refused before: "a nested Sequential model"
    assert [r.name for r in report.layers] == ["stem/patchify", "stem/p", "head"]
    assert [r.output_size for r in report.layers] == [(5, 5), (2, 2), (2, 2)]
    assert report["head"].receptive_field == (8, 8) and report["head"].jump == (8, 8)
    assert report.parameters == sum(lay.count_params() for lay in (stem.get_layer("patchify"), model.get_layer("head")))


def test_onnx_export_starting_with_padding_on_another_input_size(tmp_path):
    # ResNet50V2's stem: ZeroPadding2D first; read with input_size the stem came out 112x109 with
    # false cut-content warnings (the layout was guessed from the first node)
    pytest.importorskip("onnx")
    import numpy as np

    layers = keras.layers
    scale, pad = layers.Rescaling(1 / 255, name="scale"), layers.ZeroPadding2D(3, name="pad")
    stem, pool = layers.Conv2D(8, 7, strides=2, name="stem"), layers.MaxPooling2D(3, strides=2, name="pool")
    x = keras.Input((64, 64, 3))
    model = keras.Model(x, pool(stem(pad(scale(x)))))  # Keras exports fixed sizes only
    model(np.zeros((1, 64, 64, 3), np.float32))
    padded = pad(scale(np.zeros((1, 224, 218, 3), np.float32)))  # the same layers, run on another size
    sizes = [tuple(t.shape[1:-1]) for t in (padded, stem(padded), pool(stem(padded)))]
    free = keras.Input((None, None, 3))
    oracle = keras.Model(free, pool(stem(pad(scale(free)))))
    path = tmp_path / "stem.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.export(path, format="onnx", verbose=False)
    report = inspect(path, input_size=(1, 224, 218, 3))
    assert [r.output_size for r in report.layers] == sizes == [(230, 224), (112, 109), (55, 54)]
    # the same warnings as the Keras model's (the pooling's last window leaves a column unread): no false ones
    assert [r.warnings for r in report.layers] == [r.warnings for r in inspect(oracle, input_size=(224, 218)).layers]
    assert not [n for n in report.notes if "records" in n], report.notes


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_zero_padding_and_cropping_of_every_rank_from_a_file(tmp_path, nd):
    """ZeroPadding1D was refused ("cannot unpack non-iterable int"): Keras saves its padding as one pair."""
    layers = keras.layers
    pad = {1: (1, 2), 2: ((1, 2), (0, 3)), 3: ((1, 2), (0, 3), (2, 0))}[nd]
    crop = {1: (2, 0), 2: ((2, 0), 1), 3: (1, (0, 2), 1)}[nd]
    size = (11,) * nd
    x = keras.Input((*size, 2))
    h = getattr(layers, f"ZeroPadding{nd}D")(pad, name="zp")(x)
    h = getattr(layers, f"Conv{nd}D")(3, 3, name="conv")(h)
    h = getattr(layers, f"Cropping{nd}D")(crop, name="crop")(h)
    h = getattr(layers, f"Conv{nd}D")(3, 2, name="last")(h)
    model = keras.Model(x, h)
    path = tmp_path / f"pad{nd}.keras"
    model.save(path)
    report = inspect(path)
    names = ["conv", "last"]
    assert [report[n].output_size for n in names] == [tuple(model.get_layer(n).output.shape[1:-1]) for n in names]
