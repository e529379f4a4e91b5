"""A student's session in a real browser: JupyterLab, a notebook, a slider, the Play button.

Starts JupyterLab on 127.0.0.1 (no token, a temporary working copy of the notebook), drives a
headless Chromium with Playwright (found as :func:`tests._jupyter.find_chromium` says), runs all
cells from the Run menu, waits for the :class:`convarith.widgets.LayerExplorer`, drags a slider
and presses Play, and checks that the picture and the formula changed and that an impossible
layer shows a message instead of a picture; then scrolls to the first exercise further down
(JupyterLab attaches far-away cells only when scrolled to), answers it wrongly, reads the hint and
asks for the worked answer.
Screenshots go to ``test-artifacts/browser/``. Skips only when Chromium or Playwright is missing,
naming the command that installs it (``.ci/run`` installs both and sets
``CONVARITH_REQUIRE_BROWSER``, which turns that skip into a failure). The rules that find Chromium
are tested below without a browser.
"""

from __future__ import annotations

import hashlib
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from convarith import classroom
from tests import _jupyter
from tests._jupyter import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    NOTEBOOKS,
    ChromiumNotFound,
    JupyterLabServer,
    find_chromium,
    launch_chromium,
    picture_bytes,
    scroll_into_view,
    sync_playwright_or_skip,
)

NOTEBOOK = "03_strides.ipynb"  # its explorer starts at the guide's padding_strides: i=5, k=3, s=2, p=1
TIMEOUT_MS = 90_000


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _wait_for_change(read: Any, before: Any, timeout: float = 30.0, until: Any = None) -> Any:
    """Poll ``read()`` until it differs from ``before`` (and satisfies ``until``, if given)."""
    deadline = time.monotonic() + timeout
    value = read()
    while (value == before or (until is not None and not until(value))) and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value


def _drag_slider(page: Any, slider: Any, fraction: float) -> None:
    """Drag a noUiSlider handle (ipywidgets 8) to ``fraction`` of the track with the mouse."""
    slider.scroll_into_view_if_needed()
    handle = slider.locator(".noUi-handle").first
    track = slider.locator(".noUi-target").first.bounding_box()
    box = handle.bounding_box()
    assert box is not None and track is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] * fraction, y, steps=10)
    page.mouse.up()


def _port_closed(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.browser
def test_explorer_slider_and_play_in_jupyterlab(tmp_path: Path) -> None:
    sync_playwright = sync_playwright_or_skip()
    shots = ARTIFACTS / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()

    server = JupyterLabServer(tmp_path, [NOTEBOOKS / NOTEBOOK])
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)  # skips (naming the command that enables it) before JupyterLab starts
        with server:
            _student_session(browser, server, shots)
    assert server.process is None and _port_closed(server.port), "JupyterLab is still running"
    assert server.kernel_pids() == [], "a kernel is still running"


