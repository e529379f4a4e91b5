"""Every piece of porting advice, run (issue 18, item 6).

For each source layer the report's advice for the other framework is evaluated as written (its
steps joined by ", then "), the weights are copied in, and the outputs are compared with the
source's on a random input: max |diff| <= 1e-5. Both directions: PyTorch -> Keras (conv with
every padding mode, transposed conv with output padding, max/avg pooling with ceil mode and both
divisors, every padding layer, depthwise) and Keras -> PyTorch (conv, depthwise, transposed conv
with and without output padding, pooling, zero padding), stride 1 and 2, even and odd inputs.
Keras runs on the torch backend. Its asymmetric 'same' average pooling is not TensorFlow's (see
docs/network.md), so for those sources the oracle is TensorFlow's rule by brute force.
"""

from __future__ import annotations

import itertools
import os
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from convarith.network import inspect  # noqa: E402
from convarith.testing import seeded_rng  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"),
]

nn = torch.nn
F = torch.nn.functional
layers = keras.layers
SIZES = {"even": (8, 10), "odd": (9, 7)}
C = 3


@pytest.fixture(autouse=True)
def _torch_backend():
    if keras.backend.backend() != "torch":
        pytest.skip("needs KERAS_BACKEND=torch")


def _steps(code: str, namespace: dict) -> list:
    return [eval(step, namespace) for step in code.split(", then ")]


def _to_keras(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def _from_keras(y) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(y)).transpose(0, 3, 1, 2)


def _kernel_from_torch(module) -> np.ndarray:
    w = module.weight.detach().numpy()
    if isinstance(module, nn.Conv2d) and module.groups == module.in_channels and module.groups > 1:
        mult = module.out_channels // module.groups
        return w.reshape(module.in_channels, mult, *w.shape[2:]).transpose(2, 3, 0, 1)  # (kh, kw, in, mult)
    return w.transpose(2, 3, 1, 0)  # conv (out, in, kh, kw) and transposed (in, out, kh, kw) alike


# --------------------------------------------------------------------------------------------
# PyTorch -> Keras
# --------------------------------------------------------------------------------------------


def _torch_sources():
    cases = []
    for (k, pad), mode, s, size in itertools.product(
        [(3, 0), (3, 1), (4, 1), (5, 2), (3, "same"), (4, "same")],
        ["zeros", "reflect", "replicate", "circular"],
        [1, 2],
        SIZES,
    ):
        if pad == "same" and s != 1:
            continue
        cases.append(
            (
                f"conv-k{k}-p{pad}-{mode}-s{s}-{size}",
                lambda k=k, pad=pad, mode=mode, s=s: nn.Conv2d(C, 4, k, s, pad, padding_mode=mode),
                size,
            )
        )
    for s, size in itertools.product([1, 2], SIZES):
        cases.append((f"depthwise-s{s}-{size}", lambda s=s: nn.Conv2d(C, 2 * C, 3, s, 1, groups=C), size))
        for k, p, a in [(3, 1, 0), (3, 1, 1), (4, 1, 0), (2, 0, 0), (3, 0, 1), (5, 2, 1)]:
            if a >= s:
                continue
            cases.append(
                (
                    f"transposed-k{k}-p{p}-a{a}-s{s}-{size}",
                    lambda k=k, p=p, a=a, s=s: nn.ConvTranspose2d(C, 4, k, s, p, a),
                    size,
                )
            )
        for k, p, ceil in [(3, 1, False), (3, 1, True), (2, 0, False), (2, 0, True), (3, 0, True)]:
            cases.append(
                (
                    f"max-k{k}-p{p}-ceil{ceil}-s{s}-{size}",
                    lambda k=k, p=p, ceil=ceil, s=s: nn.MaxPool2d(k, s, p, ceil_mode=ceil),
                    size,
                )
            )
            for cip in (True, False):
                cases.append(
                    (
                        f"avg-k{k}-p{p}-ceil{ceil}-cip{cip}-s{s}-{size}",
                        lambda k=k, p=p, ceil=ceil, s=s, cip=cip: nn.AvgPool2d(
                            k, s, p, ceil_mode=ceil, count_include_pad=cip
                        ),
                        size,
                    )
                )
    for (norm, k, s), size in itertools.product([(2, 3, 1), (2, 2, 2), (1, 3, 2), (3, 2, 1)], SIZES):
        cases.append((f"lp{norm}-k{k}-s{s}-{size}", lambda norm=norm, k=k, s=s: nn.LPPool2d(norm, k, s), size))
    for cls, size in itertools.product(["ZeroPad2d", "ReflectionPad2d", "ReplicationPad2d", "CircularPad2d"], SIZES):
        cases.append((f"{cls}-{size}", lambda cls=cls: getattr(nn, cls)((1, 2, 0, 1)), size))
    return cases


