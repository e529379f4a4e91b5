"""The argument gate and the picture size guards (issue 19, items 3-4): each "Why" case by hand.

Every test here failed before the gate (``convarith/arithmetic/validate.py``): a string taken as
true, an empty AssertionError, a KeyError/IndexError, a FreeType RuntimeError, a MemoryError with
an empty message, a RecursionError from a message that repr'd a deep argument, or a scene that
ran for seconds before failing. :mod:`tests.test_hostile` runs the same rules over every public
function.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

import convarith as ca
from convarith.anim import render, save, save_sheet
from convarith.anim.scenes import conv_scene, group_scene, transpose_scene
from convarith.arithmetic import format_padding, format_param, format_size, relationship
from convarith.arithmetic.validate import MAX_SIZE, check_bool, check_int, shown


def deep(depth: int) -> list:
    value: list = [3]
    for _ in range(depth):
        value = [value]
    return value


def test_string_booleans_are_refused(tmp_path: Path) -> None:
    """`overwrite='False'` replaced the file; `sheet='False'` and `transposed='False'` were true."""
    scene = conv_scene((2, 2), 1)
    kept = tmp_path / "keep.gif"
    kept.write_bytes(b"mine")
    with pytest.raises(TypeError, match="`overwrite` must be a bool, got str 'False'"):
        save(scene, kept, overwrite="False", dpi=20)
    assert kept.read_bytes() == b"mine"
    with pytest.raises(TypeError, match="`sheet` must be a bool"):
        save(scene, tmp_path / "s.png", sheet="False", dpi=20)
    assert not (tmp_path / "s.png").exists()
    with pytest.raises(TypeError, match="`transposed` must be a bool"):
        relationship(3, 2, transposed="False")
    with pytest.raises(TypeError, match="`numbers` must be a bool"):
        conv_scene(3, 2, numbers="False")
    assert check_bool(np.bool_(True), "flag") is True


def test_no_assert_on_a_missing_input_size() -> None:
    """`conv_output_size(None, 3)` raised an AssertionError with an empty message."""
    for function in (ca.conv_output_size, ca.pool_output_size, ca.conv_transpose_output_size):
        with pytest.raises(TypeError, match="`input_size` is required"):
            function(None, 3)


def test_format_functions_refuse_what_is_not_a_size() -> None:
    """`format_size('zeros')` gave 'z×e×r×o×s'; format_padding/format_param raised IndexError/KeyError."""
    with pytest.raises(TypeError, match="`values` must be an integer, got str 'zeros'"):
        format_size("zeros")
    with pytest.raises(TypeError, match="`pads` must be a non-empty sequence of"):
        format_padding("same_lower")
    with pytest.raises(TypeError, match="`values` must be an integer, got dict"):
        format_param({1: 2})
    assert format_size(np.array([5, 6])) == "5×6"  # a 1-D array of sizes is fine
    assert format_padding([(np.int64(0), 1)]) == "(0, 1)"


def test_huge_integers_are_refused_by_name() -> None:
    """Stride 2**63 gave an OverflowError in the pools and conv_matrix; padding np.uint64(2**63) in conv_scene."""
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"`stride` must be at most 2147483647 \(MAX_SIZE\)"):
        ca.max_pool(x, 2, stride=2**63, ndim=2)
    with pytest.raises(ValueError, match="`stride`"):
        ca.conv_matrix((1, 4, 4), np.ones((1, 1, 2, 2)), stride=2**63)
    with pytest.raises(ValueError, match="`padding`"):
        conv_scene(3, 2, padding=np.uint64(2**63))
    assert check_int(MAX_SIZE, "size") == MAX_SIZE
    with pytest.raises(TypeError, match=r"`size` must be an integer, got float 3\.0"):
        check_int(3.0, "size")


def test_messages_never_repr_a_deep_or_huge_argument() -> None:
    """A deeply nested kernel made the error path raise RecursionError (89 in the issue's fuzz)."""
    with pytest.raises(TypeError, match="`kernel_size") as error:
        ca.conv_output_size(5, deep(5000))
    assert len(str(error.value)) < 300
    with pytest.raises(ValueError) as error:
        ca.conv_output_size(5, 3, padding="x" * 10**6)
    assert len(str(error.value)) < 400
    assert len(shown(deep(5000))) <= 80 and len(shown("x" * 10**6)) <= 80


def test_scene_size_guards_refuse_before_building() -> None:
    """`conv_scene(2**63, 3)` was a MemoryError with an empty message; `conv_scene(10**6, 3)` ran > 10 s."""
    with pytest.raises(ValueError, match="`input_size` must be at most 2147483647"):
        conv_scene(2**63, 3)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"`input_size`: the picture would draw 1000000 cells .* more than MAX_GRID"):
        conv_scene(10**6, 3)
    with pytest.raises(ValueError, match=r"`input_size` \(500, 500\) gives 498×498 outputs: 248004 frames"):
        conv_scene((500, 500), 3)
    with pytest.raises(ValueError, match="`dilation`: the picture would draw"):
        transpose_scene(2, 3, dilation=10**6)
    with pytest.raises(ValueError, match="`out_channels` must be at most 64"):
        group_scene(2, 2**31)
    assert time.perf_counter() - start < 1.0  # refused from the sizes alone (generous: a shared machine)
    with pytest.raises(ValueError, match="more than MAX_VALUE_CELLS"):
        conv_scene((60, 60), 3, numbers=True)


def test_drawing_options_are_bounded(tmp_path: Path) -> None:
    """`save(..., dpi=1)` raised FreeType's RuntimeError; dpi 1e308 an OverflowError; a huge sheet a MemoryError."""
    scene = conv_scene((2, 2), 1)
    with pytest.raises(ValueError, match="`dpi` must be between 10 and 1000, got 1"):
        save(scene, tmp_path / "a.gif", dpi=1)
    with pytest.raises(ValueError, match="`dpi` must be between 10 and 1000"):
        save(scene, tmp_path / "a.gif", dpi=1e308)
    with pytest.raises(ValueError, match=r"`height` 0\.01 inches at `dpi` 100 is 1 pixels"):
        render(scene, height=0.01)
    with pytest.raises(ValueError, match="`loop` must be at most 65535"):
        save(scene, tmp_path / "a.gif", loop=70000, dpi=20)
    with pytest.raises(ValueError, match="`dpi`: a sheet of 16 frames"):
        save_sheet(conv_scene((4, 4), 1), tmp_path / "s.png", dpi=1000, width=8, height=8)
    assert not list(tmp_path.iterdir())
    # a title far longer than the frame is wide is set at one pixel, not refused by FreeType
    long = conv_scene((2, 2), 1, title="x" * 200)
    assert render(long, dpi=10).draw_frame(0).shape == (54, 96, 3)
