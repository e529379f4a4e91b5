"""Run a classroom notebook's cells in this process, as Jupyter would, to test what its prose says."""

from __future__ import annotations

import ast
import contextlib
import io
import json
from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

Ran = list[tuple[str, str, Any, str]]
"""Per code cell: the markdown right above it, its source, the value of its last expression, what it printed."""


def run_until_exercises(name: str) -> tuple[dict[str, Any], Ran]:
    """Run the code cells of ``notebooks/{name}.ipynb`` before its "## Exercises" cell.

    Returns the notebook's names and, per code cell, what :data:`Ran` lists.
    """
    cells = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    namespace: dict[str, Any] = {}
    ran: Ran = []
    markdown = ""
    for cell in cells:
        source = "".join(cell["source"])
        if source.startswith("## Exercises"):
            break
        if cell["cell_type"] == "markdown":
            markdown = source
            continue
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(tree, name, "exec"), namespace)
            value = None if last is None else eval(compile(ast.Expression(last.value), name, "eval"), namespace)
        ran.append((markdown, source, value, printed.getvalue()))
    return namespace, ran
