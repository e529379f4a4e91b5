"""``convarith exercises --seed N``: print a worksheet of exercises, and its answer key with ``--answers``.

The worksheet has one exercise of every kind for each notebook topic, with numbers drawn from the
student seed (the same numbers the notebooks' exercise widgets give for that seed). Markdown by
default, a standalone HTML page with ``--format html`` (print it to PDF from a browser); ``-o``
writes the file atomically and refuses to replace one unless ``--overwrite`` is given.
"""

from __future__ import annotations

import argparse
from typing import Any

from convarith.classroom import TOPICS, worksheet, write_worksheet
from convarith.classroom.worksheet import FORMATS

__all__ = ["add_command", "run"]


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`--seed` must be a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"`--seed` must be a whole number >= 0, got {value}")
    return value


def run(args: argparse.Namespace) -> None:
    """The handler of ``convarith exercises``: print the worksheet, or write it to ``args.output``.

    Examples
    --------
    >>> args = argparse.Namespace(seed=3, answers=False, format="markdown", output=None, overwrite=False,
    ...                           topics=["padding"])
    >>> run(args)  # doctest: +ELLIPSIS
    # Convolution arithmetic worksheet (seed 3)
    ...
    ## 02. Padding
    ...
    """
    if args.output is not None and not args.output.strip():
        raise ValueError("`--output` is empty; give a file name such as sheet.md")
    text = worksheet(args.seed, answers=args.answers, format=args.format, topics=args.topics or None)
    if args.output is None:
        print(text, end="")
    else:
        path = write_worksheet(args.output, text, overwrite=args.overwrite)
        print(f"wrote {path}")


def add_command(commands: Any) -> None:
    """Add ``exercises`` to the ``convarith`` subcommands."""
    parser = commands.add_parser(
        "exercises",
        help="print a worksheet of seeded exercises (and its answer key)",
        description="A worksheet with one exercise of every kind for each notebook topic, its numbers drawn "
        "from the student seed (the notebooks' exercise widgets give the same numbers for the same seed).",
        epilog="example: convarith exercises --seed 7 --answers --format html -o sheet-7.html",
    )
    parser.add_argument("--seed", type=_seed, required=True, metavar="N", help="student seed, a whole number >= 0")
    parser.add_argument("--answers", action="store_true", help="append the answer key with worked answers")
    parser.add_argument(
        "--format", choices=FORMATS, default="markdown", help="markdown (default) or a standalone html page"
    )
    parser.add_argument(
        "--topic",
        dest="topics",
        action="append",
        choices=[*TOPICS, *(t.number for t in TOPICS.values())],
        metavar="TOPIC",
        help="only this topic (a name such as padding, or a number such as 02); repeat for more; default all",
    )
    parser.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE instead of printing")
    parser.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    parser.set_defaults(handler=run)
