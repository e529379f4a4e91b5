"""Walk a model's graph in execution order: sizes, receptive fields, warnings, porting, one row per layer."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import prod

from convarith.arithmetic.layer import Layer, LayerError, layer
from convarith.network.checks import depthwise_without_mixing, layer_warnings
from convarith.network.fields import Field, aligned, input_field, merge, through_crop, through_layer, through_resize
from convarith.network.graph import Node, execution_order
from convarith.network.porting import advise
from convarith.network.report import Report, Row

__all__ = ["walk"]


def _layer_of(node: Node, size: tuple[int, ...]) -> Layer:
    ndim = len(size)
    if node.op == "conv_transpose":
        if node.resolve_transpose is not None:
            pads, extra = node.resolve_transpose(size)
        else:
            pads, extra = node.padding, node.output_padding
        return layer(
            "conv_transpose",
            size,
            node.kernel_size,
            node.stride,
            pads,
            node.dilation,
            output_padding=extra,
            groups=node.groups,
        )
    kernel = node.kernel_size if node.kernel_size is not None else (1,) * ndim
    return layer(
        node.op,
        size,
        kernel,
        node.stride,
        node.padding,
        node.dilation,
        ceil_mode=node.ceil_mode,
        groups=node.groups,
        convention=node.convention,
        pool_convention=node.pool_convention,
    )


def _counts(node: Node, lay: Layer, size: tuple[int, ...], out: tuple[int, ...]) -> tuple[int | None, int | None]:
    """Parameters and multiply-adds of a convolution (None for pooling and padding)."""
    cin, cout = node.in_channels, node.out_channels
    if node.op not in ("conv", "conv_transpose") or cin is None or cout is None:
        return None, None
    taps = prod(lay.kernel_size)
    if node.op == "conv":
        weights = cout * (cin // node.groups) * taps
        macs = prod(out) * weights
    else:
        weights = cin * (cout // node.groups) * taps
        macs = prod(size) * weights
    return weights + (cout if node.bias else 0), macs


def walk(nodes: Sequence[Node], input_size: tuple[int, ...] | None, *, source: str = "layers") -> Report:
    """Follow every path of a graph from its input: one report row per layer node.

    Parameters
    ----------
    nodes : sequence of Node
        Any order; walked in execution order.
    input_size : tuple of int or None
        The input's spatial size (for graphs whose input node does not declare one).
    source : str
        What the model was (for the report's header).

    Returns
    -------
    Report

    Notes
    -----
    Sizes come from :func:`convarith.arithmetic.layer.layer` for every layer (never from the
    framework), receptive fields from :mod:`convarith.network.fields`.

    Examples
    --------
    >>> x = Node("x", "input")
    >>> c = Node("c", "conv", ("x",), kernel_size=3, stride=2, padding=1, in_channels=3, out_channels=8)
    >>> walk([x, c], (8, 8)).layers[0].output_size
    (4, 4)
    """
    order = execution_order(nodes)
    sizes: dict[str, tuple[int, ...] | None] = {}
    fields: dict[str, Field | None] = {}
    rows: list[Row] = []
    margins: dict[str, tuple[tuple[int, int], ...] | None] = {}
    unmixed = depthwise_without_mixing(order)
    notes: list[str] = []
    for node in order:
        ins = [sizes[n] for n in node.inputs]
        size = ins[0] if ins else None
        field = fields[node.inputs[0]] if node.inputs else None
        if node.op == "input":
            declared = node.size if node.size is not None else input_size
            sizes[node.name] = declared
            fields[node.name] = None if declared is None else input_field(len(declared))
            continue
        if size is None and node.size is not None and node.op != "end":
            size = node.size  # a shape the walk could not follow, given by the framework
        if size is None or node.op == "end":
            sizes[node.name], fields[node.name] = None, None
            continue
        margins[node.name] = None
        if node.op == "elementwise" and len(node.inputs) > 1:
            node = _as_merge(node, ins, notes)
        if node.op in ("elementwise", "mix"):
            sizes[node.name], fields[node.name] = size, field
            margins[node.name] = margins.get(node.inputs[0])
        elif node.op == "merge":
            known = [s for s in ins if s is not None]
            if len({s for s in known}) > 1:
                notes.append(f"{node.name}: its inputs have spatial sizes {', '.join(map(str, known))}")
            branch_fields = [fields[n] for n in node.inputs if fields[n] is not None]
            sizes[node.name] = size
            fields[node.name] = merge(branch_fields) if branch_fields else None  # type: ignore[arg-type]
            if len(branch_fields) > 1 and not aligned(branch_fields):  # type: ignore[arg-type]
                notes.append(f"{node.name}: the merged branches' fields are not centred alike (Araujo's alignment)")
        elif node.op == "crop":
            assert node.crop is not None
            sizes[node.name] = tuple(i - b - a for i, (b, a) in zip(size, node.crop, strict=True))
            fields[node.name] = None if field is None else through_crop(field, node.crop)
        elif node.op == "resize":
            if node.scale is not None:
                scale = node.scale
                sizes[node.name] = tuple(int(i * f) for i, f in zip(size, scale, strict=True))
            else:
                assert node.size is not None
                sizes[node.name] = node.size
                scale = tuple(Fraction(o, i) for o, i in zip(node.size, size, strict=True))
            fields[node.name] = None if field is None else through_resize(field, scale, node.resize_mode)
        elif node.is_layer:
            row = _row(node, size, field, unmixed, margins.get(node.inputs[0]))
            if node.op == "pad" and node.pad_mode == "constant":
                before = margins.get(node.inputs[0]) or ((0, 0),) * len(size)
                margins[node.name] = tuple(
                    (b + pb, a + pa) for (b, a), (pb, pa) in zip(before, row.padding, strict=True)
                )
            rows.append(row)
            sizes[node.name] = row.output_size
            fields[node.name] = row.field
        else:
            sizes[node.name], fields[node.name] = None, None
    return Report(
        tuple(rows),
        source=source,
        input_size=next((sizes[n.name] for n in order if n.op == "input"), None),
        notes=tuple(notes),
    )


def _as_merge(node: Node, ins: list[tuple[int, ...] | None], notes: list[str]) -> Node:
    """A layer of unknown kind with several inputs: an element-wise merge when they have one size."""
    from dataclasses import replace

    sized = [s for s in ins if s is not None]
    if len(set(sized)) == 1:
        notes.append(
            f"{node.name} ({node.source or 'unknown'}): {len(node.inputs)} inputs of size "
            f"{'×'.join(map(str, sized[0]))}, taken as element-wise (field: the union of its inputs')"
        )
        return replace(node, op="merge")
    notes.append(
        f"{node.name} ({node.source or 'unknown'}): inputs of sizes {', '.join(map(str, sized))}; "
        "its output follows the first input's size and field"
    )
    return node


def _row(
    node: Node,
    size: tuple[int, ...],
    field: Field | None,
    unmixed: dict[str, str],
    margin: tuple[tuple[int, int], ...] | None,
) -> Row:
    ndim = len(size)
    try:
        if node.op == "pad":
            pads = tuple(node.padding)
            lay = None
            out = tuple(i + b + a for i, (b, a) in zip(size, pads, strict=True))
            formulas = [f"o = {i} + {b} + {a} = {o}" for i, (b, a), o in zip(size, pads, out, strict=True)]
        else:
            lay = _layer_of(node, size)
            assert lay.padding is not None and lay.output_size is not None
            pads, out, formulas = lay.padding, lay.output_size, lay.formulas()
    except LayerError as error:
        raise LayerError(f"layer {node.name!r} ({node.source or node.op}) on input {size}: {error}") from error
    kernel = (1,) * ndim if lay is None else lay.kernel_size
    stride = (1,) * ndim if lay is None else lay.stride
    dilation = (1,) * ndim if lay is None else lay.dilation
    new_field = None if field is None else through_layer(field, node.op, kernel, stride, pads, dilation)
    found = [] if lay is None else layer_warnings(lay, margin)
    if node.name in unmixed:
        found.append(("depthwise-no-pointwise", unmixed[node.name]))
    params, macs = (None, None) if lay is None else _counts(node, lay, size, out)
    porting = advise(
        lay,
        node.op,
        pads,
        node.in_channels,
        node.out_channels,
        node.count_include_pad,
        node.pad_mode,
        node.extra.get("norm_type"),
    )
    return Row(
        name=node.name,
        op=node.op,
        input_size=size,
        output_size=out,
        padding=pads,
        receptive_field=tuple(f.size for f in new_field) if new_field else None,
        jump=tuple(_plain(f.jump) for f in new_field) if new_field else None,
        centre=tuple(f.centre for f in new_field) if new_field else None,
        warnings=tuple(code for code, _ in found),
        messages=tuple(f"{code}: {text}" for code, text in found),
        kernel_size=kernel,
        stride=stride,
        dilation=dilation,
        groups=node.groups,
        padding_rule="explicit" if lay is None else lay.padding_rule,
        convention=node.convention if lay is None else lay.convention,
        formula=tuple(formulas),
        in_channels=node.in_channels,
        out_channels=node.out_channels,
        parameters=params,
        multiply_adds=macs,
        source=node.source,
        framework=node.framework,
        inputs=node.inputs,
        porting=porting,
        layer=lay,
        field=new_field,
    )


def _plain(value: Fraction) -> int | Fraction:
    return int(value) if value.denominator == 1 else value
