"""convarith: convolution arithmetic you can check.

Exact output-size formulas, a pure-NumPy reference engine and slide animations, all drawn from
one source of truth. The package follows the data, one subpackage per stage:

- :mod:`convarith.arithmetic`: output sizes, padding conventions, relationships, windows;
- :mod:`convarith.engine`: convolution, padding, pooling, transposed convolution, the matrix view;
- :mod:`convarith.studies`: the even-kernel shift, receptive fields, framework translation;
- :mod:`convarith.anim`: scenes, rendering, export, the gallery;
- :mod:`convarith.network`: a real model's layers (Keras, ONNX, PyTorch), inspected;
- :mod:`convarith.classroom`: seeded exercises answered by the package, worksheets, real images;
- :mod:`convarith.widgets` (ipywidgets) and :mod:`convarith.cli`.

The root holds the names a newcomer meets first; everything else lives in its subpackage.
"""

from convarith import anim, arithmetic, classroom, engine, network, studies
from convarith.anim import conv_scene, render_gallery, save
from convarith.arithmetic import (
    conv_output_size,
    conv_transpose_output_size,
    geometry,
    input_sizes_for_output,
    padding_for_output,
    pool_output_size,
    same_padding,
    window_map,
)
from convarith.engine import (
    avg_pool,
    conv,
    conv_matrix,
    conv_transpose,
    conv_transpose_construction,
    global_avg_pool,
    global_max_pool,
    lp_pool,
    max_pool,
    pad,
    symmetric_pad,
)
from convarith.network import inspect

__version__ = "0.2.0.dev0"

__all__ = [
    "__version__",
    # the subpackages, in the order the data flows
    "arithmetic",
    "engine",
    "studies",
    "anim",
    "network",
    "classroom",
    # output sizes and padding
    "conv_output_size",
    "pool_output_size",
    "conv_transpose_output_size",
    "same_padding",
    "input_sizes_for_output",
    "padding_for_output",
    "geometry",
    "window_map",
    # the engine
    "conv",
    "pad",
    "max_pool",
    "avg_pool",
    "lp_pool",
    "global_avg_pool",
    "global_max_pool",
    "conv_transpose",
    "conv_transpose_construction",
    "conv_matrix",
    "symmetric_pad",
    # a real network, layer by layer
    "inspect",
    # pictures
    "conv_scene",
    "save",
    "render_gallery",
]
