"""One English: every generated sentence (worksheets, widget lines) passes the same grammar checks.

The worksheets of 50 seeds with their answer keys, and every message template of the prediction
explorer (questions, verdicts, position lines, click notes) on one- and two-axis layers of every
kind, are searched for the slips a lecturer found: "a 8×8", "1 cells", "channel(s)", "output cell
(0,)", "`SAME` 'same'", and a pool asked what "the kernel" computes. The worked answers the issue
named as wrong are checked against brute force.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from convarith.anim.scenes import conv_scene, pool_scene, transpose_scene
from convarith.arithmetic import window_map
from convarith.arithmetic.english import and_list, cell_name, plural, with_article
from convarith.classroom import exercise, worksheet
from convarith.widgets import LayerExplorer
from convarith.widgets.links import link_step
from convarith.widgets.predict import check_next_value, check_reads, question

NOUNS = (
    "cells|channels|groups|weights|windows|positions|layers|rows|columns|outputs|inputs|zeros|taps|values|frames|files"
    "|steps"
)
BAD = {
    "'a' before a vowel sound": re.compile(r"\b[Aa] (8\d*|11|18)\b"),
    "'an' before a consonant sound": re.compile(r"\b[Aa]n (?!8|11\b|18\b)\d"),
    "a plural after one": re.compile(rf"(?<![\d.,/−-])\b1 ((output|input) )?({NOUNS})\b"),
    "'(s)' for a plural": re.compile(r"\w\(s\)"),
    "a one-element tuple": re.compile(r"\(\d+,\)"),
    "'same' twice": re.compile(r"SAME` 'same'"),
}


def _slips(text: str) -> list[str]:
    return [f"{name}: {m.group()!r} in {text[max(m.start() - 40, 0) : m.end() + 40]!r}"
            for name, pattern in BAD.items() for m in pattern.finditer(text)]  # fmt: skip


# -- the helper ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "said"),
    [("8×8 input", "an"), ("3×3 kernel", "a"), ("11×11 input", "an"), ("18×18 input", "an"), ("1×1 kernel", "a"),
     ("80×80 input", "an"), ("100×100 input", "a"), ("12×12 input", "a"), ("input", "an"), ("one-axis input", "a"),
     ("even kernel", "an"), ("kernel", "a"), ("811 cells", "an"), ("110 cells", "a")],
)  # fmt: skip
def test_articles_follow_the_sound(phrase: str, said: str) -> None:
    assert with_article(phrase) == f"{said} {phrase}"


def test_plurals_lists_and_cell_names() -> None:
    assert [plural(n, "cell") for n in (0, 1, 2)] == ["0 cells", "1 cell", "2 cells"]
    assert plural(1, "output channel") == "1 output channel"
    assert and_list([]) == "" and and_list([4]) == "4" and and_list([1, 2, 3]) == "1, 2 and 3"
    assert cell_name((0,)) == "0" and cell_name((2, 3)) == "(2, 3)"


def test_the_checker_catches_each_slip() -> None:
    for slip in ["a 8×8 input", "turns a 11×11", "1 cells", "1 output channels", "channel(s)", "output cell (0,)",
                 "TensorFlow's `SAME` 'same' padding", "an 3×3 kernel"]:  # fmt: skip
        assert _slips(slip), slip
    for fine in ["an 8×8 input", "a 3×3 kernel", "1 cell", "11 cells", "0.1 cells", "output cell (0, 1)"]:
        assert not _slips(fine), fine


# -- every worksheet ------------------------------------------------------------------------------


def test_worksheets_of_fifty_seeds_read_as_english() -> None:
    slips = [f"seed {seed}: {s}" for seed in range(50) for s in _slips(worksheet(seed, answers=True))]
    assert not slips, f"{len(slips)} slips, first: " + "\n".join(slips[:10])


def test_review_exercises_read_as_english() -> None:
    from convarith.classroom import TOPICS

    texts = [
        exercise(t, k, seed, notebook=13).solution() + exercise(t, k, seed, notebook=13).prompt
        for t in TOPICS
        for k in TOPICS[t].kinds
        for seed in range(5)
    ]
    assert not [s for text in texts for s in _slips(text)]


# -- every message template of the prediction explorer ------------------------------------------------

SCENES = {
    "conv 2-D": lambda: conv_scene((5, 5), 3, 2, 1, numbers=True),
    "conv 1-D": lambda: conv_scene((6,), 3, numbers=True),
    "conv 1-D, one cell read": lambda: conv_scene((4,), 1, numbers=True),
    "max pool 1-D": lambda: pool_scene((5,), 2, 2, mode="max", ceil_mode=True),
    "avg pool 2-D": lambda: pool_scene((4, 4), 2, 2, mode="avg"),
    "transpose direct 1-D": lambda: transpose_scene((3,), 3, 2, numbers=True),
    "transpose scatter 1-D": lambda: transpose_scene((3,), 2, 2, view="scatter"),
}


@pytest.mark.parametrize("name", SCENES)
def test_every_prediction_message_reads_as_english(name: str) -> None:
    panel = SCENES[name]().panels[0]
    texts = []
    for step in range(len(panel.frames)):
        q = question(panel, step)
        texts += [q.prompt(kind) for kind in ("next_value", "reads")]
        cells = sorted(q.cells)
        for chosen in ([], cells, cells[1:], [*cells, (99,) * len(cells[0])], cells[:1]):
            verdict = check_reads(panel, step, chosen)
            texts += [verdict.text, verdict.detail]
        if not panel.footprint_on_output:
            value = float(panel.frames[step].output_values[q.target])
            texts += [check_next_value(panel, step, str(v)).text for v in (value, value + 1)]
            if panel.kind in ("max_pool", "avg_pool"):
                assert "kernel" not in q.prompt("next_value") and "window" in q.prompt("next_value")
        for grid in (0, 1):
            for coord in np.ndindex(*(panel.input_shape if grid == 0 else panel.output_shape)):
                texts.append(link_step(panel, grid, coord).note)
    slips = [s for text in texts for s in _slips(text)]
    assert not slips, "\n".join(slips[:10])


def test_position_lines_of_a_one_axis_explorer() -> None:
    explorer = LayerExplorer("conv", 6, 3, ndim=1, dpi=20)
    explorer.step.value = 2
    assert explorer.position.value == "kernel position 2 of 4: output cell 1"
    quiz = LayerExplorer("max_pool", 5, 2, ndim=1, predict="next_value", dpi=20)
    assert "output cell 0, predict first" in quiz.position.value
    assert "What is the largest value it covers?" in quiz.prediction.prompt.value


# -- the worked answers that were wrong -------------------------------------------------------------


def test_never_read_lists_the_cells_never_read() -> None:
    for seed in range(50):
        ex = exercise("strides", "unread_cells", seed)
        i, k, s = (ex.numbers[n] for n in ("input_size", "kernel_size", "stride"))
        read = {start + t for start in range(0, i - k + 1, s) for t in range(k)}  # brute force
        never = sorted(set(range(i)) - read)
        line = next(line for line in ex.working if "never read" in line)
        assert line.split("never read: ")[1].startswith(and_list(never) or "none"), (seed, line)
        assert window_map(i, k, stride=s).output_shape[0] == len(range(0, i - k + 1, s))


def test_construction_says_cropped_only_for_a_negative_padding() -> None:
    for seed in range(50):
        ex = exercise("transposed_convolution", "construction", seed)
        line = next(line for line in ex.working if line.startswith("padding p'"))
        value = int(line.split("= ")[-1].split(" ")[0])
        assert ("cropped" in line) == (value < 0), line


@pytest.mark.parametrize(("topic", "kind"), [("padding", "same_split"), ("framework_same", "split")])
def test_an_extra_cell_only_when_the_total_is_odd(topic: str, kind: str) -> None:
    for seed in range(50):
        ex = exercise(topic, kind, seed)
        before, after = ex.answer.value
        line = next(line for line in ex.working if "->" in line)
        assert ("extra cell" in line) == ((before + after) % 2 == 1), (seed, line)


def test_a_one_frame_gif_is_one_frame(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The slide row once said "(1920×1080 pixels, 1 frames)" for a one-position layer."""
    from convarith.anim.scenes import conv_scene
    from convarith.widgets import SlideButton

    monkeypatch.chdir(tmp_path)
    slide = SlideButton(lambda: conv_scene((3, 3), 3), filename="one")  # one kernel position
    slide.click()
    assert "1920×1080 pixels, 1 frame)" in slide.status.value and not _slips(slide.status.value)


def test_study_results_read_as_english() -> None:
    """measure_shift said "after 1 layers"; the reprs of the studies with counts of one and more."""
    from convarith.studies import effective_receptive_field, layer, measure_shift, receptive_field

    texts = [repr(measure_shift(k, rule, layers=n)) for k in (2, (2, 4), 4) for rule in ("same_lower", "symmetric")
             for n in (1, 2)]  # fmt: skip
    stacks = [[layer("conv", 3)], [layer("conv", 3), layer("max_pool", 2)], [layer("conv", 1)]]
    texts += [repr(receptive_field(stack)) for stack in stacks]
    texts += [repr(effective_receptive_field(stack, 9)) for stack in stacks]
    slips = [s for text in texts for s in _slips(text)]
    assert not slips, slips
    assert "after 1 layer (" in texts[0]
