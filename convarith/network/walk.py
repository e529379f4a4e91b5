"""Walk a model's graph in execution order: sizes, receptive fields, warnings, porting, one row per layer."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import prod

from convarith.arithmetic.layer import Layer, LayerError, layer
from convarith.arithmetic.text import format_size
from convarith.network.checks import depthwise_without_mixing, layer_warnings
from convarith.network.fields import (
    AxisField,
    Field,
    aligned,
    input_field,
    merge,
    through_crop,
    through_layer,
    through_resize,
)
from convarith.network.graph import Node, execution_order
from convarith.network.porting import advise
from convarith.network.report import Pad, Report, Row

__all__ = ["walk", "whole"]


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
    framework), receptive fields from :mod:`convarith.network.fields`. A global pooling gives one
    cell whose field is the whole map before it (:func:`whole`); merges broadcast 1-cell inputs.
    A node's ``recorded`` size (what the file says) is compared with the computed one: a
    difference is a note; a node the reader did not understand (``assumed``) takes the recorded
    size, and the fields after it are not computed when that size differs from its input's.
    Such nodes are grouped in the notes by kind and assumption, and counted in ``Report.assumed``.

    Examples
    --------
    >>> x = Node("x", "input")
    >>> c = Node("c", "conv", ("x",), kernel_size=3, stride=2, padding=1, in_channels=3, out_channels=8)
    >>> walk([x, c], (8, 8)).layers[0].output_size
    (4, 4)
    """
    order = execution_order(nodes)
    state = _Walk(depthwise_without_mixing(order), input_size)
    for node in order:
        state.step(node)
    return Report(
        tuple(state.rows),
        source=source,
        input_size=next((state.sizes[n.name] for n in order if n.op == "input"), None),
        notes=(*state.notes, *_assumed_notes(state.assumed)),
        nodes=len(order),
        assumed=sum(len(names) for names in state.assumed.values()),
    )


_Size = tuple[int, ...]


class _Walk:
    """What the walk knows after each node: sizes, fields and padded margins by node, the rows and notes."""

    def __init__(self, unmixed: dict[str, str], input_size: _Size | None) -> None:
        self.unmixed = unmixed  # depthwise convolutions that nothing mixes, with their message
        self.input_size = input_size
        self.sizes: dict[str, _Size | None] = {}
        self.fields: dict[str, Field | None] = {}
        self.margins: dict[str, tuple[tuple[int, int], ...] | None] = {}  # cells of an earlier padding layer
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.assumed: dict[tuple[str, str], list[str]] = {}  # (kind, assumption) -> the nodes
        self.wide: set[str] = set()  # nodes whose field went through a global pooling or a flatten: the whole input

    def step(self, node: Node) -> None:
        """Walk one node (its inputs walked before): its output size and field, a row for a layer."""
        ins = [self.sizes[n] for n in node.inputs]
        size = ins[0] if ins else None
        field = self.fields[node.inputs[0]] if node.inputs else None
        if node.op == "input":
            declared = node.size if node.size is not None else self.input_size
            self.sizes[node.name] = declared
            self.fields[node.name] = None if declared is None else input_field(len(declared))
            return
        self.margins[node.name] = None
        if size is None and node.size is not None and node.op not in ("end", "global", "reshape", "merge"):
            size = node.size  # a shape the walk could not follow, given by the framework
        if node.op == "elementwise" and len(node.inputs) > 1:
            node = _as_merge(node, ins, self.notes)
        if any(n in self.wide for n in node.inputs) or node.op in ("global", "end"):
            self.wide.add(node.name)
        out, field = self._through(node, ins, size, field)
        out, field = _recorded(node, size, out, field, self.notes, self.assumed)
        self.sizes[node.name], self.fields[node.name] = out, field

    def _through(
        self, node: Node, ins: list[_Size | None], size: _Size | None, field: Field | None
    ) -> tuple[_Size | None, Field | None]:
        """A node's computed output size and field (before the size the file records is compared)."""
        if node.op == "merge":
            return _merged(node, ins, [self.fields[n] for n in node.inputs], self.notes, node.name in self.wide)
        if node.op == "reshape":
            if field is not None and size is not None and node.size != size:
                field = whole(field, size)  # positions rearranged: a unit reads at most everything
            return node.size, field
        if size is None:
            if node.is_layer:
                self.notes.append(
                    f"{node.name} ({node.source or node.op}): its input has no known spatial size: not a row"
                )
            return None, field
        if node.op in ("elementwise", "mix"):
            self.margins[node.name] = self.margins.get(node.inputs[0])
            return size, field
        if node.op in ("end", "global"):
            field = None if field is None else whole(field, size)
            return ((1,) * len(size) if node.op == "global" else None), field
        if node.op == "crop":
            assert node.crop is not None
            out = tuple(i - b - a for i, (b, a) in zip(size, node.crop, strict=True))
            return out, None if field is None else through_crop(field, node.crop)
        if node.op == "resize":
            return _resized(node, size, field)
        if node.is_layer:
            return self._layer(node, size, field)
        return None, field

    def _layer(self, node: Node, size: _Size, field: Field | None) -> tuple[_Size | None, Field | None]:
        """A layer's row; a constant padding layer adds its cells to the margins the next layers see."""
        row = _row(node, size, field, self.unmixed, self.margins.get(node.inputs[0]))
        if node.op == "pad" and node.pad_mode == "constant":
            before = self.margins.get(node.inputs[0]) or ((0, 0),) * len(size)
            self.margins[node.name] = tuple(
                (b + pb, a + pa) for (b, a), (pb, pa) in zip(before, row.padding, strict=True)
            )
        self.rows.append(row)
        return row.output_size, row.field


