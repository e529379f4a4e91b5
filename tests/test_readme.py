"""The README's claims: its example runs, its micro-reference comments state the real results,
and its picture is what the package draws today."""

from __future__ import annotations

import ast
import doctest
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import convarith as ca

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
VALUE_START = re.compile(r"^[-(\[\d'\"]|^range\(|^True|^False|^Fraction\(")


def micro_reference() -> str:
    """The API micro-reference: the README's first ```python block after its heading."""
    return README.split("## API micro-reference", 1)[1].split("```python", 1)[1].split("```", 1)[0]


def stated_value(comment: str) -> tuple[str, object] | None:
    """``(text, value)``: the longest start of ``comment`` that is a Python literal (or a range), else None.

    The literal must end the comment or be followed by a space, ``:``, ``;`` or ``,`` (so that
    ``1-D`` states nothing).
    """
    if not VALUE_START.match(comment):
        return None
    names = {"__builtins__": {}, "range": range, "Fraction": Fraction, "True": True, "False": False}
    for cut in range(len(comment), 0, -1):
        if cut < len(comment) and comment[cut] not in " :;,":
            continue
        try:
            return comment[:cut].strip(), eval(comment[:cut], names)
        except Exception:
            continue
    return None


def run_micro_reference() -> tuple[list[str], int]:
    """Execute the micro-reference statement by statement, as pasted; check every stated result.

    Returns the mismatches (a comment whose value differs from the result, or whose text is not
    what Python prints) and the number of comments checked. A line that raises raises here.
    """
    block = micro_reference()
    lines = block.splitlines()
    namespace: dict[str, object] = {}
    mismatches, checked = [], 0
    for node in ast.parse(block).body:
        code = ast.get_source_segment(block, node)
        if not isinstance(node, ast.Expr):
            exec(compile(ast.Module([node], []), "README.md", "exec"), namespace)
            continue
        result = eval(compile(ast.Expression(node.value), "README.md", "eval"), namespace)
        comment = lines[node.end_lineno - 1].partition("  # ")[2].strip()
        stated = stated_value(comment)
        if stated is None or isinstance(result, np.ndarray):
            continue
        checked += 1
        text, value = stated
        printed = {repr(result)} | ({", ".join(map(repr, result))} if isinstance(result, tuple) else set())
        if not (result == value and text in printed):
            mismatches.append(f"{code}  gives {result!r}; the README says  # {comment}")
    return mismatches, checked


def test_readme_example_runs() -> None:
    blocks = [b.split("```", 1)[0] for b in README.split("```python")[1:] if ">>>" in b.split("```", 1)[0]]
    assert blocks, "the README's first screen has a >>> example"
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "README.md", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.tries >= 3 and runner.failures == 0


@pytest.mark.slow
def test_micro_reference_runs_as_pasted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line runs (its files go to a temporary folder), and each stated result is what prints."""
    monkeypatch.chdir(tmp_path)
    mismatches, checked = run_micro_reference()
    assert mismatches == []
    assert checked >= 15
    assert (tmp_path / "padding_strides.gif").is_file() and (tmp_path / "out" / "dilation.mp4").is_file()


def test_stated_values_are_read_strictly() -> None:
    assert stated_value("(2, 3)  TF puts the extra unit after") == ("(2, 3)", (2, 3))
    assert stated_value("1-D, 2-D, 3-D, ...") is None
    assert stated_value("(Fraction(-2, 1), Fraction(-2, 1)): exact") == (
        "(Fraction(-2, 1), Fraction(-2, 1))",
        (Fraction(-2), Fraction(-2)),
    )


def test_readme_picture_is_what_the_package_draws() -> None:
    """assets/padding_strides.gif is the gallery figure; re-rendering gives the same frames."""
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
