"""Predict, then reveal: the checks against hand-worked layers, and the explorer hiding each answer until Check.

The right answers here are worked by hand (the guide's figures and its numerical figure), not taken
from the code under test. "Hidden" is checked on the widgets' serialised state (what a saved
notebook or a docs page would carry): no HTML, image or slider bound may hold the answer.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import ipywidgets as widgets

from convarith.anim.scenes import conv_scene, pool_scene, transpose_scene
from convarith.arithmetic import layer
from convarith.widgets.layer_explorer import LayerExplorer
from convarith.widgets.predict import (
    PredictionFormatError,
    check_next_value,
    check_output_size,
    check_reads,
    parse_size,
    parse_value,
    question,
)
from tests._cells import NOTEBOOKS as NOTEBOOK_DIR
from tests._cells import run_until_exercises

# the guide's numerical figure (no_padding_no_strides with numbers): its output, worked by hand
GUIDE_X = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
GUIDE_W = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])
GUIDE_Y = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]


# -- reading answers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ndim", "size"),
    [("3", 2, (3, 3)), ("3x3", 2, (3, 3)), ("3×3", 2, (3, 3)), ("3,3", 2, (3, 3)), ("(3, 4)", 2, (3, 4)),
     (" 3 X 4 ", 2, (3, 4)), ("7", 1, (7,))],
)  # fmt: skip
def test_sizes_are_read_in_every_spelling(text: str, ndim: int, size: tuple[int, ...]) -> None:
    assert parse_size(text, ndim) == size


@pytest.mark.parametrize(("text", "ndim"), [("", 2), ("three", 2), ("3x3x3", 2), ("3.5", 2), ("-3", 2), ("3x3", 1)])
def test_unreadable_sizes_say_how_to_write_them(text: str, ndim: int) -> None:
    with pytest.raises(PredictionFormatError, match="Write the output size"):
        parse_size(text, ndim)


def test_values_are_read_as_numbers_fractions_and_infinity() -> None:
    assert parse_value("19") == 19
    assert parse_value("−2.5") == -2.5
    assert parse_value("4/3") == pytest.approx(4 / 3)
    assert parse_value("-inf") == parse_value("−∞") == -np.inf
    with pytest.raises(PredictionFormatError, match="Write a number"):
        parse_value("nineteen")


# -- output size -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "i", "k", "s", "p", "d", "right"),
    [
        ("conv", 5, 3, 2, 1, 1, 3),  # padding_strides: (5 + 2 - 3) // 2 + 1
        ("conv", 6, 3, 2, 1, 1, 3),  # padding_strides_odd: (6 + 2 - 3) // 2 + 1 = 3 (floor of 2.5)
        ("conv", 7, 3, 1, 0, 2, 3),  # dilation: ek = 5, 7 - 5 + 1
        ("conv", 5, 4, 1, 2, 1, 6),  # arbitrary_padding_no_strides: 5 + 4 - 4 + 1
        ("conv_transpose", 2, 3, 2, 0, 1, 5),  # no_padding_strides_transposed: (2 - 1)·2 + 3
    ],
)
def test_output_size_right_and_wrong_on_the_guides_figures(
    op: str, i: int, k: int, s: int, p: int, d: int, right: int
) -> None:
    lay = layer(op, (i, i), k, s, p, d)
    good = check_output_size(lay, f"{right}x{right}")
    assert good.correct and good.text == f"✓ Right: {right}×{right}"
    bad = check_output_size(lay, str(right + 1))
    assert not bad.correct
    assert bad.text == f"✗ You said {right + 1}×{right + 1}; the output is {right}×{right}"
    assert f"= {right}" in bad.detail  # the formula with the numbers


def test_output_size_hints_name_the_slip() -> None:
    odd = layer("conv", (6, 6), 3, 2, 1)  # (6 + 2 - 3)/2 = 2.5: rounding up gives 4
    assert "Round down" in check_output_size(odd, "4").detail
    dilated = layer("conv", (7, 7), 3, 1, 0, 2)  # with k instead of ek: 7 - 3 + 1 = 5
    assert "dilated kernel spans ek" in check_output_size(dilated, "5").detail
    padded = layer("conv", (5, 5), 3, 1, 1)  # without the padding: 5 - 3 + 1 = 3
    assert "padding on both sides" in check_output_size(padded, "3").detail
    pooled = layer("max_pool", (5, 5), 2, 2, 0, ceil_mode=True)  # ceil mode keeps a third window
    assert "rounds up" in check_output_size(pooled, "2").detail


def test_output_size_per_axis() -> None:
    lay = layer("conv", (5, 7), 3, 2, 1)  # 3 × 4
    assert check_output_size(lay, "3x4").correct
    assert not check_output_size(lay, "3").correct  # 3×3


# -- next value ------------------------------------------------------------------------------


def test_next_value_on_the_guides_numerical_figure() -> None:
    panel = conv_scene((5, 5), 3, numbers=True, input_values=GUIDE_X, kernel_values=GUIDE_W).panels[0]
    for step in range(9):
        r, c = divmod(step, 3)
        right = check_next_value(panel, step, str(GUIDE_Y[r][c]))
        assert right.correct and right.text == f"✓ Right: output cell ({r}, {c}) = {GUIDE_Y[r][c]}"
        wrong = check_next_value(panel, step, str(GUIDE_Y[r][c] + 1))
        assert not wrong.correct and wrong.text.endswith(f"is {GUIDE_Y[r][c]}")
    # output (1, 2) = 19: rows 1..3, columns 2..4 of x times w, nine products worked by hand
    working = check_next_value(panel, 5, "19").detail
    assert working.startswith("1·0 + 3·1 + 1·2 + 2·2 + 2·2 + 3·0 + 0·0 + 2·1 + 2·2 = 19"), working


def test_next_value_of_pools_and_fractions() -> None:
    x = np.array([[1, 2], [3, 5]])
    panel = pool_scene((2, 2), 2, 2, mode="max", input_values=x).panels[0]
    assert check_next_value(panel, 0, "5").correct
    assert check_next_value(panel, 0, "5").detail == "max(1, 2, 3, 5) = 5"
    avg = pool_scene((2, 2), 2, 2, mode="avg", input_values=np.array([[1, 1], [1, 1]]) * [[1, 1], [1, 0]]).panels[0]
    assert check_next_value(avg, 0, "3/4").correct  # (1 + 1 + 1 + 0) / 4
    assert check_next_value(avg, 0, "0.75").correct
    assert not check_next_value(avg, 0, "0.7").correct


def test_next_value_of_the_transposed_direct_view() -> None:
    # the guide's no_padding_strides_transposed on x = [[1, 2], [3, 4]], w = the guide's kernel: scatter by hand
    x = np.array([[1, 2], [3, 4]])
    by_hand = np.zeros((5, 5), dtype=int)
    for r in range(2):
        for c in range(2):
            by_hand[2 * r : 2 * r + 3, 2 * c : 2 * c + 3] += x[r, c] * GUIDE_W
    panel = transpose_scene((2, 2), 3, 2, numbers=True, input_values=x, kernel_values=GUIDE_W).panels[0]
    for step in range(25):
        assert check_next_value(panel, step, str(by_hand[divmod(step, 5)])).correct


def test_next_value_needs_values_and_a_direct_view() -> None:
    with pytest.raises(ValueError, match="numbers=True"):
        check_next_value(conv_scene((4, 4), 3).panels[0], 0, "1")
    with pytest.raises(ValueError, match="scatter view"):
        check_next_value(transpose_scene((2, 2), 3, 2, view="scatter", numbers=True).panels[0], 0, "1")


# -- reads -----------------------------------------------------------------------------------


def test_reads_right_missing_and_extra_on_padding_strides() -> None:
    panel = conv_scene((5, 5), 3, 2, 1).panels[0]  # output (1, 2) reads rows 1..3, columns 3..5 (5 = padding)
    by_hand = [(r, c) for r in range(1, 4) for c in range(3, 6)]
    assert question(panel, 5).target == (1, 2)
    assert check_reads(panel, 5, by_hand).correct
    forgot_padding = [cell for cell in by_hand if cell[1] != 5] + [(0, 0)]
    verdict = check_reads(panel, 5, forgot_padding)
    assert not verdict.correct
    assert verdict.missing == ((1, 5), (2, 5), (3, 5)) and verdict.extra == ((0, 0),)
    assert verdict.text == "✗ Not quite: 3 cells missing, 1 extra"


def test_reads_of_a_dilated_kernel_skip_the_holes() -> None:
    panel = conv_scene((7, 7), 3, dilation=2).panels[0]  # the guide's dilation figure
    taps = [(r, c) for r in (0, 2, 4) for c in (0, 2, 4)]
    assert check_reads(panel, 0, taps).correct
    block = [(r, c) for r in range(5) for c in range(5)]
    assert len(check_reads(panel, 0, block).extra) == 16  # the holes are not read


def test_reads_in_the_scatter_view_are_the_cells_written() -> None:
    panel = transpose_scene((2, 2), 3, 2, view="scatter").panels[0]  # input (0, 1) adds onto rows 0..2, columns 2..4
    q = question(panel, 1)
    assert (q.target, q.target_grid, q.grid) == ((0, 1), 0, 1)
    assert check_reads(panel, 1, [(r, c) for r in range(3) for c in range(2, 5)]).correct


# -- the explorer hides every answer until Check ---------------------------------------------------


def _serialised(explorer: LayerExplorer) -> list[dict[str, Any]]:
    """Every widget state in the explorer's tree (what a notebook output or a docs page keeps)."""
    seen: dict[str, dict[str, Any]] = {}
    stack: list[Any] = [explorer]
    while stack:
        widget = stack.pop()
        if isinstance(widget, widgets.Widget) and widget.model_id not in seen:
            seen[widget.model_id] = widget.get_state()
            stack.extend(getattr(widget, "children", ()))
    assert explorer.picture.model_id in seen and explorer.prediction.feedback.model_id in seen
    return list(seen.values())


