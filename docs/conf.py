"""Sphinx configuration for the convarith documentation.

Build (warnings are errors): ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
Every number on the site is computed by the package while the site builds: the MyST pages are
notebooks (myst-nb) executed at build time, as are the tutorial notebooks in ``notebooks/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the checkout these docs are in (also in the notebook kernels), whatever is installed.
sys.path[:0] = [str(ROOT), str(DOCS / "_ext")]
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
# No dead controls on a static page: the kernels that run the notebooks inherit this variable, and
# `import convarith.widgets` then shows each widget as a kernel-free view (convarith/widgets/static.py):
# an explorer as a player of its layer, a question with its answer behind a click.
os.environ["CONVARITH_STATIC_WIDGETS"] = "1"

import convarith  # noqa: E402

project = "convarith"
author = "The convarith developers"
copyright = "2026, The convarith developers"
release = convarith.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "convarith_docs",
]

exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", "README.md", "gallery/*.md"]
nitpicky = False

# -- MyST and myst-nb ---------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3
nb_execution_mode = "force"  # every notebook and MyST-NB page runs at every build
nb_execution_raise_on_error = True  # a failing cell fails the build
nb_execution_timeout = 300
nb_execution_show_tb = True
nb_render_markdown_format = "myst"  # tables printed by code cells (IPython.display.Markdown)
nb_merge_streams = True
nb_mime_priority_overrides = [("html", "image/gif", 25)]  # animations in code-cell outputs
# Widgets: the embed manager is served from _static/vendor (see _ext/convarith_docs.py), never a CDN.
# embed.js is the RequireJS-free bundle: it renders the core ipywidgets from the saved state.
nb_ipywidgets_js = {"vendor/html-manager/embed.js": {}}

smartquotes = False  # formulas print primes as ', keep them so

# -- Autodoc ------------------------------------------------------------------------------------
autosummary_generate = False  # the stubs are written by _ext/convarith_docs.py
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc Parameters and Returns give the types
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_preprocess_types = False
napoleon_use_ivar = True  # "Attributes" as fields: no duplicates of the dataclass fields

# -- MathJax, served locally ----------------------------------------------------------------------
mathjax_path = "vendor/mathjax/tex-svg-full.js"

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "convarith"
html_static_path = ["_static"]
html_css_files = ["convarith.css"]
# Lets the widget manager (written for MathJax 2) typeset HTMLMath widgets with MathJax 3. Priority
# 501 puts it after Sphinx's inline `window.MathJax = {...}` configuration (priority 500).
html_js_files = [("mathjax_widgets.js", {"priority": 501})]
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 7,
    "navbar_persistent": ["search-button"],  # the icon only: the seven links fit on one line
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# No left sidebar but in the API reference: the notebooks need the width for their outputs and
# widgets (the Notebooks page lists them, and each links to the previous and next one).
html_sidebars: dict[str, list[str]] = {
    page: []
    for page in ("index", "getting-started", "formulas", "frameworks", "gallery", "notebooks", "teaching", "testing")
} | {"notebooks/*": []}
html_show_sourcelink = False
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# NumPy-style "References" often list a source that the text does not cite with [1]_; docutils
# calls that an unreferenced footnote. A field name such as ``stride`` under "Attributes" is looked
# up as a cross-reference, and several classes have an attribute of that name, so Sphinx cannot
# pick one ("more than one target found"); those names are not meant as links. Only these two
# warnings are silenced.
suppress_warnings = ["ref.footnote", "ref.python"]
