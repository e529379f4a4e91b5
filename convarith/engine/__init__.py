"""The pure-NumPy reference engine: convolution, padding, pooling, transposed convolution, the matrix view.

Shapes are ``(N, C, *spatial)`` as in PyTorch and ONNX, or unbatched ``(C, *spatial)``.
"""

from convarith.engine.convolution import (
    MAX_TEMPORARY_BYTES,
    PADDING_MODES,
    avg_pool,
    conv,
    global_avg_pool,
    global_max_pool,
    lp_pool,
    max_pool,
    pad,
)
from convarith.engine.matrix import MAX_MATRIX_BYTES, conv_matrix
from convarith.engine.symmetric import SymmetricGroup, symmetric_groups, symmetric_pad
from convarith.engine.transpose import TransposeConstruction, conv_transpose, conv_transpose_construction

__all__ = [
    "conv",
    "pad",
    "max_pool",
    "avg_pool",
    "lp_pool",
    "global_avg_pool",
    "global_max_pool",
    "conv_transpose",
    "conv_transpose_construction",
    "TransposeConstruction",
    "conv_matrix",
    "symmetric_pad",
    "symmetric_groups",
    "SymmetricGroup",
    "PADDING_MODES",
    "MAX_TEMPORARY_BYTES",
    "MAX_MATRIX_BYTES",
]
