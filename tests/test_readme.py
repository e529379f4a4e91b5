"""The README's claims: its example runs, its micro-reference comments state the real results,
and its picture is what the package draws today."""

from __future__ import annotations

import ast
import doctest
import re
from pathlib import Path

import numpy as np
import pytest

import convarith as ca

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
VALUE_START = re.compile(r"^[-(\[\d'\"]|^range\(")


def micro_reference_lines() -> list[tuple[str, str]]:
    """``(code, comment)`` for every line of the micro-reference whose code uses only ``ca``."""
    block = README.split("## API micro-reference", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    lines = []
    for line in block.splitlines():
        code, _, comment = line.partition("  # ")
        if not comment or not code.startswith("ca."):
            continue
        names = {n.id for n in ast.walk(ast.parse(code.strip())) if isinstance(n, ast.Name)}
        if names <= {"ca"} and VALUE_START.match(comment.strip()):
            lines.append((code.strip(), comment.strip()))
    return lines


def test_readme_example_runs() -> None:
    blocks = [b.split("```", 1)[0] for b in README.split("```python")[1:] if ">>>" in b.split("```", 1)[0]]
    assert blocks, "the README's first screen has a >>> example"
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "README.md", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.tries >= 3 and runner.failures == 0


@pytest.mark.parametrize(("code", "comment"), micro_reference_lines())
def test_micro_reference_comment_states_the_result(code: str, comment: str) -> None:
    result = eval(code, {"ca": ca})
    stated = next(value for value in (leading_value(comment[:cut]) for cut in range(len(comment), 0, -1)) if value)
    assert result == stated[0], f"{code} gives {result!r}, the README says {comment}"


def leading_value(text: str) -> tuple[object] | None:
    """``(value,)`` if ``text`` is a Python literal (or a range), else None."""
    try:
        return (eval(text, {"__builtins__": {}, "range": range}),)
    except Exception:
        return None


def test_micro_reference_has_checked_lines() -> None:
    assert len(micro_reference_lines()) >= 10


def test_readme_picture_is_what_the_package_draws() -> None:
    """assets/padding_strides.gif is the gallery figure; re-rendering gives the same frames."""
    pytest.importorskip("matplotlib")
    from PIL import Image

    from convarith.anim.gallery import GALLERY

    (figure,) = [f for f in GALLERY if f.name == "padding_strides"]
    scene = figure.build()
    renderer = ca.anim.render(scene, dpi=100)
    with Image.open(ROOT / "assets" / "padding_strides.gif") as committed:
        assert committed.n_frames == len(scene)
        for step in (0, len(scene) - 1):
            committed.seek(step)
            old = np.asarray(committed.convert("RGB")).astype(int)
            new = renderer.draw_frame(step)[..., :3].astype(int)
            assert old.shape == new.shape
            # GIF palettes quantise colours: compare coarsely, but a moved or missing cell fails
            assert (np.abs(old - new).max(axis=2) > 48).mean() < 0.01
