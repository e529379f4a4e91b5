"""The public API keeps the project's promises: documented, NumPy-only at import, exported."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import convarith

PUBLIC = [name for name in convarith.__all__ if not name.startswith("_")]
FUNCTIONS = [name for name in PUBLIC if inspect.isfunction(getattr(convarith, name))]


def test_import_needs_numpy_only() -> None:
    code = (
        "import sys, convarith\n"
        "heavy = {'matplotlib', 'torch', 'onnx', 'ipywidgets', 'PIL', 'imageio', 'tqdm', 'scipy'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_all_names_exist() -> None:
    missing = [name for name in convarith.__all__ if not hasattr(convarith, name)]
    assert missing == []
    assert len(set(convarith.__all__)) == len(convarith.__all__)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_is_documented(name: str) -> None:
    """Every public function: a summary, the formula or rule in Notes, and a runnable example."""
    doc = inspect.getdoc(getattr(convarith, name)) or ""
    assert doc.strip(), f"{name} has no docstring"
    assert "Examples\n--------" in doc and ">>>" in doc, f"{name} has no doctest example"
    assert "Notes\n-----" in doc, f"{name} has no Notes section (formula / conventions)"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_is_type_hinted(name: str) -> None:
    signature = inspect.signature(getattr(convarith, name))
    assert signature.return_annotation is not inspect.Signature.empty, f"{name} has no return annotation"
    for parameter in signature.parameters.values():
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name}) has no hint"
