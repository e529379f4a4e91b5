"""The documentation site: its build helpers, and the built pages in a real headless Chromium.

The browser tests build the site once per session into a temporary directory with the command of
the README (or reuse the build named by ``CONVARITH_DOCS_HTML``, which ``.ci/run`` sets right after
building it with the same command), serve it on ``127.0.0.1`` and open it in a headless Chromium
through Playwright (found as :func:`tests._jupyter.find_chromium` says). They check what a reader
would see: the pictures loaded, the widgets rendered from their saved state, the formulas typeset,
and that no page asked for anything outside the site (the docs must work offline). Screenshots go
to ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests._jupyter import ARTIFACTS, launch_chromium, sync_playwright_or_skip

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BUILD_COMMAND = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", str(DOCS)]


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
    pytest.importorskip("sphinx")
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
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
    pytest.importorskip("sphinx")
    ext = _load("convarith_docs_ext", DOCS / "_ext" / "convarith_docs.py")
    ext.escape_stars_in_types(None, "function", "f", None, None, lines)
    assert lines == expected


def test_copy_notebooks_mirrors_and_removes_stale(tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    ext = _load("convarith_docs_ext", DOCS / "_ext" / "convarith_docs.py")
    source, target = tmp_path / "notebooks", tmp_path / "docs_notebooks"
    source.mkdir()
    (source / "02_b.ipynb").write_text("{}")
    (source / "01_a.ipynb").write_text("{}")
    target.mkdir()
    (target / "old.ipynb").write_text("{}")
    assert ext.copy_notebooks(source, target) == ["01_a", "02_b"]
    assert sorted(p.name for p in target.glob("*.ipynb")) == ["01_a.ipynb", "02_b.ipynb"]


# -- the built site in Chromium ---------------------------------------------------------------


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built HTML: ``CONVARITH_DOCS_HTML`` if set, else a fresh build in a temporary directory."""
    reuse = os.environ.get("CONVARITH_DOCS_HTML")
    if reuse:
        site = Path(reuse)
        assert (site / "index.html").is_file(), f"CONVARITH_DOCS_HTML={reuse} holds no built site"
        return site
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    site = tmp_path_factory.mktemp("docs_html")
    result = subprocess.run(
        [*BUILD_COMMAND, str(site)], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        pytest.skip(f"the docs build failed (the CI step 'docs' reports it):\n{tail}")
    return site


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
    gallery = pytest.importorskip("convarith.anim.gallery")
    page = visit.open("gallery.html")
    page.wait_for_function("Array.from(document.images).every((img) => img.complete)", timeout=30_000)
    sizes = page.eval_on_selector_all(
        ".gallery-grid img", "(images) => images.map((img) => [img.getAttribute('src'), img.naturalWidth])"
    )
    assert len(sizes) == len(gallery.GALLERY), f"{len(sizes)} pictures for {len(gallery.GALLERY)} figures"
    broken = [src for src, width in sizes if width == 0]
    assert broken == [], f"pictures that did not load: {broken}"
    names = {Path(src).stem for src, _ in sizes}
    assert {figure.name for figure in gallery.GALLERY} <= names
    visit.screenshot("gallery")
    assert visit.outside == [], f"requests outside the site: {visit.outside}"
    assert visit.errors == []


@pytest.mark.browser
def test_notebook_widgets_rendered_offline(visit: _Visit) -> None:
    name = _first_notebook()
    page = visit.open(f"notebooks/{name}.html")
    # The widget manager replaces each saved widget view with live DOM built from the saved state.
    page.wait_for_selector(".jupyter-widgets .widget-slider, .jupyter-widgets .widget-hslider", timeout=30_000)
    widgets = page.locator("[class*='widget-']").count()
    assert widgets > 5, f"only {widgets} widget elements rendered"
    # The picture inside the explorer comes from the saved state too.
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.jupyter-widgets img')).every((img) => img.complete)",
        timeout=30_000,
    )
    widths = page.eval_on_selector_all(".jupyter-widgets img", "(images) => images.map((img) => img.naturalWidth)")
    assert widths and all(w > 0 for w in widths), widths
    # HTMLMath widgets are typeset by MathJax 3 through the bridge in docs/_ext/mathjax_widgets.js.
    math = page.locator(".widget-htmlmath")
    if math.count():
        page.wait_for_selector(".widget-htmlmath mjx-container", timeout=20_000)
        assert page.locator(".widget-htmlmath mjx-merror").count() == 0
    visit.screenshot(f"notebook_{name}")
    assert visit.outside == [], f"requests outside the site: {visit.outside}"
    assert visit.errors == []