def _student_session(browser: Any, server: JupyterLabServer, shots: Path) -> None:
    """Open the notebook, run it, drive the explorer and an exercise; screenshots into ``shots``."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(server.notebook_url(NOTEBOOK))
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
        page.get_by_text(re.compile(r"\| Idle")).first.wait_for()  # the kernel has started
        page.screenshot(path=shots / "1_opened.png")

        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

        explorer = scroll_into_view(page, page.locator(".convarith-explorer"), timeout=TIMEOUT_MS / 1000)
        picture = explorer.locator(".convarith-picture:visible").first  # the frames' Tab hides the other steps
        formula = explorer.locator(".convarith-formula").first
        check = explorer.locator(".convarith-check").first
        position = explorer.locator(".convarith-position").first
        picture.wait_for(state="visible")
        formula.locator("mjx-container, .MathJax").first.wait_for()  # MathJax typeset it
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=shots / "2_widget.png")

        assert "agree" in check.inner_text()
        assert "kernel position 1 of 9" in position.inner_text()  # 3×3 output: nine positions
        picture_0 = picture_bytes(picture)
        assert picture_0.startswith(b"\x89PNG")
        formula_0 = formula.inner_text()

        # Move the kernel-size slider to its right end: k = 6 on i = 5 with padding 1 still fits.
        kernel = explorer.locator(".convarith-kernel-size").first
        _drag_slider(page, kernel, 1.0)
        formula_1 = _wait_for_change(formula.inner_text, formula_0)
        assert formula_1 != formula_0, "the formula did not change after the slider moved"
        assert kernel.locator(".widget-readout").inner_text().strip() == "6"
        picture_1 = _wait_for_change(lambda: picture_bytes(picture), picture_0)
        assert picture_1 != picture_0, "the picture did not change after the slider moved"
        page.screenshot(path=shots / "3_slider_moved.png")

        # Padding 0 makes k = 6 impossible on i = 5: a message, no picture, no traceback.
        pad = explorer.locator(".convarith-pad-before").first
        message = explorer.locator(".convarith-message").first
        _drag_slider(page, pad, 0.0)
        text = _wait_for_change(message.inner_text, "", until=lambda t: "Not a valid layer" in t)
        assert "Not a valid layer" in text and "`kernel_size`" in text, text
        picture.wait_for(state="hidden")
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        page.screenshot(path=shots / "3b_impossible.png")
        pad.locator(".noUi-handle").first.focus()
        pad.locator(".noUi-handle").first.press("ArrowRight")  # padding 1 again: the picture is back
        picture.wait_for(state="visible")
        assert _wait_for_change(message.inner_text, text) == ""

        # Back to k = 3 (keyboard on the slider handle), then Play steps the kernel position.
        handle = kernel.locator(".noUi-handle").first
        handle.focus()
        for _ in range(3):
            handle.press("ArrowLeft")
        start = "kernel position 1 of 9: output cell (0, 0)"
        assert _wait_for_change(position.inner_text, "", until=lambda text: text == start) == start
        picture_2 = _wait_for_change(lambda: picture_bytes(picture), picture_1)
        assert picture_2 == picture_0, "the same parameters should draw the same picture"
        explorer.locator(".convarith-play button").first.click()
        steps_after = _wait_for_change(position.inner_text, start)
        assert re.fullmatch(r"kernel position [2-9] of 9: output cell \(\d, \d\)", steps_after), steps_after
        picture_3 = _wait_for_change(lambda: picture_bytes(picture), picture_2)
        assert picture_3 != picture_2, "the picture did not change while playing"
        page.wait_for_timeout(1500)
        page.screenshot(path=shots / "4_playing.png")
        assert "agree" in check.inner_text()

        # The first exercise after the explorer: JupyterLab only attaches it once scrolled near it.
        exercise = classroom.exercise("strides", "output_size", seed=0)  # the notebook's SEED = 0
        card = scroll_into_view(
            page,
            page.locator(f".convarith-exercise:has([data-exercise='{exercise.key}'])"),
            timeout=TIMEOUT_MS / 1000,
        )
        solution = card.locator(".convarith-exercise-solution").first
        assert solution.inner_text().strip() == "", "the worked answer shows before the student asks"
        answer = card.locator(".convarith-exercise-answer input").first
        answer.fill("0")  # no layer has 0 outputs: always wrong
        card.locator(".convarith-exercise-check").first.click()
        feedback = card.locator(".convarith-exercise-feedback").first
        verdict = _wait_for_change(feedback.inner_text, "", until=lambda text: "Not yet" in text)
        assert "Not yet" in verdict and exercise.check("0").hint in verdict, verdict
        card.locator(".convarith-exercise-show").first.click()
        worked = _wait_for_change(solution.inner_text, "", until=lambda text: "Answer:" in text)
        assert worked.strip() == exercise.solution().strip(), worked
        card.scroll_into_view_if_needed()
        page.screenshot(path=shots / "5_exercise.png")
        pictures = {"start": picture_0, "k=6": picture_1, "k=3": picture_2, "play": picture_3}
        (shots / "digests.txt").write_text(
            "\n".join(f"{name}: {_digest(data)}" for name, data in pictures.items())
            + f"\nformula before: {formula_0!r}\nformula after: {formula_1!r}\nposition: {steps_after!r}\n"
        )
    except BaseException:
        page.screenshot(path=shots / "failure.png")
        (shots / "jupyterlab.log").write_text(server.log())
        raise
    finally:
        browser.close()


# -- finding Chromium: the discovery rules, without a browser --------------------------------


class _FakeChromium:
    """``playwright.chromium`` as far as the harness uses it."""

    def __init__(self, executable_path: str | Exception) -> None:
        self._executable_path = executable_path
        self.launches: list[dict[str, Any]] = []

    @property
    def executable_path(self) -> str:
        if isinstance(self._executable_path, Exception):
            raise self._executable_path
        return self._executable_path

    def launch(self, **options: Any) -> str:
        self.launches.append(options)
        return "browser"


class _FakePlaywright:
    def __init__(self, executable_path: str | Exception) -> None:
        self.chromium = _FakeChromium(executable_path)


def _executable(path: Path, mode: int = 0o755) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(mode)
    return path


@pytest.fixture
def path_lookups(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A machine with no Chromium: no variable set, nothing on PATH; records the names looked up.

    Tests put names into ``["found"]`` (name -> path) to install a system browser.
    """
    monkeypatch.delenv(_jupyter.CHROMIUM_VARIABLE, raising=False)
    monkeypatch.delenv(_jupyter.REQUIRE_VARIABLE, raising=False)
    state: dict[str, Any] = {"asked": [], "found": {}}

    def which(name: str) -> str | None:
        state["asked"].append(name)
        return state["found"].get(name)

    monkeypatch.setattr(_jupyter.shutil, "which", which)
    return state


