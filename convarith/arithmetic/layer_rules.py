"""The rules :func:`~convarith.arithmetic.layer.layer` checks, and the output size along one axis.

The checks of a layer's switches, its padding resolved per axis, and the rules per axis (output
padding, pooling padding, a non-empty output), in the order :func:`~convarith.arithmetic.layer.layer`
applies them, so every message names the parameter, the rule and the numbers.
"""

from __future__ import annotations

from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.padding import needs_input_size, padding_rule, resolve_padding, transpose_padding
from convarith.arithmetic.text import format_padding
from convarith.arithmetic.validate import LayerError, axis_label, check_bool, check_minimum, per_axis_padding, shown
from convarith.typing import PaddingLike, PadPair

__all__ = ["axis_output", "check_axes", "check_switches", "layer_padding"]

_Sizes = tuple[int, ...]
_Pads = tuple[PadPair, ...]
_Switches = tuple[bool, int, str, str]


def _dilated(k: int, d: int) -> str:
    return f"{k}" if d == 1 else f"{k} (dilated: {d}*({k} - 1) + 1 = {effective_kernel_size(k, d)})"


def _pool_size(i: int, k: int, s: int, pad: PadPair, d: int, ceil_mode: bool, convention: str) -> int:
    """PyTorch/ONNX pooling (no window may start in the right padding), or Caffe's rule."""
    pb, pe = pad
    o = (i + pb + pe - effective_kernel_size(k, d) + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= i + pb and (convention != "caffe" or pb > 0):
        o -= 1
    return o


def axis_output(
    op: str, i: int, k: int, s: int, pad: PadPair, d: int, a: int, ceil_mode: bool, pool_convention: str
) -> int:
    """Output size along one axis (the formulas of :func:`convarith.arithmetic.layer.layer`)."""
    if op == "conv_transpose":
        return (i - 1) * s - pad[0] - pad[1] + effective_kernel_size(k, d) + a
    if op == "conv":
        return (i + pad[0] + pad[1] - effective_kernel_size(k, d)) // s + 1
    return _pool_size(i, k, s, pad, d, ceil_mode, pool_convention)


def _check_pool_padding(k: int, pad: PadPair, convention: str, where: str) -> None:
    pb, pe = pad
    if convention == "pytorch" and max(pb, pe) > k // 2:
        # PyTorch compares with the undilated kernel size (checked against torch 2.13).
        raise LayerError(
            f"`padding` {max(pb, pe)} is more than half the kernel size {k} ({k} // 2 = {k // 2}){where}: "
            "PyTorch pooling requires padding <= kernel_size // 2"
        )
    if convention == "caffe":
        if pb != pe:
            raise LayerError(f"`padding` {pad} is asymmetric{where}: Caffe pads both sides alike")
        if pb >= k:
            raise LayerError(f"`padding` {pb} must be smaller than `kernel_size` {k}{where} (Caffe)")


def check_switches(op: str, padding: PaddingLike | str, ceil_mode: bool, groups: int, convention: str) -> _Switches:
    """The switches of a layer, checked: ``(ceil_mode, groups, padding rule, convention)``."""
    ceil_mode = check_bool(ceil_mode, "ceil_mode")
    if ceil_mode and not op.endswith("_pool"):
        raise LayerError(f"`ceil_mode` applies to pooling only, not to {op!r}")
    groups = check_minimum(groups, "groups", 1)
    if groups != 1 and op not in ("conv", "conv_transpose"):
        raise LayerError(f"`groups` {groups} applies to convolutions only, not to {op!r}")
    rule, convention = padding_rule(padding, convention)
    if rule == "full" and op == "conv_transpose":
        raise LayerError(
            f"`padding` {shown(padding)}: a transposed convolution takes numbers, 'same' or 'valid' "
            "(it crops the output)"
        )
    return ceil_mode, groups, rule, convention


def layer_padding(
    op: str,
    padding: PaddingLike | str,
    rule: str,
    convention: str,
    i: _Sizes | None,
    k: _Sizes,
    s: _Sizes,
    d: _Sizes,
    a: _Sizes,
) -> tuple[_Pads | None, _Sizes]:
    """A layer's ``(pads, output_padding)``; ``pads`` is None when the rule needs the missing input size."""
    ndim = len(k)
    pads: _Pads | None
    if op == "conv_transpose" and rule != "explicit":
        # TensorFlow/Keras or ONNX: o = i*s for 'same'; an output_padding of 0 is Keras' None
        given = None if not any(a) and convention not in ("same_upper", "same_lower") else a
        pads, a = transpose_padding(k, s, d, rule, given, convention)
    elif i is None and rule == "same" and any(needs_input_size(convention, st) for st in s):
        pads = None
    elif rule == "explicit":
        pads = per_axis_padding(padding, ndim)
    else:
        pads = resolve_padding(padding, i, k, s, d, convention=convention)
        if len(pads) != ndim:
            raise LayerError(f"`padding` has {len(pads)} axes, the other sizes have {ndim}: {format_padding(pads)}")
    return pads, a


def check_axes(
    op: str,
    i: _Sizes | None,
    k: _Sizes,
    s: _Sizes,
    d: _Sizes,
    pads: _Pads | None,
    a: _Sizes,
    ceil: bool,
    pool_convention: str,
) -> None:
    """A layer's rules per axis: output padding, pooling padding, a non-empty output."""
    ndim = len(k)
    for x in range(ndim):
        where = axis_label(x, ndim)
        if op == "conv_transpose" and a[x] >= s[x] and a[x] >= d[x]:
            raise LayerError(
                f"`output_padding` {a[x]} must be smaller than `stride` {s[x]} or `dilation` {d[x]}{where} "
                "(PyTorch's rule)"
            )
        if pads is not None and op.endswith("_pool"):
            _check_pool_padding(k[x], pads[x], pool_convention, where)
        if i is None or pads is None:
            continue
        pb, pe = pads[x]
        o = axis_output(op, i[x], k[x], s[x], pads[x], d[x], a[x], ceil, pool_convention)
        if op == "conv_transpose" and o < 1:
            raise LayerError(
                f"`padding` {pb} + {pe} crops away the whole output{where}: "
                f"o = ({i[x]} - 1)*{s[x]} - {pb} - {pe} + {effective_kernel_size(k[x], d[x])} + {a[x]} = {o}"
            )
        if (op == "conv" and effective_kernel_size(k[x], d[x]) > i[x] + pb + pe) or o < 1:
            raise LayerError(
                f"`kernel_size` {_dilated(k[x], d[x])} is larger than the padded input "
                f"{i[x] + pb + pe} = {i[x]} + {pb} + {pe}{where}: no output"
            )
