"""Predict and click in a real browser: JupyterLab in Chromium, one server for the whole module.

A small notebook is written into the server's working copy: an explorer that asks for the output
size (answered wrongly), one that asks for the next value on the guide's numerical figure
(answered rightly), and a plain one whose picture is clicked. The student types and clicks as in
JupyterLab; the kernel's answers are read back from the page: the verdict lines, the position
text, and the PNG the page shows, compared with the frame the renderer draws for that step in
this process. Screenshots go to ``test-artifacts/browser_explorer/``. Skips only when Chromium or
Playwright is missing (a failure under ``CONVARITH_REQUIRE_BROWSER``), as ``tests/test_browser.py``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tests._jupyter import (
    ARTIFACTS,
    JupyterLabServer,
    launch_chromium,
    picture_bytes,
    scroll_into_view,
    sync_playwright_or_skip,
    wait_for,
    write_notebook,
)

NOTEBOOK = "predict_and_click.ipynb"
TIMEOUT_MS = 90_000
DPI = 60
GUIDE_X = "[[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]"
GUIDE_W = "[[0, 1, 2], [2, 2, 0], [0, 1, 2]]"
CELLS = [
    "import numpy as np\nfrom convarith.widgets import LayerExplorer",
    f'LayerExplorer("conv", 5, 3, stride=2, padding=1, predict="output_size", dpi={DPI})',
    f'LayerExplorer("conv", x=np.array({GUIDE_X}), w=np.array({GUIDE_W}), predict="next_value", dpi={DPI})',
    f'LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi={DPI})',
]
SHOTS = ARTIFACTS / "browser_explorer"


def _pixels(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """JupyterLab with the notebook run (Run All Cells), in one Chromium page."""
    sync_playwright = sync_playwright_or_skip()
    workdir = tmp_path_factory.mktemp("browser_explorer")
    write_notebook(workdir / NOTEBOOK, CELLS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    server = JupyterLabServer(workdir / "server", [workdir / NOTEBOOK])
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)  # skips (naming how to enable it) before JupyterLab starts
        try:
            with server:
                tab = browser.new_page(viewport={"width": 1400, "height": 1000})
                tab.set_default_timeout(TIMEOUT_MS)
                try:
                    tab.goto(server.notebook_url(NOTEBOOK))
                    tab.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
                    tab.get_by_text(re.compile(r"\| Idle")).first.wait_for()
                    tab.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                    tab.get_by_role("menuitem", name="Run All Cells", exact=True).click()
                    scroll_into_view(tab, tab.locator(".convarith-explorer").nth(2), timeout=TIMEOUT_MS / 1000)
                    yield tab
                except BaseException:
                    tab.screenshot(path=SHOTS / "failure.png")
                    (SHOTS / "jupyterlab.log").write_text(server.log())
                    raise
        finally:
            browser.close()


def _explorer(page: Any, number: int) -> Any:
    explorer = page.locator(".convarith-explorer").nth(number)
    scroll_into_view(page, explorer, timeout=TIMEOUT_MS / 1000)
    return explorer


@pytest.mark.browser
def test_a_wrong_output_size_is_marked_wrong_then_revealed(page: Any) -> None:
    explorer = _explorer(page, 0)
    picture = explorer.locator(".convarith-picture").first
    feedback = explorer.locator(".convarith-predict-feedback").first
    assert explorer.locator(".convarith-formula").first.inner_text().strip() == ""
    assert not picture.is_visible(), "the picture shows before the student answers"
    explorer.locator(".convarith-predict-answer input").first.fill("4x4")
    explorer.locator(".convarith-predict-check").first.click()
    verdict = wait_for(feedback.inner_text, lambda text: "You said" in text)
    assert "✗ You said 4×4; the output is 3×3" in verdict, verdict
    picture.wait_for(state="visible")
    position = explorer.locator(".convarith-position").first
    assert wait_for(position.inner_text, lambda t: "of 9" in t) == "kernel position 1 of 9: output cell (0, 0)"
    assert "agree" in explorer.locator(".convarith-check").first.inner_text()
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "1_output_size_wrong.png")


@pytest.mark.browser
def test_a_right_next_value_is_marked_right_then_revealed(page: Any) -> None:
    explorer = _explorer(page, 1)
    picture = explorer.locator(".convarith-picture").first
    picture.wait_for(state="visible")
    asked = picture_bytes(picture)
    prompt = explorer.locator(".convarith-predict-prompt").first
    assert "output cell (0, 0)" in prompt.inner_text()
    explorer.locator(".convarith-predict-answer input").first.fill("12")  # the guide's first output, by hand
    explorer.locator(".convarith-predict-check").first.click()
    feedback = explorer.locator(".convarith-predict-feedback").first
    verdict = wait_for(feedback.inner_text, lambda text: "Right" in text or "You said" in text)
    assert "✓ Right: output cell (0, 0) = 12" in verdict, verdict
    revealed = wait_for(lambda: picture_bytes(picture), lambda data: data != asked)
    assert revealed != asked, "the picture did not reveal the value"
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "2_next_value_right.png")


@pytest.mark.browser
def test_clicking_an_output_cell_shows_the_cells_it_reads(page: Any) -> None:
    from convarith.anim.render import Renderer
    from convarith.widgets.state import describe_layer

    explorer = _explorer(page, 2)
    picture = explorer.locator(".convarith-picture:visible").first  # the frames' Tab hides the other steps
    position = explorer.locator(".convarith-position").first
    picture.wait_for(state="visible")
    start = "kernel position 1 of 9: output cell (0, 0)"
    assert wait_for(position.inner_text, lambda t: t == start) == start
    before = picture_bytes(picture)

    # the same picture in this process: where output cell (1, 2) is, and the frame that computes it
    scene = describe_layer("conv", 5, 3, stride=2, padding=1).scene
    assert scene is not None
    renderer = Renderer(scene, caption=False, dpi=DPI)
    r0, r1, c0, c1 = renderer.cell_box(0, 1, (1, 2))
    expected = renderer.draw_frame(5)
    assert np.array_equal(_pixels(before), renderer.draw_frame(0))
    box = picture.bounding_box()
    assert box is not None
    scale = box["width"] / renderer.size[0]  # shown at its own size, unless the page is narrow
    picture.click(position={"x": (c0 + c1) / 2 * scale, "y": (r0 + r1) / 2 * scale})

    moved = "kernel position 6 of 9: output cell (1, 2)"
    assert wait_for(position.inner_text, lambda t: t == moved) == moved
    after = wait_for(lambda: picture_bytes(picture), lambda data: data != before)
    assert after != before, "the picture did not change after the click"
    assert np.array_equal(_pixels(after), expected), "the picture is not the frame that computes (1, 2)"
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "3_clicked_output_cell.png")

    picture.click(position={"x": 2, "y": 2})  # the figure's corner: nothing happens
    page.wait_for_timeout(1000)
    assert position.inner_text() == moved