def test_no_chromium_anywhere_names_the_commands_that_enable_it(path_lookups: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(ChromiumNotFound) as missing:
        find_chromium(str(tmp_path / "ms-playwright" / "chrome"))  # Playwright's browser not downloaded
    message = str(missing.value)
    assert "apt-get install chromium" in message
    assert "python -m playwright install chromium" in message
    assert "CONVARITH_CHROMIUM=" in message
    assert path_lookups["asked"] == ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]


def test_variable_wins_over_playwright_and_system(
    path_lookups: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = _executable(tmp_path / "my" / "chrome")
    playwright_own = _executable(tmp_path / "ms-playwright" / "chrome")
    path_lookups["found"]["chromium"] = str(_executable(tmp_path / "usr" / "chromium"))
    monkeypatch.setenv("CONVARITH_CHROMIUM", str(mine))
    assert find_chromium(str(playwright_own)) == mine
    assert path_lookups["asked"] == []


@pytest.mark.parametrize("kind", ["missing", "not executable", "directory"])
def test_variable_naming_no_executable_is_an_error_not_a_fallback(
    kind: str, path_lookups: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "chrome"
    if kind == "not executable":
        _executable(target, mode=0o644)
    elif kind == "directory":
        target.mkdir()
    path_lookups["found"]["chromium"] = str(_executable(tmp_path / "usr" / "chromium"))
    monkeypatch.setenv("CONVARITH_CHROMIUM", str(target))
    with pytest.raises(ChromiumNotFound, match=r"CONVARITH_CHROMIUM=.*chrome is not an executable file"):
        find_chromium(None)


def test_playwright_browser_comes_before_the_system(path_lookups: dict[str, Any], tmp_path: Path) -> None:
    playwright_own = _executable(tmp_path / "ms-playwright" / "chrome")
    path_lookups["found"]["chromium"] = str(_executable(tmp_path / "usr" / "chromium"))
    assert find_chromium(str(playwright_own)) == playwright_own
    assert path_lookups["asked"] == []


def test_system_browser_in_order_when_playwright_has_none(path_lookups: dict[str, Any], tmp_path: Path) -> None:
    chrome = _executable(tmp_path / "usr" / "google-chrome")
    browser = _executable(tmp_path / "usr" / "chromium-browser")
    path_lookups["found"].update({"google-chrome": str(chrome), "chromium-browser": str(browser)})
    assert find_chromium(str(tmp_path / "not-downloaded" / "chrome")) == browser
    assert path_lookups["asked"] == ["chromium", "chromium-browser"]


def test_launch_uses_the_found_browser_with_the_offline_flags(path_lookups: dict[str, Any], tmp_path: Path) -> None:
    playwright = _FakePlaywright(str(_executable(tmp_path / "ms-playwright" / "chrome")))
    assert launch_chromium(playwright) == "browser"
    (options,) = playwright.chromium.launches
    assert options["executable_path"] == str(tmp_path / "ms-playwright" / "chrome")
    assert options["headless"] is True
    # without the networking flags Chromium keeps calling out of this closed network
    assert options["args"] == CHROMIUM_ARGS
    for flag in ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update"]:
        assert flag in options["args"]


def test_launch_skips_naming_the_command(path_lookups: dict[str, Any], tmp_path: Path) -> None:
    playwright = _FakePlaywright(str(tmp_path / "not-downloaded" / "chrome"))
    with pytest.raises(pytest.skip.Exception, match=r"no Chromium found: `apt-get install chromium`"):
        launch_chromium(playwright)
    assert playwright.chromium.launches == []


def test_launch_fails_instead_where_the_browser_is_required(
    path_lookups: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVARITH_REQUIRE_BROWSER", "1")
    playwright = _FakePlaywright(str(tmp_path / "not-downloaded" / "chrome"))
    with pytest.raises(pytest.fail.Exception, match=r"no Chromium found.*CONVARITH_REQUIRE_BROWSER is set"):
        launch_chromium(playwright)


def test_an_old_playwright_without_executable_path_falls_back_to_the_system(
    path_lookups: dict[str, Any], tmp_path: Path
) -> None:
    path_lookups["found"]["chromium"] = str(_executable(tmp_path / "usr" / "chromium"))
    playwright = _FakePlaywright(AttributeError("executable_path"))
    launch_chromium(playwright)
    assert playwright.chromium.launches[0]["executable_path"] == str(tmp_path / "usr" / "chromium")


def test_real_playwright_names_its_own_browser_path() -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        path = _jupyter.playwright_chromium(playwright)
    assert path is not None and Path(path).is_absolute() and "chrom" in Path(path).name.lower(), path