def _texts(states: list[dict[str, Any]]) -> list[str]:
    return [str(v) for state in states for k, v in state.items() if isinstance(v, str) and k != "_model_name"]


def _token(text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.]){re.escape(text)}(?![\w.])")


def test_output_size_is_in_no_widget_before_check() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, predict="output_size", dpi=20)
    states = _serialised(explorer)
    assert not any(_token("3×3").search(t) or "output 3" in t for t in _texts(states))
    assert bytes(explorer.picture.value) == b""
    assert explorer.step.max == explorer.play.max == 1  # not the 9 positions
    assert explorer.formula.value == explorer.check.value == explorer.position.value == ""
    explorer.prediction.answer.value = "4x4"
    verdict = explorer.check_prediction()
    assert verdict is not None and not verdict.correct
    assert "the output is 3×3" in explorer.prediction.feedback.value
    assert explorer.step.max == 9 and bytes(explorer.picture.value).startswith(b"\x89PNG")
    assert "agree" in explorer.check.value
    explorer.set(numbers=True)  # the same layer, drawn with values: not asked again
    assert bytes(explorer.picture.value).startswith(b"\x89PNG") and explorer.step.max == 9
    # a new layer asks again
    explorer.controls["stride"].value = 1
    assert bytes(explorer.picture.value) == b"" and explorer.step.max == 1
    assert explorer.prediction.feedback.value == ""
    explorer.prediction.answer.value = "5"
    assert explorer.check_prediction().correct  # type: ignore[union-attr]
    assert explorer.step.max == 25


