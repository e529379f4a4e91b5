"""Convolution arithmetic in pure integers: output sizes, padding conventions, relationships, windows.

Everything else in convarith is computed from what this subpackage returns; it imports nothing
from the rest of the package.
"""

from convarith.arithmetic.formulas import (
    CONVENTIONS,
    RELATIONSHIPS,
    Relationship,
    TransposeEquivalent,
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    input_sizes_for_output,
    padding_for_output,
    pool_output_size,
    recovering_output_padding,
    relationship,
    same_padding,
    transpose_equivalent,
)
from convarith.arithmetic.geometry import AxisGeometry, Geometry, geometry
from convarith.arithmetic.windows import AxisWindows, Read, WindowMap, window_map

__all__ = [
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
    "geometry",
    "Geometry",
    "AxisGeometry",
    "window_map",
    "WindowMap",
    "AxisWindows",
    "Read",
]
