"""Run All answers no exercise: every notebook runs, and no exercise's answer shows before the student asks.

Each notebook is executed headless with nbclient (widget state kept, as a browser would see it).
Its exercises are found by the key each exercise widget carries (``data-exercise="topic/kind/seed"``)
and rebuilt with :func:`convarith.classroom.exercise_from_key`, which gives their answers. A leak is

1. the worked answer (``Answer: ...``, or a line of its working that states the answer) anywhere:
   in any output of any cell, or in the state of any widget;
2. the answer itself (e.g. ``19`` or ``(1, 2)``, as a whole token) in an output of the exercise
   section, the cells under ``## Exercises``, other than the question it answers (the widgets'
   prompts are left out: a question may show a number that happens to equal its answer);
3. an exercise widget whose feedback or worked answer is not empty after Run All (a cell that
   pressed Check or Show worked answer for the student).

The checker is itself tested on notebooks made to leak in each of these ways.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from convarith.classroom import Exercise, exercise_from_key

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[01][0-9]_*.ipynb"))
TOPIC_NOTEBOOKS = [p for p in NOTEBOOKS if int(p.name[:2]) <= 11]
CELL_TIMEOUT = 180
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
KEY = re.compile(r'data-exercise="([^"]+)"')


def run(notebook: Any, workdir: Path) -> Any:
    """Execute ``notebook`` (an nbformat node) in a fresh kernel in ``workdir``; keep the widget state."""
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(workdir)}},
    )
    # the kernel imports convarith from this checkout (PYTHONPATH), whatever else is installed
    pythonpath = os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p)
    client.execute(env={**os.environ, "PYTHONPATH": pythonpath})
    return notebook


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _output_texts(cell: Any) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            texts.append("\n".join(output.get("traceback", [])))
        else:
            texts.extend(_strings(dict(output.get("data", {}))))
    return [html.unescape(t) for t in texts]


def _widget_models(notebook: Any) -> dict[str, dict[str, Any]]:
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return {model_id: dict(model.get("state", {})) for model_id, model in state.items()}


def find_leaks(notebook: Any) -> tuple[list[Exercise], list[str]]:
    """The exercises of an executed notebook, and a description of every leak of their answers."""
    models = _widget_models(notebook)
    cells = notebook.cells
    section = next(
        (n for n, c in enumerate(cells) if c.cell_type == "markdown" and "## Exercises" in "".join(c.source)),
        len(cells),
    )
    everywhere = [(f"cell {n}", t) for n, c in enumerate(cells) if c.cell_type == "code" for t in _output_texts(c)]
    widget_texts = [(f"widget {m}", html.unescape(s)) for m, state in models.items() for s in _strings(state)]
    keys = sorted({k for _, text in everywhere + widget_texts for k in KEY.findall(text)})
    found = [exercise_from_key(k) for k in keys]
    leaks = []

    # 1. the worked answer, anywhere: its first line, and every line of the working that states the answer
    for ex in found:
        marks = [f"Answer: {ex.answer.text()}"]
        marks += [
            line.strip()
            for line in ex.working
            if len(line.strip()) >= 12 and _token(ex.answer.text()).search(line) and line.strip() not in ex.prompt
        ]
        for where, text in everywhere + widget_texts:
            for mark in marks:
                if mark in text:
                    leaks.append(f"{ex.key}: worked answer {mark!r} in {where}")

    # 2. the bare answer in the exercise section's outputs (questions and keys left out)
    prompts = {m for m, s in models.items() if "convarith-exercise-prompt" in str(s.get("value", ""))}
    section_texts = [
        (f"cell {n}", t) for n, c in enumerate(cells) if n > section and c.cell_type == "code" for t in _output_texts(c)
    ]
    section_texts += [(w, t) for w, t in widget_texts if w.split()[1] not in prompts and _in_section(w, models)]
    for ex in found:
        for where, text in section_texts:
            for key in keys:
                text = text.replace(key, "")
            if _token(ex.answer.text()).search(text):
                leaks.append(f"{ex.key}: the answer {ex.answer.text()!r} in {where}")

    # 3. an exercise widget already answered
    for model_id, state in models.items():
        classes = state.get("_dom_classes", [])
        if {"convarith-exercise-feedback", "convarith-exercise-solution"} & set(classes) and state.get("value"):
            leaks.append(f"widget {model_id} ({', '.join(classes)}) is not empty: {state['value'][:80]!r}")
    return found, sorted(set(leaks))


def _token(text: str) -> re.Pattern[str]:
    """``text`` as a whole token: ``19`` matches in ``y = 19`` but not in ``190`` or ``1.19``."""
    return re.compile(rf"(?<![\w.]){re.escape(text)}(?![\w.])")


def _in_section(where: str, models: dict[str, dict[str, Any]]) -> bool:
    """Widget text counts as exercise-section text only for the exercise widgets' own models."""
    state = models[where.split()[1]]
    classes = state.get("_dom_classes", [])
    return any(str(c).startswith("convarith-exercise") for c in classes)


