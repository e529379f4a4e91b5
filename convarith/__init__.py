"""convarith: convolution arithmetic you can check.

Exact output-size formulas, a pure-NumPy reference engine and slide animations, all drawn from
one source of truth.
"""

from convarith.engine import (
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
from convarith.export import (
    OutputExistsError,
    save,
    save_beamer,
    save_frames,
    save_gif,
    save_mp4,
    save_sheet,
)
from convarith.formulas import (
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
from convarith.frames import (
    Cell,
    ChannelFrame,
    ChannelScene,
    Frame,
    Panel,
    Scene,
    conv_scene,
    group_scene,
    pool_scene,
    same_comparison_scene,
    symmetric_scene,
    transpose_scene,
)
from convarith.frameworks import FRAMEWORKS, Counterpart, Equivalent, Translation, translate
from convarith.gallery import GALLERY, GalleryFigure, GallerySummary, gallery_names, render_gallery
from convarith.geometry import AxisGeometry, Geometry, geometry
from convarith.matrix import MAX_MATRIX_BYTES, conv_matrix
from convarith.receptive import Layer, LayerField, ReceptiveField, branches_aligned, layer, receptive_field
from convarith.render import ChannelRenderer, Renderer, render
from convarith.symmetric import (
    EROSION_STACKS,
    ErosionCurves,
    ShiftMeasurement,
    ShiftTable,
    SymmetricGroup,
    erosion,
    measure_shift,
    plot_erosion,
    shift_table,
    symmetric_groups,
    symmetric_pad,
)
from convarith.transpose import TransposeConstruction, conv_transpose, conv_transpose_construction
from convarith.windows import AxisWindows, Read, WindowMap, window_map

__version__ = "0.1.0"

__all__ = [
    "__version__",
    # formulas
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
    # geometry
    "geometry",
    "Geometry",
    "AxisGeometry",
    # engine
    "conv",
    "pad",
    "max_pool",
    "avg_pool",
    "lp_pool",
    "global_avg_pool",
    "global_max_pool",
    "PADDING_MODES",
    "MAX_TEMPORARY_BYTES",
    # windows
    "window_map",
    "WindowMap",
    "AxisWindows",
    "Read",
    # symmetric padding (Wu et al.)
    "symmetric_pad",
    "symmetric_groups",
    "SymmetricGroup",
    "measure_shift",
    "shift_table",
    "ShiftMeasurement",
    "ShiftTable",
    "erosion",
    "plot_erosion",
    "ErosionCurves",
    "EROSION_STACKS",
    # transposed convolution and the matrix view
    "conv_transpose",
    "conv_transpose_construction",
    "TransposeConstruction",
    "conv_matrix",
    "MAX_MATRIX_BYTES",
    # framework padding translation
    "translate",
    "Translation",
    "Equivalent",
    "Counterpart",
    "FRAMEWORKS",
    # receptive fields (Araujo et al.)
    "receptive_field",
    "layer",
    "branches_aligned",
    "ReceptiveField",
    "LayerField",
    "Layer",
    # animations: frames as data, the renderer, export, the gallery
    "conv_scene",
    "pool_scene",
    "transpose_scene",
    "group_scene",
    "symmetric_scene",
    "same_comparison_scene",
    "Scene",
    "ChannelScene",
    "Panel",
    "Frame",
    "ChannelFrame",
    "Cell",
    "render",
    "Renderer",
    "ChannelRenderer",
    "save",
    "save_gif",
    "save_mp4",
    "save_frames",
    "save_sheet",
    "save_beamer",
    "OutputExistsError",
    "render_gallery",
    "gallery_names",
    "GALLERY",
    "GalleryFigure",
    "GallerySummary",
]
