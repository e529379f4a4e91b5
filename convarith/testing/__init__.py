"""Testing helpers: seeded arrays for convarith's own tests, and convarith as the oracle for yours.

- :func:`random_array`, :func:`arange_array`, :func:`seeded_rng`: seeded generators used by every
  test and benchmark of convarith (a failing case replays from its seed);
- :func:`check_output_size`, :func:`check_op`: ready property tests of *your* output-size
  function or array implementation against convarith's formulas and engine, raising an
  ``AssertionError`` with the smallest counterexample found;
- :mod:`convarith.testing.strategies`: the hypothesis strategies behind them (valid layers of
  every op, and matching arrays), for your own property tests.

``import convarith.testing`` needs NumPy only. The checks and the strategies need `hypothesis
<https://hypothesis.readthedocs.io>`_: ``pip install "convarith[testing]"``.
"""

from __future__ import annotations

from convarith.testing.arrays import arange_array, random_array, seeded_rng
from convarith.testing.checks import check_op, check_output_size

__all__ = ["arange_array", "random_array", "seeded_rng", "check_output_size", "check_op"]
