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
        Padding layers: how padded cells are filled.

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
    nd = len(pads)
    symmetric = all(b == a for b, a in pads)
    zero = all(b == 0 and a == 0 for b, a in pads)
    if lay is None:  # an explicit padding layer
        if pad_mode == "constant":
            keras = Advice("keras", True, f"layers.ZeroPadding{nd}D({_keras_pad(pads)})")
        else:
            keras = Advice(
                "keras",
                False,
                f"layers.Lambda(lambda x: keras.ops.pad(x, [[0, 0], {_flat(pads)}, [0, 0]], mode={pad_mode!r}))",
                f"Keras has no {pad_mode} padding layer",
            )
        name = {
            "constant": "ZeroPad",
            "reflect": "ReflectionPad",
            "replicate": "ReplicationPad",
            "circular": "CircularPad",
        }
        return Advice("pytorch", True, f"nn.{name.get(pad_mode, 'ZeroPad')}{nd}d({_torch_pad(pads)})"), keras

    k, s, d = _one(lay.kernel_size), _one(lay.stride), _one(lay.dilation)
    dil = "" if set(lay.dilation) == {1} else f", dilation={d}"
    kdil = "" if set(lay.dilation) == {1} else f", dilation_rate={d}"
    same = _tf_same(lay)
    keras_word = "valid" if zero else "same" if same == pads else None
    first_torch = f"nn.ZeroPad{nd}d({_torch_pad(pads)}), then "
    first_keras = f"layers.ZeroPadding{nd}D({_keras_pad(pads)}), then "

    if op == "conv":
        grp = "" if lay.groups == 1 else f", groups={lay.groups}"
        head = f"nn.Conv{nd}d({_channels(in_channels, out_channels)}kernel_size={k}, stride={s}"
        if symmetric:
            torch = Advice("pytorch", True, f"{head}, padding={_one(tuple(b for b, _ in pads))}{dil}{grp})")
        else:
            torch = Advice(
                "pytorch", False, f"{first_torch}{head}, padding=0{dil}{grp})", "PyTorch pads both sides alike"
            )
        depthwise = lay.groups > 1 and lay.groups == in_channels
        if depthwise:
            mult = "" if out_channels in (None, in_channels) else f", depth_multiplier={out_channels // lay.groups}"
            body = f"layers.DepthwiseConv{nd}D({k}, strides={s}{kdil}{mult}"
        else:
            grp = "" if lay.groups == 1 else f", groups={lay.groups}"
            filters = out_channels if out_channels is not None else "filters"
            body = f"layers.Conv{nd}D({filters}, {k}, strides={s}{kdil}{grp}"
        if keras_word:
            keras = Advice("keras", True, f"{body}, padding='{keras_word}')")
        else:
            note = "Keras pads 'valid' or TensorFlow's 'same'" + (f" {format_padding(same)}" if same else "")
            keras = Advice("keras", False, f"{first_keras}{body}, padding='valid')", note)
        return torch, keras

    if op == "conv_transpose":
        return _advise_transpose(lay, pads, in_channels, out_channels)

    # Pooling.
    torch_name = {"max_pool": "MaxPool", "avg_pool": "AvgPool", "lp_pool": "LPPool"}[op]
    keras_name = {"max_pool": "MaxPooling", "avg_pool": "AveragePooling", "lp_pool": None}[op]
    extra = _pool_extra(lay)
    include = True if count_include_pad is None else count_include_pad
    torch_head = f"nn.{torch_name}{nd}d(kernel_size={k}, stride={s}"
    if op == "lp_pool":
        torch = (
            Advice("pytorch", True, f"nn.LPPool{nd}d(norm_type, kernel_size={k}, stride={s})")
            if zero and not lay.ceil_mode
            else Advice(
                "pytorch",
                False,
                f"{first_torch}nn.LPPool{nd}d(norm_type, kernel_size={k}, stride={s}"
                + (", ceil_mode=True)" if lay.ceil_mode else ")"),
                "PyTorch's LPPool has no padding (zeros add nothing to the sum of powers)",
            )
        )
        keras = Advice(
            "keras",
            False,
            "keras.ops.power(AveragePooling(...)(x ** p) * window size, 1 / p)",
            "Keras has no Lp pooling",
        )
        return torch, keras
    cip = "" if op != "avg_pool" else f", count_include_pad={include}"
    torch = _torch_pool(lay, op, pads, torch_head, cip, include)
    keras = _keras_pool(lay, op, pads, extra, keras_name, same, include)
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
    return Advice(
        "pytorch",
        False,
        f"F.avg_pool{nd}d(F.pad(x, p), k, s) / F.avg_pool{nd}d(F.pad(torch.ones_like(x[:, :1]), p), k, s) "
        f"with p = {_torch_pad(pads)}",
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
            f"keras.ops.pad(x, [[0, 0], {flat}, [0, 0]], constant_values=float('-inf')), then {body}, padding='valid')",
            "Keras pads 'valid' or TensorFlow's 'same'; ZeroPadding is exact only for inputs >= 0 (after a ReLU)",
        )
    if include and extra == pads:
        return Advice(
            "keras",
            False,
            f"layers.ZeroPadding{nd}D({_keras_pad(pads)}), then {body}, padding='valid')",
            "zeros counted in the divisor, as in the source",
        )
    return Advice(
        "keras",
        False,
        f"{body}, padding='valid') on x and on a ones map, both zero-padded by {format_padding(extra)}: "
        "divide the first by the second" + (" (count the explicit padding as ones)" if include else ""),
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
    head = f"nn.ConvTranspose{nd}d({_channels(in_channels, out_channels)}kernel_size={k}, stride={s}"
    # F.pad with negative numbers crops: keep [pb, pb + o) of the full output (zeros for a > pe).
    crop = tuple((-b, a_x - e) for (b, e), a_x in zip(pads, a, strict=True))
    if all(b == e for b, e in pads):
        torch = Advice(
            "pytorch", True, f"{head}, padding={_one(tuple(b for b, _ in pads))}, output_padding={_one(a)}{dil})"
        )
    else:
        torch = Advice(
            "pytorch",
            False,
            f"{head}, padding=0{dil}), then nn.ZeroPad{nd}d({_torch_pad(crop)})",
            "PyTorch crops both sides alike: crop the full output (negative padding crops)"
            + (" (output_padding cells: pad with the bias)" if any(a) else ""),
        )
    body = f"layers.Conv{nd}DTranspose({out_channels if out_channels is not None else 'filters'}, {k}, strides={s}"
    for word in ("valid", "same"):
        try:
            kp, ka = keras_transpose_padding(lay.input_size, lay.kernel_size, lay.stride, lay.dilation, word, None)
        except LayerError:
            continue
        if kp == pads and ka == a:
            return torch, Advice("keras", True, f"{body}, padding='{word}')")
    keras = Advice(
        "keras",
        False,
        f"{body}, padding='valid'), then layers.Cropping{nd}D({_keras_pad(pads)})",
        "Keras' 'same' crops differently: crop the full output",
    )
    return torch, keras
