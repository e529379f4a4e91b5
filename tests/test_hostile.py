"""Hostile arguments for every public function (issue 19, item 3).

Every function in ``__all__`` of :mod:`convarith`, :mod:`convarith.arithmetic`,
:mod:`convarith.engine` and :mod:`convarith.anim` gets one valid call (checked to succeed), then
that call with one argument replaced by a hostile value: ``None``, strings (``'False'``,
``'same_lower'``, a huge one), floats (``nan``, ``inf``, ``2.5``, ``3.0``), huge and negative
integers (``2**63``, ``np.uint64(2**63)``), a bool where an int is expected, a deeply nested
list, a dict, a complex number, a long tuple, arrays, an arbitrary object, ...

Accepted outcomes only:

- a result, where the value is a legitimate spelling of a valid argument (an ``np.int64(3)``
  for a size, ``3.0`` for a float option, ...; each parameter says which hostile values it may
  accept, and every other one must be refused);
- a ``ValueError`` or ``TypeError`` whose message names the argument (`` `name` `` in
  backticks, as every message of the package does), not longer than 2,000 characters (a message
  never reprs a huge or deep argument whole);

each within a per-call deadline (``DEADLINE`` s, enforced with a timer signal) and a traced
memory bound (``tracemalloc`` peak under ``MEMORY``). The grid is exhaustive and deterministic;
a hypothesis test on top draws random hostile integers, floats, strings and nestings
(derandomized, a fixed number of examples), so the file runs in CI in well under a minute.

Excluded on purpose (reasons next to :data:`EXCLUDED`): exception classes, and plain records
(frozen dataclasses) that the package builds and a user only reads.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import os
import resource
import signal
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convarith
import convarith.anim
import convarith.arithmetic
import convarith.engine
from convarith.arithmetic import layer

DEADLINE = 10.0  # seconds per call: a hang or a blow-up, not a timing test (the machine is shared)
MEMORY = 256 * 2**20  # bytes traced per call: a refused argument must not allocate first


def _deep(depth: int) -> list[Any]:
    value: list[Any] = [3]
    for _ in range(depth):
        value = [value]
    return value


class _Weird:
    """An object whose repr is huge: messages must not include it whole."""

    def __repr__(self) -> str:
        return "w" * 10**6

    def __index__(self) -> int:
        raise TypeError("no index")


HOSTILE: dict[str, Any] = {
    "None": None,
    "empty string": "",
    "'3'": "3",
    "'False'": "False",
    "'same_lower'": "same_lower",
    "'zeros'": "zeros",
    "huge string": "x" * 100_000,
    "bytes": b"3",
    "3.0": 3.0,
    "2.5": 2.5,
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "1e308": 1e308,
    "0": 0,
    "-1": -1,
    "2**31": 2**31,
    "2**63": 2**63,
    "-2**63": -(2**63),
    "10**100": 10**100,
    "np.uint64(2**63)": np.uint64(2**63),
    "np.int64(-1)": np.int64(-1),
    "np.int64(2)": np.int64(2),
    "np.float64(3)": np.float64(3),
    "True": True,
    "False": False,
    "complex": 1 + 2j,
    "[]": [],
    "[2]": [2],
    "deep list": _deep(5000),
    "{}": {},
    "{1: 2}": {1: 2},
    "long tuple": (1,) * 40,
    "pair of pairs": ((1, 1), (1, 1)),
    "array([2, 2])": np.array([2, 2]),
    "array(2)": np.array(2),
    "array of nan": np.full((3, 3), np.nan),
    "object": object(),
    "weird": _Weird(),
}
"""The hostile values, by a short name used in failure reports."""

INT_LIKE = {
    "0",
    "-1",
    "2**31",
    "2**63",
    "-2**63",
    "10**100",
    "np.uint64(2**63)",
    "np.int64(-1)",
    "np.int64(2)",
    "array(2)",
}
"""Integers (through ``operator.index``): may be accepted by an integer argument when in range."""
FLOAT_LIKE = INT_LIKE | {"3.0", "2.5", "np.float64(3)", "1e308"}
ANY_SEQ = {"[]", "[2]", "long tuple", "pair of pairs", "array([2, 2])"}


@dataclass
class Param:
    """How a parameter may answer: ``accept`` lists the hostile values that may give a result."""

    accept: set[str] = field(default_factory=set)


SIZE = Param(INT_LIKE | {"[2]", "pair of pairs", "long tuple"})
"""Sizes, kernels, strides, dilations, paddings: ints (in range) or per-axis tuples."""
BOOL = Param({"True", "False"})
NUMBER = Param(FLOAT_LIKE)
TEXT = Param({"empty string", "'3'", "'False'", "'same_lower'", "'zeros'", "huge string"})
ANYTHING = Param(set(HOSTILE))  # values, arrays, names: any answer is fine as long as it is one of ours


@dataclass
class Case:
    """One public function: a valid call, and how each of its arguments may answer."""

    function: Callable[..., Any]
    args: dict[str, Any]
    params: dict[str, Param]
    positional: tuple[str, ...] = ()


def _x() -> np.ndarray:
    return np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)


def _w() -> np.ndarray:
    return np.ones((1, 1, 2, 2))


def _scene() -> Any:
    return convarith.anim.conv_scene((2, 2), 1)


PAD_NDIM = "ndim" if "ndim" in inspect.signature(convarith.engine.pad).parameters else "spatial_dims"
"""The engine's keyword for the number of spatial axes of `pad` (being renamed to ``ndim``, issue 19)."""

