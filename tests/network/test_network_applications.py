"""Done-when check of issue 18: Keras applications (weights=None, torch backend) as ``.keras`` files
and as ONNX exported by Keras.

Oracles: Keras' own output shapes and parameter counts (``layer.output.shape``,
``layer.count_params()``), and the other reader (the ``.keras`` and the ONNX reports must agree row
by row on every convolution and pooling).
"""

from __future__ import annotations

import os
import warnings
import zipfile

import pytest

pytest.importorskip("torch")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from convarith.network import inspect  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]

# the smallest input each application accepts (Keras refuses less)
APPLICATIONS = {
    "ResNet50": 32,
    "ResNet50V2": 32,
    "MobileNetV2": 32,
    "MobileNetV3Small": 32,
    "EfficientNetB0": 32,
    "EfficientNetV2B0": 32,
    "InceptionV3": 75,
    "Xception": 71,
    "DenseNet121": 32,
    "ConvNeXtTiny": 32,
}
# Keras' export on the torch backend takes TorchScript's exporter for a dynamic batch, which fails on these two
# in Keras 3.15.1 (SymbolicValueError on a Cast/Gather of a shape); with a fixed batch of 1 it takes the dynamo
# exporter (onnxscript, in the test extra), which exports them
FIXED_BATCH = {"Xception", "ConvNeXtTiny"}
_CONV = ("Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose")
_POOL = ("MaxPooling2D", "AveragePooling2D")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """name -> (model, .keras path, .onnx path or None), each built once."""
    if keras.backend.backend() != "torch":
        pytest.skip("needs KERAS_BACKEND=torch")
    import numpy as np

    folder = tmp_path_factory.mktemp("applications")
    cache: dict[str, tuple] = {}

    def get(name):
        if name not in cache:
            size = APPLICATIONS[name]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = getattr(keras.applications, name)(weights=None, input_shape=(size, size, 3), classes=10)
                model(np.zeros((1, size, size, 3), np.float32))
                path = folder / f"{name}.keras"
                with zipfile.ZipFile(path, "w") as archive:  # what model.save writes, without the weights
                    archive.writestr("config.json", model.to_json())
                onnx_path = None
                if _has_onnx():
                    onnx_path = folder / f"{name}.onnx"
                    fixed = (
                        [keras.InputSpec(shape=(1, size, size, 3), dtype="float32")] if name in FIXED_BATCH else None
                    )
                    model.export(onnx_path, format="onnx", verbose=False, input_signature=fixed)
            cache[name] = (model, path, onnx_path)
        return cache[name]

    return get


def _has_onnx():
    try:
        import onnx  # noqa: F401
    except ImportError:
        return False
    return True


def _layers(model, prefix=""):
    """Every layer, nested models' layers as ``outer/inner``."""
    for lay in model.layers:
        if hasattr(lay, "layers"):
            yield from _layers(lay, f"{prefix}{lay.name}/")
        else:
            yield f"{prefix}{lay.name}", lay


@pytest.mark.parametrize("name", APPLICATIONS)
def test_keras_file_has_every_layer_with_keras_sizes_and_parameters(name, built):
    model, path, _ = built(name)
    report = inspect(path)
    rows = {row.name: row for row in report.layers}
    convs = 0
    checked = 0
    for full, lay in _layers(model):
        cls = type(lay).__name__
        if cls not in _CONV + _POOL + ("ZeroPadding2D",):
            continue
        row = rows.get(full if cls != "SeparableConv2D" else f"{full}/pointwise")
        assert row is not None, f"{full} ({cls}) has no row"
        assert row.output_size == tuple(lay.output.shape[1:-1]), full
        checked += 1
        if cls in _CONV:
            convs += lay.count_params()
    assert report.parameters == convs
    assert checked >= 20
    assert report.assumed == 0 or name == "ConvNeXtTiny"  # its LayerScale layers are named in the notes
    if name == "ConvNeXtTiny":
        assert any("LayerScale" in note and "size-keeping" in note for note in report.notes)


def _comparable(report):
    # Keras' torch backend writes an asymmetric 'same' as F.pad then the layer: ONNX has Pad rows
    # Keras has not, so the convolutions and pooling are compared; the exporter may run parallel
    # branches in another order (InceptionV3), so the rows are compared as sorted lists
    return sorted(
        (r.op, r.output_size, r.kernel_size, r.stride, r.parameters, r.receptive_field, r.jump)
        for r in report.layers
        if r.op != "pad"
    )


@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_onnx_export_agrees_row_by_row(name, built):
    pytest.importorskip("onnx")
    _, path, onnx_path = built(name)
    from_keras, from_onnx = inspect(path), inspect(onnx_path)
    assert _comparable(from_onnx) == _comparable(from_keras)
    assert from_onnx.parameters == from_keras.parameters
    assert from_onnx.assumed == 0, from_onnx.notes
    assert not [n for n in from_onnx.notes if "records" in n], from_onnx.notes


def _gradient_span(model, name, size, unit):
    """The input rows and columns one output unit of layer ``name`` reads, by autograd.

    Kernels are made positive and the input is positive, so no activation is cut and no two paths
    cancel: the gradient is non-zero exactly on the cells the unit reads.
    """
    import torch

    for weight in model.weights:
        if weight.path.endswith(("kernel", "depthwise_kernel", "pointwise_kernel")):
            weight.assign(keras.ops.abs(weight.value) + 1e-3)
    outer, _, inner = name.partition("/")
    layer = model.get_layer(outer) if not inner else model.get_layer(outer).get_layer(inner)
    probe = keras.Model(model.input, layer.output)
    # positive after the model's own rescaling (which subtracts up to 127.5), small enough for ReLU6
    rescales = any(type(lay).__name__ in ("Rescaling", "Normalization") for lay in model.layers)
    x = torch.rand(1, size, size, 3, dtype=torch.float32) + (128 if rescales else 0.5)
    x.requires_grad_(True)
    y = probe(x)
    y[0, unit[0], unit[1], :].sum().backward()
    grad = x.grad[0].abs().sum(-1)
    rows = torch.nonzero(grad.sum(1)).ravel()
    cols = torch.nonzero(grad.sum(0)).ravel()
    return (int(rows.min()), int(rows.max())), (int(cols.min()), int(cols.max()))


@pytest.mark.parametrize("name", APPLICATIONS)
def test_receptive_fields_equal_autograd(name, built):
    # the first rows up to the first max pooling (its gradient reaches only the maximum), at least three
    model, path, _ = built(name)
    size = APPLICATIONS[name]
    report = inspect(path)
    checked = 0
    for row in report.layers:
        if row.op == "max_pool" or checked == 4:
            break
        if "/" in row.name:  # inside a SeparableConv2D or a nested model: no tensor of the outer model
            continue
        unit = tuple(o // 2 for o in row.output_size)
        expected = tuple(
            (max(0, int(y * f.jump + f.lo)), min(size - 1, int(y * f.jump + f.hi)))
            for y, f in zip(unit, row.field, strict=True)
        )
        assert _gradient_span(model, row.name, size, unit) == expected, row.name
        checked += 1
    assert checked >= 3
