"""Notebook 02's padding-mode section says what its widgets show (issue 13 item 5).

The notebook's cells before its exercises are run as Jupyter would; the prose above the explorer
promises the notebook's own ``x``, grey padding values that change with the padding-mode
dropdown, changed outputs at the border only, and output size 7. Oracles: the rows the notebook
itself prints (``convarith.pad``) and a hand-worked sum.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from convarith.widgets import LayerExplorer
from tests._cells import run_until_exercises

MODES = ("zeros", "reflect", "replicate", "circular")


@pytest.fixture(scope="module")
def notebook() -> tuple[dict[str, Any], list[tuple[str, str, Any, str]]]:
    return run_until_exercises("02_padding")


def mode_explorer(ran: list[tuple[str, str, Any, str]]) -> tuple[str, LayerExplorer]:
    prose, _, explorer = next((p, s, v) for p, s, v, _ in ran if isinstance(v, LayerExplorer) and "padding_mode" in s)
    return prose, explorer


def test_the_explorer_draws_the_notebooks_x_and_the_printed_padded_rows(notebook) -> None:
    names, ran = notebook
    prose, explorer = mode_explorer(ran)
    assert "this same `x`" in prose and "grey numbers" in prose and "**padding_mode**" in prose
    printed = next(out for _, source, _, out in ran if "ca.pad(x, 2, mode=mode)" in source)
    rows = {}
    for line in printed.splitlines():  # "  reflect: [3 2 1 2 3 4 5 4 3]"
        mode, values = line.split(":")
        rows[mode.strip()] = [int(v) for v in re.findall(r"-?\d+", values)]
    assert set(rows) == set(MODES)
    for mode in MODES:
        explorer.controls["padding_mode"].value = mode  # the dropdown, as a student moves it
        panel = explorer.state.scene.panels[0]
        np.testing.assert_array_equal(panel.input_values, names["x"][0, 0])  # the notebook's own x
        assert panel.padded_values.tolist() == rows[mode]  # grey values == the printed row
        texts = explorer.renderer._panel_artists[0].in_texts
        assert [texts[(c,)].get_text() for c in (-2, -1, 5, 6)] == [str(rows[mode][i]) for i in (0, 1, 7, 8)]


def test_only_the_border_outputs_change_and_the_size_stays_7(notebook) -> None:
    _, ran = notebook
    _, explorer = mode_explorer(ran)
    outputs = {}
    for mode in MODES:
        explorer.controls["padding_mode"].value = mode
        outputs[mode] = explorer.state.scene.panels[0].frames[-1].output_values
        assert explorer.state.layer.output_shape == (7,)
    for mode in MODES[1:]:
        assert (outputs[mode] != outputs["zeros"]).tolist() == [True, True, False, False, False, True, True]
    assert outputs["reflect"][0] == 3 + 2 + 1  # w = [1, 1, 1]: the sum of reflect's first three cells


def test_too_much_reflection_is_a_message_and_circular_fits(notebook) -> None:
    _, ran = notebook
    prose = next(p for p, s, _, _ in ran if "padding_modes_scene" in s)
    assert "All four modes side by side" in prose
    _, explorer = mode_explorer(ran)
    explorer.controls["padding_mode"].value = "reflect"
    explorer.controls["pad_before"].value = 5
    assert "must be smaller than the input size 5" in explorer.message.value
    explorer.controls["padding_mode"].value = "circular"
    assert explorer.message.value == "" and explorer.state.scene.panels[0].padded_values is not None


def test_the_still_compares_the_four_modes(notebook) -> None:
    names, ran = notebook
    from convarith.anim.scenes import padding_modes_scene

    shown = next(v for _, s, v, _ in ran if "padding_modes_scene" in s)
    assert shown.data[:4] == b"\x89PNG"
    scene = padding_modes_scene(names["x"][0, 0], 3, 2, kernel_values=names["w"][0, 0])
    assert [p.padding_mode for p in scene.panels] == list(MODES)