STRIDE = Param(SIZE.accept | {"None"})
"""A stride: ``None`` is the default (1, or the kernel size for pooling), as in :func:`layer`."""
PADDING = Param(SIZE.accept | TEXT.accept | {"None"})
"""A padding: numbers, or a rule's or convention's name (``'same_lower'`` is ONNX's); ``None`` is none."""

SIZES = ("input_size", "kernel_size", "stride", "padding", "dilation", "output_padding", "output_size")


def cases(tmp: Path) -> dict[str, Case]:
    """Every public function's valid call (``tmp``: a directory for files)."""
    a, e, an = convarith.arithmetic, convarith.engine, convarith.anim
    size5 = {n: SIZE for n in SIZES}
    counter = iter(range(10**9))

    def out(suffix: str) -> Callable[[], str]:
        return lambda: str(tmp / f"f{next(counter)}{suffix}")

    size5 = {**size5, "stride": STRIDE, "padding": PADDING}
    result = {
        "conv_output_size": Case(
            a.conv_output_size, {"input_size": 5, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1}, size5
        ),
        "pool_output_size": Case(
            a.pool_output_size,
            {
                "input_size": 5,
                "kernel_size": 2,
                "stride": 2,
                "padding": 0,
                "dilation": 1,
                "ceil_mode": False,
                "convention": "pytorch",
            },
            {**size5, "ceil_mode": Param({"True", "False", "None"}), "convention": TEXT},
        ),
        "conv_transpose_output_size": Case(
            a.conv_transpose_output_size,
            {"input_size": 3, "kernel_size": 3, "stride": 2, "padding": 0, "output_padding": 1, "dilation": 1},
            size5,
        ),
        "same_padding": Case(
            a.same_padding,
            {"input_size": 5, "kernel_size": 3, "stride": 1, "dilation": 1, "convention": "tensorflow"},
            {**size5, "input_size": Param(SIZE.accept | {"None"}), "convention": TEXT},
        ),
        "input_sizes_for_output": Case(
            a.input_sizes_for_output,
            {"output_size": 3, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1},
            size5,
        ),
        "padding_for_output": Case(
            a.padding_for_output,
            {"input_size": 5, "output_size": 5, "kernel_size": 3, "stride": 1, "dilation": 1},
            size5,
        ),
        "recovering_output_padding": Case(
            a.recovering_output_padding,
            {"input_size": 6, "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1},
            size5,
        ),
        "effective_kernel_size": Case(a.effective_kernel_size, {"kernel_size": 3, "dilation": 2}, size5),
        "geometry": Case(
            a.geometry,
            {
                "kind": "conv",
                "input_size": 5,
                "kernel_size": 3,
                "stride": 1,
                "padding": 0,
                "dilation": 1,
                "ceil_mode": False,
                "convention": "tensorflow",
            },
            {
                **size5,
                "input_size": Param(SIZE.accept | {"None"}),
                "kind": TEXT,
                "ceil_mode": BOOL,
                "convention": TEXT,
                "pool_convention": TEXT,
                "padding": Param(SIZE.accept | TEXT.accept),
            },
        ),
        "window_map": Case(
            a.window_map,
            {
                "input_size": 5,
                "kernel_size": 3,
                "stride": 1,
                "padding": 0,
                "dilation": 1,
                "ceil_mode": False,
                "pooling": False,
            },
            {**size5, "ceil_mode": BOOL, "pooling": BOOL},
        ),
        "layer": Case(
            a.layer,
            {
                "op": "conv",
                "input_size": 5,
                "kernel_size": 3,
                "stride": 1,
                "padding": 0,
                "dilation": 1,
                "output_padding": 0,
                "ceil_mode": False,
                "groups": 1,
                "convention": "tensorflow",
                "pool_convention": "pytorch",
            },
            {
                **size5,
                "input_size": Param(SIZE.accept | {"None"}),
                "stride": Param(SIZE.accept | {"None"}),
                "op": TEXT,
                "ceil_mode": BOOL,
                "groups": SIZE,
                "convention": TEXT,
                "pool_convention": TEXT,
                "padding": Param(SIZE.accept | TEXT.accept),
            },
        ),
        "resolve_padding": Case(
            a.resolve_padding,
            {
                "padding": "same",
                "input_size": 5,
                "kernel_size": 3,
                "stride": 1,
                "dilation": 1,
                "convention": "tensorflow",
                "name": "padding",
            },
            {
                **size5,
                "input_size": Param(SIZE.accept | {"None"}),
                "padding": Param(SIZE.accept | TEXT.accept),
                "convention": TEXT,
                "name": TEXT,
            },
        ),
        "transpose_equivalent": Case(
            a.transpose_equivalent,
            {"input_size": 2, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 0, "dilation": 1},
            size5,
        ),
        "relationship": Case(
            a.relationship,
            {
                "kernel_size": 3,
                "stride": 1,
                "padding": 1,
                "dilation": 1,
                "transposed": False,
                "pooling": False,
                "input_size": 5,
            },
            {**size5, "transposed": BOOL, "pooling": BOOL, "input_size": Param(SIZE.accept | {"None"})},
        ),
        "format_size": Case(a.format_size, {"values": (5, 6)}, {"values": Param(INT_LIKE | ANY_SEQ)}),
        "format_param": Case(a.format_param, {"values": (3, 3)}, {"values": Param(INT_LIKE | ANY_SEQ)}),
        "format_padding": Case(a.format_padding, {"pads": ((1, 1), (0, 1))}, {"pads": Param({"[]", "pair of pairs"})}),
        "conv": Case(
            e.conv,
            {
                "x": _x(),
                "weight": _w(),
                "bias": None,
                "stride": 1,
                "padding": 0,
                "dilation": 1,
                "groups": 1,
                "padding_mode": "zeros",
                "convention": "tensorflow",
                "flip": False,
                "ndim": None,
            },
            {
                **size5,
                "x": ANYTHING,
                "weight": ANYTHING,
                "bias": ANYTHING,
                "groups": SIZE,
                "padding_mode": TEXT,
                "convention": TEXT,
                "flip": BOOL,
                "padding": Param(SIZE.accept | TEXT.accept),
                "ndim": Param(INT_LIKE | {"None"}),
            },
        ),
        "pad": Case(
            e.pad,
            {"x": _x(), "padding": 1, "mode": "zeros", "value": 0, PAD_NDIM: 2, "spatial_dims": None},
            {
                "x": ANYTHING,
                "padding": SIZE,
                "mode": TEXT,
                "value": Param(NUMBER.accept | {"nan", "inf", "-inf"}),
                PAD_NDIM: Param(INT_LIKE | {"None"}),
                "spatial_dims": Param({"None"}),  # the old name of ndim: refused whatever its value
            },
        ),
        "max_pool": Case(
            e.max_pool,
            {
                "x": _x(),
                "kernel_size": 2,
                "stride": None,
                "padding": 0,
                "dilation": 1,
                "ceil_mode": False,
                "return_indices": False,
                "ndim": 2,
            },
            {
                **size5,
                "x": ANYTHING,
                "stride": Param(SIZE.accept | {"None"}),
                "ceil_mode": BOOL,
                "return_indices": BOOL,
                "ndim": Param(INT_LIKE | {"None"}),
            },
        ),
        "avg_pool": Case(
            e.avg_pool,
            {
                "x": _x(),
                "kernel_size": 2,
                "stride": None,
                "padding": 0,
                "ceil_mode": False,
                "count_include_pad": True,
                "divisor_override": None,
                "dilation": 1,
                "ndim": 2,
            },
            {
                **size5,
                "x": ANYTHING,
                "stride": Param(SIZE.accept | {"None"}),
                "ceil_mode": BOOL,
                "count_include_pad": BOOL,
                "divisor_override": Param(INT_LIKE | {"None"}),
                "ndim": Param(INT_LIKE | {"None"}),
            },
        ),
        "lp_pool": Case(
            e.lp_pool,
            {
                "x": _x(),
                "norm_type": 2,
                "kernel_size": 2,
                "stride": None,
                "ceil_mode": False,
                "padding": 0,
                "dilation": 1,
                "ndim": 2,
            },
            {
                **size5,
                "x": ANYTHING,
                "norm_type": Param(NUMBER.accept | {"inf", "-inf"}),
                "stride": Param(SIZE.accept | {"None"}),
                "ceil_mode": BOOL,
                "ndim": Param(INT_LIKE | {"None"}),
            },
        ),
        "global_avg_pool": Case(
            e.global_avg_pool, {"x": _x(), "ndim": None}, {"x": ANYTHING, "ndim": Param(INT_LIKE | {"None"})}
        ),
        "global_max_pool": Case(
            e.global_max_pool, {"x": _x(), "ndim": None}, {"x": ANYTHING, "ndim": Param(INT_LIKE | {"None"})}
        ),
        "conv_transpose": Case(
            e.conv_transpose,
            {
                "x": _x(),
                "weight": _w(),
                "bias": None,
                "stride": 2,
                "padding": 0,
                "output_padding": 0,
                "dilation": 1,
                "groups": 1,
                "output_size": None,
                "ndim": None,
            },
            {
                **size5,
                "x": ANYTHING,
                "weight": ANYTHING,
                "bias": ANYTHING,
                "groups": SIZE,
                "output_size": Param(SIZE.accept | {"None"}),
                "ndim": Param(INT_LIKE | {"None"}),
            },
        ),
        "conv_transpose_construction": Case(
            e.conv_transpose_construction,
            {
                "x": _x(),
                "weight": _w(),
                "stride": 2,
                "padding": 0,
                "output_padding": 0,
                "dilation": 1,
                "groups": 1,
                "output_size": None,
                "ndim": None,
            },
            {
                **size5,
                "x": ANYTHING,
                "weight": ANYTHING,
                "groups": SIZE,
                "output_size": Param(SIZE.accept | {"None"}),
                "ndim": Param(INT_LIKE | {"None"}),
            },
        ),
        "conv_matrix": Case(
            e.conv_matrix,
            {
                "input_shape": (1, 4, 4),
                "weight": _w(),
                "stride": 1,
                "padding": 0,
                "dilation": 1,
                "groups": 1,
                "padding_mode": "zeros",
            },
            {**size5, "input_shape": Param(ANY_SEQ), "weight": ANYTHING, "groups": SIZE, "padding_mode": TEXT},
        ),
        "symmetric_pad": Case(e.symmetric_pad, {"x": _x(), "kernel_size": 2}, {"x": ANYTHING, "kernel_size": SIZE}),
        "symmetric_groups": Case(
            e.symmetric_groups, {"channels": 4, "kernel_size": 2}, {"channels": SIZE, "kernel_size": SIZE}
        ),
        "inspect": Case(
            convarith.inspect,
            {"model": [layer("conv", None, 3)], "input_size": (8, 8)},
            {"model": ANYTHING, "input_size": Param(ANY_SEQ | {"None"})},
        ),
        "conv_scene": Case(
            an.conv_scene,
            {
                "input_size": 3,
                "kernel_size": 2,
                "stride": 1,
                "padding": 0,
                "dilation": 1,
                "convention": "tensorflow",
                "numbers": False,
                "input_values": None,
                "kernel_values": None,
                "padding_mode": "zeros",
                "seed": 0,
                "name": None,
                "title": None,
            },
            {
                **size5,
                "padding": Param(SIZE.accept | TEXT.accept),
                "convention": TEXT,
                "numbers": BOOL,
                "input_values": ANYTHING,
                "kernel_values": ANYTHING,
                "padding_mode": TEXT,
                "seed": SIZE,
                "name": Param(TEXT.accept | {"None"}),
                "title": Param(TEXT.accept | {"None"}),
            },
        ),
        "pool_scene": Case(
            an.pool_scene,
            {
                "input_size": 4,
                "kernel_size": 2,
                "stride": None,
                "padding": 0,
                "dilation": 1,
                "mode": "max",
                "ceil_mode": False,
                "count_include_pad": True,
                "input_values": None,
                "seed": 0,
                "name": None,
                "title": None,
            },
            {
                **size5,
                "stride": Param(SIZE.accept | {"None"}),
                "mode": TEXT,
                "ceil_mode": BOOL,
                "count_include_pad": BOOL,
                "input_values": ANYTHING,
                "seed": SIZE,
                "name": Param(TEXT.accept | {"None"}),
                "title": Param(TEXT.accept | {"None"}),
            },
        ),
        "transpose_scene": Case(
            an.transpose_scene,
            {
                "input_size": 2,
                "kernel_size": 2,
                "stride": 1,
                "padding": 0,
                "output_padding": 0,
                "dilation": 1,
                "view": "direct",
                "numbers": False,
                "input_values": None,
                "kernel_values": None,
                "seed": 0,
                "name": None,
                "title": None,
            },
            {
                **size5,
                "view": TEXT,
                "numbers": BOOL,
                "input_values": ANYTHING,
                "kernel_values": ANYTHING,
                "seed": SIZE,
                "name": Param(TEXT.accept | {"None"}),
                "title": Param(TEXT.accept | {"None"}),
            },
        ),
        "overlap_scene": Case(
            an.overlap_scene,
            {
                "input_size": 2,
                "kernel_size": 2,
                "stride": 1,
                "padding": 0,
                "output_padding": 0,
                "dilation": 1,
                "name": None,
                "title": None,
            },
            {**size5, "name": Param(TEXT.accept | {"None"}), "title": Param(TEXT.accept | {"None"})},
        ),
        "layer_scene": Case(
            an.layer_scene,
            {"lay": layer("conv", 3, 2), "max_frames": 16, "corner": "auto", "channels": None},
            {"lay": Param(), "max_frames": Param(INT_LIKE), "corner": Param({"None"}), "channels": Param({"None"})},
        ),
        "group_scene": Case(
            an.group_scene,
            {"in_channels": 2, "out_channels": 2, "groups": 1, "name": None},
            {"in_channels": SIZE, "out_channels": SIZE, "groups": SIZE, "name": Param(TEXT.accept | {"None"})},
        ),
        "symmetric_scene": Case(
            an.symmetric_scene,
            {"input_size": 4, "kernel_size": 2, "numbers": False, "name": "s"},
            {**size5, "numbers": BOOL, "name": TEXT},
        ),
        "same_comparison_scene": Case(
            an.same_comparison_scene,
            {
                "input_size": 6,
                "kernel_size": 3,
                "stride": 2,
                "conventions": ("tensorflow", "caffe"),
                "labels": ("a", "b"),
                "name": "s",
            },
            {**size5, "conventions": Param(ANY_SEQ), "labels": Param(ANY_SEQ), "name": TEXT},
        ),
        "render": Case(an.render, {"scene": _scene(), "dpi": 20}, {"scene": Param(), "dpi": NUMBER}),
        "Renderer": Case(
            an.Renderer,
            {
                "scene": _scene(),
                "numbers": None,
                "caption": True,
                "caption_scale": 1.0,
                "width": 9.6,
                "height": 5.4,
                "dpi": 20,
                "layout": "auto",
            },
            {
                "scene": Param(),
                "numbers": Param({"True", "False", "None"}),
                "caption": BOOL,
                "caption_scale": NUMBER,
                "width": NUMBER,
                "height": NUMBER,
                "dpi": NUMBER,
                "layout": TEXT,
            },
        ),
        "ChannelRenderer": Case(
            an.ChannelRenderer,
            {
                "scene": an.group_scene(2, 2),
                "caption": True,
                "caption_scale": 1.0,
                "width": 9.6,
                "height": 5.4,
                "dpi": 20,
                "numbers": None,
                "layout": "auto",
            },
            {
                "scene": Param(),
                "numbers": Param({"True", "False", "None"}),
                "caption": BOOL,
                "caption_scale": NUMBER,
                "width": NUMBER,
                "height": NUMBER,
                "dpi": NUMBER,
                "layout": TEXT,
            },
        ),
        "save": Case(
            an.save,
            {
                "target": _scene(),
                "path": out(".gif"),
                "sheet": False,
                "overwrite": False,
                "duration": 0.7,
                "loop": 0,
                "dpi": 20,
            },
            {
                "target": Param(),
                "path": Param(),
                "sheet": BOOL,
                "overwrite": BOOL,
                "duration": NUMBER,
                "loop": SIZE,
                "dpi": NUMBER,
            },
        ),
        "save_gif": Case(
            an.save_gif,
            {
                "target": _scene(),
                "path": out(".gif"),
                "duration": 0.7,
                "loop": 0,
                "overwrite": False,
                "dpi": 20,
                "width": 9.6,
                "height": 5.4,
            },
            {
                "target": Param(),
                "path": Param(),
                "duration": NUMBER,
                "loop": SIZE,
                "overwrite": BOOL,
                "dpi": NUMBER,
                "width": NUMBER,
                "height": NUMBER,
            },
        ),
        "save_mp4": Case(
            an.save_mp4,
            {"target": _scene(), "path": out(".mp4"), "duration": 0.7, "overwrite": False, "dpi": 20},
            {"target": Param(), "path": Param(), "duration": NUMBER, "overwrite": BOOL, "dpi": NUMBER},
        ),
        "save_frames": Case(
            an.save_frames,
            {
                "target": _scene(),
                "directory": lambda: str(tmp / f"d{next(counter)}"),
                "stem": None,
                "fmt": "png",
                "overwrite": False,
                "dpi": 20,
            },
            {
                "target": Param(),
                "directory": Param(TEXT.accept),
                "stem": Param(TEXT.accept | {"None"}),
                "fmt": TEXT,
                "overwrite": BOOL,
                "dpi": NUMBER,
            },
        ),
        "save_sheet": Case(
            an.save_sheet,
            {"target": _scene(), "path": out(".png"), "columns": None, "overwrite": False, "dpi": 20},
            {
                "target": Param(),
                "path": Param(),
                "columns": Param(INT_LIKE | {"None"}),
                "overwrite": BOOL,
                "dpi": NUMBER,
            },
        ),
        "save_beamer": Case(
            an.save_beamer,
            {
                "target": _scene(),
                "path": out(".tex"),
                "fmt": "png",
                "duration": 0.7,
                "loop": True,
                "latex_width": r"\linewidth",
                "overwrite": False,
                "dpi": 20,
            },
            {
                "target": Param(),
                "path": Param(),
                "fmt": TEXT,
                "duration": NUMBER,
                "loop": BOOL,
                "latex_width": TEXT,
                "overwrite": BOOL,
                "dpi": NUMBER,
            },
        ),
        "gallery_names": Case(an.gallery_names, {}, {}),
        "render_gallery": Case(
            an.render_gallery,
            {
                "outdir": lambda: str(tmp / f"g{next(counter)}"),
                "formats": ("sheet",),
                "names": ("groups",),
                "overwrite": False,
                "progress": False,
                "duration": 0.7,
                "dpi": 10,
            },
            {
                "outdir": Param(TEXT.accept),
                "formats": Param(ANY_SEQ | TEXT.accept),
                "names": Param(ANY_SEQ | TEXT.accept),
                "overwrite": BOOL,
                "progress": Param(BOOL.accept | {"None"}),
                "duration": NUMBER,
                "dpi": NUMBER,
            },
        ),
    }
    for case in result.values():  # the shared size table lists more names than a function has
        parameters = inspect.signature(case.function).parameters
        options = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        case.params = {n: p for n, p in case.params.items() if n in parameters or (options and n in case.args)}
    return result


EXCLUDED = {
    # exception classes: raised by the package, not called with user input
    "LayerError",
    "OutputExistsError",
    # plain records (frozen dataclasses): built by the package from checked arguments, read by users;
    # `layer(...)` is the checked way to build a Layer
    "Layer",
    "Geometry",  # an alias of Layer
    "AxisGeometry",
    "Relationship",
    "TransposeEquivalent",
    "WindowMap",
    "AxisWindows",
    "Read",
    "TransposeConstruction",
    "SymmetricGroup",
    "Scene",
    "ChannelScene",
    "Panel",
    "Frame",
    "ChannelFrame",
    "Cell",
    "GalleryFigure",
    "GallerySummary",
}
"""Public names left out of the fuzz, with the reason above each group."""


def public_callables() -> dict[str, Callable[..., Any]]:
    """Every callable in the four ``__all__`` lists (modules and constants aside), by name."""
    found: dict[str, Callable[..., Any]] = {}
    for module in (convarith, convarith.arithmetic, convarith.engine, convarith.anim):
        for name in module.__all__:
            value = getattr(module, name)
            if callable(value) and not inspect.ismodule(value):
                found.setdefault(name, value)
    return found


class _Timeout(BaseException):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


@dataclass
class Outcome:
    """What one hostile call did: ``None`` when acceptable, else a one-line complaint."""

    problem: str | None
    seconds: float
    peak: int


def call(case: Case, name: str, value: Any, label: str, *, traced: bool = True) -> Outcome:
    """Call ``case.function`` with argument ``name`` replaced by ``value``; judge the outcome."""
    args = {k: (v() if callable(v) and k in ("path", "directory", "outdir") else v) for k, v in case.args.items()}
    args[name] = value
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, DEADLINE)
    if traced:
        tracemalloc.start()
        tracemalloc.reset_peak()
    start = time.perf_counter()
    problem = None
    try:
        case.function(**args)
        if label not in case.params.get(name, Param()).accept:
            problem = f"accepted {label}"
    except (ValueError, TypeError) as error:
        message = str(error)
        # A value of the right kind may break a rule between arguments ("`kernel_size` 5 is larger
        # than the padded input 4"): naming any argument of the call is then right. A value of the
        # wrong kind must be refused by its own name.
        accepted = label in case.params.get(name, Param()).accept or label == "random"
        names = {*case.args, *SIZES, name} if accepted else {name}  # a rule between sizes names one of them
        if not any(f"`{n}" in message for n in names):
            problem = f"{type(error).__name__} not naming `{name}`: {message[:200]!r}"
        elif len(message) > 2000:
            problem = f"message of {len(message)} characters"
    except _Timeout:
        problem = f"over {DEADLINE} s"
    except Exception as error:  # the point: every other exception is a failure
        problem = f"{type(error).__name__}: {str(error)[:200]!r}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        seconds = time.perf_counter() - start
        peak = 0
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    if problem is None and peak > MEMORY:
        problem = f"traced {peak / 2**20:.0f} MiB"
    return Outcome(problem, seconds, peak)