TORCH_SOURCES = _torch_sources()


@pytest.mark.parametrize(("name", "make", "size"), TORCH_SOURCES, ids=[c[0] for c in TORCH_SOURCES])
def test_pytorch_to_keras(name, make, size):
    torch.manual_seed(0)
    module = make().eval()
    shape = (2, C, *SIZES[size])
    rows = inspect(nn.Sequential(module), shape).layers
    assert len(rows) == 1
    advice = rows[0].advice("keras")
    mode = getattr(module, "padding_mode", "zeros")
    if (mode != "zeros" or type(module).__name__[:3] in ("Ref", "Rep", "Cir")) and any(map(any, rows[0].padding)):
        assert not advice.native, advice  # Keras pads zeros only
    x = seeded_rng(1).standard_normal(shape).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.from_numpy(x)).numpy()
    steps = _steps(advice.code, {"layers": layers, "keras": keras, "float": float})
    if len(steps) == 1 and isinstance(steps[0], layers.AveragePooling2D) and steps[0].padding == "same":
        # Keras-on-torch pads an asymmetric 'same' average with edge copies: TensorFlow's rule by brute force
        pads = [_tf_same(i, k, st) for i, k, st in zip(shape[2:], steps[0].pool_size, steps[0].strides, strict=True)]
        got = _tf_average(x, steps[0].pool_size, steps[0].strides, pads)
        assert got.shape == expected.shape
        assert float(np.abs(got - expected).max()) <= 1e-5
        return
    y = keras.ops.convert_to_tensor(_to_keras(x))
    for step in steps:
        y = step(y)  # builds the layer
        if hasattr(module, "weight") and step.weights:
            params = [_kernel_from_torch(module)]
            if len(step.weights) > 1:
                bias = module.bias
                params.append(np.zeros(step.weights[1].shape, np.float32) if bias is None else bias.detach().numpy())
            step.set_weights(params)
    y = keras.ops.convert_to_tensor(_to_keras(x))  # again, with the weights copied in
    for step in steps:
        y = step(y)
    got = _from_keras(y)
    assert got.shape == expected.shape, (advice.code, got.shape, expected.shape)
    # an odd Lp power of a negative sum is NaN in both frameworks: the same cells
    assert np.array_equal(np.isnan(got), np.isnan(expected)), advice.code
    diff = float(np.nan_to_num(np.abs(got - expected)).max())
    assert diff <= 1e-5, (advice.code, diff)


# --------------------------------------------------------------------------------------------
# Keras -> PyTorch
# --------------------------------------------------------------------------------------------


