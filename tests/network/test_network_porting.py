"""Porting oracle: a Keras model with TF-style SAME padding, its weights copied into the PyTorch
layers the report prescribes, gives Keras' outputs; the naive padding=1 port does not."""

from __future__ import annotations

import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from convarith.arithmetic import layer  # noqa: E402
from convarith.network import inspect  # noqa: E402
from convarith.network.porting import advise  # noqa: E402
from convarith.testing import seeded_rng  # noqa: E402

# Keras 3.15 converts its torch variables with np.array(x, copy=False), which NumPy 2 warns about
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

nn = torch.nn
F = torch.nn.functional


def _modules(code: str) -> list:
    """The PyTorch modules of one advice: its steps, evaluated."""
    namespace = {"nn": nn, "torch": torch, "F": F, "float": float}
    return [eval(step, namespace) for step in code.split(", then ")]


@pytest.fixture(scope="module")
def keras_model(tmp_path_factory):
    if keras.backend.backend() != "torch":
        pytest.skip("needs KERAS_BACKEND=torch")
    keras.utils.set_random_seed(0)
    x = keras.Input((32, 32, 3))
    y = keras.layers.Conv2D(8, 3, strides=2, padding="same", name="stem")(x)  # pads (0, 1): TF SAME, stride 2
    y = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool")(y)  # 16 -> 8, pads (0, 1)
    y = keras.layers.Conv2D(6, 4, padding="same", name="even")(y)  # k=4, stride 1: pads (1, 2)
    y = keras.layers.Conv2D(6, 3, strides=2, padding="same", name="down")(y)  # 8 -> 4, pads (0, 1)
    y = keras.layers.Conv2DTranspose(5, 3, strides=2, padding="same", name="up")(y)  # 4 -> 8, crops (0, 1)
    model = keras.Model(x, y)
    path = tmp_path_factory.mktemp("port") / "same.keras"
    model.save(path)
    return model, path


def _copy(keras_layer, module) -> None:
    kernel, bias = (np.asarray(w) for w in keras_layer.get_weights())
    # Keras kernels are (kh, kw, in, out), transposed ones (kh, kw, out, in); PyTorch's (out, in, kh, kw)
    # and (in, out, kh, kw): the same permutation
    weight = kernel.transpose(3, 2, 0, 1)
    module.weight.data = torch.from_numpy(np.ascontiguousarray(weight))
    module.bias.data = torch.from_numpy(bias)


def _port(model, report, naive: bool = False):
    layers = []
    for row in report.layers:
        steps = _modules(row.advice("pytorch").code)
        if naive and row.op == "conv" and row.name == "stem":
            steps = [nn.Conv2d(3, 8, 3, stride=2, padding=1)]  # what a hand port writes
        for step in steps:
            if isinstance(step, nn.Conv2d | nn.ConvTranspose2d):
                _copy(model.get_layer(row.name), step)
        layers += steps
    return nn.Sequential(*layers)


def _torch_output(port, x):
    with torch.no_grad():
        y = port(torch.from_numpy(x.transpose(0, 3, 1, 2).copy()))
    return y.numpy().transpose(0, 2, 3, 1)


def test_report_prescribes_explicit_pads(keras_model):
    _, path = keras_model
    report = inspect(path)
    assert [r.padding for r in report.layers] == [
        ((0, 1), (0, 1)),
        ((0, 1), (0, 1)),
        ((1, 2), (1, 2)),
        ((0, 1), (0, 1)),
        ((0, 1), (0, 1)),
    ]
    assert report["stem"].advice("pytorch").code == (
        "nn.ZeroPad2d((0, 1, 0, 1)), then nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=0)"
    )
    assert not report["stem"].advice("pytorch").native
    assert report["stem"].advice("keras").native
    assert "asymmetric-padding" in report["stem"].warnings
    assert "even-kernel-shift" in report["even"].warnings


def test_prescribed_port_matches_keras(keras_model):
    model, path = keras_model
    report = inspect(path)
    x = seeded_rng(0).standard_normal((2, 32, 32, 3)).astype(np.float32)
    expected = np.asarray(model(x).detach().cpu().numpy())
    got = _torch_output(_port(model, report), x)
    assert got.shape == expected.shape == (2, 8, 8, 5)
    difference = np.abs(got - expected).max()
    print(f"prescribed port: max |keras - torch| = {difference:.2e}")
    assert difference < 1e-5


def test_naive_port_differs(keras_model):
    model, path = keras_model
    report = inspect(path)
    x = seeded_rng(0).standard_normal((2, 32, 32, 3)).astype(np.float32)
    expected = np.asarray(model(x).detach().cpu().numpy())
    got = _torch_output(_port(model, report, naive=True), x)
    assert got.shape == expected.shape  # same shapes: the shift is silent
    difference = np.abs(got - expected).max()
    print(f"naive padding=1 port: max |keras - torch| = {difference:.2e}")
    assert difference > 1e-2


