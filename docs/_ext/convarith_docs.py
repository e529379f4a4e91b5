"""Build-time helpers for the convarith documentation.

Four jobs run when Sphinx starts (``config-inited``), before any page is read:

1. **Local JavaScript.** The widget manager (``@jupyter-widgets/html-manager``'s ``embed.js``,
   which needs no RequireJS) and MathJax 3 (``tex-svg-full.js``, one self-contained file) are
   taken from the npm registry with ``npm pack`` at pinned versions and unpacked into
   ``docs/_static/vendor/`` (git-ignored; about 6 MB, too big to commit). Once there, later
   builds need no network, and the built site loads nothing from a CDN.
2. **Notebooks.** ``notebooks/*.ipynb`` are copied into ``docs/notebooks/`` (git-ignored) so
   myst-nb can execute them as pages of the site.
3. **Gallery.** :func:`convarith.anim.gallery.render_gallery` renders every figure of
   :data:`convarith.anim.gallery.GALLERY` as a GIF into ``docs/gallery/`` (git-ignored), and
   ``docs/gallery/figures.md`` lists them for ``gallery.md`` to include. The GIFs are 1920 × 1080,
   as on a slide, and are reused while no file they are drawn by (:data:`GALLERY_SOURCES`) has
   changed since: a hash of those files is kept in ``docs/gallery/stamp.txt``.
4. **API reference.** ``docs/api/`` (git-ignored) gets one page per public name of
   ``convarith.__all__``, grouped by the module that defines it, so a function that lands in the
   package appears in the reference without editing the docs.

Two while each page is written (:func:`drop_cdn_links`, :func:`drop_unused_widget_state`), and
one while docstrings are read
(:func:`escape_stars_in_types`): NumPy-style types such as
``ndarray, shape (N, C, *spatial)`` are plain text, so their ``*`` is escaped for reST.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
VENDOR = DOCS / "_static" / "vendor"

# npm package -> (pinned version, {path inside the package: path under _static/vendor/}).
# html-manager 1.0.x is the one for ipywidgets 8 (ipywidgets' own range is ^1.0.1).
VENDORED: dict[str, tuple[str, dict[str, str]]] = {
    "@jupyter-widgets/html-manager": (
        "1.0.15",
        {"dist/embed.js": "html-manager/embed.js", "dist/embed.js.LICENSE.txt": "html-manager/LICENSE.txt"},
    ),
    "mathjax": ("3.2.2", {"es5/tex-svg-full.js": "mathjax/tex-svg-full.js", "LICENSE": "mathjax/LICENSE"}),
}
# The widget CSS refers to Font Awesome files that webpack placed next to embed.js.
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".eot", ".svg")
STAMP = VENDOR / "versions.json"


def _wanted_stamp() -> dict[str, str]:
    return {name: version for name, (version, _) in VENDORED.items()}


def fetch_vendored_js(vendor: Path = VENDOR) -> None:
    """Put the pinned widget manager and MathJax files under ``vendor`` (skip if already there)."""
    stamp = vendor / STAMP.name
    if stamp.is_file() and json.loads(stamp.read_text()) == _wanted_stamp():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise ExtensionError(
            f"the docs need the widget and MathJax JavaScript in {vendor}, fetched with `npm pack` "
            "(npm is not installed: `apt-get install npm`)"
        )
    staging = Path(tempfile.mkdtemp(prefix="vendor-", dir=vendor.parent))
    try:
        with tempfile.TemporaryDirectory() as packs:
            for name, (version, files) in VENDORED.items():
                logger.info(f"[convarith] npm pack {name}@{version}")
                result = subprocess.run(
                    [npm, "pack", f"{name}@{version}", "--prefer-offline", "--silent", "--pack-destination", packs],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    raise ExtensionError(f"`npm pack {name}@{version}` failed:\n{result.stderr.strip()}")
                tarball = Path(packs) / result.stdout.strip().splitlines()[-1]
                with tarfile.open(tarball) as tar:
                    members = {m.name.removeprefix("package/"): m for m in tar.getmembers() if m.isfile()}
                    wanted = dict(files)
                    if name == "@jupyter-widgets/html-manager":
                        wanted |= {
                            m: f"html-manager/{Path(m).name}"
                            for m in members
                            if m.startswith("dist/") and m.count("/") == 1 and m.endswith(FONT_SUFFIXES)
                        }
                    for source, target in wanted.items():
                        if source not in members:
                            raise ExtensionError(f"{name}@{version} has no file {source}")
                        data = tar.extractfile(members[source])
                        assert data is not None
                        out = staging / target
                        out.parent.mkdir(parents=True, exist_ok=True)
                        out.write_bytes(data.read())
        (staging / STAMP.name).write_text(json.dumps(_wanted_stamp(), indent=1))
        if vendor.exists():
            shutil.rmtree(vendor)
        staging.rename(vendor)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_notebooks(source: Path = ROOT / "notebooks", target: Path = DOCS / "notebooks") -> list[str]:
    """Mirror ``notebooks/*.ipynb`` into ``docs/notebooks/``; return the page names (sorted)."""
    target.mkdir(exist_ok=True)
    names = sorted(p.name for p in source.glob("*.ipynb")) if source.is_dir() else []
    for stale in target.glob("*.ipynb"):
        if stale.name not in names:
            stale.unlink()
    for name in names:
        src, dst = source / name, target / name
        # Copy only when changed, so Sphinx's incremental build sees an unchanged page as unchanged.
        if not dst.is_file() or _digest(src) != _digest(dst):
            shutil.copyfile(src, dst)
    return [Path(n).stem for n in names]


SUBPACKAGES = ("arithmetic", "engine", "studies", "anim", "network", "classroom")
"""The subpackages whose ``__all__`` the API reference documents, in the order the data flows."""


def _defining_module(name: str, obj: object, package: Any) -> str:
    module = getattr(obj, "__module__", None)
    if (inspect.isfunction(obj) or inspect.isclass(obj)) and module:
        return str(module)
    # Data: the module that assigns it at top level (its docstring follows the assignment there),
    # not one that only re-exports it.
    assignment = re.compile(rf"^{re.escape(name)}\s*(:[^=]*)?=", re.MULTILINE)
    for submodule in sorted(n for n in dir(package) if not n.startswith("_")):
        candidate = getattr(package, submodule)
        if inspect.ismodule(candidate) and name in getattr(candidate, "__all__", ()):
            source = Path(inspect.getfile(candidate)).read_text(encoding="utf-8")
            if assignment.search(source):
                return candidate.__name__
    return str(package.__name__)


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _is_data(obj: object) -> bool:
    return not (inspect.isclass(obj) or callable(obj))


def _entry(name: str, module: str, obj: object, package: str) -> str:
    """The name autosummary documents: data under its defining module, whose source holds its docstring."""
    return f"{module}.{name}" if _is_data(obj) else f"{package}.{name}"


def _stub(entry: str, obj: object) -> str:
    head = f"{entry}\n{'=' * len(entry)}\n\n.. currentmodule:: convarith\n\n"
    if inspect.isclass(obj):
        return head + f".. autoclass:: {entry}\n   :members:\n"
    if callable(obj):
        return head + f".. autofunction:: {entry}\n"
    return head + f".. autodata:: {entry}\n   :no-value:\n"


def write_api_pages(target: Path = DOCS / "api") -> None:
    """One page per public name of ``convarith``, and an index grouped by defining module."""
    groups: dict[str, list[str]] = {}
    for sub in SUBPACKAGES:
        package = importlib.import_module(f"convarith.{sub}")
        for name in package.__all__:
            obj = getattr(package, name)
            module = _defining_module(name, obj, package)
            entry = _entry(name, module, obj, package.__name__)
            groups.setdefault(module, []).append(entry)
            _write_if_changed(target / "generated" / f"{entry}.rst", _stub(entry, obj))
    wanted = {f"{e}.rst" for entries in groups.values() for e in entries}
    for stale in (target / "generated").glob("*.rst"):
        if stale.name not in wanted:
            stale.unlink()
    lines = [
        "# API reference",
        "",
        "Everything below is importable from its subpackage (`ca.arithmetic`, `ca.engine`, `ca.studies`,",
        "`ca.anim`); the names a newcomer meets first are also at the root (`ca.conv`). The pages are",
        "generated from the docstrings: each gives the formula it implements under *Notes* and a",
        "doctest under *Examples* (the test suite runs every one of them).",
        "",
    ]
    for module_name, names in groups.items():
        module = importlib.import_module(module_name)
        summary = (inspect.getdoc(module) or module_name).splitlines()[0].rstrip(".")
        lines += [
            f"## {summary}",
            "",
            f"Defined in `{module_name}`.",
            "",
            "```{eval-rst}",
            ".. autosummary::",
            "   :toctree: generated",
            "   :nosignatures:",
            "",
            *(f"   ~{e}" for e in names),
            "```",
            "",
        ]
    _write_if_changed(target / "index.md", "\n".join(lines))


_FIELD_SECTIONS = {"Parameters", "Other Parameters", "Returns", "Yields", "Receives", "Attributes", "Raises"}
_STAR = re.compile(r"(?<![\\`])\*")


def escape_stars_in_types(app: Sphinx, what: str, name: str, obj: object, options: Any, lines: list[str]) -> None:
    """Escape ``*`` in the type of numpydoc fields, e.g. ``x : ndarray, shape (N, C, *spatial)``.

    NumPy-style types are plain text, but Sphinx reads them as reST, where ``*spatial`` opens an
    emphasis. Runs before napoleon turns the sections into fields.
    """
    section = None
    for n, line in enumerate(lines):
        following = lines[n + 1] if n + 1 < len(lines) else ""
        if line.strip() and set(following.strip()) == {"-"} and len(following.strip()) >= 3:
            section = line.strip()
            continue
        if section not in _FIELD_SECTIONS or not line.strip() or line[0].isspace() or set(line.strip()) == {"-"}:
            continue
        head, colon, type_spec = line.partition(" : ")
        if not colon:  # a Returns/Yields line without a name is all type
            head, type_spec = "", line
        if "``" in type_spec:
            continue
        lines[n] = head + colon + _STAR.sub(r"\\*", type_spec)


GALLERY_DPI = 200  # 1920 x 1080 frames, as on a slide: about 10 MB for the whole gallery
GALLERY_SOURCES = ("arithmetic", "engine", "studies", "anim")
"""The subpackages the gallery's pictures are computed and drawn by (their files make the stamp)."""
_GALLERY_GROUPS = (
    ("convolution i=", "The guide's convolutions"),
    ("transposed convolution of", "Their transposed twins"),
    ("", "Beyond the guide: values, pooling, scatter, channels, frameworks"),
)


def _package_digest(package: Path = ROOT / "convarith") -> str:
    """A hash of every file the gallery's pictures depend on, and of their resolution."""
    digest = hashlib.sha256(f"dpi={GALLERY_DPI}".encode())
    files = [*package.glob("*.py"), *(p for sub in GALLERY_SOURCES for p in (package / sub).rglob("*.py"))]
    for path in sorted(files):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def render_gallery_page(target: Path = DOCS / "gallery") -> None:
    """Render the gallery's GIFs into ``target`` and write ``target/figures.md`` listing them."""
    from convarith.anim.gallery import GALLERY, render_gallery

    stamp = target / "stamp.txt"
    gifs = [target / f"{figure.name}.gif" for figure in GALLERY]
    fresh = stamp.is_file() and stamp.read_text() == _package_digest() and all(g.is_file() for g in gifs)
    if not fresh:
        logger.info(f"[convarith] rendering the gallery ({len(GALLERY)} figures) into {target}")
        stamp.unlink(missing_ok=True)
        summary = render_gallery(target, formats=("gif",), overwrite=True, progress=False, dpi=GALLERY_DPI)
        logger.info(f"[convarith] gallery: {len(summary.rows)} figures in {summary.seconds:.1f} s")
        for stale in set(target.glob("*.gif")) - set(gifs):
            stale.unlink()
        stamp.write_text(_package_digest())
    groups: dict[str, list[str]] = {title: [] for _, title in _GALLERY_GROUPS}
    for figure in GALLERY:
        title = next(t for prefix, t in _GALLERY_GROUPS if figure.description.startswith(prefix))
        groups[title] += [
            ":::{figure} /gallery/" + f"{figure.name}.gif",
            f":alt: {figure.name}: {figure.description}",
            ":width: 100%",
            "",
            f"`{figure.name}`: {figure.description}",
            ":::",
            "",
        ]
    lines = ["<!-- Generated by docs/_ext/convarith_docs.py from convarith.anim.gallery.GALLERY -->", ""]
    for title, entries in groups.items():
        if entries:
            lines += [f"## {title}", "", "::::{container} gallery-grid", "", *entries, "::::", ""]
    _write_if_changed(target / "figures.md", "\n".join(lines))


def _config_inited(app: Sphinx, config: Config) -> None:
    fetch_vendored_js()
    if (DOCS / "notebooks.md").is_file():
        copy_notebooks()
    write_api_pages()
    if (DOCS / "gallery.md").is_file():
        render_gallery_page()


# matplotlib's to_jshtml (the players in the notebooks) links Font Awesome from a CDN; the theme
# ships Font Awesome itself, and the site asks for nothing outside it.
_FONT_AWESOME_CDN = re.compile(r"<link[^>]*font-awesome[^>]*>\s*", re.IGNORECASE)


def drop_cdn_links(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Remove the Font Awesome ``<link>`` to a CDN from a page's body (the theme's own is used)."""
    body = context.get("body")
    if isinstance(body, str) and "font-awesome" in body:
        context["body"] = _FONT_AWESOME_CDN.sub("", body)


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def drop_unused_widget_state(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Leave out the saved widget state and the widget manager on a page that shows no widget.

    The notebooks' kernels save the state of every widget they made, also of those shown by a
    static view (``convarith/widgets/static.py``): about 190 KB per notebook page that nothing reads.
    """
    body = context.get("body")
    scripts = context.get("script_files")
    if not isinstance(body, str) or WIDGET_VIEW in body or not scripts:
        return
    manager = {str(path) for path in app.config.nb_ipywidgets_js} if app is not None else set()
    context["script_files"] = [
        js
        for js in scripts
        if getattr(js, "attributes", {}).get("type") != WIDGET_STATE
        and str(getattr(js, "filename", js)).split("?")[0] not in manager
    ]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the build-time steps."""
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", drop_cdn_links)
    app.connect("html-page-context", drop_unused_widget_state)
    app.connect("autodoc-process-docstring", escape_stars_in_types, priority=400)  # before napoleon (500)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
