"""The classroom notebooks: committed without outputs, numbered, and each runs top to bottom.

Every notebook in the repository's ``notebooks/`` is executed headless with nbclient (a fresh
kernel, a timeout per cell, in a temporary directory), so a broken notebook fails the build. The
kernel imports ``convarith`` from this repository (``PYTHONPATH``), whatever else is installed;
a last cell, added for the test, checks that. The copies shipped in the wheel are run by
``.ci/wheel-smoke.sh``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds; each notebook takes a few seconds in total
# stderr that is not the notebook's fault: matplotlib's one-time font cache message on a fresh machine
BENIGN_STDERR = re.compile(r"(Matplotlib is building the font cache; this may take a moment\.\s*)+")
TOPICS = [
    "discrete_convolution",
    "padding",
    "strides",
    "dilation",
    "pooling",
    "transposed_convolution",
    "matrix_view",
    "groups_depthwise",
    "even_kernels_symmetric_padding",
    "framework_same",
    "receptive_fields",
    "your_own_network",
    "real_images",
    "beyond_the_box",
]


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def test_notebooks_are_numbered_in_order() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert names == [f"{n:02d}_{topic}.ipynb" for n, topic in enumerate(TOPICS, start=1)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name} cell {number} has outputs: clear them before committing"
            assert cell["execution_count"] is None, f"{path.name} cell {number} has an execution count"
        assert "attachments" not in cell or not cell["attachments"], f"{path.name} cell {number} has attachments"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_has_prose_and_exercises(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    markdown = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert re.search(r"^# \d+\. ", markdown, flags=re.MULTILINE), f"{path.name} has no numbered title"
    assert "## Exercises" in markdown, f"{path.name} has no exercises"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import convarith\nprint(convarith.__file__)"))
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    pythonpath = os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p)
    client.execute(env={**os.environ, "PYTHONPATH": pythonpath})
    imported = Path(notebook.cells.pop().outputs[0]["text"].strip())
    assert imported.is_relative_to(ROOT / "convarith"), f"the kernel ran convarith from {imported}, not {ROOT}"
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
        or (output.output_type == "stream" and output.name == "stderr" and not BENIGN_STDERR.fullmatch(output.text))
    ]
    assert not errors, f"{path.name}: {errors}"  # tracebacks, warnings and other messages on stderr