def test_an_unreadable_answer_reveals_nothing() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, predict="output_size", dpi=20)
    explorer.prediction.answer.value = "three"
    assert explorer.check_prediction() is None
    assert "Write the output size" in explorer.prediction.feedback.value
    assert bytes(explorer.picture.value) == b"" and explorer.step.max == 1


def test_next_value_is_in_no_widget_before_check() -> None:
    explorer = LayerExplorer("conv", x=GUIDE_X, w=GUIDE_W, predict="next_value", dpi=40)
    assert explorer.play.disabled and explorer.step.max == 1
    assert explorer.controls["numbers"].value and explorer.controls["numbers"].disabled  # values stay shown
    renderer = explorer.renderer
    assert renderer is not None
    for step in range(6):  # up to output (1, 2) = 19
        r, c = divmod(step, 3)
        value = str(GUIDE_Y[r][c])
        assert not any(_token(f"= {value}").search(t) or f"is {value}" in t for t in _texts(_serialised(explorer)))
        shown = np.asarray(_png(explorer.picture.value))
        assert not np.array_equal(shown, renderer.draw_frame(step)), "the frame with its value is shown"
        explorer.prediction.answer.value = value if step % 2 == 0 else "0"
        verdict = explorer.check_prediction()
        assert verdict is not None and verdict.correct == (step % 2 == 0)
        assert np.array_equal(np.asarray(_png(explorer.picture.value)), renderer.draw_frame(step))  # revealed
        assert explorer.step.max == step + 2
        explorer.next_question()
    assert "output cell (2, 0)" in explorer.prediction.prompt.value


