"""The report of :func:`convarith.inspect`: one row per layer, and its renderings.

A :class:`Row` is one convolution, transposed convolution, pooling or padding layer of the model
with its arithmetic (sizes, resolved padding, the formula with numbers, the layer value), its
receptive field, warnings and porting advice. A :class:`Report` holds the rows in execution order
and renders them as a text table (``str``), Markdown, HTML (notebooks), JSON and a figure.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from convarith.arithmetic.layer import Layer
from convarith.arithmetic.text import format_padding, format_param, format_size, pad_formula
from convarith.network.fields import Field
from convarith.network.porting import Advice
from convarith.typing import PadPair

__all__ = ["Pad", "Report", "Row"]

Number = int | Fraction


@dataclass(frozen=True)
class Pad:
    """An explicit padding layer's arithmetic: ``o = i + before + after`` on each axis.

    A padding layer has no :class:`~convarith.arithmetic.layer.Layer` value; this is what a
    :class:`Row` reads for it instead (a window of 1 at stride 1, explicit padding).

    Attributes
    ----------
    input_size : tuple of int
    padding : tuple of (before, after)
        Per axis.

    Examples
    --------
    >>> pad = Pad((5, 4), ((1, 2), (0, 0)))
    >>> pad.output_size, pad.formulas()
    ((8, 4), ('o = 5 + 1 + 2 = 8', 'o = 4 + 0 + 0 = 4'))
    """

    input_size: tuple[int, ...]
    padding: tuple[PadPair, ...]

    op = "pad"
    groups = 1
    padding_rule = "explicit"
    convention = "tensorflow"

    @property
    def output_size(self) -> tuple[int, ...]:
        """``i + before + after`` per axis."""
        return tuple(i + b + a for i, (b, a) in zip(self.input_size, self.padding, strict=True))

    @property
    def kernel_size(self) -> tuple[int, ...]:
        """1 per axis: every output cell is one input cell (or a padded one)."""
        return (1,) * len(self.input_size)

    stride = dilation = kernel_size

    def formulas(self) -> tuple[str, ...]:
        """The output size of each axis with its numbers."""
        return tuple(
            pad_formula(i, pads, o) for i, pads, o in zip(self.input_size, self.padding, self.output_size, strict=True)
        )


@dataclass(frozen=True, repr=False)
class Row:
    """One layer of the model, with its arithmetic, receptive field, warnings and porting advice.

    A row stores its :class:`~convarith.arithmetic.layer.Layer` (or, for a padding layer, its
    :class:`Pad`) and only the network facts that are not in it; the layer's own values (``op``,
    sizes, padding, kernel, stride, dilation, groups, padding rule, convention, formula) are
    properties that read it.

    Attributes
    ----------
    name : str
        The framework's layer or node name.
    op : {'conv', 'conv_transpose', 'max_pool', 'avg_pool', 'lp_pool', 'pad'}
    input_size, output_size : tuple of int
        Spatial sizes, per axis.
    padding : tuple of (before, after)
        Resolved, per axis.
    receptive_field, jump : tuple or None
        Per axis, in input pixels: the largest input span any one output unit reads (``r``, an
        integer) and the distance between neighbouring units (``S``, a fraction after an
        upsampling); None when the network's input size is unknown. ``field[axis].spans`` lists
        every span (``3 or 4`` after a transposed convolution).
    centre : tuple of float or None
        Input coordinate of the centre of output unit 0's field, per axis.
    warnings : tuple of str
        Warning codes (see :data:`convarith.network.WARNING_CODES`).
    messages : tuple of str
        The warnings with their numbers.
    kernel_size, stride, dilation : tuple of int
    groups : int
    padding_rule, convention : str
        Where the padding came from (``'explicit'``, ``'valid'``, ``'same'``) and the 'same' split.
    formula : tuple of str
        The output-size formula of each axis with the numbers substituted.
    in_channels, out_channels, parameters, multiply_adds : int or None
        Multiply-adds count one per weight tap per output (convolutions only).
    source, framework : str
        The framework's class or operator, and the framework.
    inputs : tuple of str
        The nodes this layer reads.
    porting : tuple of Advice
        How to write the layer in PyTorch and in Keras.
    layer : Layer or None
        The layer value, with its input size (None for padding layers).
    pad : Pad or None
        A padding layer's arithmetic (None for the other layers).
    """

    name: str
    receptive_field: tuple[Number, ...] | None
    jump: tuple[Number, ...] | None
    centre: tuple[float, ...] | None
    warnings: tuple[str, ...]
    messages: tuple[str, ...]
    in_channels: int | None
    out_channels: int | None
    parameters: int | None
    multiply_adds: int | None
    source: str = ""
    framework: str = ""
    inputs: tuple[str, ...] = ()
    porting: tuple[Advice, ...] = ()
    layer: Layer | None = field(default=None, repr=False)
    pad: Pad | None = field(default=None, repr=False)
    field: Field | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if (self.layer is None) == (self.pad is None):
            raise TypeError("a Row needs exactly one of `layer` (a sized Layer) and `pad` (a Pad)")
        if self.layer is not None and (self.layer.input_size is None or self.layer.padding is None):
            raise TypeError(f"a Row's `layer` must have an input size, got {self.layer!r}")

    @property
    def _arithmetic(self) -> Layer | Pad:
        if self.layer is not None:
            return self.layer
        assert self.pad is not None  # checked in __post_init__
        return self.pad

    @property
    def op(self) -> str:
        """The layer's operation (``'pad'`` for a padding layer)."""
        return self._arithmetic.op

    @property
    def input_size(self) -> tuple[int, ...]:
        """The spatial input size, per axis."""
        size = self._arithmetic.input_size
        assert size is not None  # checked in __post_init__
        return size

    @property
    def output_size(self) -> tuple[int, ...]:
        """The spatial output size, per axis."""
        size = self._arithmetic.output_size
        assert size is not None  # the layer has an input size
        return size

    @property
    def padding(self) -> tuple[PadPair, ...]:
        """The resolved padding, ``(before, after)`` per axis."""
        pads = self._arithmetic.padding
        assert pads is not None  # checked in __post_init__
        return pads

    @property
    def kernel_size(self) -> tuple[int, ...]:
        """The window, per axis (1 for a padding layer)."""
        return self._arithmetic.kernel_size

    @property
    def stride(self) -> tuple[int, ...]:
        """The stride, per axis (1 for a padding layer)."""
        return self._arithmetic.stride

    @property
    def dilation(self) -> tuple[int, ...]:
        """The dilation, per axis (1 for a padding layer)."""
        return self._arithmetic.dilation

    @property
    def groups(self) -> int:
        """The layer's groups (1 for a padding layer)."""
        return self._arithmetic.groups

    @property
    def padding_rule(self) -> str:
        """Where the padding came from: ``'explicit'``, ``'valid'`` or ``'same'``."""
        return self._arithmetic.padding_rule

    @property
    def convention(self) -> str:
        """How 'same' padding is split."""
        return self._arithmetic.convention

    @property
    def formula(self) -> tuple[str, ...]:
        """The output-size formula of each axis with the numbers substituted."""
        return tuple(self._arithmetic.formulas())

    def __repr__(self) -> str:
        return f"Row({', '.join(f'{name}={getattr(self, name)!r}' for name in _SHOWN)})"

    def advice(self, target: str) -> Advice:
        """The porting advice for ``'pytorch'`` or ``'keras'``."""
        for item in self.porting:
            if item.target == target:
                return item
        raise ValueError(f"`target` must be 'pytorch' or 'keras', got {target!r}")

    def to_dict(self) -> dict[str, Any]:
        """The row as plain JSON values (fractions as strings such as ``'1/2'``)."""
        return {
            "name": self.name,
            "op": self.op,
            "source": self.source,
            "inputs": list(self.inputs),
            "input_size": list(self.input_size),
            "output_size": list(self.output_size),
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
            "dilation": list(self.dilation),
            "groups": self.groups,
            "padding": [list(p) for p in self.padding],
            "padding_rule": self.padding_rule,
            "convention": self.convention,
            "formula": list(self.formula),
            "receptive_field": None
            if self.receptive_field is None
            else [_json_number(v) for v in self.receptive_field],
            "jump": None if self.jump is None else [_json_number(v) for v in self.jump],
            "centre": None if self.centre is None else list(self.centre),
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "parameters": self.parameters,
            "multiply_adds": self.multiply_adds,
            "warnings": list(self.warnings),
            "messages": list(self.messages),
            "porting": {a.target: {"native": a.native, "code": a.code, "note": a.note} for a in self.porting},
        }


