"""The public API keeps the project's promises: documented, NumPy-only at import, exported."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import convarith

SUBPACKAGES = ("arithmetic", "engine", "studies", "anim", "network", "classroom")
PUBLIC = {name: getattr(convarith, name) for name in convarith.__all__ if not name.startswith("_")}
for _package in SUBPACKAGES:
    PUBLIC |= {
        f"{_package}.{name}": getattr(getattr(convarith, _package), name)
        for name in getattr(convarith, _package).__all__
    }
FUNCTIONS = sorted(name for name, value in PUBLIC.items() if inspect.isfunction(value))


def test_import_needs_numpy_only() -> None:
    code = (
        "import sys, convarith\n"
        "heavy = {'matplotlib', 'torch', 'onnx', 'ipywidgets', 'PIL', 'imageio', 'tqdm', 'scipy'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("package", [convarith] + [getattr(convarith, name) for name in SUBPACKAGES])
def test_all_names_exist(package) -> None:
    missing = [name for name in package.__all__ if not hasattr(package, name)]
    assert missing == []
    assert len(set(package.__all__)) == len(package.__all__)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_is_documented(name: str) -> None:
    """Every public function: a summary, the formula or rule in Notes, and a runnable example."""
    doc = inspect.getdoc(PUBLIC[name]) or ""
    assert doc.strip(), f"{name} has no docstring"
    assert "Examples\n--------" in doc and ">>>" in doc, f"{name} has no doctest example"
    assert "Notes\n-----" in doc, f"{name} has no Notes section (formula / conventions)"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_is_type_hinted(name: str) -> None:
    signature = inspect.signature(PUBLIC[name])
    assert signature.return_annotation is not inspect.Signature.empty, f"{name} has no return annotation"
    for parameter in signature.parameters.values():
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name}) has no hint"
