"""The pure-NumPy engine: convolution, padding, pooling, transposed convolution, the matrix view.

Start with :mod:`convarith.engine.reference`: the loop versions of ``conv``, the pools and
``conv_transpose``, written like the formulas and documented as the definition. The functions
exported here compute the same numbers fast (blocked GEMMs, strided views, no Python loop over
output positions) and are tested against the reference.

Modules: :mod:`~convarith.engine.reference` (the definition), :mod:`~convarith.engine.convolution`
(``conv``), :mod:`~convarith.engine.padding` (``pad``, padding modes),
:mod:`~convarith.engine.pooling`, :mod:`~convarith.engine.transpose`,
:mod:`~convarith.engine.construction` (the guide's transposed convolution, step by step),
:mod:`~convarith.engine.matrix`, :mod:`~convarith.engine.symmetric`;
:mod:`~convarith.engine.dtypes` states the dtype policy of every function,
:mod:`~convarith.engine.exact` how integers stay exact, and :mod:`~convarith.engine.memory` the
memory bounds (temporaries, and :data:`MAX_RESULT_BYTES` for results).

Shapes are ``(N, C, *spatial)`` as in PyTorch and ONNX, unbatched ``(C, *spatial)``, or a plain
array ``(*spatial)``: one image with a plain kernel (``conv(img, k)``), a per-axis pooling size
(``max_pool(img, (2, 2))``) or padding (``pad(img, (1, 1))``), or ``ndim=x.ndim``; the result has
``x``'s rank.
"""

from convarith.engine.construction import TransposeConstruction, conv_transpose_construction
from convarith.engine.convolution import conv
from convarith.engine.matrix import MAX_MATRIX_BYTES, conv_matrix
from convarith.engine.memory import MAX_RESULT_BYTES, MAX_TEMPORARY_BYTES
from convarith.engine.padding import PADDING_MODES, pad
from convarith.engine.pooling import avg_pool, global_avg_pool, global_max_pool, lp_pool, max_pool
from convarith.engine.symmetric import SymmetricGroup, symmetric_groups, symmetric_pad
from convarith.engine.transpose import conv_transpose

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
    "MAX_RESULT_BYTES",
    "MAX_MATRIX_BYTES",
]
