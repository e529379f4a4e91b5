"""Convolution arithmetic in pure integers: one layer value, output sizes, padding, relationships, windows.

:func:`layer` parses and checks a layer's arguments once and returns a :class:`Layer`; the
formulas, :func:`geometry`, :func:`window_map` and everything else in convarith are computed from
it. :func:`resolve_padding` is the one place where 'same'/'valid'/'full' become pads, and
:mod:`convarith.arithmetic.text` the one place that formats sizes, pads and formulas. This
subpackage imports nothing from the rest of the package.
"""

from convarith.arithmetic.formulas import (
    TransposeEquivalent,
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    pool_output_size,
    transpose_equivalent,
)
from convarith.arithmetic.geometry import Geometry, geometry
from convarith.arithmetic.inverse import input_sizes_for_output, padding_for_output, recovering_output_padding
from convarith.arithmetic.layer import AxisGeometry, Layer, LayerError, layer
from convarith.arithmetic.padding import CONVENTIONS, resolve_padding, same_padding
from convarith.arithmetic.relationships import RELATIONSHIPS, Relationship, relationship
from convarith.arithmetic.text import format_padding, format_param, format_size
from convarith.arithmetic.windows import AxisWindows, Read, WindowMap, window_map

__all__ = [
    "layer",
    "Layer",
    "LayerError",
    "resolve_padding",
    "conv_output_size",
    "pool_output_size",
    "conv_transpose_output_size",
    "effective_kernel_size",
    "same_padding",
    "input_sizes_for_output",
    "padding_for_output",
    "recovering_output_padding",
    "transpose_equivalent",
    "TransposeEquivalent",
    "relationship",
    "Relationship",
    "RELATIONSHIPS",
    "CONVENTIONS",
    "format_size",
    "format_param",
    "format_padding",
    "geometry",
    "Geometry",
    "AxisGeometry",
    "window_map",
    "WindowMap",
    "AxisWindows",
    "Read",
]
