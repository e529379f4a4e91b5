"""The eleven topics and their kinds of exercise; :func:`exercise` builds one from a student seed."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from convarith.arithmetic.validate import check_minimum
from convarith.classroom import beyond, beyond_box, research, sliding
from convarith.classroom._common import Generator
from convarith.classroom.exercise import Exercise

__all__ = ["TOPICS", "Topic", "exercise", "exercise_from_key", "exercises", "topic"]


@dataclass(frozen=True)
class Topic:
    """One notebook's topic: its number, name, title and kinds of exercise.

    Attributes
    ----------
    number : str
        ``'01'`` .. ``'11'``, the notebook's number.
    name : str
        ``'discrete_convolution'``, ... (the notebook's file name after the number).
    title : str
    kinds : dict of str to (title, generator)
    """

    number: str
    name: str
    title: str
    kinds: dict[str, tuple[str, Generator]]

    def __repr__(self) -> str:
        return f"{self.number} {self.name}: {', '.join(self.kinds)}"


_TITLES = {
    "discrete_convolution": "Discrete convolution",
    "padding": "Padding",
    "strides": "Strides",
    "dilation": "Dilation",
    "pooling": "Pooling and ceil mode",
    "transposed_convolution": "Transposed convolution",
    "matrix_view": "The matrix view",
    "groups_depthwise": "Groups and depthwise convolution",
    "even_kernels_symmetric_padding": "Even kernels and symmetric padding",
    "framework_same": "'Same' padding in different frameworks",
    "receptive_fields": "Receptive fields",
}
_GENERATORS = {**sliding.GENERATORS, **beyond.GENERATORS, **research.GENERATORS}
for _name, _kinds in beyond_box.GENERATORS.items():  # notebook 14's kinds join the topics they belong to
    _GENERATORS[_name] = {**_GENERATORS[_name], **_kinds}

TOPICS: dict[str, Topic] = {
    name: Topic(f"{number:02d}", name, title, _GENERATORS[name])
    for number, (name, title) in enumerate(_TITLES.items(), start=1)
}
"""The topics of notebooks 01-11, in order, by name."""


def topic(name: str | int) -> Topic:
    """The topic called ``name`` (``'padding'``), or numbered ``name`` (``2`` or ``'02'``).

    Notes
    -----
    Topics follow the numbered notebooks: ``01`` discrete convolution to ``11`` receptive fields.

    Examples
    --------
    >>> topic(2).name, topic("02").name, topic("padding").number
    ('padding', 'padding', '02')
    """
    if isinstance(name, str) and name in TOPICS:
        return TOPICS[name]
    for t in TOPICS.values():
        if not isinstance(name, bool) and isinstance(name, int | str) and str(name).lstrip("0") == t.number.lstrip("0"):
            return t
    raise ValueError(f"`topic` must be a topic name ({', '.join(TOPICS)}) or a number 1..{len(TOPICS)}; got {name!r}")


def _rng(seed: int, topic_name: str, kind: str, notebook: int | None = None, attempt: int = 0) -> np.random.Generator:
    """The numbers of one exercise: fixed by the seed, the topic and the kind (not by their order).

    A notebook other than the topic's own (a review) and a redraw add their numbers to the key.
    """
    key = [seed, zlib.crc32(f"{topic_name}/{kind}".encode())]
    return np.random.default_rng(key if notebook is None else [*key, notebook, attempt])


_REDRAWS = 64
"""Most draws a review notebook makes to find numbers no other notebook asks with (then it keeps the last)."""


def _review_parts(t: Topic, kind: str, seed: int, notebook: int) -> Any:
    """The parts of ``kind`` for notebook ``notebook``: numbers no notebook up to it asks with.

    The review notebooks are those after the topics' (12, 13, ...). Review ``m``'s draw is fixed
    before review ``m + 1``'s, so every notebook's question is known without knowing which
    notebooks exist: each differs from the topic's own notebook's and from every review's before it.
    """
    generate = t.kinds[kind][1]
    home = int(t.number)
    taken = [generate(_rng(seed, t.name, kind)).given]
    parts = None
    for m in sorted({*range(len(TOPICS) + 1, notebook + 1), notebook} - {home}):
        for attempt in range(_REDRAWS):
            parts = generate(_rng(seed, t.name, kind, m, attempt))
            if parts.given not in taken:
                break
        taken.append(parts.given)  # type: ignore[union-attr]
    return parts


def _check_notebook(notebook: object) -> int | None:
    if notebook is None:
        return None
    if isinstance(notebook, bool) or not isinstance(notebook, int) or not 1 <= notebook <= 99:
        raise ValueError(f"`notebook` must be None or a notebook number 1..99, got {notebook!r}")
    return notebook


def exercise(topic_name: str | int, kind: str, seed: int = 0, *, notebook: int | None = None) -> Exercise:
    """One exercise of a topic, with numbers drawn from ``seed`` (and the notebook that asks it).

    Parameters
    ----------
    topic_name : str or int
        A topic name (``'padding'``) or notebook number (``2``).
    kind : str
        One of the topic's kinds (``topic(topic_name).kinds``).
    seed : int
        The student seed (``>= 0``): each seed gives its own numbers; the same seed, the same ones.
    notebook : int, optional
        The notebook that asks it, when that is not the topic's own (a review: notebook 13 asks
        a padding question). Default: the topic's notebook, whose numbers the worksheet has too.

    Returns
    -------
    Exercise

    Notes
    -----
    The numbers come from ``numpy.random.default_rng([seed, crc32('topic/kind')])``, so an
    exercise does not change when other kinds are added. A review notebook ``n`` draws from
    ``[seed, crc32('topic/kind'), n, attempt]`` and redraws (``attempt`` + 1) while its numbers
    equal those of the topic's notebook or of a review notebook (12, ...) numbered below ``n``: for one
    seed, no notebook repeats another's question.

    Examples
    --------
    >>> ex = exercise("padding", "output_size", seed=3)
    >>> ex.key
    'padding/output_size/3'
    >>> ex == exercise(2, "output_size", seed=3)  # same seed, same numbers
    True
    >>> ex.check(ex.answer.value).correct
    True
    >>> review = exercise("padding", "mode_values", seed=0, notebook=13)  # notebook 13 revisits padding
    >>> review.key, review.numbers == exercise("padding", "mode_values", seed=0).numbers
    ('padding/mode_values/0/13', False)
    """
    t = topic(topic_name)
    check_minimum(seed, "seed", 0)
    notebook = _check_notebook(notebook)
    if kind not in t.kinds:
        raise ValueError(f"`kind` for topic {t.name!r} must be one of {', '.join(t.kinds)}; got {kind!r}")
    if notebook == int(t.number):
        notebook = None  # the topic's own notebook: the worksheet's numbers
    title, generate = t.kinds[kind]
    parts = generate(_rng(seed, t.name, kind)) if notebook is None else _review_parts(t, kind, seed, notebook)
    return Exercise(
        t.name,
        kind,
        seed,
        title,
        parts.prompt,
        parts.answer,
        parts.working,
        parts.hint,
        parts.mistakes,
        parts.blocks,
        parts.given,
        notebook,
    )


def exercises(topic_name: str | int, seed: int = 0) -> tuple[Exercise, ...]:
    """One exercise of every kind of a topic, for one student seed.

    Notes
    -----
    Each exercise draws its numbers independently (see :func:`exercise`), so the tuple for one
    seed is the worksheet of one student.

    Examples
    --------
    >>> [ex.kind for ex in exercises("pooling", seed=1)]
    ['output_size', 'max_values', 'average']
    """
    t = topic(topic_name)
    return tuple(exercise(t.name, kind, seed) for kind in t.kinds)


def exercise_from_key(key: str) -> Exercise:
    """The exercise with key ``'topic/kind/seed'`` or ``'topic/kind/seed/notebook'`` (:attr:`Exercise.key`).

    Notes
    -----
    The key names the exercise completely: the same key gives the same numbers on any machine.

    Examples
    --------
    >>> exercise_from_key("strides/output_size/7") == exercise("strides", "output_size", 7)
    True
    >>> exercise_from_key("strides/output_size/7/13") == exercise("strides", "output_size", 7, notebook=13)
    True
    """
    parts = key.split("/")
    if len(parts) not in (3, 4) or not all(p.isdigit() for p in parts[2:]):
        raise ValueError(f"`key` must be 'topic/kind/seed' or 'topic/kind/seed/notebook', got {key!r}")
    return exercise(parts[0], parts[1], int(parts[2]), notebook=int(parts[3]) if len(parts) == 4 else None)
