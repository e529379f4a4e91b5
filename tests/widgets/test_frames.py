"""The frames an explorer keeps in the browser: the right pictures, never a stale one, none for a question.

The pictures are compared with what a renderer of the same scene draws in this test (PIL decoding
the PNGs), and the Tab's children with the slider's steps.
"""

from __future__ import annotations

import io

import numpy as np

from convarith.anim.render import Renderer
from convarith.widgets import GroupExplorer, LayerExplorer
from convarith.widgets.frames import AHEAD, BEHIND
from convarith.widgets.state import describe_layer

DPI = 20


def _pixels(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(bytes(data))).convert("RGB"))


def _shown(explorer: LayerExplorer, step: int) -> np.ndarray:
    """The picture the browser shows for ``step`` (from 0): the Tab's child the slider selects."""
    frames = explorer.frames
    return _pixels(frames.tab.children[frames.first + step].value)


def test_every_frame_sent_ahead_is_the_renderers_frame() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=DPI)
    scene = describe_layer("conv", 5, 3, stride=2, padding=1).scene
    assert scene is not None
    renderer = Renderer(scene, caption=False, dpi=DPI)
    explorer.step.value = 3  # a student steps: the pictures near step 2 (from 0) are sent ahead
    explorer.frames.fill()
    sent = [s for s in range(9) if explorer.frames.has(s)]
    assert sent == list(range(0, 2 + AHEAD + 1)), sent  # 0..6: two behind (0, 1), the current and 4 ahead
    assert BEHIND >= 2
    for step in sent:
        assert np.array_equal(_shown(explorer, step), renderer.draw_frame(step)), step
    assert len(explorer.frames.tab.children) == explorer.frames.first + 9  # a child for every step
    assert explorer.picture is explorer.frames.tab.children[explorer.frames.first + 2]


def test_a_new_layer_blanks_the_frames_of_the_old_one() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=DPI)
    explorer.frames.fill()
    old = {bytes(c.value) for c in explorer.frames.tab.children if _pixels(c.value).shape[0] > 1}
    assert len(old) == 1 + AHEAD  # step 0 and the steps ahead of it
    explorer.controls["stride"].value = 1  # 25 steps now: no picture of stride 2 may show for them
    scene = describe_layer("conv", 5, 3, stride=1, padding=1).scene
    assert scene is not None
    renderer = Renderer(scene, caption=False, dpi=DPI)
    children = explorer.frames.tab.children
    assert len(children) == explorer.frames.first + 25
    for step in range(1, 25):  # blank until sent again
        picture = bytes(children[explorer.frames.first + step].value)
        assert picture not in old and _pixels(picture).shape[:2] == (1, 1), step
    assert np.array_equal(_shown(explorer, 0), renderer.draw_frame(0))
    explorer.frames.fill()
    for step in range(1, AHEAD + 1):
        assert np.array_equal(_shown(explorer, step), renderer.draw_frame(step)), step


def test_a_step_not_sent_yet_is_drawn_when_stepped_to() -> None:
    explorer = LayerExplorer("conv", 7, 3, padding=1, dpi=DPI)
    scene = describe_layer("conv", 7, 3, padding=1).scene
    assert scene is not None
    explorer.step.value = 30  # far from any window: drawn by the kernel, as before
    assert explorer.frames.has(29)
    assert np.array_equal(_pixels(explorer.picture.value), Renderer(scene, caption=False, dpi=DPI).draw_frame(29))


def test_a_prediction_explorer_keeps_one_picture_and_sends_nothing_ahead() -> None:
    for predict in ("output_size", "next_value", "reads"):
        explorer = LayerExplorer("conv", 5, 3, predict=predict, dpi=DPI)
        explorer.frames.wake()
        assert explorer.frames.fill() in (0, 1)
        assert explorer.frames.box.children == (explorer.frames.first_picture,)
        assert explorer.frames.link is None  # the slider selects nothing in the browser: the kernel draws


def test_the_group_explorer_sends_its_channels_ahead() -> None:
    explorer = GroupExplorer(4, 8, groups=2, dpi=DPI)
    explorer.frames.fill()
    renderer = explorer.renderer
    assert renderer is not None
    for channel in range(0, AHEAD + 1):
        assert explorer.frames.has(channel)
        assert np.array_equal(_shown(explorer, channel), renderer.draw_frame(channel)), channel  # type: ignore[arg-type]
    explorer.step.value = 3
    assert explorer.channel.value.startswith("output channel 3")