def test_reads_are_in_no_widget_before_check() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, predict="reads", dpi=40)
    renderer = explorer.renderer
    assert renderer is not None
    shown = np.asarray(_png(explorer.picture.value))
    read_colour = np.array([0x56, 0xB4, 0xE9])  # the palette's input_read: no cell highlighted
    r0, r1, c0, c1 = renderer.cell_box(0, 0, (0, 0))
    assert not (shown[r0:r1, c0:c1] == read_colour).all(axis=-1).any()
    assert not np.array_equal(shown, renderer.draw_frame(0))
    for cell in [(r, c) for r in range(-1, 2) for c in range(-1, 2)]:  # output (0, 0) reads these, by hand
        r0, r1, c0, c1 = renderer.cell_box(0, 0, cell)
        explorer.on_click({"type": "click", "arrayX": (c0 + c1) // 2, "arrayY": (r0 + r1) // 2})
    assert len(explorer.chosen) == 9
    explorer.on_click({"type": "click", "arrayX": (c0 + c1) // 2, "arrayY": (r0 + r1) // 2})  # unpick (1, 1)
    verdict = explorer.check_prediction()
    assert verdict is not None and not verdict.correct and verdict.missing == ((1, 1),)
    assert np.array_equal(np.asarray(_png(explorer.picture.value)), renderer.draw_frame(0))


def _png(data: Any) -> Any:
    import io

    from PIL import Image

    return Image.open(io.BytesIO(bytes(data))).convert("RGB")


def test_unknown_prediction_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="`predict` must be None or one of"):
        LayerExplorer("conv", predict="outputsize", dpi=20)


def test_the_still_picture_shows_no_step_and_leaves_the_frames_alone() -> None:
    from convarith.anim.render import Renderer

    renderer = Renderer(conv_scene((5, 5), 3, numbers=True, input_values=GUIDE_X, kernel_values=GUIDE_W), dpi=40)
    before = renderer.draw_frame(8).copy()
    still = renderer.still_frame()
    assert np.array_equal(renderer.draw_frame(8), before)
    for r in range(3):
        for c in range(3):  # every output cell blank: its inside is one colour (no value written)
            r0, r1, c0, c1 = renderer.cell_box(0, 1, (r, c))
            inside = still[r0 + 3 : r1 - 3, c0 + 3 : c1 - 3].reshape(-1, 3)
            assert (inside == inside[0]).all()
            inside_after = before[r0 + 3 : r1 - 3, c0 + 3 : c1 - 3].reshape(-1, 3)
            assert not (inside_after == inside_after[0]).all()  # the last frame writes every value


# -- the notebooks use them as their prose says ----------------------------------------------------


def _notebook_predictors(name: str) -> list[tuple[str, LayerExplorer, dict[str, Any]]]:
    """Run a notebook's cells before its exercises; each prediction explorer with the markdown above it."""
    names, ran = run_until_exercises(name)
    return [(md, value, names) for md, _, value, _ in ran if isinstance(value, LayerExplorer) and value.predict]


@pytest.mark.slow
def test_notebooks_predict_as_their_prose_says() -> None:
    ((prose, explorer, names),) = _notebook_predictors("01_discrete_convolution")
    assert explorer.predict == "next_value" and "press **Check**" in prose and "nine products" in prose
    assert np.array_equal(np.asarray(explorer.x), names["x_new"]) and np.array_equal(np.asarray(explorer.w), names["w"])
    first = int((names["x_new"][:3, :3] * names["w"]).sum())  # the top-left window's nine products, by hand
    explorer.prediction.answer.value = str(first)
    verdict = explorer.check_prediction()
    assert verdict is not None and verdict.correct and verdict.detail.count("·") == 9

    ((prose, explorer, _),) = _notebook_predictors("03_strides")
    assert explorer.predict == "output_size" and "asks again for the new layer" in prose
    assert bytes(explorer.picture.value) == b"" and explorer.formula.value == ""
    explorer.prediction.answer.value = "3"  # (8 + 2 - 3) / 3 = 2.33, rounded down, + 1: worked by hand
    assert explorer.check_prediction().correct  # type: ignore[union-attr]

    ((prose, explorer, _),) = _notebook_predictors("04_dilation")
    assert explorer.predict == "reads" and "holes" in prose
    assert explorer.state.layer is not None and explorer.state.layer.dilation == (2, 2)
    assert "Which input cells does output cell (0, 0) read?" in explorer.prediction.prompt.value

    ((prose, explorer, _),) = _notebook_predictors("05_pooling")
    assert explorer.predict == "next_value" and explorer.kind == "max_pool" and "ceil mode on" in prose
    assert explorer.state.layer is not None and explorer.state.layer.output_shape == (3, 3)
    assert explorer.controls["ceil_mode"].value

    ((prose, explorer, names),) = _notebook_predictors("06_transposed_convolution")
    assert explorer.predict == "reads" and "scatter view" in prose
    assert "Which output cells does input cell (0, 0) add the kernel to?" in explorer.prediction.prompt.value
    assert explorer.state.layer is not None and explorer.state.layer.input_shape == (3, 3) and "3×3 input" in prose


_BEFORE_EXERCISES = [p.stem for p in sorted(NOTEBOOK_DIR.glob("[01][0-9]_*.ipynb")) if int(p.name[:2]) <= 11]


@pytest.mark.slow
@pytest.mark.parametrize("name", _BEFORE_EXERCISES)
def test_no_prediction_has_its_answer_shown_above_it(name: str) -> None:
    """01 and 05 once asked for the values the explorer just above showed (the same input), 04 and 06
    for the cells the explorer above highlighted (the same layer), and 01 printed `y` as well."""
    _, ran = run_until_exercises(name)
    explorers = [(n, value) for n, (_, _, value, _) in enumerate(ran) if isinstance(value, LayerExplorer)]
    for n, asking in explorers:
        if not asking.predict:
            continue
        panel = asking.state.scene.panels[0]
        for m, shown in explorers:
            if m >= n:
                break
            if asking.predict == "next_value":  # the values: another input
                before = shown.state.scene.panels[0].input_values
                assert before is None or not np.array_equal(before, panel.input_values), (name, m, n)
            else:  # the size or the cells read: another layer
                assert shown.state.layer != asking.state.layer, (name, m, n)
        if asking.predict == "next_value":
            answers = panel.frames[-1].output_values
            for m, (_, _, value, _) in enumerate(ran[:n]):
                shows = isinstance(value, np.ndarray) and value.shape == answers.shape
                assert not (shows and np.array_equal(value, answers)), (name, m, n)


@pytest.mark.slow
def test_run_all_saves_no_answer_in_the_widget_state(tmp_path: Any) -> None:
    """Executed as Run All does (nbclient, widget state stored): the saved state holds no answer."""
    import json
    import os
    from pathlib import Path

    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    x, w = GUIDE_X.tolist(), GUIDE_W.tolist()
    notebook.cells = [
        nbformat.v4.new_code_cell(source)
        for source in [
            "import numpy as np\nfrom convarith.widgets import LayerExplorer",
            'LayerExplorer("conv", 5, 3, stride=2, padding=1, predict="output_size", dpi=30)',
            f'LayerExplorer("conv", x=np.array({x}), w=np.array({w}), predict="next_value", dpi=30)',
            'LayerExplorer("conv", 5, 3, stride=2, padding=1, predict="reads", dpi=30)',
        ]
    ]
    root = str(Path(__file__).resolve().parents[2])
    client = nbclient.NotebookClient(
        notebook, timeout=180, kernel_name="python3", store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )  # fmt: skip
    client.execute(env={**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])})
    saved = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = {model_id: model["state"] for model_id, model in saved.items()}

    def tree(model_id: str) -> list[str]:  # an explorer's models, through its children
        below = [c.removeprefix("IPY_MODEL_") for c in models[model_id].get("children", [])]
        return [model_id] + [m for child in below for m in tree(child)]

    roots = [m for m, s in models.items() if "convarith-explorer" in s.get("_dom_classes", [])]
    assert len(roots) == 3
    for root in roots:
        ids = tree(root)
        text = json.dumps([models[m] for m in ids], ensure_ascii=False)
        assert "Predict." in text  # the question is there, and no verdict
        assert "✓ Right" not in text and "✗ You said" not in text and "✗ Not quite" not in text
        steps = [m for m in ids if models[m].get("description") == "kernel position"]
        # one picture (the frame stack repeats it for every step): no frame of a position to come is saved
        (picture,) = {m for m in ids if "convarith-picture" in models[m].get("_dom_classes", [])}
        assert len(steps) == 1 and models[steps[0]]["max"] == 1  # no bound gives away the positions to come
        if "What is the output size" in text:  # nor the size: no formula, check line, position or picture
            assert "3×3" not in text and "(1, 1, 3, 3)" not in text and "of 9" not in text
            pixels = [b for b in saved[picture].get("buffers", []) if b.get("path") == ["value"]]
            assert all(not b.get("data") for b in pixels), "the picture is saved before the student answers"
        if "What value does it compute" in text:  # nor the first value, 12
            shown = " | ".join(v for m in ids for v in models[m].values() if isinstance(v, str))
            assert not _token("12").search(shown)  # (numbers such as slider bounds left out)


def test_reads_of_the_transposed_direct_view_count_the_inserted_zeros() -> None:
    # no_padding_strides_transposed: 2×2 stretched to 3×3 (a zero between), padded by k - 1 = 2;
    # output (2, 2) reads rows 0..2 and columns 0..2: the four input cells and the five zeros, by hand
    panel = transpose_scene((2, 2), 3, 2).panels[0]
    step = 2 * 5 + 2
    q = question(panel, step)
    assert q.target == (2, 2) and q.zeros and "inserted zeros" in q.prompt("reads")
    assert check_reads(panel, step, [(r, c) for r in range(3) for c in range(3)]).correct
    only_inputs = check_reads(panel, step, [(0, 0), (0, 2), (2, 0), (2, 2)])
    assert only_inputs.missing == ((0, 1), (1, 0), (1, 1), (1, 2), (2, 1)) and not only_inputs.extra


def test_a_pooled_value_question_does_not_mark_the_winner() -> None:
    explorer = LayerExplorer("max_pool", 5, 2, ceil_mode=True, predict="next_value", dpi=40)
    winner = np.array([0xE6, 0x9F, 0x00])  # the palette's winner: the cell holding the answer
    assert not (np.asarray(_png(explorer.picture.value)) == winner).all(axis=-1).any()
    frame = explorer.state.scene.panels[0].frames[0]  # type: ignore[union-attr]
    explorer.prediction.answer.value = str(frame.output_values[frame.writes[0].coord])  # type: ignore[index]
    assert explorer.check_prediction().correct  # type: ignore[union-attr]
    assert (np.asarray(_png(explorer.picture.value)) == winner).all(axis=-1).any()  # revealed: the winner shows
