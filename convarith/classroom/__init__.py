"""The classroom: seeded exercises checked by the package, worksheets, and real-image studies.

Each of the eleven notebook topics has several kinds of exercise whose numbers come from a
student seed and whose answers the package computes (formulas, engine, studies):

- :func:`exercise`, :func:`exercises`: one exercise, or one of every kind of a topic;
  :meth:`Exercise.check` says right or wrong with a hint that never holds the answer, and
  :meth:`Exercise.solution` gives the worked answer on request;
- :func:`worksheet`: a printable worksheet (Markdown or HTML) and, on request, its answer key;
- :mod:`convarith.classroom.images`: a real photograph through padding, stride, even kernels and
  depthwise convolution (needs matplotlib);
- :mod:`convarith.classroom.checkerboard`: the photograph through upsamplers of ones, the
  checkerboard of notebook 14 and its remedies (needs matplotlib).

The notebook widget is :class:`convarith.widgets.exercises.ExerciseWidget`.
"""

from convarith.classroom.catalog import TOPICS, Topic, exercise, exercise_from_key, exercises, topic
from convarith.classroom.exercise import Answer, AnswerFormatError, Check, Exercise
from convarith.classroom.worksheet import worksheet, write_worksheet

__all__ = [
    "TOPICS",
    "Answer",
    "AnswerFormatError",
    "Check",
    "Exercise",
    "Topic",
    "exercise",
    "exercise_from_key",
    "exercises",
    "topic",
    "worksheet",
    "write_worksheet",
]