@contextlib.contextmanager
def address_space_limit(extra: int = 3 * 2**30) -> Iterator[None]:
    """Cap the process's address space at its current size plus ``extra``: a huge allocation is a
    MemoryError (a failure the test reports) instead of the machine's OOM killer."""
    if not sys.platform.startswith("linux"):
        yield
        return
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (pages * resource.getpagesize() + extra, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


DRAWING = {
    "render",
    "Renderer",
    "ChannelRenderer",
    "save",
    "save_gif",
    "save_mp4",
    "save_frames",
    "save_sheet",
    "save_beamer",
    "render_gallery",
}
"""Functions that draw with matplotlib: not traced (tracemalloc makes drawing several times slower);
their memory is bounded by the address-space limit of the grid (a huge allocation is a MemoryError)."""

SKIPPED: dict[tuple[str, str], tuple[set[str] | None, str]] = {
    ("inspect", "input_size"): (
        None,
        "convarith.network is outside this change: its messages name the failing layer "
        "(\"layer '0' (conv) on input (1,): `kernel_size` 3 is larger ...\"), and input_size='3' is "
        "read as (3,); reported for the network's owner",
    ),
    ("inspect", "model"): ({"huge string"}, "convarith.network: a 100,000-character path is repeated whole"),
    ("lp_pool", "norm_type"): (
        {"2**31", "2**63", "10**100", "np.uint64(2**63)", "1e308"},
        "engine (integer/float overflow, issue 19 item 5, the engine's owner): |x|**p overflows to inf "
        "for a huge p and the result is inf instead of the maximum",
    ),
    ("render_gallery", "names"): ({"None"}, "a valid call: None renders the whole gallery (tens of seconds)"),
}
"""(function, argument) -> (hostile labels or None for all, reason): calls left out of the grid."""


def grid(table: dict[str, Case]) -> Iterator[tuple[str, str, str]]:
    for function, case in table.items():
        for name in case.params:
            skipped = SKIPPED.get((function, name), (set(), ""))[0]
            for label in HOSTILE:
                if skipped is None or label in skipped:
                    continue
                yield function, name, label


def test_every_public_function_has_a_case(tmp_path: Path) -> None:
    """The grid covers every public callable except the documented exclusions."""
    table = cases(tmp_path)
    names = set(public_callables())
    assert names - set(table) - EXCLUDED == set()
    assert set(table) <= names
    missing = {}
    for function, case in table.items():  # every parameter of the signature is fuzzed
        signature = inspect.signature(case.function)
        wanted = {p.name for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD}
        if wanted - set(case.params):
            missing[function] = wanted - set(case.params)
    assert not missing


def test_valid_calls_succeed(tmp_path: Path) -> None:
    """The base call of every case works, so each refusal below is the hostile value's."""
    for case in cases(tmp_path).values():
        args = {k: (v() if callable(v) and k in ("path", "directory", "outdir") else v) for k, v in case.args.items()}
        case.function(**args)  # raises if a base call is wrong


COUNTS: dict[str, int] = {}


@pytest.mark.slow
def test_hostile_grid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every (function, argument, hostile value): a result or a clear ValueError/TypeError, in bounds."""
    monkeypatch.chdir(tmp_path)  # a relative path ('3', '') writes here
    table = cases(tmp_path)
    failures = []
    calls = 0
    seconds: dict[str, float] = {}
    log = os.environ.get("HOSTILE_LOG")
    with address_space_limit():
        for function, name, label in grid(table):
            if log:
                with open(log, "a") as stream:
                    print(function, name, label, file=stream, flush=True)
            outcome = call(table[function], name, HOSTILE[label], label, traced=function not in DRAWING)
            seconds[function] = seconds.get(function, 0.0) + outcome.seconds
            calls += 1
            if outcome.problem is not None:
                failures.append(f"{function}({name}={label}): {outcome.problem}")
    COUNTS.update(calls=calls, functions=len(table), failures=len(failures))
    slowest = sorted(seconds.items(), key=lambda item: -item[1])[:6]
    print(f"hostile grid: {calls} calls over {len(table)} functions, {len(failures)} failures", file=sys.stderr)
    print("slowest: " + ", ".join(f"{f} {t:.1f} s" for f, t in slowest), file=sys.stderr)
    assert not failures, f"{len(failures)} of {calls} calls failed:\n" + "\n".join(failures)


integers = st.one_of(
    st.integers(-(2**70), 2**70), st.integers(-3, 10), st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64])
)
hostile_values = st.one_of(
    integers,
    integers.map(np.int64) if False else st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(list(HOSTILE.values())),
    st.recursive(
        st.integers(-3, 5) | st.none() | st.text(max_size=3),
        lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner),
        max_leaves=12,
    ),
)


@pytest.mark.slow
@settings(max_examples=1000, derandomize=True, deadline=None, database=None)
@given(data=st.data())
def test_hostile_random(data: st.DataObject, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Random hostile values (derandomized): never an exception other than a clear ValueError/TypeError."""
    tmp = _TABLE.setdefault("dir", tmp_path_factory.mktemp("hostile"))
    table = _TABLE.setdefault("t", cases(tmp))
    function = data.draw(
        st.sampled_from(sorted(f for f in table if any((f, n) not in SKIPPED for n in table[f].params)))
    )
    case = table[function]
    name = data.draw(st.sampled_from(sorted(n for n in case.params if (function, n) not in SKIPPED)))
    value = data.draw(hostile_values)
    here = os.getcwd()
    os.chdir(tmp)  # a relative path ('3', '') writes there (contextlib.chdir needs Python 3.11)
    try:
        outcome = call(case, name, value, "random", traced=False)
    finally:
        os.chdir(here)
    problem = outcome.problem
    if problem == "accepted random":
        problem = None  # a random value may be valid; only the exceptions and bounds are judged here
    assert problem is None, f"{function}({name}={value!r:.200}): {problem}"


_TABLE: dict[str, Any] = {}
