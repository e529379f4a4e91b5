"""Review notebooks ask with their own numbers: for one seed, no notebook repeats another's question.

The calls are read from the notebooks themselves (``exercise("padding", "mode_values",
seed=SEED, notebook=13)``), so a notebook that forgets its ``notebook=`` fails here: notebooks 12
and 13 once asked 02's reflect row ``[9 5 1 9 2]`` and 08's "24 to 24 channels" again for seed 0.
"""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from pathlib import Path

import pytest

from convarith.classroom import exercise, exercise_from_key
from convarith.classroom.catalog import TOPICS

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SEEDS = range(50)


def _calls(path: Path) -> list[tuple[str, str, int | None]]:
    """The ``exercise(topic, kind, seed=SEED, notebook=N)`` calls of a notebook: (topic, kind, notebook)."""
    calls = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "exercise":
                topic, kind = (ast.literal_eval(a) for a in node.args[:2])
                named = {k.arg: k.value for k in node.keywords}
                notebook = ast.literal_eval(named["notebook"]) if "notebook" in named else None
                calls.append((topic, kind, notebook))
    return calls


def _asked() -> dict[tuple[str, str], list[tuple[str, int | None]]]:
    """Per topic and kind: which notebooks ask it, and with which ``notebook=``."""
    asked: dict[tuple[str, str], list[tuple[str, int | None]]] = defaultdict(list)
    for path in NOTEBOOKS:
        for topic, kind, notebook in _calls(path):
            asked[topic, kind].append((path.name, notebook))
    return asked


def test_no_notebook_repeats_another_notebooks_question() -> None:
    asked = _asked()
    reviewed = {key: where for key, where in asked.items() if len(where) > 1}
    assert len(reviewed) >= 6, reviewed  # 12 and 13 revisit earlier topics
    for (topic, kind), where in reviewed.items():
        for seed in SEEDS:
            questions = {}
            for name, notebook in where:
                ex = exercise(topic, kind, seed, notebook=notebook)
                questions.setdefault(ex.given, []).append(name)
            repeated = [names for names in questions.values() if len(names) > 1]
            assert not repeated, f"{topic}/{kind} seed {seed}: the same numbers in {repeated}"


def test_a_review_exercise_is_checked_and_keyed_like_any_other() -> None:
    for topic in TOPICS.values():
        for kind in topic.kinds:
            for seed in range(3):
                home = exercise(topic.name, kind, seed)
                review = exercise(topic.name, kind, seed, notebook=13)
                assert review.given != home.given, (topic.name, kind, seed)
                assert review.check(review.answer.value).correct
                assert review.key == f"{topic.name}/{kind}/{seed}/13" and exercise_from_key(review.key) == review
                assert exercise(topic.name, kind, seed, notebook=int(topic.number)) == home  # its own notebook


def test_a_second_review_differs_from_the_first() -> None:
    for seed in SEEDS:
        first = exercise("groups_depthwise", "separable", seed, notebook=12)
        second = exercise("groups_depthwise", "separable", seed, notebook=13)
        home = exercise("groups_depthwise", "separable", seed)
        assert len({first.given, second.given, home.given}) == 3, seed


@pytest.mark.parametrize("bad", [0, 100, True, "13", 1.5])
def test_a_bad_notebook_number_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match=r"`notebook` must be None or a notebook number 1\.\.99"):
        exercise("padding", "output_size", 0, notebook=bad)  # type: ignore[arg-type]
