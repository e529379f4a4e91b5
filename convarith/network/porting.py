"""Porting advice: how to write one layer in PyTorch and in Keras with the same windows.

PyTorch's ``padding=`` pads both sides of an axis alike; Keras says ``'valid'`` or ``'same'``
(TensorFlow's split) and nothing else. A layer whose padding the target cannot say gets an
explicit padding layer before it, with its numbers, or (pooling) another exact form. Padding
for max pooling is ``-inf`` (every framework's pooling ignores padded cells); for average pooling
the divisor matters: TensorFlow/Keras ``'same'`` and ONNX ``count_include_pad=0`` leave padded
cells out, PyTorch counts them unless ``count_include_pad=False``.
"""

from __future__ import annotations

from dataclasses import dataclass

from convarith.arithmetic.layer import Layer, LayerError, layer
from convarith.arithmetic.text import format_padding
from convarith.typing import PadPair

__all__ = ["Advice", "advise"]

_TORCH_PADS = {
    "constant": "ZeroPad",
    "reflect": "ReflectionPad",
    "replicate": "ReplicationPad",
    "circular": "CircularPad",
}


@dataclass(frozen=True)
class Advice:
    """How to write one layer in a target framework.

    Attributes
    ----------
    target : {'pytorch', 'keras'}
    native : bool
        True when the layer's own arguments say it; False when something must be added.
    code : str
        What to write (a code fragment; ``...`` stands for the layer's other arguments).
    note : str
        Why, when it is not native.

    Examples
    --------
    >>> Advice("pytorch", True, "nn.Conv2d(3, 8, kernel_size=3, stride=1, padding=1)")
    pytorch: nn.Conv2d(3, 8, kernel_size=3, stride=1, padding=1)
    """

    target: str
    native: bool
    code: str
    note: str = ""

    def __repr__(self) -> str:
        return f"{self.target}: {self.code}" + ("" if self.native else f"  ({self.note})")


