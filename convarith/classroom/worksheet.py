"""A printable worksheet of exercises, one section per topic, and its answer key.

:func:`worksheet` writes Markdown or a standalone HTML page (print it to PDF from a browser; the
answer key starts on a new page); :func:`write_worksheet` writes it to a file atomically.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from pathlib import Path

from convarith.anim.files import write_atomically
from convarith.arithmetic.validate import check_minimum
from convarith.classroom.catalog import exercises, topic
from convarith.classroom.exercise import Exercise

__all__ = ["FORMATS", "worksheet", "write_worksheet"]

FORMATS = ("markdown", "html")
"""Worksheet formats."""

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.45; }
h2 { border-bottom: 1px solid #ccc; margin-top: 1.6em; }
pre { background: #f6f6f6; padding: 0.4em 0.8em; display: inline-block; vertical-align: top;
      white-space: pre-wrap; max-width: 100%; box-sizing: border-box; }
.answer { color: #555; margin: 0.3em 0 1.2em; }
.key { break-before: page; page-break-before: always; }
"""


def _numbered(seed: int, topics: Sequence[str | int] | None) -> list[tuple[str, str, list[tuple[str, Exercise]]]]:
    chosen = [topic(t) for t in (topics if topics is not None else range(1, 12))]
    sections = []
    for t in chosen:
        items = [(f"{int(t.number)}.{n}", ex) for n, ex in enumerate(exercises(t.name, seed), start=1)]
        sections.append((t.number, t.title, items))
    return sections


def _html_text(text: str) -> str:
    """Escape, then turn `code` into <code>code</code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def worksheet(
    seed: int,
    *,
    answers: bool = False,
    format: str = "markdown",
    topics: Sequence[str | int] | None = None,
) -> str:
    """A worksheet with one exercise of every kind per topic, for one student seed.

    Parameters
    ----------
    seed : int
        The student seed (``>= 0``); the same seed gives the same numbers as the notebooks.
    answers : bool
        Append the answer key: each answer and its worked solution.
    format : {'markdown', 'html'}
        Markdown text, or a standalone HTML page (the answer key starts on a new printed page).
    topics : sequence of str or int, optional
        Topic names or numbers; default all eleven.

    Returns
    -------
    str

    Notes
    -----
    Question ``t.n`` is the ``n``-th kind of topic ``t`` (see :data:`convarith.classroom.TOPICS`),
    drawn with :func:`convarith.classroom.exercise` from ``seed``: a student who uses the same seed
    in the notebooks gets the same numbers.

    Examples
    --------
    >>> sheet = worksheet(4, topics=["padding"])
    >>> sheet.splitlines()[0]
    '# Convolution arithmetic worksheet (seed 4)'
    >>> "Answer key" in sheet, "Answer key" in worksheet(4, topics=[2], answers=True)
    (False, True)
    """
    check_minimum(seed, "seed", 0)
    if format not in FORMATS:
        raise ValueError(f"`format` must be one of {', '.join(FORMATS)}; got {format!r}")
    if not isinstance(answers, bool):
        raise TypeError(f"`answers` must be a bool, got {type(answers).__name__}")
    sections = _numbered(seed, topics)
    if format == "html":
        return _html(seed, sections, answers)
    return _markdown(seed, sections, answers)


_INTRO = (
    "Each question has its own numbers, drawn from seed {seed}. Write your answer on the line; in the "
    "notebooks, `exercise(topic, kind, seed={seed})` asks the same questions and checks your answers."
)


def _markdown(seed: int, sections: list[tuple[str, str, list[tuple[str, Exercise]]]], answers: bool) -> str:
    out = [f"# Convolution arithmetic worksheet (seed {seed})", "", _INTRO.format(seed=seed), ""]
    for number, title, items in sections:
        out += [f"## {number}. {title}", ""]
        for label, ex in items:
            out += [f"**{label} {ex.title}.** {ex.prompt}", ""]
            for text in ex.blocks:
                out += ["```text", text, "```", ""]
            out += [f"Answer ({ex.answer.format}): ______________________", ""]
    if answers:
        out += [f"# Answer key (seed {seed})", ""]
        for number, title, items in sections:
            out += [f"## {number}. {title}", ""]
            for label, ex in items:
                out += [f"**{label}** {ex.title}: **{ex.answer.text()}**", "", "```text", *ex.working, "```", ""]
    return "\n".join(out).rstrip() + "\n"


def _html(seed: int, sections: list[tuple[str, str, list[tuple[str, Exercise]]]], answers: bool) -> str:
    title = f"Convolution arithmetic worksheet (seed {seed})"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f'<head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{_CSS}</style></head>',
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{_html_text(_INTRO.format(seed=seed))}</p>",
    ]
    for number, name, items in sections:
        out.append(f"<h2>{number}. {html.escape(name)}</h2>")
        for label, ex in items:
            out.append(f"<p><b>{label} {html.escape(ex.title)}.</b> {_html_text(ex.prompt)}</p>")
            out += [f"<pre>{html.escape(text)}</pre>" for text in ex.blocks]
            out.append(f'<p class="answer">Answer ({html.escape(ex.answer.format)}): ______________________</p>')
    if answers:
        out.append(f'<section class="key"><h1>Answer key (seed {seed})</h1>')
        for number, name, items in sections:
            out.append(f"<h2>{number}. {html.escape(name)}</h2>")
            for label, ex in items:
                out.append(
                    f"<p><b>{label}</b> {html.escape(ex.title)}: <b>{html.escape(ex.answer.text())}</b></p>"
                    f"<pre>{html.escape(chr(10).join(ex.working))}</pre>"
                )
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_worksheet(path: str | os.PathLike[str], text: str, *, overwrite: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically (a temporary file in the same folder, then a rename).

    Parameters
    ----------
    path : str or PathLike
    text : str
    overwrite : bool
        Replace an existing file; without it an existing file raises.

    Returns
    -------
    Path

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false, or is a directory.
    ValueError
        If the folder of ``path`` does not exist.

    Notes
    -----
    Nothing is left behind on failure, and a reader never sees half a file: the text goes to a
    temporary file next to ``path``, which :func:`os.replace` then moves into place.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_worksheet(folder / "sheet.md", worksheet(1, topics=[1])).read_text().startswith("# Convolution")
    True
    >>> write_worksheet(folder / "sheet.md", "again")
    Traceback (most recent call last):
    ...
    convarith.anim.files.OutputExistsError: '.../sheet.md' exists; pass overwrite=True (--overwrite) to replace it
    """
    return write_atomically(Path(path), lambda temporary: temporary.write_text(text, encoding="utf-8"), overwrite)
