"""The ``convarith`` command line.

``convarith shape conv|pool|transpose|same`` looks up output sizes and paddings and prints the
formula with the numbers substituted. Bad input prints one line on stderr and exits with 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from convarith.arithmetic.formulas import CONVENTIONS, same_padding
from convarith.arithmetic.geometry import geometry
from convarith.cli import anim as _cli_anim
from convarith.cli.studies import add_commands

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], None]


def _ints(text: str) -> int | tuple[int, ...]:
    """``'3'`` -> 3, ``'3,5'`` -> (3, 5) (one value per axis)."""
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or comma-separated integers, got {text!r}") from None
    return values[0] if len(values) == 1 else values


def _padding(text: str) -> object:
    """``'1'``, ``'1,2'`` (per axis), ``'2:3'`` (before:after), ``'2:3,1:1'``, or a word."""
    if text.replace("_", "").isalpha():
        return text
    try:
        axes = [tuple(int(v) for v in part.split(":")) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"padding must be an int, before:after, comma-separated per axis, or a word such as 'same'; got {text!r}"
        ) from None
    if any(len(a) not in (1, 2) for a in axes):
        raise argparse.ArgumentTypeError(f"each axis's padding is N or BEFORE:AFTER, got {text!r}")
    values = [a[0] if len(a) == 1 else a for a in axes]
    if len(values) == 1:
        return values[0]
    return tuple(values)


def _size_options(parser: argparse.ArgumentParser, *, pool: bool = False, transpose: bool = False) -> None:
    parser.add_argument("-i", "--input-size", type=_ints, required=True, help="input size, e.g. 224 or 224,160")
    parser.add_argument("-k", "--kernel-size", type=_ints, required=True, help="kernel size per axis")
    parser.add_argument(
        "-s", "--stride", type=_ints, default=None, help="stride (default 1" + (", or the kernel size" if pool else "")
    )
    padding_help = "padding: N, BEFORE:AFTER, per axis comma-separated"
    if not transpose:
        padding_help += ", or same/valid/full"
    parser.add_argument("-p", "--padding", type=_padding, default=0, help=padding_help)
    parser.add_argument("-d", "--dilation", type=_ints, default=1, help="dilation (default 1)")
    if not transpose:
        parser.add_argument(
            "--convention",
            default="tensorflow",
            metavar="NAME",
            help="rule for --padding same: " + ", ".join(CONVENTIONS) + " (default tensorflow)",
        )
    if pool:
        parser.add_argument("--ceil-mode", action="store_true", help="round the output size up")
        parser.add_argument(
            "--rule", choices=("pytorch", "onnx", "caffe"), default="pytorch", help="pooling rule (default pytorch)"
        )
    if transpose:
        parser.add_argument("-a", "--output-padding", type=_ints, default=0, help="output padding (default 0)")


def _print_geometry(args: argparse.Namespace, kind: str) -> None:
    padding = args.padding
    if kind != "transpose" and isinstance(padding, str) and padding not in ("same", "valid", "full"):
        raise ValueError(f"`padding` must be a number, BEFORE:AFTER, or same/valid/full; got {padding!r}")
    geo = geometry(
        kind,  # type: ignore[arg-type]
        args.input_size,
        args.kernel_size,
        args.stride,
        padding,
        args.dilation,
        output_padding=getattr(args, "output_padding", 0),
        ceil_mode=getattr(args, "ceil_mode", False),
        convention=getattr(args, "convention", "tensorflow"),
        pool_convention=getattr(args, "rule", "pytorch"),
    )
    if isinstance(padding, str):
        rule = f" ({args.convention})" if padding == "same" else ""
        print(f"padding {padding}{rule}: " + ", ".join(str(p) for p in geo.padding))
    print(repr(geo))
    print(f"output {', '.join(str(o) for o in geo.output_shape)}")


def _same(args: argparse.Namespace) -> None:
    stride = 1 if args.stride is None else args.stride
    conventions = list(CONVENTIONS) if args.convention == "all" else [args.convention]
    for name in conventions:
        try:
            pads = same_padding(args.input_size, args.kernel_size, stride, args.dilation, convention=name)
        except ValueError as error:
            if args.convention != "all":
                raise
            print(f"{name:>10}: n/a ({error})")
            continue
        geo = geometry("conv", args.input_size, args.kernel_size, stride, pads, args.dilation)
        shown = pads if isinstance(pads[0], int) else ", ".join(str(p) for p in pads)
        print(f"{name:>10}: padding {shown} -> output {', '.join(str(o) for o in geo.output_shape)}")
        if args.convention != "all":
            print(repr(geo))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``convarith`` command."""
    parser = argparse.ArgumentParser(prog="convarith", description="Convolution arithmetic you can check.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    shape = commands.add_parser("shape", help="output size and formula of one layer")
    ops = shape.add_subparsers(dest="op", required=True, metavar="OP")
    conv = ops.add_parser("conv", help="convolution")
    _size_options(conv)
    conv.set_defaults(handler=lambda a: _print_geometry(a, "conv"))
    pool = ops.add_parser("pool", help="pooling (PyTorch/ONNX rules)")
    _size_options(pool, pool=True)
    pool.set_defaults(handler=lambda a: _print_geometry(a, "pool"))
    transpose = ops.add_parser("transpose", help="transposed convolution")
    _size_options(transpose, transpose=True)
    transpose.set_defaults(handler=lambda a: _print_geometry(a, "transpose"))
    same = ops.add_parser("same", help="the 'same' padding of each framework")
    same.add_argument("-i", "--input-size", type=_ints, required=True)
    same.add_argument("-k", "--kernel-size", type=_ints, required=True)
    same.add_argument("-s", "--stride", type=_ints, default=None)
    same.add_argument("-d", "--dilation", type=_ints, default=1)
    same.add_argument("--convention", default="all", metavar="NAME", help="one convention, or all (default)")
    same.set_defaults(handler=_same)
    add_commands(commands)  # receptive-field, translate
    _cli_anim.add_commands(commands)  # animate, gallery
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0, or 2 for bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        handler(args)
    except (ValueError, TypeError) as error:
        print(f"convarith: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
