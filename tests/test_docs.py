"""The documentation site: its build helpers, and the built pages in a real headless Chromium.

The browser tests build the site once per session into a temporary directory with the command of
the README (or reuse the build named by ``CONVARITH_DOCS_HTML``, which ``.ci/run`` sets right after
building it with the same command), serve it on ``127.0.0.1`` and open it in a headless Chromium
through Playwright (found as :func:`tests._jupyter.find_chromium` says). They check what a reader
would see: the pictures loaded, each notebook widget a kernel-free view (an explorer a player whose
picture steps, an exercise's answer behind a click; no dead slider), the formulas typeset,
and that no page asked for anything outside the site (the docs must work offline). Screenshots go
to ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from tests._jupyter import ARTIFACTS, REQUIRE_VARIABLE, launch_chromium, sync_playwright_or_skip

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BUILD_COMMAND = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", str(DOCS)]


def _need_docs_extra(*modules: str) -> None:
    """Skip without the docs extra's ``modules``; fail instead in CI (``CI`` or ``CONVARITH_REQUIRE_BROWSER`` set)."""
    for name in modules:
        if importlib.util.find_spec(name) is None:
            reason = f"{name} is not installed: python -m pip install -e '.[docs]'"
            if os.environ.get("CI") or os.environ.get(REQUIRE_VARIABLE):
                pytest.fail(f"{reason} (CI or {REQUIRE_VARIABLE} is set: the docs tests must run)", pytrace=False)
            pytest.skip(reason)