def _keras_sources():
    cases = []
    for s, size in itertools.product([1, 2], SIZES):
        for k, word in itertools.product([1, 2, 3, 4], ["same", "valid"]):
            cases.append(
                (
                    f"Conv2D-k{k}-{word}-s{s}-{size}",
                    lambda k=k, word=word, s=s: layers.Conv2D(4, k, strides=s, padding=word),
                    size,
                )
            )
        for word in ("same", "valid"):
            cases.append(
                (
                    f"Depthwise-{word}-s{s}-{size}",
                    lambda word=word, s=s: layers.DepthwiseConv2D(3, strides=s, padding=word, depth_multiplier=2),
                    size,
                )
            )
            for k, a in [(2, None), (3, None), (4, None), (3, 1), (1, None), (3, 0)]:
                if a is not None and a >= s:
                    continue
                cases.append(
                    (
                        f"Conv2DTranspose-k{k}-{word}-a{a}-s{s}-{size}",
                        lambda k=k, word=word, a=a, s=s: layers.Conv2DTranspose(
                            4, k, strides=s, padding=word, output_padding=a
                        ),
                        size,
                    )
                )
            for k, cls in itertools.product([2, 3], ["MaxPooling2D", "AveragePooling2D"]):
                cases.append(
                    (
                        f"{cls}-k{k}-{word}-s{s}-{size}",
                        lambda k=k, cls=cls, word=word, s=s: getattr(layers, cls)(k, strides=s, padding=word),
                        size,
                    )
                )
    for size in SIZES:
        cases.append((f"ZeroPadding2D-{size}", lambda: layers.ZeroPadding2D(((1, 2), (0, 1))), size))
    return cases


KERAS_SOURCES = _keras_sources()


def _tf_same(i: int, k: int, s: int) -> tuple[int, int]:
    """TensorFlow's SAME split (its documentation): ceil(i/s) outputs, the odd unit after."""
    total = max((-(-i // s) - 1) * s + k - i, 0)
    return total // 2, total - total // 2


def _tf_average(x, kernel, stride, pads):
    """TensorFlow's average pooling by brute force: each window over the real cells only (NCHW)."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw) = kernel, stride
    oh = (h + sum(pads[0]) - kh) // sh + 1
    ow = (w + sum(pads[1]) - kw) // sw + 1
    out = np.zeros((n, c, oh, ow), x.dtype)
    for a in range(oh):
        for b in range(ow):
            r0, c0 = a * sh - pads[0][0], b * sw - pads[1][0]
            out[:, :, a, b] = x[:, :, max(r0, 0) : r0 + kh, max(c0, 0) : c0 + kw].mean(axis=(2, 3))
    return out


@pytest.mark.parametrize(("name", "make", "size"), KERAS_SOURCES, ids=[c[0] for c in KERAS_SOURCES])
def test_keras_to_pytorch(name, make, size):
    keras.utils.set_random_seed(0)
    shape = (2, C, *SIZES[size])
    inputs = keras.Input((*SIZES[size], C))
    source = make()
    model = keras.Model(inputs, source(inputs))
    rows = inspect(model).layers
    assert len(rows) == 1
    x = seeded_rng(1).standard_normal(shape).astype(np.float32)
    if isinstance(source, layers.AveragePooling2D):
        pads = (
            [_tf_same(i, k, st) for i, k, st in zip(SIZES[size], source.pool_size, source.strides, strict=True)]
            if source.padding == "same"
            else [(0, 0), (0, 0)]
        )
        expected = _tf_average(x, source.pool_size, source.strides, pads)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = _from_keras(model(_to_keras(x)))
    weights = [np.asarray(w) for w in source.get_weights()]
    y = torch.from_numpy(x)
    for row in rows:
        for step in _steps(row.advice("pytorch").code, {"nn": nn, "torch": torch, "F": F, "float": float}):
            if isinstance(step, nn.Conv2d | nn.ConvTranspose2d):
                kernel = weights[0]
                if isinstance(source, layers.DepthwiseConv2D):  # (kh, kw, in, mult) -> (in*mult, 1, kh, kw)
                    w = kernel.transpose(2, 3, 0, 1).reshape(-1, 1, *kernel.shape[:2])
                else:
                    w = kernel.transpose(3, 2, 0, 1)
                step.weight.data = torch.from_numpy(np.ascontiguousarray(w))
                if step.bias is not None:
                    step.bias.data = torch.from_numpy(weights[1])
            with torch.no_grad():
                y = step(y)
    got = y.numpy()
    assert got.shape == expected.shape, (name, got.shape, expected.shape)
    diff = float(np.abs(got - expected).max())
    assert diff <= 1e-5, ([r.advice("pytorch").code for r in rows], diff)
