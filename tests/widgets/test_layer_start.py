"""LayerExplorer(layer=...) and the cells notebook 12 ends with: a real layer, a corner of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from convarith.arithmetic import layer, window_map
from convarith.network import example, inspect
from convarith.widgets import LayerExplorer
from convarith.widgets.layer_start import explorer_start

NOTEBOOK_12 = Path(__file__).resolve().parents[2] / "notebooks" / "12_your_own_network.ipynb"


def _slide_cells() -> list[str]:
    """The code cells of notebook 12 that animate a row of its report (read from the notebook itself)."""
    cells = json.loads(NOTEBOOK_12.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return [s for s in sources if 'layer_scene(block["stem"])' in s or 'LayerExplorer(layer=block["stem"])' in s]


def test_notebook_12_cells_animate_the_stem_of_its_network():
    cells = _slide_cells()
    assert len(cells) == 2, "notebook 12 ends with a player and an explorer of block['stem']"
    namespace = {"block": inspect(example("inception_block"))}
    exec(cells[0], namespace)  # the player of the stem
    scene = namespace["ca"].anim.layer_scene(namespace["block"]["stem"])
    assert len(scene) == 16 and "channels 3 → 16" in scene.panels[0].caption
    exec(cells[1], namespace)


def test_explorer_starts_from_a_corner_of_a_report_row():
    row = inspect(example("inception_block"))["stem"]  # Keras 'same', k=3, s=2 on 64: padding (0, 1)
    explorer = LayerExplorer(layer=row, dpi=20)
    lay = explorer.state.layer
    assert explorer.kind == "conv" and explorer.step.max == 16
    # by hand: the bottom-right corner, outputs 28..31 read 2*28 = 56 .. 2*31 + 2 = 64 (64 is padding)
    assert lay.input_shape == (8, 8) and lay.padding == ((0, 1), (0, 1)) and lay.output_shape == (4, 4)
    full = window_map(row.layer)
    for pos in window_map(lay).positions():
        small = [tuple(c + 56 for c in r.input) for r in window_map(lay).reads(pos)]
        assert small == [r.input for r in full.reads(tuple(p + 28 for p in pos))]
    note = explorer.layer_note.value
    assert "stem: the sliders started from a corner of the real layer. bottom-right corner: input rows 56..64" in note
    assert "channels 3 → 16" in note


def test_explorer_sliders_reach_a_resnet_stem():
    explorer = LayerExplorer(layer=layer("conv", (224, 224), 7, stride=2, padding=3), dpi=20)
    c = explorer.controls
    assert (c["kernel_size"].value, c["input_size"].value, c["pad_before"].value, c["pad_after"].value) == (7, 10, 3, 0)
    assert explorer.state.layer.output_shape == (4, 4)  # not a slider clamped at 6
    assert "rows -3..9" in explorer.layer_note.value


def test_explorer_start_refuses_what_it_cannot_show():
    with pytest.raises(ValueError, match="'lp_pool' layer"):
        explorer_start(layer("lp_pool", (60, 60), 2))
    with pytest.raises(ValueError, match="3 spatial axes"):
        explorer_start(layer("conv", (8, 8, 8), 3))
    with pytest.raises(ValueError, match="differs between its axes"):
        explorer_start(layer("conv", (224, 224), (7, 3), stride=2, padding=1))
    with pytest.raises(TypeError, match="`layer` must be a Layer"):
        explorer_start("conv1")
