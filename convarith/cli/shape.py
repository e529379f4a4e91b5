"""``convarith shape conv|pool|transpose|same``: one layer's output size, padding and formula.

The layer text is the repr of :class:`convarith.arithmetic.Layer` (the formula with the numbers
substituted, formatted by :mod:`convarith.arithmetic.text`), so the command line prints what the
API, the captions and the widgets print.
"""

from __future__ import annotations

import argparse
from typing import Any

from convarith.arithmetic import CONVENTIONS, LayerError, layer
from convarith.arithmetic.ops import op_name
from convarith.arithmetic.text import format_padding, format_size
from convarith.cli.grammar import (
    CONVENTION_HELP,
    KERNEL_HELP,
    SIZE_HELP,
    add_dilation_option,
    add_output_padding_option,
    add_padding_option,
    add_stride_option,
    check_rule,
    layer_arguments,
    size_argument,
)

__all__ = ["POOL_RULES", "add_command"]

POOL_RULES = {
    "pytorch": "rounds down, or up with --ceil-mode (a last window starting in the right padding is then dropped)",
    "onnx": "as pytorch",
    "caffe": "always rounds up (no --ceil-mode needed), and drops a last window that would start at or past i + pb",
}
"""Output-size rounding of pooling, per framework (``--rule``)."""


def _print_layer(args: argparse.Namespace) -> None:
    kind = op_name(args.kind)
    check_rule(args.padding, () if kind == "conv_transpose" else ("same", "valid", "full"))
    names = ("input_size", "kernel_size", "stride", "dilation", "output_padding")
    values = layer_arguments(args, tuple(n for n in names if hasattr(args, n)))
    rule: str = getattr(args, "rule", "pytorch")
    result = layer(
        kind,
        values["input_size"],
        values["kernel_size"],
        values["stride"],
        values["padding"],
        values["dilation"],
        output_padding=values.get("output_padding", 0),
        ceil_mode=getattr(args, "ceil_mode", False),
        convention=getattr(args, "convention", "tensorflow"),
        pool_convention=rule,
    )
    lines = []
    if kind == "max_pool" and rule == "caffe":
        # the header says "caffe rounding (up)"; this line adds what Caffe's rule does besides
        lines.append("caffe rounding: no --ceil-mode needed; drops a last window that would start at or past i + pb")
    elif kind == "max_pool" and args.ceil_mode:
        lines.append("rounding (ceil mode): up, and a last window that would start in the right padding is dropped")
    lines.append(repr(result))
    lines.append(f"output {format_size(result.output_shape)}")
    print("\n".join(lines))


def _same(args: argparse.Namespace) -> None:
    values = layer_arguments(args, ("input_size", "kernel_size", "stride", "dilation"))
    i, k, s, d = values["input_size"], values["kernel_size"], values["stride"], values["dilation"]
    conventions = list(CONVENTIONS) if args.convention == "all" else [args.convention]
    lines = []
    for name in conventions:
        try:
            result = layer("conv", i, k, s, "same", d, convention=name)
        except LayerError as error:
            if args.convention != "all":
                raise
            lines.append(f"{name:>10}: n/a ({error})")
            continue
        if args.convention == "all":
            assert result.padding is not None  # the input size is known
            lines.append(
                f"{name:>10}: padding {format_padding(result.padding)} -> output {format_size(result.output_shape)}"
            )
        else:
            lines.append(repr(result))
    print("\n".join(lines))


def _size_options(parser: argparse.ArgumentParser, *, default_stride: str = "1") -> None:
    parser.add_argument("-i", "--input-size", type=size_argument, required=True, metavar="SIZE", help=SIZE_HELP)
    parser.add_argument("-k", "--kernel-size", type=size_argument, required=True, metavar="SIZE", help=KERNEL_HELP)
    add_stride_option(parser, default_stride)
    add_dilation_option(parser)


def _convention_option(parser: argparse.ArgumentParser, default: str = "tensorflow", extra: str = "") -> None:
    parser.add_argument(
        "--convention",
        default=default,
        metavar="NAME",
        help=CONVENTION_HELP.format(names=", ".join(CONVENTIONS) + extra, default=default),
    )


def add_command(commands: Any) -> None:
    """Add ``shape`` (with ``conv``, ``max_pool``, ``conv_transpose``, ``same``; aliases ``pool``, ``transpose``)."""
    shape = commands.add_parser(
        "shape",
        help="output size and formula of one layer",
        description="Output size of one layer, with its formula and the numbers substituted.",
    )
    ops = shape.add_subparsers(dest="op", required=True, metavar="OP")

    conv = ops.add_parser("conv", help="convolution", description="Output size of a convolution.")
    _size_options(conv)
    add_padding_option(conv)
    _convention_option(conv)
    conv.set_defaults(handler=_print_layer, kind="conv")

    pool = ops.add_parser(
        "max_pool",
        aliases=["pool"],
        help="pooling (PyTorch, ONNX or Caffe rounding)",
        description="Output size of a pooling.",
    )
    _size_options(pool, default_stride="the kernel size")
    add_padding_option(pool)
    _convention_option(pool)
    pool.add_argument("--ceil-mode", action="store_true", help="round the output size up (PyTorch's ceil_mode)")
    pool.add_argument(
        "--rule",
        choices=tuple(POOL_RULES),
        default="pytorch",
        help="rounding rule: " + "; ".join(f"{k}: {v}" for k, v in POOL_RULES.items()) + " (default pytorch)",
    )
    pool.set_defaults(handler=_print_layer, kind="max_pool")

    transpose = ops.add_parser(
        "conv_transpose",
        aliases=["transpose"],
        help="transposed convolution",
        description="Output size of a transposed convolution.",
    )
    _size_options(transpose)
    add_padding_option(transpose, "cropped from the output")
    add_output_padding_option(transpose)
    transpose.set_defaults(handler=_print_layer, kind="conv_transpose")

    same = ops.add_parser(
        "same",
        help="the 'same' padding of each framework",
        description="The pads each convention gives for padding 'same', and the output size.",
    )
    _size_options(same)
    _convention_option(same, default="all", extra=", or all")
    same.set_defaults(handler=_same)
