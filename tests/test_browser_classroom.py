"""A lecturer's and a student's clicks in a real browser: an exercise checked, a slide exported.

One JupyterLab server for the module (tests/_jupyter.py: 127.0.0.1, no token, a temporary
working copy) holds two small notebooks written here; a headless Chromium (Playwright) runs each
one from the Run menu and clicks its widgets:

* ``exercise.ipynb``: :func:`convarith.widgets.exercises.exercise`; a wrong answer is marked
  *Not yet* with the package's hint, the right one (worked out here by hand from the question's
  numbers, ``o = ⌊(i + 2p − k)/s⌋ + 1``) is marked *Right*, and the worked answer appears only
  after *Show worked answer* is pressed;
* ``slides.ipynb``: :class:`convarith.widgets.SlideButton`; pressing **Export slide** writes a
  1920×1080 GIF with one frame per kernel position into the notebook's folder, a second press is
  refused with a message until *overwrite* is ticked, and the PNGs toggle writes one PNG per step.

Screenshots go to ``test-artifacts/browser_classroom/``. Skips only when Chromium or Playwright is
missing (a failure under ``CONVARITH_REQUIRE_BROWSER``, as in ``.ci/run``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from convarith import classroom
from tests._jupyter import (
    ARTIFACTS,
    JupyterLabServer,
    launch_chromium,
    scroll_into_view,
    sync_playwright_or_skip,
    wait_for,
    write_notebook,
)

TIMEOUT_MS = 90_000
SHOTS = ARTIFACTS / "browser_classroom"

EXERCISE = ("strides", "output_size", 3)  # topic, kind, seed
SLIDE_LAYER = {"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}  # the guide's padding_strides

NOTEBOOKS = {
    "exercise.ipynb": [
        "from convarith.widgets.exercises import exercise",
        f"exercise({EXERCISE[0]!r}, {EXERCISE[1]!r}, seed={EXERCISE[2]})",
    ],
    "slides.ipynb": [
        "from convarith.widgets import SlideButton, describe_layer",
        f"state = describe_layer('conv', **{SLIDE_LAYER!r})\n"
        + "SlideButton(lambda: state.scene, filename='padding_strides')",
    ],
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, JupyterLabServer]]:
    """A Chromium and a JupyterLab server with the module's notebooks (one of each per module)."""
    sync_playwright = sync_playwright_or_skip()
    sources = tmp_path_factory.mktemp("notebooks")
    notebooks = [write_notebook(sources / name, cells) for name, cells in NOTEBOOKS.items()]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    server = JupyterLabServer(tmp_path_factory.mktemp("lab"), notebooks)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)  # skips (or fails under CONVARITH_REQUIRE_BROWSER) first
        try:
            with server:
                yield browser, server
        finally:
            browser.close()
    assert server.process is None, "JupyterLab is still running"
    assert server.kernel_pids() == [], "a kernel is still running"