# --- every notebook ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_run_all_answers_no_exercise(path: Path, tmp_path: Path) -> None:
    notebook = run(nbformat.read(path, as_version=4), tmp_path)
    found, leaks = find_leaks(notebook)
    assert not leaks, "\n".join(leaks)
    assert len(found) >= 3, f"{path.name}: exercises {[ex.key for ex in found]}"
    if path not in TOPIC_NOTEBOOKS:
        return  # 13: exercises from the four topics it revisits
    topic = path.stem.split("_", 1)[1]
    on_topic = {ex.kind for ex in found if ex.topic == topic}
    assert len(on_topic) >= 3, f"{path.name}: exercises {[ex.key for ex in found]}"
    assert all(ex.topic == topic for ex in found), f"{path.name} asks about another topic"


def test_every_notebook_ends_with_its_exercises() -> None:
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        section = max(n for n, c in enumerate(cells) if "## Exercises" in "".join(c["source"]))
        after = ["".join(c["source"]) for c in cells[section + 1 :] if c["cell_type"] == "code"]
        assert after[0].startswith("from convarith.widgets.exercises import exercise"), path.name
        number = int(path.name[:2])  # a review notebook (12, 13, ...) may ask with its own numbers
        review = "" if number <= 11 else f"(, notebook={number})?"  # (test_classroom_review: no repeats)
        assert all(re.fullmatch(rf'exercise\("\w+", "\w+", seed=SEED{review}\)', code) for code in after[1:]), path.name
        assert len(after) - 1 >= 3, path.name


# --- the checker catches each kind of leak ---------------------------------------------------------

_SETUP = "from convarith.widgets.exercises import exercise\nfrom convarith.classroom import exercise as make"


def _notebook(*cells: tuple[str, str]) -> Any:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in cells:
        nb.cells.append(nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source))
    return nb


def _leaks(tmp_path: Path, *cells: tuple[str, str]) -> list[str]:
    return find_leaks(run(_notebook(*cells), tmp_path))[1]


@pytest.mark.slow
def test_the_checker_passes_a_clean_notebook_and_catches_each_leak(tmp_path: Path) -> None:
    clean = [("md", "## Exercises"), ("code", _SETUP), ("code", 'exercise("discrete_convolution", "output_value", 4)')]
    assert _leaks(tmp_path, *clean) == []
    ex = exercise_from_key("discrete_convolution/output_value/4")

    # 1. a cell that prints the worked answer (even before the exercise section)
    printed = _leaks(
        tmp_path, ("code", _SETUP + "\nprint(make('discrete_convolution', 'output_value', 4).solution())"), *clean
    )
    assert any("worked answer" in leak for leak in printed), printed

    # 2. a cell in the exercise section that computes the answer, as 01's "Exercise 1" cell did
    computed = _leaks(tmp_path, *clean, ("code", "make('discrete_convolution', 'output_value', 4).answer.value"))
    assert any(f"the answer {ex.answer.text()!r}" in leak for leak in computed), computed

    # 3. a widget answered for the student
    shown = _leaks(
        tmp_path,
        *clean[:2],
        ("code", 'box = exercise("discrete_convolution", "output_value", 4)\nbox.show_solution()\nbox'),
    )
    assert any("is not empty" in leak for leak in shown) and any("worked answer" in leak for leak in shown), shown
    checked = _leaks(
        tmp_path,
        *clean[:2],
        ("code", 'box = exercise("discrete_convolution", "output_value", 4)\nbox.answer.value = "0"\nbox.check()\nbox'),
    )
    assert any("is not empty" in leak for leak in checked), checked
