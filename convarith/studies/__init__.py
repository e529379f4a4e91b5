"""Analyses built on the arithmetic and the engine.

The even-kernel shift and symmetric padding (Wu et al.), receptive fields (Araujo et al.),
framework padding translation, the overlap of a transposed convolution (Odena et al.'s
checkerboard) and the effective receptive field (Luo et al.). ``Layer`` here is
:class:`convarith.arithmetic.Layer`, the one layer value; :func:`layer` builds one for a stack
(no input size yet).
"""

from convarith.studies.effective import (
    MASS_LEVELS,
    EffectiveField,
    EffectiveGrowth,
    effective_growth,
    effective_receptive_field,
    plot_effective_field,
    plot_effective_growth,
)
from convarith.studies.frameworks import FRAMEWORKS, Counterpart, Equivalent, Translation, translate
from convarith.studies.overlap import overlap, overlap_phases, plot_overlap
from convarith.studies.receptive import LayerField, ReceptiveField, branches_aligned, layer, receptive_field
from convarith.studies.shift import (
    EROSION_STACKS,
    ErosionCurves,
    ShiftMeasurement,
    ShiftTable,
    erosion,
    measure_shift,
    plot_erosion,
    shift_table,
)

__all__ = [
    "measure_shift",
    "shift_table",
    "ShiftMeasurement",
    "ShiftTable",
    "erosion",
    "plot_erosion",
    "ErosionCurves",
    "EROSION_STACKS",
    "receptive_field",
    "layer",
    "branches_aligned",
    "ReceptiveField",
    "LayerField",
    "translate",
    "Translation",
    "Equivalent",
    "Counterpart",
    "FRAMEWORKS",
    "overlap",
    "overlap_phases",
    "plot_overlap",
    "effective_receptive_field",
    "EffectiveField",
    "MASS_LEVELS",
    "plot_effective_field",
    "effective_growth",
    "EffectiveGrowth",
    "plot_effective_growth",
]