_SHOWN = (
    "name",
    "op",
    "input_size",
    "output_size",
    "padding",
    "receptive_field",
    "jump",
    "centre",
    "warnings",
    "messages",
    "kernel_size",
    "stride",
    "dilation",
    "groups",
    "padding_rule",
    "convention",
    "formula",
    "in_channels",
    "out_channels",
    "parameters",
    "multiply_adds",
    "source",
    "framework",
    "inputs",
    "porting",
)
"""What ``repr(row)`` shows, in this order."""


def _json_number(value: Number) -> int | str:
    return value if isinstance(value, int) else str(value)


def _show(values: tuple[Number, ...] | None) -> str:
    if values is None:
        return "?"
    return format_param(values)  # a Fraction prints as '3/2', as an int would


def _show_field(row: Row) -> str:
    """The receptive field; ``3 or 4`` where output cells read different spans (transposed convolutions)."""
    if row.field is None or all(len(f.spans) == 1 for f in row.field):
        return _show(row.receptive_field)
    axes = [" or ".join(map(str, f.spans)) for f in row.field]
    return axes[0] if len(set(axes)) == 1 else "(" + ", ".join(axes) + ")"


def _dilation(values: tuple[int, ...]) -> str:
    return "" if set(values) == {1} else f" d{format_param(values)}"