def _build_site(site: Path, command: list[str] = BUILD_COMMAND) -> Path:
    """Build the HTML into ``site`` with ``command``; a failed build fails the test (never a skip)."""
    result = subprocess.run([*command, str(site)], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        pytest.fail(f"the docs build failed (exit {result.returncode}): {' '.join(command)}\n{tail}", pytrace=False)
    return site


def _named_build(reuse: str) -> Path:
    """The build ``CONVARITH_DOCS_HTML`` names (``.ci/run`` builds it first); one without pages fails."""
    site = Path(reuse)
    assert (site / "index.html").is_file(), f"CONVARITH_DOCS_HTML={reuse} holds no built site"
    return site


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- cheap checks of the build helpers --------------------------------------------------------


@pytest.fixture
def conf(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """docs/conf.py, loaded without leaking its sys.path and PYTHONPATH changes into other tests."""
    _need_docs_extra("sphinx")
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("CONVARITH_STATIC_WIDGETS", "0")  # conf.py sets it to 1; undone after the test
    return _load("convarith_docs_conf", DOCS / "conf.py")


def test_conf_loads_no_javascript_from_outside(conf: ModuleType) -> None:
    scripts = [*conf.nb_ipywidgets_js, conf.mathjax_path, *(name for name, _ in conf.html_js_files)]
    assert all("://" not in script and not script.startswith("//") for script in scripts), scripts
    assert conf.nb_execution_mode == "force"
    assert conf.nb_execution_raise_on_error is True


def test_vendored_files_are_the_ones_conf_loads(conf: ModuleType) -> None:
    ext = _load("convarith_docs_ext", DOCS / "_ext" / "convarith_docs.py")
    targets = {f"vendor/{target}" for _, files in ext.VENDORED.values() for target in files.values()}
    assert set(conf.nb_ipywidgets_js) <= targets
    assert conf.mathjax_path in targets


TYPE_LINES = [
    # (docstring lines, expected lines): numpydoc types are text, `*` must not open emphasis
    (
        ["Parameters", "----------", "x : ndarray, shape (N, C, *spatial)", "    Input *not* touched."],
        ["Parameters", "----------", "x : ndarray, shape (N, C, \\*spatial)", "    Input *not* touched."],
    ),
    (
        ["Returns", "-------", "ndarray, shape (N, *out)", "    Output."],
        ["Returns", "-------", "ndarray, shape (N, \\*out)", "    Output."],
    ),
    (["Notes", "-----", "o = i*s + 1 : with stars"], ["Notes", "-----", "o = i*s + 1 : with stars"]),
    (["Parameters", "----------", "x : ``a*b``"], ["Parameters", "----------", "x : ``a*b``"]),
]


@pytest.mark.parametrize(("lines", "expected"), TYPE_LINES)
def test_escape_stars_in_types(lines: list[str], expected: list[str]) -> None:
    _need_docs_extra("sphinx")
    ext = _load("convarith_docs_ext", DOCS / "_ext" / "convarith_docs.py")
    ext.escape_stars_in_types(None, "function", "f", None, None, lines)
    assert lines == expected


def test_copy_notebooks_mirrors_and_removes_stale(tmp_path: Path) -> None:
    _need_docs_extra("sphinx")
    ext = _load("convarith_docs_ext", DOCS / "_ext" / "convarith_docs.py")
    source, target = tmp_path / "notebooks", tmp_path / "docs_notebooks"
    source.mkdir()
    (source / "02_b.ipynb").write_text("{}")
    (source / "01_a.ipynb").write_text("{}")
    target.mkdir()
    (target / "old.ipynb").write_text("{}")
    assert ext.copy_notebooks(source, target) == ["01_a", "02_b"]
    assert sorted(p.name for p in target.glob("*.ipynb")) == ["01_a.ipynb", "02_b.ipynb"]


def test_gallery_stamp_follows_the_files_that_draw_it(tmp_path: Path) -> None:
    """A change in anim/ (the renderer) re-renders the gallery; one in widgets/ does not."""
    _need_docs_extra("sphinx")
    ext = _load("convarith_docs_ext", DOCS / "_ext" / "convarith_docs.py")
    package = tmp_path / "convarith"
    for name in ("__init__.py", "anim/render/renderer.py", "engine/core.py", "widgets/static.py"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("x = 1\n")
    before = ext._package_digest(package)
    (package / "widgets" / "static.py").write_text("x = 2\n")
    assert ext._package_digest(package) == before
    (package / "anim" / "render" / "renderer.py").write_text("x = 2\n")
    assert ext._package_digest(package) != before


def test_cdn_link_dropped_from_page_body() -> None:
    _need_docs_extra("sphinx")
    ext = _load("convarith_docs_ext", DOCS / "_ext" / "convarith_docs.py")
    body = '<p>a</p>\n<link rel="stylesheet"\nhref="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css">\n<b>'
    context = {"body": body}
    ext.drop_cdn_links(None, "notebooks/09", "page.html", context, None)
    assert context["body"] == "<p>a</p>\n<b>"


def test_widget_state_dropped_only_where_no_widget_is_shown() -> None:
    _need_docs_extra("sphinx")
    from sphinx.builders.html._assets import _JavaScript

    ext = _load("convarith_docs_ext", DOCS / "_ext" / "convarith_docs.py")
    app = SimpleNamespace(config=SimpleNamespace(nb_ipywidgets_js={"vendor/html-manager/embed.js": {}}))
    state = _JavaScript(None, type=ext.WIDGET_STATE, body="{}")  # type: ignore[arg-type]
    scripts = [_JavaScript("doctools.js"), state, _JavaScript("vendor/html-manager/embed.js")]
    static = {"body": '<div class="convarith-static">player</div>', "script_files": list(scripts)}
    ext.drop_unused_widget_state(app, "notebooks/01", "page.html", static, None)
    assert [js.filename for js in static["script_files"]] == ["doctools.js"]
    live = {"body": f'<script type="{ext.WIDGET_VIEW}">{{}}</script>', "script_files": list(scripts)}
    ext.drop_unused_widget_state(app, "notebooks/01", "page.html", live, None)
    assert live["script_files"] == scripts


def test_teaching_page_times_cover_every_notebook() -> None:
    """docs/notebook_times.json (python docs/_ext/time_notebooks.py) has a time for each notebook."""
    record = json.loads((DOCS / "notebook_times.json").read_text())
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert set(record["seconds"]) == notebooks, "re-measure: python docs/_ext/time_notebooks.py"
    assert all(0 < t < 600 for t in record["seconds"].values())
    assert "teaching" in (DOCS / "index.md").read_text()


# -- the built site in Chromium ---------------------------------------------------------------


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built HTML: ``CONVARITH_DOCS_HTML`` if set, else a fresh build in a temporary directory."""
    reuse = os.environ.get("CONVARITH_DOCS_HTML")
    if reuse:
        return _named_build(reuse)
    _need_docs_extra("sphinx", "myst_nb")
    return _build_site(tmp_path_factory.mktemp("docs_html"))


def test_a_failed_docs_build_fails(tmp_path: Path) -> None:
    """A build that exits non-zero fails the browser tests instead of skipping them."""
    failing = [sys.executable, "-c", "import sys; print('sphinx: warning treated as error'); sys.exit(2)"]
    with pytest.raises(pytest.fail.Exception, match=r"docs build failed \(exit 2\).*warning treated as error"):
        _build_site(tmp_path, failing)
    assert _build_site(tmp_path, [sys.executable, "-c", "pass"]) == tmp_path


def test_docs_tools_missing_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(REQUIRE_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="not_a_docs_tool is not installed"):
        _need_docs_extra("not_a_docs_tool")
    for variable in ("CI", REQUIRE_VARIABLE):
        monkeypatch.setenv(variable, "1")
        with pytest.raises(pytest.fail.Exception, match="the docs tests must run"):
            _need_docs_extra("not_a_docs_tool")
        monkeypatch.delenv(variable)


def test_a_missing_named_build_fails(tmp_path: Path) -> None:
    """``CONVARITH_DOCS_HTML`` naming a folder without a built site fails (CI builds it first)."""
    with pytest.raises(AssertionError, match="holds no built site"):
        _named_build(str(tmp_path / "missing"))
    (tmp_path / "index.html").write_text("<html></html>")
    assert _named_build(str(tmp_path)) == tmp_path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (skips naming the command that installs one; see tests/_jupyter.py)."""
    sync_playwright = sync_playwright_or_skip()
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


class _Visit:
    """One page in a fresh browser context, recording every request that leaves the site."""

    def __init__(self, browser: Any, site_url: str) -> None:
        self.site_url = site_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", self._request)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _request(self, request: Any) -> None:
        url = request.url
        if not url.startswith((self.site_url, "data:", "blob:", "about:")):
            self.outside.append(url)

    def open(self, path: str) -> Any:
        self.page.goto(f"{self.site_url}/{path}", wait_until="networkidle")
        return self.page

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"docs_{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, site_url: str) -> Iterator[_Visit]:
    v = _Visit(browser, site_url)
    try:
        yield v
    finally:
        v.close()


@pytest.mark.browser
def test_formula_page_typesets_math_offline(visit: _Visit) -> None:
    page = visit.open("formulas.html")
    page.wait_for_selector("mjx-container svg", timeout=20_000)
    count = page.locator("mjx-container").count()
    assert count > 20, f"only {count} formulas typeset"
    errors = page.locator("mjx-merror").count()
    assert errors == 0, f"{errors} formulas failed to typeset"
    # The relationship table was computed at build time: relationship 14 on its figure gives 6.
    row = page.locator("table tr", has_text="padding_strides_odd_transposed")
    assert row.locator("td").last.inner_text().strip() == "6"
    visit.screenshot("formulas")
    assert visit.outside == [], f"requests outside the site: {visit.outside}"
    assert visit.errors == []


@pytest.mark.browser
def test_framework_page_shows_computed_tables(visit: _Visit) -> None:
    page = visit.open("frameworks.html")
    row = page.locator("table tr", has_text="i=224, k=7, s=2").first
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[1].startswith("(2, 3)") and cells[4] == "(3, 3)", cells
    visit.screenshot("frameworks")
    assert visit.outside == [], f"requests outside the site: {visit.outside}"
    assert visit.errors == []


def _first_notebook() -> str:
    names = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    if not names:
        pytest.skip("no notebooks in notebooks/")
    return names[0]


@pytest.mark.browser
def test_gallery_images_loaded(visit: _Visit) -> None:
    from convarith.anim import gallery

    page = visit.open("gallery.html")
    page.wait_for_function("Array.from(document.images).every((img) => img.complete)", timeout=30_000)
    sizes = page.eval_on_selector_all(
        ".gallery-grid img", "(images) => images.map((img) => [img.getAttribute('src'), img.naturalWidth])"
    )
    assert len(sizes) == len(gallery.GALLERY), f"{len(sizes)} pictures for {len(gallery.GALLERY)} figures"
    broken = [src for src, width in sizes if width == 0]
    assert broken == [], f"pictures that did not load: {broken}"
    assert {width for _, width in sizes} == {1920}, "the gallery's GIFs are slide-sized, 1920 x 1080"
    names = {Path(src).stem for src, _ in sizes}
    assert {figure.name for figure in gallery.GALLERY} <= names
    visit.screenshot("gallery")
    assert visit.outside == [], f"requests outside the site: {visit.outside}"
    assert visit.errors == []


def _notebook_pages(site: Path) -> list[Path]:
    pages = sorted((site / "notebooks").glob("*.html"))
    if not pages:
        pytest.skip("no notebook pages in the built site")
    return pages


@pytest.mark.slow
def test_notebook_pages_have_no_dead_widgets(built_site: Path) -> None:
    """Every explorer, quiz and exercise on a notebook page is a static view, none a saved widget."""
    for page in _notebook_pages(built_site):
        text = page.read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-view+json" not in text, f"{page.name} still shows a saved widget"
        assert "application/vnd.jupyter.widget-state+json" not in text, f"{page.name} carries unused widget state"
        assert "maxcdn" not in text and "font-awesome.min.css" not in text, page.name
        if "convarith-static-explorer" in text:
            assert "need a running Python kernel" in text, page.name


@pytest.mark.browser
def test_notebook_player_steps_its_picture(visit: _Visit) -> None:
    """The explorer of the first notebook is a player: Next frame changes the picture, no slider is left."""
    name = _first_notebook()
    page = visit.open(f"notebooks/{name}.html")
    box = page.locator(".convarith-static-explorer").first
    box.wait_for(timeout=30_000)
    assert "need a running Python kernel" in box.inner_text()
    picture = box.locator(".convarith-static-player img").first
    hidden = box.locator("details").filter(has=page.locator(".convarith-static-player"))
    if hidden.count():  # an explorer that asks for a prediction: the picture waits behind a click
        assert hidden.first.get_attribute("open") is None
        assert not box.get_by_role("button", name="Next frame").is_visible()
        hidden.first.locator("summary").first.click()
    loaded = "(img) => img.complete && img.naturalWidth > 0"
    page.wait_for_function(loaded, arg=picture.element_handle(), timeout=30_000)
    before = picture.get_attribute("src")
    box.get_by_role("button", name="Next frame").click()
    page.wait_for_function("([img, src]) => img.src !== src", arg=[picture.element_handle(), before], timeout=10_000)
    after = picture.get_attribute("src")
    assert before and after and before.startswith("data:image/png") and after != before
    box.get_by_role("button", name="Next frame").click()
    page.wait_for_function("([img, src]) => img.src !== src", arg=[picture.element_handle(), after], timeout=10_000)
    # No ipywidgets control is left on the page: nothing to move that would change nothing.
    assert page.locator(".jupyter-widgets .widget-slider, .widget-hslider, .widget-play, .widget-button").count() == 0
    # The formula under the player is typeset; an exercise's worked answer waits behind a click.
    page.wait_for_selector(".convarith-static-explorer .convarith-formula mjx-container", timeout=20_000)
    assert page.locator(".convarith-static mjx-merror").count() == 0
    answers = page.locator(".convarith-static-exercise details")
    assert answers.count() >= 3
    assert answers.first.get_attribute("open") is None
    assert not answers.first.locator("pre").is_visible()
    answers.first.locator("summary").click()
    assert answers.first.locator("pre").is_visible()
    assert "Answer:" in answers.first.locator("pre").inner_text()
    visit.screenshot(f"notebook_{name}")
    assert visit.outside == [], f"requests outside the site: {visit.outside}"
    assert visit.errors == []
