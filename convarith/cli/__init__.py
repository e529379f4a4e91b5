"""The ``convarith`` command line.

``convarith shape`` (output sizes and formulas), ``receptive-field``, ``translate``,
``animate``, ``gallery`` and ``notebooks``, one module each, all reading sizes and padding with
one grammar (:mod:`convarith.cli.grammar`). Bad input prints one line on stderr and exits with 2.
"""

from convarith.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