_COLUMNS = ("#", "name", "op", "kernel", "stride", "padding", "input", "output", "RF", "jump", "warnings")


@dataclass(frozen=True)
class Report:
    """Every convolution, pooling and padding layer of a model, in execution order.

    Attributes
    ----------
    layers : tuple of Row
    source : str
        What was inspected.
    input_size : tuple of int or None
        The network's spatial input size.
    notes : tuple of str
        Remarks on the graph: merges of misaligned branches, nodes the reader did not understand
        and what was assumed for them, sizes the file records that differ from the computed ones.
    nodes : int or None
        How many nodes of the model were read (None for layer values).
    assumed : int
        How many of them the reader did not understand (named in ``notes``).

    Notes
    -----
    ``str(report)`` is a text table; :meth:`to_markdown`, ``_repr_html_`` (notebooks),
    :meth:`to_json` and :meth:`plot` render the same rows.
    """

    layers: tuple[Row, ...]
    source: str = ""
    input_size: tuple[int, ...] | None = None
    notes: tuple[str, ...] = ()
    nodes: int | None = None
    assumed: int = 0

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, key: int | str) -> Row:
        if isinstance(key, str):
            for row in self.layers:
                if row.name == key:
                    return row
            raise KeyError(key)
        return self.layers[key]

    @property
    def parameters(self) -> int:
        """Total parameters of the convolutions (weights and biases)."""
        return sum(r.parameters or 0 for r in self.layers)

    @property
    def multiply_adds(self) -> int:
        """Total multiply-adds of the convolutions."""
        return sum(r.multiply_adds or 0 for r in self.layers)

    @property
    def warnings(self) -> dict[str, tuple[str, ...]]:
        """Warning code -> names of the layers that raise it."""
        out: dict[str, list[str]] = {}
        for row in self.layers:
            for code in row.warnings:
                out.setdefault(code, []).append(row.name)
        return {code: tuple(names) for code, names in out.items()}

    def porting(self, target: str) -> tuple[Row, ...]:
        """The layers whose padding ``target`` (``'pytorch'`` or ``'keras'``) cannot say natively."""
        return tuple(r for r in self.layers if not r.advice(target).native)

    def _cells(self) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        for n, r in enumerate(self.layers):
            rows.append(
                (
                    str(n),
                    r.name,
                    r.op,
                    "-" if r.op == "pad" else format_param(r.kernel_size) + _dilation(r.dilation),
                    "-" if r.op == "pad" else format_param(r.stride),
                    format_padding(r.padding) + (" same" if r.padding_rule == "same" else ""),
                    format_size(r.input_size),
                    format_size(r.output_size),
                    _show_field(r),
                    _show(r.jump),
                    ", ".join(r.warnings),
                )
            )
        return rows

    def _summary(self) -> str:
        size = "?" if self.input_size is None else format_size(self.input_size)
        text = f"{self.source}: {len(self.layers)} layers, input {size}"
        if self.multiply_adds:
            text += f", {self.parameters:,} conv parameters, {self.multiply_adds:,} multiply-adds"
        if self.nodes is not None:
            text += f"; {self.nodes} nodes read, {self.assumed} assumed"
        return text

    def _targets(self) -> tuple[str, ...]:
        frameworks = {r.framework for r in self.layers}
        return tuple(t for t in ("pytorch", "keras") if frameworks - {t})

    def _details(self) -> list[str]:
        lines = []
        for code, names in self.warnings.items():
            lines.append(f"{code} ({len(names)}): {', '.join(names[:6])}{', ...' if len(names) > 6 else ''}")
        for target in self._targets():
            rows = self.porting(target)
            if rows:
                title = "PyTorch" if target == "pytorch" else "Keras"
                count = f"{len(rows)} layer needs" if len(rows) == 1 else f"{len(rows)} layers need"
                lines.append(f"porting to {title}: {count} more than the layer's own arguments")
                lines += [f"  {r.name}: {r.advice(target).code}" for r in rows]
        lines += self.notes
        return lines

    def __str__(self) -> str:
        cells = [_COLUMNS, *self._cells()]
        widths = [max(len(line[c]) for line in cells) for c in range(len(_COLUMNS))]
        lines = [self._summary()]
        for line in cells:
            lines.append("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
        return "\n".join(lines + self._details())

    def __repr__(self) -> str:
        return str(self)

    def to_markdown(self) -> str:
        """The table as GitHub Markdown, followed by the warnings and the porting advice."""
        lines = [f"**{self._summary()}**", "", "| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
        for line in self._cells():
            lines.append("| " + " | ".join(v.replace("|", "\\|") if v else " " for v in line) + " |")
        details = self._details()
        if details:
            lines.append("")
            lines += [f"- {line.strip()}" if not line.startswith("  ") else f"  - `{line.strip()}`" for line in details]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in _COLUMNS)
        body = []
        for row, line in zip(self.layers, self._cells(), strict=True):
            title = html.escape("\n".join(row.formula + row.messages))
            style = ' style="background:#fff3cd"' if row.warnings else ""
            cells = "".join(f"<td>{html.escape(v)}</td>" for v in line)
            body.append(f'<tr title="{title}"{style}>{cells}</tr>')
        details = "".join(f"<li>{html.escape(line)}</li>" for line in self._details())
        return (
            f"<div><p><b>{html.escape(self._summary())}</b></p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>" + (f"<ul>{details}</ul>" if details else "") + "</div>"
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON values."""
        return {
            "source": self.source,
            "input_size": None if self.input_size is None else list(self.input_size),
            "parameters": self.parameters,
            "multiply_adds": self.multiply_adds,
            "layers": [r.to_dict() for r in self.layers],
            "warnings": {code: list(names) for code, names in self.warnings.items()},
            "notes": list(self.notes),
            "nodes": self.nodes,
            "assumed": self.assumed,
        }

    def to_json(self, indent: int | None = 1) -> str:
        """The report as JSON text (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def plot(self, axis: int = 0, ax: Any = None) -> Any:
        """A figure of receptive field and resolution per layer (matplotlib).

        Parameters
        ----------
        axis : int
            The spatial axis to draw.
        ax : matplotlib Axes, optional
            Where to draw; a new figure otherwise.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from convarith.network.plot import plot_report

        return plot_report(self, axis=axis, ax=ax)