def _run_all(browser: Any, server: JupyterLabServer, name: str) -> Any:
    """Open notebook ``name``, wait for its kernel, and run every cell from the Run menu."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    # ?reset: a fresh workspace, so the notebook of an earlier test is not restored beside this one
    # (Run All would then run whichever of the two happened to be active)
    page.goto(server.notebook_url(name) + "?reset")
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current", has_text=name).wait_for()
    assert page.locator(".jp-NotebookPanel").count() == 1, "another notebook is open"
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    page.get_by_text(re.compile(r"\| Idle")).first.wait_for()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    return page


def _no_traceback(page: Any) -> None:
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()


@pytest.mark.browser
def test_exercise_marked_wrong_then_right_and_worked_answer_on_request(lab: tuple[Any, JupyterLabServer]) -> None:
    browser, server = lab
    question = classroom.exercise(*EXERCISE[:2], seed=EXERCISE[2])
    n = question.numbers
    i, k, s, p = n["input_size"], n["kernel_size"], n["stride"], n["padding"]
    right = (i + 2 * p - k) // s + 1  # by hand, not from the package
    wrong = right + 1
    page = _run_all(browser, server, "exercise.ipynb")
    try:
        card = scroll_into_view(page, page.locator(f".convarith-exercise:has([data-exercise='{question.key}'])"))
        feedback = card.locator(".convarith-exercise-feedback").first
        solution = card.locator(".convarith-exercise-solution").first
        answer = card.locator(".convarith-exercise-answer input").first
        check = card.locator(".convarith-exercise-check").first
        assert f"input of size {i}" in card.inner_text()  # the question shows its numbers
        assert feedback.inner_text().strip() == "" and solution.inner_text().strip() == ""
        page.screenshot(path=SHOTS / "1_exercise_asked.png")

        answer.fill(str(wrong))
        check.click()
        verdict = wait_for(feedback.inner_text, lambda text: "Not yet" in text, timeout=60)
        assert "Not yet" in verdict, verdict
        assert question.check(str(wrong)).hint in verdict, verdict  # the hint, for this mistake
        assert str(right) not in verdict.replace("try 1", "")  # the hint does not give the answer away
        assert solution.inner_text().strip() == "", "the worked answer appeared without being asked for"
        page.screenshot(path=SHOTS / "2_exercise_wrong.png")

        answer.fill(str(right))
        check.click()
        verdict = wait_for(feedback.inner_text, lambda text: "Right" in text, timeout=60)
        assert "Right" in verdict and "Not yet" not in verdict, verdict
        assert solution.inner_text().strip() == "", "the worked answer appeared without being asked for"
        page.screenshot(path=SHOTS / "3_exercise_right.png")

        card.locator(".convarith-exercise-show").first.click()
        worked = wait_for(solution.inner_text, lambda text: "Answer:" in text, timeout=60)
        assert worked.strip().splitlines()[0] == f"Answer: {right}", worked
        assert f"= {right}" in worked  # the formula with the numbers, ending in the answer
        card.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "4_exercise_worked.png")
        _no_traceback(page)
    finally:
        page.close()


def _gif_facts(path: Path) -> tuple[tuple[int, int], int]:
    from PIL import Image

    with Image.open(path) as gif:
        return gif.size, getattr(gif, "n_frames", 1)


@pytest.mark.browser
def test_slide_button_writes_a_full_hd_gif(lab: tuple[Any, JupyterLabServer]) -> None:
    browser, server = lab
    target = server.root / "padding_strides.gif"  # the notebook's folder: the kernel's working directory
    o = (SLIDE_LAYER["input_size"] + 2 * SLIDE_LAYER["padding"] - SLIDE_LAYER["kernel_size"]) // SLIDE_LAYER[
        "stride"
    ] + 1
    page = _run_all(browser, server, "slides.ipynb")
    try:
        box = scroll_into_view(page, page.locator(".convarith-slides"))
        status = box.locator(".convarith-slides-status").first
        export = box.locator(".convarith-slides-export").first
        assert not target.exists()
        page.screenshot(path=SHOTS / "5_slides_ready.png")

        export.click()
        text = wait_for(status.inner_text, lambda t: t.startswith(("Wrote", "Nothing")), timeout=60)
        assert text.startswith(f"Wrote {target}"), text
        assert f"1920×1080 pixels, {o * o} frames" in text, text
        assert _gif_facts(target) == ((1920, 1080), o * o)  # read from disk: 9 frames of 1920×1080
        written = target.read_bytes()
        page.screenshot(path=SHOTS / "6_slides_written.png")

        export.click()  # again: refused, with a message instead of a traceback
        text = wait_for(status.inner_text, lambda t: t.startswith("Nothing"), timeout=60)
        assert "exists; tick “overwrite” to replace it" in text, text
        assert target.read_bytes() == written
        page.screenshot(path=SHOTS / "7_slides_exists.png")

        box.locator(".convarith-slides-overwrite input").first.check()
        export.click()
        text = wait_for(status.inner_text, lambda t: t.startswith("Wrote"), timeout=60)
        assert text.startswith(f"Wrote {target}"), text

        box.locator(".convarith-slides-format button", has_text="PNGs").first.click()
        export.click()
        text = wait_for(status.inner_text, lambda t: "files" in t, timeout=60)
        frames = sorted(server.root.glob("padding_strides-*.png"))
        assert len(frames) == o * o, (text, frames)
        assert f"{o * o} files, 1920×1080 pixels each" in text, text
        page.screenshot(path=SHOTS / "8_slides_pngs.png")
        _no_traceback(page)
    finally:
        page.close()
