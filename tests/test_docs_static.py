"""The widgets' kernel-free views (convarith/widgets/static.py): what a static docs page shows.

Each widget kind gives one HTML block: an explorer a player with one embedded frame per step of
its Play control (counted independently, from the scene or the Stepper), a quiz or exercise its
question with the answer only inside ``<details>``. IPython shows that block instead of the
widget once :func:`register_static_views` has run (checked with IPython's own formatter).
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("ipywidgets")

from convarith.widgets import GroupExplorer, LayerExplorer, OutputSizeQuiz, ReceptiveFieldExplorer
from convarith.widgets._common import frames_player, player
from convarith.widgets.exercises import exercise
from convarith.widgets.static import (
    KERNEL_NOTE,
    STATIC_ENV,
    register_static_views,
    static_html,
)

ROOT = Path(__file__).resolve().parents[1]
PNG = "data:image/png;base64,"


class _Split(HTMLParser):
    """The text and the embedded PNGs of a page, split into outside and inside ``<details>``."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.outside: list[str] = []
        self.inside: list[str] = []
        self.pngs_outside = 0
        self.pngs_inside = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "details":
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        (self.inside if self.depth else self.outside).append(data)
        pngs = data.count(PNG)  # to_jshtml keeps its frames in a <script>
        if self.depth:
            self.pngs_inside += pngs
        else:
            self.pngs_outside += pngs


def _split(page: str) -> _Split:
    parser = _Split()
    parser.feed(page)
    return parser


def _frames(page: str) -> list[bytes]:
    chunks = page.split(PNG)[1:]
    return [base64.b64decode(chunk.split('"', 1)[0]) for chunk in chunks]  # drops the line breaks


def test_layer_explorer_is_a_player_of_its_layer_with_the_note() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=20)  # padding_strides: 3x3 outputs
    page = static_html(explorer)
    frames = _frames(page)
    assert len(frames) == 9  # one per output cell: ((5 + 2 - 3) // 2 + 1) ** 2
    assert len(set(frames)) == 9, "the frames must differ: the kernel moves"
    assert all(frame.startswith(b"\x89PNG") for frame in frames)
    assert "running Python kernel" in page and "jupyter lab notebooks/" in page and "convarith notebooks DIR" in page
    assert KERNEL_NOTE in page
    # the formula in MathJax's default inline delimiters, and the check line
    formula = page.split('class="convarith-formula">')[1].split("</div>")[0]
    assert formula.startswith("\\(") and "$" not in formula, formula
    assert "they agree" in page
    assert "Next frame" in page and "font-awesome" not in page and "://" not in page.replace("http://www.w3.org", "")


def test_layer_explorer_shows_its_current_parameters() -> None:
    explorer = LayerExplorer("conv", 5, 3, dpi=20)
    explorer.set(input_size=4)  # a student moved the slider before the page was saved
    assert len(_frames(static_html(explorer))) == 4  # (4 - 3 + 1) ** 2


def test_impossible_layer_shows_the_message_not_a_player() -> None:
    explorer = LayerExplorer("conv", 5, 3, dpi=20)
    explorer.set(kernel_size=6)  # larger than the 5-cell input
    page = static_html(explorer)
    assert _frames(page) == []
    assert "Not a valid layer" in page


def test_group_explorer_has_one_frame_per_output_channel() -> None:
    explorer = GroupExplorer(4, 8, groups=2, dpi=20)
    frames = _frames(static_html(explorer))
    assert len(frames) == 8 and len(set(frames)) == 8


def test_receptive_field_explorer_has_one_frame_per_traced_output() -> None:
    explorer = ReceptiveFieldExplorer(2, 3, stride=2, dpi=20)
    page = static_html(explorer)
    frames = _frames(page)
    assert len(frames) == explorer.step.max + 1 == 3
    assert len(set(frames)) == 3
    assert KERNEL_NOTE in page


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_quiz_answer_only_inside_details(seed: int) -> None:
    quiz = OutputSizeQuiz(("conv", "pool", "transpose"), seed=seed)
    right = quiz.question.layer.output_shape[0]
    parts = _split(static_html(quiz))
    assert f"o = {right}" in "".join(parts.inside)
    assert "o = " not in "".join(parts.outside).replace("What is the output size o?", "")
    assert "Predict the output size" in "".join(parts.outside)


@pytest.mark.parametrize(("topic", "kind"), [("strides", "output_size"), ("padding", "same_split"), (1, "readers")])
def test_exercise_worked_answer_only_inside_details(topic: str | int, kind: str) -> None:
    box = exercise(topic, kind, seed=3)
    parts = _split(static_html(box))
    inside, outside = "".join(parts.inside), "".join(parts.outside)
    assert f"Answer: {box.exercise.answer.text()}" in inside
    assert "Answer:" not in outside
    assert box.exercise.title in outside
    assert box.feedback.value == box.solution.value == ""  # the widget itself is untouched