def _resized(node: Node, size: _Size, field: Field | None) -> tuple[_Size, Field | None]:
    """A resize by its scale (or to its size): the field is the input's, read at the new grid's jump."""
    if node.scale is not None:
        scale = node.scale
        out = tuple(int(i * f) for i, f in zip(size, scale, strict=True))
    elif node.size is None:  # computed at run time, no size recorded: size-keeping (the reader's note says so)
        return size, field
    else:
        out = node.size
        scale = tuple(Fraction(o, i) for o, i in zip(node.size, size, strict=True))
    return out, None if field is None else through_resize(field, scale, node.resize_mode)


def _assumed_notes(assumed: dict[tuple[str, str], list[str]]) -> list[str]:
    """One note per kind of node not understood and what was assumed for it, naming up to six nodes."""
    notes = []
    for (kind, what), names in assumed.items():
        listed = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
        count = "1 node" if len(names) == 1 else f"{len(names)} nodes"
        notes.append(f"not understood: {count} {kind} ({listed}): {what}")
    return notes


def whole(field: Field, size: tuple[int, ...]) -> Field:
    """The field of a unit that reads every cell of a map of ``size`` cells with field ``field``.

    Notes
    -----
    A global pooling is a pooling whose kernel is the whole map: ``r' = r + (i - 1)S``.

    Examples
    --------
    >>> from convarith.network.fields import input_field
    >>> whole(input_field(1), (7,))[0].size
    7
    """
    nd = len(size)
    return through_layer(field, "avg_pool", size, size, ((0, 0),) * nd, (1,) * nd)