def _one(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else str(tuple(values))


def _torch_pad(pads: tuple[PadPair, ...]) -> str:
    # torch pads the last axis first: (left, right, top, bottom, ...)
    return "(" + ", ".join(f"{b}, {a}" for b, a in reversed(pads)) + ")"


def _keras_pad(pads: tuple[PadPair, ...]) -> str:
    return "(" + ", ".join(f"({b}, {a})" for b, a in pads) + ("," if len(pads) == 1 else "") + ")"


def _tf_same(lay: Layer) -> tuple[PadPair, ...] | None:
    """TensorFlow's 'same' padding of this layer, or None if it has none."""
    assert lay.input_size is not None
    try:
        same = layer("conv", lay.input_size, lay.kernel_size, lay.stride, "same", lay.dilation, convention="tensorflow")
    except LayerError:
        return None
    return same.padding


def _pool_extra(lay: Layer) -> tuple[PadPair, ...]:
    """Padding with ceil mode's overhang made explicit: the cells the last window reaches past the input."""
    assert lay.input_size is not None and lay.padding is not None and lay.output_size is not None
    pads = []
    for i, o, (pb, pe), s, ek in zip(
        lay.input_size, lay.output_size, lay.padding, lay.stride, lay.effective_kernel_size, strict=True
    ):
        pads.append((pb, max(pe, (o - 1) * s - pb + ek - i)))
    return tuple(pads)


def _flat(pads: tuple[PadPair, ...]) -> str:
    return ", ".join(f"[{b}, {a}]" for b, a in pads)


def _keras_pad_steps(pads: tuple[PadPair, ...], mode: str) -> list[str]:
    """Keras layers that pad ``pads`` (channels last) the way PyTorch's ``mode`` does.

    Keras has a zero-padding layer only; ``keras.ops.pad(mode='reflect')`` is the same on every
    backend; edge copies and wrap-around are written with slices (``keras.ops.pad``'s 'edge' and
    'wrap' are not implemented on every backend).
    """
    nd = len(pads)
    if mode == "constant":
        return [f"layers.ZeroPadding{nd}D({_keras_pad(pads)})"]
    if mode == "reflect":
        return [f"layers.Lambda(lambda x: keras.ops.pad(x, [[0, 0], {_flat(pads)}, [0, 0]], mode='reflect'))"]
    steps = []
    for axis, (b, a) in enumerate(pads):
        if b == 0 and a == 0:
            continue
        pre = ":, " * (axis + 1)
        if mode == "replicate":
            parts = f"[x[{pre}:1]] * {b} + [x] + [x[{pre}-1:]] * {a}"
        else:  # circular: the other end's cells
            parts = "[" + ", ".join(([f"x[{pre}-{b}:]"] if b else []) + ["x"] + ([f"x[{pre}:{a}]"] if a else [])) + "]"
        steps.append(f"layers.Lambda(lambda x: keras.ops.concatenate({parts}, axis={axis + 1}))")
    return steps


def _channels(cin: int | None, cout: int | None) -> str:
    return f"{cin if cin is not None else 'C_in'}, {cout if cout is not None else 'C_out'}, "


def advise(
    lay: Layer | None,
    op: str,
    pads: tuple[PadPair, ...],
    in_channels: int | None = None,
    out_channels: int | None = None,
    count_include_pad: bool | None = None,
    pad_mode: str = "constant",
    norm_type: float | None = None,
) -> tuple[Advice, Advice]:
    """The PyTorch and the Keras way to write one layer of the report.

    Parameters
    ----------
    lay : Layer or None
        The layer value (None for a padding layer).
    op : str
        The report's operation.
    pads : tuple of (before, after)
        The layer's resolved padding.
    in_channels, out_channels : int, optional
    count_include_pad : bool, optional
        Average pooling: whether the source counts padded cells in the divisor (None: PyTorch's
        default, True).
    pad_mode : str
        How padded cells are filled (padding layers, and convolutions with PyTorch's
        ``padding_mode``): ``'constant'``, ``'reflect'``, ``'replicate'``, ``'circular'``.
    norm_type : float, optional
        Lp pooling: the power ``p`` (``norm_type`` in the code when not known).

    Returns
    -------
    (Advice, Advice)
        For PyTorch, then for Keras.

    Notes
    -----
    PyTorch is native when ``pb == pe`` on every axis (pooling also when ceil mode reproduces a
    padding that only grows at the end); Keras when the padding is zero (``'valid'``) or equals
    TensorFlow's ``'same'`` split. Otherwise an explicit pad with the layer's numbers comes first.

    Examples
    --------
    >>> lay = layer("conv", (224, 224), 3, stride=2, padding="same")  # Keras: (0, 1) per axis
    >>> torch_advice, keras_advice = advise(lay, "conv", lay.padding, 32, 64)
    >>> torch_advice.code
    'nn.ZeroPad2d((0, 1, 0, 1)), then nn.Conv2d(32, 64, kernel_size=3, stride=2, padding=0)'
    >>> keras_advice.code
    "layers.Conv2D(64, 3, strides=2, padding='same')"
    """
    mode = pad_mode if pad_mode in _TORCH_PADS else "constant"
    if lay is None:  # an explicit padding layer
        return _advise_pad(pads, mode)
    same = _tf_same(lay)
    if op == "conv":
        return _advise_conv(lay, pads, mode, same, in_channels, out_channels)
    if op == "conv_transpose":
        return _advise_transpose(lay, pads, in_channels, out_channels)
    return _advise_pool(lay, op, pads, same, count_include_pad, norm_type)


def _advise_pad(pads: tuple[PadPair, ...], mode: str) -> tuple[Advice, Advice]:
    """An explicit padding layer: PyTorch has one per mode, Keras a zero padding layer only."""
    steps = ", then ".join(_keras_pad_steps(pads, mode))
    if mode == "constant":
        keras = Advice("keras", True, steps)
    else:
        keras = Advice("keras", False, steps, f"Keras has no {mode} padding layer")
    return Advice("pytorch", True, f"nn.{_TORCH_PADS[mode]}{len(pads)}d({_torch_pad(pads)})"), keras


def _advise_conv(
    lay: Layer,
    pads: tuple[PadPair, ...],
    mode: str,
    same: tuple[PadPair, ...] | None,
    in_channels: int | None,
    out_channels: int | None,
) -> tuple[Advice, Advice]:
    """A convolution: native where the padding is symmetric (PyTorch), 'valid' or TensorFlow's 'same' (Keras)."""
    nd = len(pads)
    zero = all(b == 0 and a == 0 for b, a in pads)
    k, s, d = _one(lay.kernel_size), _one(lay.stride), _one(lay.dilation)
    dil = "" if set(lay.dilation) == {1} else f", dilation={d}"
    kdil = "" if set(lay.dilation) == {1} else f", dilation_rate={d}"
    grp = "" if lay.groups == 1 else f", groups={lay.groups}"
    head = f"nn.Conv{nd}d({_channels(in_channels, out_channels)}kernel_size={k}, stride={s}"
    if mode != "constant" and not zero:
        return _advise_mode_conv(lay, pads, mode, head, dil, kdil, grp, in_channels, out_channels)
    if all(b == a for b, a in pads):
        torch = Advice("pytorch", True, f"{head}, padding={_one(tuple(b for b, _ in pads))}{dil}{grp})")
    else:
        first_torch = f"nn.ZeroPad{nd}d({_torch_pad(pads)}), then "
        torch = Advice("pytorch", False, f"{first_torch}{head}, padding=0{dil}{grp})", "PyTorch pads both sides alike")
    body = _keras_conv_body(lay, kdil, in_channels, out_channels)
    keras_word = "valid" if zero else "same" if same == pads else None
    if keras_word:
        keras = Advice("keras", True, f"{body}, padding='{keras_word}')")
    else:
        note = "Keras pads 'valid' or TensorFlow's 'same'" + (f" {format_padding(same)}" if same else "")
        first_keras = f"layers.ZeroPadding{nd}D({_keras_pad(pads)}), then "
        keras = Advice("keras", False, f"{first_keras}{body}, padding='valid')", note)
    return torch, keras


def _advise_pool(
    lay: Layer,
    op: str,
    pads: tuple[PadPair, ...],
    same: tuple[PadPair, ...] | None,
    count_include_pad: bool | None,
    norm_type: float | None,
) -> tuple[Advice, Advice]:
    """Max, average and Lp pooling."""
    nd = len(pads)
    k, s = _one(lay.kernel_size), _one(lay.stride)
    torch_name = {"max_pool": "MaxPool", "avg_pool": "AvgPool", "lp_pool": "LPPool"}[op]
    keras_name = {"max_pool": "MaxPooling", "avg_pool": "AveragePooling", "lp_pool": None}[op]
    extra = _pool_extra(lay)
    include = True if count_include_pad is None else count_include_pad
    torch_head = f"nn.{torch_name}{nd}d(kernel_size={k}, stride={s}"
    if op == "lp_pool":
        return _advise_lp(lay, pads, extra, norm_type)
    cip = "" if op != "avg_pool" else f", count_include_pad={include}"
    torch = _torch_pool(lay, op, pads, torch_head, cip, include)
    keras = _keras_pool(lay, op, pads, extra, keras_name, same, include)
    return torch, keras


def _keras_conv_body(lay: Layer, kdil: str, in_channels: int | None, out_channels: int | None) -> str:
    nd = lay.ndim
    k, s = _one(lay.kernel_size), _one(lay.stride)
    if lay.groups > 1 and lay.groups == in_channels:
        mult = "" if out_channels in (None, in_channels) else f", depth_multiplier={out_channels // lay.groups}"
        return f"layers.DepthwiseConv{nd}D({k}, strides={s}{kdil}{mult}"
    grp = "" if lay.groups == 1 else f", groups={lay.groups}"
    filters = out_channels if out_channels is not None else "filters"
    return f"layers.Conv{nd}D({filters}, {k}, strides={s}{kdil}{grp}"


def _advise_mode_conv(
    lay: Layer,
    pads: tuple[PadPair, ...],
    mode: str,
    head: str,
    dil: str,
    kdil: str,
    grp: str,
    in_channels: int | None,
    out_channels: int | None,
) -> tuple[Advice, Advice]:
    """A convolution that pads by reflection, edge copies or wrap-around (PyTorch's ``padding_mode``)."""
    nd = len(pads)
    if all(b == a for b, a in pads):
        torch = Advice(
            "pytorch", True, f"{head}, padding={_one(tuple(b for b, _ in pads))}{dil}{grp}, padding_mode={mode!r})"
        )
    else:
        torch = Advice(
            "pytorch",
            False,
            f"nn.{_TORCH_PADS[mode]}{nd}d({_torch_pad(pads)}), then {head}, padding=0{dil}{grp})",
            "PyTorch pads both sides alike",
        )
    steps = [
        *_keras_pad_steps(pads, mode),
        f"{_keras_conv_body(lay, kdil, in_channels, out_channels)}, padding='valid')",
    ]
    keras = Advice(
        "keras",
        False,
        ", then ".join(steps),
        f"Keras convolutions pad zeros only: the {mode} padding {format_padding(pads)} comes first",
    )
    return torch, keras


def _advise_lp(
    lay: Layer, pads: tuple[PadPair, ...], extra: tuple[PadPair, ...], norm_type: float | None
) -> tuple[Advice, Advice]:
    """Lp pooling: ``(sum of x**p over the window)**(1/p)``; zeros add nothing to the sum."""
    nd = len(pads)
    k, s = _one(lay.kernel_size), _one(lay.stride)
    p = "norm_type" if norm_type is None else f"{norm_type:g}"
    ceil = ", ceil_mode=True" if lay.ceil_mode else ""
    body = f"nn.LPPool{nd}d({p}, kernel_size={k}, stride={s}{ceil})"
    if all(b == 0 and a == 0 for b, a in pads):
        torch = Advice("pytorch", True, body)
    else:
        torch = Advice(
            "pytorch",
            False,
            f"nn.ZeroPad{nd}d({_torch_pad(pads)}), then {body}",
            "PyTorch's LPPool has no padding (zeros add nothing to the sum of powers)",
        )
    taps = 1
    for kk in lay.kernel_size:
        taps *= kk
    first = "" if all(b == 0 and a == 0 for b, a in extra) else f"layers.ZeroPadding{nd}D({_keras_pad(extra)}), then "
    note = "Keras has no Lp pooling: the window's mean of x**p times its size, to the power 1/p"
    if lay.ceil_mode and extra != pads:
        note += " (PyTorch's ceil mode scales a last, partial window's sum by the window size over its cells)"
    keras = Advice(
        "keras",
        False,
        f"{first}layers.Lambda(lambda x: keras.ops.power(keras.ops.average_pool(keras.ops.power(x, {p}), "
        f"{k}, {s}, 'valid') * {taps}, 1 / {p}))",
        note,
    )
    return torch, keras


def _torch_pool(lay: Layer, op: str, pads: tuple[PadPair, ...], head: str, cip: str, include: bool) -> Advice:
    nd = len(pads)
    ceil = ", ceil_mode=True" if lay.ceil_mode else ""
    if all(b == a for b, a in pads) and all(b <= kk // 2 for (b, _), kk in zip(pads, lay.kernel_size, strict=True)):
        return Advice("pytorch", True, f"{head}, padding={_one(tuple(b for b, _ in pads))}{ceil}{cip})")
    # Ceil mode keeps the window starts and reads past the end: the same windows when the
    # padding grows only at the end and the output counts agree.
    before = tuple(b for b, _ in pads)
    if all(b <= a for b, a in pads) and (op == "max_pool" or not include):
        try:
            trial = layer(op, lay.input_size, lay.kernel_size, lay.stride, before, lay.dilation, ceil_mode=True)
        except LayerError:
            trial = None
        if trial is not None and trial.output_size == lay.output_size:
            avg = ", count_include_pad=False" if op == "avg_pool" else ""
            return Advice("pytorch", True, f"{head}, padding={_one(before)}, ceil_mode=True{avg})", "")
    if op == "max_pool":
        return Advice(
            "pytorch",
            False,
            f"nn.ConstantPad{nd}d({_torch_pad(pads)}, float('-inf')), then {head}, padding=0{ceil})",
            "PyTorch pads both sides alike; -inf keeps padded cells out of the maximum",
        )
    if include:
        return Advice(
            "pytorch",
            False,
            f"nn.ZeroPad{nd}d({_torch_pad(pads)}), then {head}, padding=0{ceil})",
            "PyTorch pads both sides alike",
        )
    extra = _pool_extra(lay)  # ceil mode's overhang made explicit: windows on the padded input, floor
    p, ks = _torch_pad(extra), f"{_one(lay.kernel_size)}, {_one(lay.stride)}"
    return Advice(
        "pytorch",
        False,
        f"lambda x: F.avg_pool{nd}d(F.pad(x, {p}), {ks}) "
        f"/ F.avg_pool{nd}d(F.pad(torch.ones_like(x[:, :1]), {p}), {ks})",
        "the divisor leaves padded cells out and PyTorch pads both sides alike: divide by the count of real cells",
    )


def _keras_pool(
    lay: Layer,
    op: str,
    pads: tuple[PadPair, ...],
    extra: tuple[PadPair, ...],
    keras_name: str | None,
    same: tuple[PadPair, ...] | None,
    include: bool,
) -> Advice:
    nd = len(pads)
    k, s = _one(lay.kernel_size), _one(lay.stride)
    body = f"layers.{keras_name}{nd}D({k}, strides={s}"
    zero = all(b == 0 and a == 0 for b, a in extra)
    if zero:
        return Advice("keras", True, f"{body}, padding='valid')")
    if same == extra and (op == "max_pool" or not include):
        return Advice("keras", True, f"{body}, padding='same')")
    flat = ", ".join(f"[{b}, {a}]" for b, a in extra)
    if op == "max_pool":
        return Advice(
            "keras",
            False,
            f"layers.Lambda(lambda x: keras.ops.pad(x, [[0, 0], {flat}, [0, 0]], constant_values=float('-inf'))), "
            f"then {body}, padding='valid')",
            "Keras pads 'valid' or TensorFlow's 'same'; ZeroPadding is exact only for inputs >= 0 (after a ReLU)",
        )
    if include and extra == pads:
        return Advice(
            "keras",
            False,
            f"layers.ZeroPadding{nd}D({_keras_pad(pads)}), then {body}, padding='valid')",
            "zeros counted in the divisor, as in the source",
        )
    # the sum over the window divided by the count of the cells the source counts: the input, and
    # its padding when the source counts it, never the ceil-mode overhang
    rest = tuple((b - pb, a - pa) for (b, a), (pb, pa) in zip(extra, pads, strict=True))
    ones = "keras.ops.ones_like(x[..., :1])"
    count = (
        f"keras.ops.pad(keras.ops.pad({ones}, [[0, 0], {_flat(pads)}, [0, 0]], constant_values=1), "
        f"[[0, 0], {_flat(rest)}, [0, 0]])"
        if include
        else f"keras.ops.pad({ones}, [[0, 0], {flat}, [0, 0]])"
    )
    pool = f"{k}, {s}, 'valid'"
    return Advice(
        "keras",
        False,
        f"layers.Lambda(lambda x: keras.ops.average_pool(keras.ops.pad(x, [[0, 0], {flat}, [0, 0]]), {pool}) "
        f"/ keras.ops.average_pool({count}, {pool}))",
        "the divisor counts only some cells: divide by the count",
    )


def _advise_transpose(
    lay: Layer, pads: tuple[PadPair, ...], in_channels: int | None, out_channels: int | None
) -> tuple[Advice, Advice]:
    from convarith.network.from_keras import keras_transpose_padding

    assert lay.input_size is not None and lay.output_size is not None
    nd = len(pads)
    k, s, d = _one(lay.kernel_size), _one(lay.stride), _one(lay.dilation)
    a = lay.output_padding
    dil = "" if set(lay.dilation) == {1} else f", dilation={d}"
    kdil = "" if set(lay.dilation) == {1} else f", dilation_rate={d}"
    head = f"nn.ConvTranspose{nd}d({_channels(in_channels, out_channels)}kernel_size={k}, stride={s}"
    if all(b == e for b, e in pads):
        torch = Advice(
            "pytorch", True, f"{head}, padding={_one(tuple(b for b, _ in pads))}, output_padding={_one(a)}{dil})"
        )
    else:
        # the full output, with the output padding (zeros and the bias, as in the source), then the
        # crops: F.pad with negative numbers crops
        extra = "" if not any(a) else f", output_padding={_one(a)}"
        crop = tuple((-b, -e) for b, e in pads)
        torch = Advice(
            "pytorch",
            False,
            f"{head}, padding=0{extra}{dil}), then nn.ZeroPad{nd}d({_torch_pad(crop)})",
            "PyTorch crops both sides alike: crop the full output (negative padding crops)",
        )
    body = (
        f"layers.Conv{nd}DTranspose({out_channels if out_channels is not None else 'filters'}, {k}, strides={s}{kdil}"
    )
    for word in ("valid", "same"):
        for given in (None, a):
            try:
                kp, ka = keras_transpose_padding(lay.input_size, lay.kernel_size, lay.stride, lay.dilation, word, given)
            except LayerError:
                continue
            if kp == pads and ka == a:
                extra = "" if given is None else f", output_padding={_one(a)}"
                return torch, Advice("keras", True, f"{body}, padding='{word}'{extra})")
    # Keras' 'valid' with output_padding a is the full output [0, (i - 1)s + ek + a): crop it
    cropping = "" if all(b == 0 and e == 0 for b, e in pads) else f", then layers.Cropping{nd}D({_keras_pad(pads)})"
    keras = Advice(
        "keras",
        False,
        f"{body}, padding='valid', output_padding={_one(a)}){cropping}",
        "Keras' 'same' crops differently: crop the full output",
    )
    return torch, keras