@pytest.mark.parametrize("predict", ["output_size", "next_value", "reads"])
def test_predicting_explorer_hides_its_player_in_details(predict: str) -> None:
    plain = _split(static_html(LayerExplorer("conv", 5, 3, dpi=20)))
    assert plain.pngs_outside == 9 and plain.pngs_inside == 0
    page = static_html(LayerExplorer("conv", 5, 3, dpi=20, predict=predict))
    parts = _split(page)
    assert parts.pngs_outside == 0 and parts.pngs_inside == 9
    outside = "".join(parts.outside)
    assert "Predict first" in outside
    assert "agree" not in outside and "3×3" not in outside and "3 × 3" not in outside  # no output size shown
    assert "they agree" in page  # the check line behind the click, also where the widget's is empty (output_size)


def test_a_scatter_view_question_asks_what_the_explorer_asks() -> None:
    """06's scatter-view question once read "which input cells each output cell reads" on the docs page."""
    explorer = LayerExplorer("transpose", 3, 3, stride=2, view="scatter", predict="reads", dpi=20)
    outside = "".join(_split(static_html(explorer)).outside)
    assert "which output cells each input cell adds the kernel to" in outside
    assert "add the kernel to" in explorer.prediction.prompt.value  # the widget's own question
    direct = "".join(_split(static_html(LayerExplorer("conv", 5, 3, predict="reads", dpi=20))).outside)
    assert "which input cells each output cell reads" in direct


def test_explorer_without_predict_attribute_is_not_hidden() -> None:
    explorer = LayerExplorer("conv", 5, 3, dpi=20)
    del explorer.predict  # an explorer of an older convarith: no such attribute
    assert _split(static_html(explorer)).pngs_outside == 9


def test_slide_button_says_it_needs_a_kernel(tmp_path: Path) -> None:
    from convarith.anim.scenes import conv_scene
    from convarith.widgets import SlideButton

    page = static_html(SlideButton(lambda: conv_scene((4, 4), 3), filename=str(tmp_path / "x")))
    assert "Export slide" in page and "convarith animate" in page and "--dpi 200" in page
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_unknown_object_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="`widget` must be one of"):
        static_html(object())


def test_frames_player_needs_frames() -> None:
    with pytest.raises(ValueError, match="`frames`"):
        frames_player([])


def test_ipython_shows_the_static_view_instead_of_the_widget() -> None:
    formatters = pytest.importorskip("IPython.core.formatters")
    shell = SimpleNamespace(display_formatter=formatters.DisplayFormatter())
    explorer = LayerExplorer("conv", 4, 3, dpi=20)
    data, _ = shell.display_formatter.format(explorer)
    assert "application/vnd.jupyter.widget-view+json" in data  # the live widget, before
    assert register_static_views(shell) is True
    data, _ = shell.display_formatter.format(explorer)
    assert "application/vnd.jupyter.widget-view+json" not in data
    assert "convarith-static-explorer" in data["text/html"] and len(_frames(data["text/html"])) == 4
    data, _ = shell.display_formatter.format(exercise("dilation", "taps", seed=0))  # a subclass lookup by name
    assert "convarith-static-exercise" in data["text/html"]


def test_docs_conf_turns_the_static_views_on(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sphinx")
    monkeypatch.setenv(STATIC_ENV, "0")  # recorded, so the "1" conf.py sets is removed after the test
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    monkeypatch.setattr(sys, "path", list(sys.path))
    namespace: dict[str, object] = {"__file__": str(ROOT / "docs" / "conf.py")}
    exec(compile((ROOT / "docs" / "conf.py").read_text(), "conf.py", "exec"), namespace)
    assert os.environ[STATIC_ENV] == "1"


def test_import_outside_ipython_with_the_variable_is_harmless() -> None:
    code = "import convarith.widgets as w; from convarith.widgets.static import static_views_wanted as s; print(s())"
    env = {**os.environ, STATIC_ENV: "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"


def test_player_in_a_notebook_fetches_nothing_and_its_buttons_have_visible_labels() -> None:
    """JupyterLab offline has no Font Awesome: the buttons carry characters, and no CDN is linked."""
    from convarith.anim.scenes import conv_scene

    page = player(conv_scene((4, 4), 3), dpi=20).data
    assert "font-awesome" not in page and 'class="fa ' not in page
    for label in ("Previous frame", "Play", "Pause", "Next frame"):
        button = page[page.index(f'aria-label="{label}"') :]
        button = button[: button.index("</button>")]
        assert button.split(">", 1)[1].strip(), label  # a visible character, not an empty icon
