"""The ``convarith`` command: its parser and :func:`main`.

Each subcommand lives in its own module (:mod:`~convarith.cli.shape`,
:mod:`~convarith.cli.receptive_field`, :mod:`~convarith.cli.translate`,
:mod:`~convarith.cli.animate`, :mod:`~convarith.cli.gallery`, :mod:`~convarith.cli.notebooks`,
:mod:`~convarith.cli.exercises`, :mod:`~convarith.cli.inspect`)
and reads its values with the one grammar of :mod:`convarith.cli.grammar`. Results go to
stdout; any mistake prints one line on stderr (``convarith: error: ...``) and exits with 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from convarith import __version__
from convarith.cli import (
    animate,
    animate_model,
    exercises,
    gallery,
    inspect,
    notebooks,
    receptive_field,
    shape,
    translate,
)
from convarith.cli.grammar import GRAMMAR

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], None]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, with where to find help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``convarith`` command.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> build_parser().parse_args(["shape", "conv", "-i", "224,160", "-k", "3", "-p", "0:1"]).padding
    Padding(rule=None, pairs=((0, 1),))
    """
    parser = _Parser(
        prog="convarith",
        description="Convolution arithmetic you can check.",
        epilog=GRAMMAR,
    )
    parser.add_argument("--version", action="version", version=f"convarith {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (shape, receptive_field, translate, inspect, animate, animate_model, gallery, notebooks, exercises):
        module.add_command(commands)
    return parser


def _one_line(error: BaseException) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    from convarith.anim.files import OutputExistsError

    if isinstance(error, OutputExistsError):  # the library's words are for Python callers
        message = error.advice("pass --overwrite")
    return message


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0, or 2 for any mistake).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success; 2 when the arguments or the files are wrong (one line on stderr); 1, silently,
        when the reader of stdout has gone (``convarith ... | head``).

    Examples
    --------
    >>> main(["shape", "conv", "-i", "5", "-k", "3", "-s", "2", "-p", "1"])
    conv: input 5, kernel 3, stride 2, padding (1, 1) -> output 3
      o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3
    output 3
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, usage errors
        return done.code if isinstance(done.code, int) else 2
    handler: Handler = args.handler
    try:
        handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
    except BrokenPipeError:  # the reader went away (convarith ... | head): stop quietly, as Unix tools do
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ValueError, TypeError, OSError) as error:
        print(f"convarith: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except ImportError as error:  # an optional dependency; the library's message may name its extra
        message = _one_line(error)
        if "pip install" not in message:
            message += ' (python -m pip install "convarith[anim]")'
        print(f"convarith: error: {message}", file=sys.stderr)
        return 2
    return 0