def _merged(
    node: Node, ins: list[tuple[int, ...] | None], branch: list[Field | None], notes: list[str], wide: bool
) -> tuple[tuple[int, ...] | None, Field | None]:
    """A merge's size (inputs broadcast: 1 against n gives n) and the union of its inputs' fields."""
    known = [(s, f) for s, f in zip(ins, branch, strict=True) if s is not None]
    if not known:
        return None, None
    out = tuple(max(axis) for axis in zip(*(s for s, _ in known), strict=True))
    if any(any(v not in (1, o) for v, o in zip(s, out, strict=True)) for s, _ in known):
        notes.append(f"{node.name}: its inputs have spatial sizes {', '.join(str(s) for s, _ in known)}")
    if any(f is None for _, f in known):
        return out, None
    main = next((f for s, f in known if s == out), known[0][1])
    assert main is not None
    parts: list[Field] = []
    for s, f in known:
        assert f is not None
        # a broadcast input (size 1) is read by every output unit: its interval, at the grid's jump
        parts.append(
            tuple(
                AxisField(m.jump, a.lo, a.hi) if v == 1 and o > 1 else a
                for a, m, v, o in zip(f, main, s, out, strict=True)
            )
        )
    if len(parts) > 1 and not wide and not aligned(parts):
        notes.append(f"{node.name}: the merged branches' fields are not centred alike (Araujo's alignment)")
    return out, merge(parts)


def _recorded(
    node: Node,
    size: tuple[int, ...] | None,
    out: tuple[int, ...] | None,
    field: Field | None,
    notes: list[str],
    assumed: dict[tuple[str, str], list[str]],
) -> tuple[tuple[int, ...] | None, Field | None]:
    """Reconcile a node's computed output size with the size the file records for it."""
    recorded = None if node.recorded is None else (node.recorded or None)
    shown = "no spatial axes" if recorded is None else format_size(recorded)
    if node.assumed:
        if node.recorded is None:
            what = f"{node.assumed} (the file records no shape)"
        elif recorded == out:
            what = f"{node.assumed}, as the file's recorded shapes say"
        else:
            what = "took the file's recorded output size" + (
                "; receptive fields after it are not computed" if out is not None and recorded is not None else ""
            )
            notes.append(f"{node.name} ({node.source}): computed {_shown(out)}, the file records {shown}")
            if out is not None and recorded is not None:
                field = None
            out = recorded
        assumed.setdefault((node.source or node.op, what), []).append(node.name)
    elif node.op == "mix" and node.recorded == ():
        out = None  # a dense layer on a flattened map (the reshape before it is not a node)
    elif node.recorded is not None and recorded != out and not _vector(out, recorded):
        notes.append(f"{node.name} ({node.source or node.op}): computed {_shown(out)}, the file records {shown}")
    return out, field


def _vector(out: tuple[int, ...] | None, recorded: tuple[int, ...] | None) -> bool:
    """A 1-cell map and a tensor without spatial axes are the same values (global pooling with or without keepdims)."""
    return (recorded is None and (out is None or set(out) == {1})) or (out is None and set(recorded or (0,)) == {1})


def _shown(size: tuple[int, ...] | None) -> str:
    return "no spatial axes" if size is None else format_size(size)


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
    try:
        if node.op == "pad":
            lay, pad = None, Pad(size, tuple(node.padding))
            arithmetic: Layer | Pad = pad
        else:
            lay, pad = _layer_of(node, size), None
            arithmetic = lay
        pads, out = arithmetic.padding, arithmetic.output_size
        assert pads is not None and out is not None
    except LayerError as error:
        raise LayerError(f"layer {node.name!r} ({node.source or node.op}) on input {size}: {error}") from error
    new_field = (
        None
        if field is None
        else through_layer(field, node.op, arithmetic.kernel_size, arithmetic.stride, pads, arithmetic.dilation)
    )
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
        receptive_field=tuple(f.size for f in new_field) if new_field else None,
        jump=tuple(_plain(f.jump) for f in new_field) if new_field else None,
        centre=tuple(f.centre for f in new_field) if new_field else None,
        warnings=tuple(code for code, _ in found),
        messages=tuple(f"{code}: {text}" for code, text in found),
        in_channels=node.in_channels,
        out_channels=node.out_channels,
        parameters=params,
        multiply_adds=macs,
        source=node.source,
        framework=node.framework,
        inputs=node.inputs,
        porting=porting,
        layer=lay,
        pad=pad,
        field=new_field,
    )


def _plain(value: Fraction) -> int | Fraction:
    return int(value) if value.denominator == 1 else value
