"""Prose = widget: every "Think about it" that names a setting is done on the widget it names.

Each question below that says to set something in an explorer is in :data:`SETTINGS`: the test runs
the notebook's cells before its exercises (as Jupyter would), applies the setting to that explorer,
and checks the outcome the answer claims, against numbers worked out by hand. A new question that
names an explorer without an entry here fails :func:`test_every_setting_in_the_prose_is_executed`.
06's question once said "kernel 2" for an explorer bound to a 3×3 `w` (the answer: "Not a valid
layer"), and 07's explorer showed other numbers than the `x` printed above it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from convarith.widgets import GroupExplorer, LayerExplorer
from tests._cells import NOTEBOOKS, run_until_exercises

ITEM = re.compile(r"^(\d+)\. (.*?)(?=^\d+\. |\Z)", re.M | re.S)
NAMES_A_SETTING = re.compile(r"\bexplorer\b|\bset\b|\btick\b", re.I)


def _questions(path: Any) -> dict[int, str]:
    """The numbered questions of a notebook's "Think about it" (the answers left out)."""
    questions = {}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "Think about it" in text:
            asked = text.split("<details>")[0]
            questions.update({int(n): body for n, body in ITEM.findall(asked)})
    return questions


def _widgets(name: str, kind: type) -> list[Any]:
    return [value for _, _, value, _ in run_until_exercises(name)[1] if isinstance(value, kind)]


def _01_kernel_larger_than_input() -> None:
    explorer = _widgets("01_discrete_convolution", LayerExplorer)[0]  # "kernel 6 on an input of 5"
    explorer.set(input_size=5, kernel_size=6)
    message = explorer.message.value
    assert explorer.state.scene is None and "`kernel_size` 6" in message and "input 5" in message


def _04_kernel_1_and_dilation() -> None:
    explorer = _widgets("04_dilation", LayerExplorer)[0]  # "set kernel 1. Does dilation change anything?"
    for d in (1, 2, 3):
        explorer.set(kernel_size=1, dilation=d)
        lay = explorer.state.layer
        assert lay is not None and lay.effective_kernel_size == (1, 1) and lay.output_shape == (7, 7)  # d·0 + 1 = 1


def _06_kernel_2_stride_2_scatter() -> None:
    explorer = _widgets("06_transposed_convolution", LayerExplorer)[-1]  # "the last explorer ... set kernel 2"
    explorer.set(kernel_size=2)
    assert explorer.message.value == ""
    lay = explorer.state.layer
    assert lay is not None and lay.input_shape == (3, 3) and lay.stride == (2, 2) and lay.output_shape == (6, 6)
    panel = explorer.state.scene.panels[0]
    assert panel.footprint_on_output  # the scatter view
    written = [c.coord for frame in panel.frames for c in frame.writes]
    assert len(written) == len(set(written)) == 36  # the copies tile the 6×6 output: each cell one source


def _08_groups_3_with_4_channels() -> None:
    explorer = _widgets("08_groups_depthwise", GroupExplorer)[0]  # "groups = 3 with 4 input channels"
    explorer.controls["in_channels"].value = 4
    explorer.controls["groups"].value = 3
    message = explorer.message.value
    assert explorer.state.scene is None and "in_channels" in message and "groups" in message


SETTINGS: dict[tuple[str, int], Callable[[], None]] = {
    ("01_discrete_convolution", 1): _01_kernel_larger_than_input,
    ("04_dilation", 1): _04_kernel_1_and_dilation,
    ("06_transposed_convolution", 2): _06_kernel_2_stride_2_scatter,
    ("08_groups_depthwise", 1): _08_groups_3_with_4_channels,
}


def test_every_setting_in_the_prose_is_executed() -> None:
    named = {
        (path.stem, n)
        for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
        for n, text in _questions(path).items()
        if NAMES_A_SETTING.search(text)
    }
    assert named == set(SETTINGS), f"questions that name a setting: {sorted(named)}; executed: {sorted(SETTINGS)}"


@pytest.mark.slow
@pytest.mark.parametrize("question", SETTINGS, ids=[f"{name[:2]}-{n}" for name, n in SETTINGS])
def test_the_setting_gives_the_outcome_the_answer_claims(question: tuple[str, int]) -> None:
    SETTINGS[question]()


def test_07_explorer_shows_the_printed_x_through_c() -> None:
    """07: "shows the same four positions: its output cells are the four values printed"."""
    names, ran = run_until_exercises("07_matrix_view")
    (explorer,) = [value for _, _, value, _ in ran if isinstance(value, LayerExplorer)]
    x, w = np.arange(16).reshape(4, 4), names["w"]
    by_hand = [[(x[r : r + 3, c : c + 3] * w).sum() for c in range(2)] for r in range(2)]  # [[52, 61], [88, 97]]
    panel = explorer.state.scene.panels[0]
    assert len(panel.frames) == names["C"].shape[0] == 4
    np.testing.assert_array_equal(panel.frames[-1].output_values, by_hand)
    np.testing.assert_array_equal((names["C"] @ x.ravel()).reshape(2, 2), by_hand)
