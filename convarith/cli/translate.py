"""``convarith translate``: a convolution's padding in one framework's terms, in every framework."""

from __future__ import annotations

import argparse
from typing import Any

from convarith.cli.grammar import (
    KERNEL_HELP,
    NO_PADDING,
    SIZE_HELP,
    add_dilation_option,
    layer_arguments,
    padding_argument,
    size_argument,
)
from convarith.studies.frameworks import FRAMEWORKS, translate

__all__ = ["add_command"]


def _translate(args: argparse.Namespace) -> None:
    values = layer_arguments(args, ("input_size", "kernel_size", "stride", "dilation"))
    padding = args.padding.rule if args.padding.rule is not None else values["padding"]  # the framework's own word
    result = translate(
        args.framework,
        values["input_size"],
        values["kernel_size"],
        values["stride"],
        padding,
        values["dilation"],
    )
    print(repr(result))


def add_command(commands: Any) -> None:
    """Add ``translate`` to the ``convarith`` subcommands."""
    tr = commands.add_parser(
        "translate",
        help="a convolution's padding in every framework",
        description="Explicit pads, output size, the same layer in each framework, and each framework's own 'same'.",
        epilog="example: convarith translate --from tensorflow -i 224 -k 7 -s 2 -p SAME",
    )
    tr.add_argument(
        "--from", dest="framework", required=True, metavar="FRAMEWORK", help="the source: " + ", ".join(FRAMEWORKS)
    )
    tr.add_argument("-i", "--input-size", type=size_argument, required=True, metavar="SIZE", help=SIZE_HELP)
    tr.add_argument("-k", "--kernel-size", type=size_argument, required=True, metavar="SIZE", help=KERNEL_HELP)
    tr.add_argument("-s", "--stride", type=size_argument, default=(1,), metavar="SIZE", help="stride (default 1)")
    tr.add_argument(
        "-p",
        "--padding",
        type=padding_argument,
        default=NO_PADDING,
        help="in the framework's terms: its word (SAME, VALID, ...), N, BEFORE:AFTER, or those per axis "
        "comma-separated (default 0)",
    )
    add_dilation_option(tr)
    tr.set_defaults(handler=_translate)
