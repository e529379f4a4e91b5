"""The data of an animation: scenes, panels, frames and cells (no drawing, no computing).

A :class:`Scene` is what one animated figure shows: one or more :class:`Panel` s (an input
grid, a kernel, an output grid) and, for each step, a :class:`Frame` listing the cells that are
highlighted. A :class:`ChannelScene` is the channel view of a grouped convolution, a
:class:`ChannelFrame` per output channel. The builders (:mod:`convarith.anim.scenes`) fill these
from the window map and the engine; the renderers (:mod:`convarith.anim.render`) only read them.

Coordinates of an input grid are the window map's: ``-1`` is the first padding cell, ``0`` the
first input cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from convarith.arithmetic.layer import Layer
from convarith.arithmetic.windows import WindowMap
from convarith.typing import PadPair

__all__ = ["Cell", "CellKind", "ChannelFrame", "ChannelScene", "Coord", "Frame", "Panel", "PanelKind", "Scene"]

Coord = tuple[int, ...]
CellKind = Literal["input", "padding", "overhang", "zero", "output", "cropped"]
PanelKind = Literal["conv", "max_pool", "avg_pool", "transpose", "transpose_scatter"]


@dataclass(frozen=True)
class Cell:
    """One highlighted cell.

    Attributes
    ----------
    coord : tuple of int
        Grid coordinates (input-grid cells may be negative: padding).
    tap : tuple of int or None
        The kernel tap that reads (or, in the scatter view, writes) this cell.
    kind : {'input', 'padding', 'overhang', 'zero', 'output', 'cropped'}
        ``'zero'`` is a zero inserted by a transposed convolution; ``'cropped'`` an output cell
        that the transposed convolution's padding removes.
    """

    coord: Coord
    tap: Coord | None
    kind: CellKind


@dataclass(frozen=True, eq=False)
class Frame:
    """One step: the input cells read and the output cells written.

    Attributes
    ----------
    step : int
    reads : tuple of Cell
        Highlighted input-grid cells, with the kernel tap reading each (direct views).
    writes : tuple of Cell
        Highlighted output-grid cells (one for a convolution; the kernel's footprint in the
        scatter view of a transposed convolution).
    gaps : tuple of tuple of int
        Input-grid cells inside the dilated kernel's footprint that no tap reads.
    winner : tuple of int or None
        Max pooling: the input cell that wins (the engine's ``return_indices``).
    output_values : ndarray or None
        Numerical mode: the output grid as shown after this step (NaN where not computed yet).
    """

    step: int
    reads: tuple[Cell, ...]
    writes: tuple[Cell, ...]
    gaps: tuple[Coord, ...] = ()
    winner: Coord | None = None
    output_values: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Panel:
    """One input grid, its kernel and its output grid, with a frame per step.

    Attributes
    ----------
    kind : {'conv', 'max_pool', 'avg_pool', 'transpose', 'transpose_scatter'}
    input_shape, output_shape : tuple of int
        Spatial sizes of the drawn grids (for ``'transpose'``: the stretched input).
    input_padding : tuple of (before, after)
        Padding drawn around the input grid.
    output_crop : tuple of (before, after)
        Scatter view: output cells written then cropped away by the transposed padding.
    kernel_shape, stride, dilation : tuple of int
        Of the drawn (direct) convolution.
    zeros : frozenset of tuple of int
        Zero-inserted input-grid cells (transposed view).
    overhang : tuple of int
        Ceil-mode pooling: cells past the padding that the last windows reach (never read).
    input_label, output_label : str
        ``"input 5×5"``, ``"output 3×3"``: what the grids are, with their sizes.
    title : str
    caption : tuple of str
        The formula lines with numbers substituted (:meth:`convarith.arithmetic.Layer.formulas`).
    input_values, kernel_values : ndarray or None
        Numerical mode: the unpadded input grid and the kernel as drawn (flipped for the
        transposed direct view).
    padded_values : ndarray or None
        Numerical mode of a convolution: the input as the engine pads it (shape
        ``pb + i + pe`` per axis; padded-grid cell ``c + pb`` is input-grid cell ``c``), so
        padding cells show the values the kernel reads there.
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        How the convolution fills its padding (PyTorch's names).
    frames : tuple of Frame
    windows : WindowMap
        The window map the frames were read from.
    layer : Layer or None
        The layer the panel shows (:func:`convarith.arithmetic.layer`); its windows and formulas
        are the panel's (for the transposed direct view: the transposed layer, drawn as the
        guide's equivalent convolution).
    """

    kind: PanelKind
    input_shape: Coord
    output_shape: Coord
    input_padding: tuple[PadPair, ...]
    kernel_shape: Coord
    stride: Coord
    dilation: Coord
    input_label: str
    output_label: str
    title: str
    caption: tuple[str, ...]
    frames: tuple[Frame, ...]
    windows: WindowMap
    output_crop: tuple[PadPair, ...] = ()
    zeros: frozenset[Coord] = frozenset()
    overhang: tuple[int, ...] = ()
    input_values: np.ndarray | None = None
    kernel_values: np.ndarray | None = None
    layer: Layer | None = None
    padded_values: np.ndarray | None = None
    padding_mode: str = "zeros"

    @property
    def ndim(self) -> int:
        """Number of spatial axes (1 or 2 can be drawn)."""
        return len(self.input_shape)

    def padding_value(self, coord: Coord) -> float | None:
        """Numerical mode: the value in padding cell ``coord`` (input-grid coordinates), else None.

        Examples
        --------
        >>> from convarith.anim.scenes import conv_scene
        >>> panel = conv_scene(3, 3, padding=2, input_values=[1, 2, 3], padding_mode="reflect").panels[0]
        >>> [panel.padding_value((c,)) for c in (-2, -1, 0, 3, 4)]  # an input cell (0) is not padding
        [3.0, 2.0, None, 2.0, 1.0]
        """
        if self.padded_values is None:
            return None
        if all(0 <= c < n for c, n in zip(coord, self.input_shape, strict=True)):
            return None
        index = tuple(c + before for c, (before, _) in zip(coord, self.input_padding, strict=True))
        return float(self.padded_values[index])

    @property
    def footprint_on_output(self) -> bool:
        """Whether the kernel footprint is drawn on the output grid (scatter view)."""
        return self.kind == "transpose_scatter"


@dataclass(frozen=True, eq=False)
class Scene:
    """An animated figure: one or more panels stepping together.

    Attributes
    ----------
    name : str
        File-name stem (the guide's figure names where they match).
    title : str
    panels : tuple of Panel
        All with the same number of frames.
    geometry : Layer or None
        The layer the scene shows (caption source); None for scenes that compare several layers
        (each panel has its own :attr:`Panel.layer`).
    columns : int or None
        Panels per row in a picture (None: whatever leaves the cells largest).
    caption : tuple of str
        Caption of a scene with several panels (one panel's caption is its own).
    """

    name: str
    title: str
    panels: tuple[Panel, ...]
    geometry: Layer | None = None
    columns: int | None = None
    caption: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.panels[0].frames)

    @property
    def layer(self) -> Layer | None:
        """The layer the scene shows (the same value as :attr:`geometry`)."""
        return self.geometry

    def __repr__(self) -> str:
        shapes = "; ".join(f"{p.input_label} -> {p.output_label}" for p in self.panels)
        return f"Scene({self.name!r}: {shapes}, {len(self)} frames)"


@dataclass(frozen=True)
class ChannelFrame:
    """One output channel of a grouped convolution and the input channels it reads.

    Attributes
    ----------
    step : int
    output_channel : int
    input_channels : tuple of int
    group : int
    """

    step: int
    output_channel: int
    input_channels: tuple[int, ...]
    group: int


@dataclass(frozen=True, eq=False)
class ChannelScene:
    """The channel view of a grouped (or depthwise) convolution: one frame per output channel.

    Attributes
    ----------
    name, title : str
    in_channels, out_channels, groups : int
    caption : tuple of str
    frames : tuple of ChannelFrame
    """

    name: str
    title: str
    in_channels: int
    out_channels: int
    groups: int
    caption: tuple[str, ...]
    frames: tuple[ChannelFrame, ...]

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return (
            f"ChannelScene({self.name!r}: {self.in_channels} -> {self.out_channels} channels, "
            f"groups {self.groups}, {len(self)} frames)"
        )