def _tf_pool(x, kernel, stride, pads, reduce):
    """TensorFlow's pooling by brute force: each window over the real cells only (NCHW, 2-D)."""
    n, c, h, w = x.shape
    oh = (h + sum(pads[0]) - kernel) // stride + 1
    ow = (w + sum(pads[1]) - kernel) // stride + 1
    out = np.zeros((n, c, oh, ow), x.dtype)
    for a in range(oh):
        for b in range(ow):
            r0, c0 = a * stride - pads[0][0], b * stride - pads[1][0]
            window = x[:, :, max(r0, 0) : r0 + kernel, max(c0, 0) : c0 + kernel]
            out[:, :, a, b] = reduce(window, axis=(2, 3))
    return out


@pytest.mark.parametrize("size", [(9, 8), (8, 8), (7, 10)])
@pytest.mark.parametrize(("cls", "reduce"), [("MaxPooling2D", np.max), ("AveragePooling2D", np.mean)])
def test_prescribed_pooling_matches_tensorflow_semantics(size, cls, reduce, tmp_path):
    # TensorFlow's 'same' pooling leaves padded cells out of the max and of the average's divisor.
    # (Keras 3.15's torch backend pads asymmetric 'same' average pooling with edge copies and counts
    # them, so the oracle here is the TensorFlow rule by brute force, not Keras-on-torch.)
    x = keras.Input((*size, 3))
    model = keras.Model(x, getattr(keras.layers, cls)(3, strides=2, padding="same", name="p")(x))
    model.save(tmp_path / "pool.keras")
    row = inspect(tmp_path / "pool.keras")["p"]
    data = seeded_rng(1).standard_normal((2, 3, *size)).astype(np.float32)
    expected = _tf_pool(data, 3, 2, row.padding, reduce)
    port = nn.Sequential(*_modules(row.advice("pytorch").code))
    with torch.no_grad():
        got = port(torch.from_numpy(data)).numpy()
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_porting_notes_format_pads_as_the_report():
    conv = layer("conv", (8, 8), 3, 1, 2)
    _, keras = advise(conv, "conv", conv.padding)
    assert keras.note == "Keras pads 'valid' or TensorFlow's 'same' (1, 1)"  # TF's 'same' pads 1 on each side
    pool = layer("avg_pool", (8, 9), 3, 2, ((1, 1), (0, 1)))
    _, keras = advise(pool, "avg_pool", pool.padding, count_include_pad=False)
    assert "keras.ops.pad(x, [[0, 0], [1, 1], [0, 1], [0, 0]])" in keras.code  # the pads as the report gives them


def _run_keras(code: str, x_nchw: np.ndarray, module=None) -> np.ndarray:
    steps = [eval(step, {"layers": keras.layers, "keras": keras, "float": float}) for step in code.split(", then ")]
    for _ in range(2):  # build, copy the weights, run again
        y = keras.ops.convert_to_tensor(np.ascontiguousarray(x_nchw.transpose(0, 2, 3, 1)))
        for step in steps:
            y = step(y)
            if module is not None and step.weights:
                kernel = module.weight.detach().numpy().transpose(2, 3, 1, 0)
                step.set_weights([kernel, module.bias.detach().numpy()])
    return np.asarray(keras.ops.convert_to_numpy(y)).transpose(0, 3, 1, 2)


def test_reflect_padded_convolution_is_ported_with_reflection():
    # was: Keras padding='same' (zeros), marked native, max |diff| 2.42
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect")
    (row,) = inspect(nn.Sequential(conv), (1, 3, 16, 16)).layers
    advice = row.advice("keras")
    assert not advice.native and "mode='reflect'" in advice.code
    assert row.advice("pytorch").code.endswith("padding_mode='reflect')")
    x = seeded_rng(0).standard_normal((1, 3, 16, 16)).astype(np.float32)
    with torch.no_grad():
        expected = conv(torch.from_numpy(x)).numpy()
    assert np.abs(_run_keras(advice.code, x, conv) - expected).max() <= 1e-5


def test_transposed_output_padding_is_kept():
    # was: Conv2DTranspose 'valid' then Cropping2D(((1, 1), (1, 1))): 31x31, one cell short of 32
    torch.manual_seed(0)
    up = nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1)
    (row,) = inspect(nn.Sequential(up), (1, 3, 16, 16)).layers
    x = seeded_rng(0).standard_normal((1, 3, 16, 16)).astype(np.float32)
    with torch.no_grad():
        expected = up(torch.from_numpy(x)).numpy()
    got = _run_keras(row.advice("keras").code, x, up)
    assert got.shape == expected.shape == (1, 4, 32, 32)
    assert np.abs(got - expected).max() <= 1e-5
