"""``convarith animate``: one layer drawn as an animation, one frame per output cell.

The suffix of ``-o`` picks the format (see :func:`convarith.anim.export.save`). Sizes and
padding follow :mod:`convarith.cli.grammar`; a size given as one number applies to ``--ndim``
axes (default 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from convarith.anim import scenes
from convarith.anim.export import save
from convarith.arithmetic import CONVENTIONS
from convarith.cli.grammar import (
    KERNEL_HELP,
    SIZE_HELP,
    GrammarError,
    add_dilation_option,
    add_output_padding_option,
    add_padding_option,
    add_stride_option,
    check_rule,
    count_axes,
    layer_arguments,
    number_argument,
    size_argument,
)

__all__ = ["SUFFIXES", "add_command", "add_drawing_options"]

SUFFIXES = (".gif", ".mp4", ".tex", ".png", ".svg", ".pdf")
"""Output formats of ``-o``, by suffix."""


def add_drawing_options(parser: argparse.ArgumentParser) -> None:
    """``--dpi``, ``--duration`` and ``--overwrite`` (shared with ``convarith gallery``)."""
    parser.add_argument(
        "--dpi", type=number_argument, default=100, help="pixels per inch of the 9.6x5.4 in frame (default 100)"
    )
    parser.add_argument("--duration", type=number_argument, default=0.7, help="seconds per frame (default 0.7)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")


def _file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="file to write, its suffix the format: .gif, .mp4, .tex (Beamer snippet + PDF frames), "
        ".png/.svg/.pdf (one file per frame)",
    )
    parser.add_argument("--sheet", action="store_true", help="with a .png output: every frame on one image")
    parser.add_argument("--no-caption", action="store_true", help="leave out the formula")
    add_drawing_options(parser)
    parser.add_argument(
        "--loop", type=int, default=0, help="times to loop, 0 = forever (default; .tex: any other value plays once)"
    )
    parser.add_argument(
        "--width",
        type=number_argument,
        default=9.6,
        help="frame width in inches (default 9.6; a .tex snippet fills \\linewidth on the slide)",
    )
    parser.add_argument("--height", type=number_argument, default=5.4, help="frame height in inches (default 5.4)")


def _layer_options(parser: argparse.ArgumentParser, *, kernel_default: tuple[int, ...] | None = None) -> None:
    parser.add_argument("-i", "--input-size", type=size_argument, required=True, metavar="SIZE", help=SIZE_HELP)
    parser.add_argument(
        "--ndim", type=int, choices=(1, 2), default=None, help="axes when every size is one number (default 2)"
    )
    if kernel_default is None:
        parser.add_argument("-k", "--kernel-size", type=size_argument, required=True, metavar="SIZE", help=KERNEL_HELP)
    else:
        parser.add_argument(
            "-k",
            "--kernel-size",
            type=size_argument,
            default=kernel_default,
            metavar="SIZE",
            help=f"even kernel size (default {kernel_default[0]}: C{kernel_default[0]}sp)",
        )


def add_command(commands: Any) -> None:
    """Add ``animate`` (with ``conv``, ``max_pool``, ``avg_pool``, ``transpose``, ``groups``, ``symmetric``)."""
    animate = commands.add_parser(
        "animate",
        help="draw one layer as an animation (GIF, MP4, frames, sheet or Beamer)",
        description="Draw one layer, one frame per output cell. The suffix of -o picks the format: .gif, .mp4, "
        ".tex (Beamer snippet + PDF frames), .png/.svg/.pdf (one file per frame, or --sheet for one PNG).",
    )
    ops = animate.add_subparsers(dest="op", required=True, metavar="OP")

    conv = ops.add_parser("conv", help="convolution", description="One frame per output cell of a convolution.")
    _layer_options(conv)
    add_stride_option(conv)
    add_padding_option(conv)
    add_dilation_option(conv)
    conv.add_argument(
        "--convention",
        default="tensorflow",
        metavar="NAME",
        help="how --padding same is split: " + ", ".join(CONVENTIONS) + " (default tensorflow)",
    )
    conv.add_argument("--numbers", action="store_true", help="show values, weights and outputs (from the engine)")
    _file_options(conv)

    for name, mode in (("max_pool", "max"), ("avg_pool", "avg")):
        pool = ops.add_parser(
            name,
            help=f"{mode} pooling (always with numbers)",
            description=f"One frame per output cell of {mode} pooling.",
        )
        _layer_options(pool)
        add_stride_option(pool, default="the kernel size")
        add_padding_option(pool, "padding")
        add_dilation_option(pool)
        pool.add_argument("--ceil-mode", action="store_true", help="round the output size up (PyTorch's ceil_mode)")
        _file_options(pool)
        pool.set_defaults(mode=mode)

    transpose = ops.add_parser(
        "transpose",
        help="transposed convolution (the guide's equivalent, or --scatter)",
        description="A transposed convolution as the guide draws it (zeros between input cells, padding p'), "
        "or with --scatter one frame per input cell, adding kernels into the output.",
    )
    _layer_options(transpose)
    add_stride_option(transpose)
    add_padding_option(transpose, "cropped from the output")
    add_output_padding_option(transpose)
    add_dilation_option(transpose)
    transpose.add_argument("--scatter", action="store_true", help="one frame per input cell, adding kernels")
    transpose.add_argument("--numbers", action="store_true", help="show values, weights and outputs (from the engine)")
    _file_options(transpose)

    groups = ops.add_parser(
        "groups",
        help="channel view of a grouped or depthwise convolution",
        description="Which input channels feed each output channel; groups == in channels is depthwise.",
    )
    groups.add_argument("--in-channels", type=int, required=True, metavar="C", help="input channels")
    groups.add_argument("--out-channels", type=int, required=True, metavar="C", help="output channels")
    groups.add_argument("--groups", type=int, default=1, help="groups, dividing both channel counts (default 1)")
    _file_options(groups)

    symmetric = ops.add_parser(
        "symmetric",
        help="symmetric padding of Wu et al. (C2sp, C4sp)",
        description="An even kernel with symmetric padding: channel groups padded towards different corners.",
    )
    _layer_options(symmetric, kernel_default=(2,))
    symmetric.add_argument("--numbers", action="store_true", help="show values and outputs (from the engine)")
    _file_options(symmetric)
    animate.set_defaults(handler=_animate)


def _scene(args: argparse.Namespace) -> Any:
    op = args.op
    if op == "groups":
        return scenes.group_scene(args.in_channels, args.out_channels, args.groups)
    names = tuple(n for n in ("input_size", "kernel_size", "stride", "dilation", "output_padding") if hasattr(args, n))
    axes = count_axes(*(getattr(args, n) for n in names), getattr(args, "padding", None))
    if args.ndim is not None and axes is not None and axes != args.ndim:
        raise GrammarError(f"`--ndim` {args.ndim} disagrees with the {axes} per-axis values given")
    values = layer_arguments(args, names, default_ndim=args.ndim or 2)
    if op == "conv":
        check_rule(args.padding)
        return scenes.conv_scene(
            values["input_size"],
            values["kernel_size"],
            1 if values["stride"] is None else values["stride"],
            values["padding"],
            values["dilation"],
            convention=args.convention,
            numbers=args.numbers,
        )
    if op in ("max_pool", "avg_pool"):
        check_rule(args.padding, ())
        return scenes.pool_scene(
            values["input_size"],
            values["kernel_size"],
            values["stride"],
            values["padding"],
            values["dilation"],
            mode=args.mode,
            ceil_mode=args.ceil_mode,
        )
    if op == "transpose":
        check_rule(args.padding, ())
        return scenes.transpose_scene(
            values["input_size"],
            values["kernel_size"],
            1 if values["stride"] is None else values["stride"],
            values["padding"],
            values["output_padding"],
            values["dilation"],
            view="scatter" if args.scatter else "direct",
            numbers=args.numbers,
        )
    return scenes.symmetric_scene(values["input_size"], values["kernel_size"], numbers=args.numbers)


def _animate(args: argparse.Namespace) -> None:
    path = Path(args.output)
    if path.suffix.lower() not in SUFFIXES:
        raise GrammarError(f"`--output` {args.output!r} must end with {', '.join(SUFFIXES)}")
    if not path.parent.is_dir():
        raise GrammarError(f"`--output` {args.output!r}: the folder {str(path.parent)!r} does not exist")
    scene = _scene(args)
    result = save(
        scene,
        path,
        sheet=args.sheet,
        overwrite=args.overwrite,
        duration=args.duration,
        loop=args.loop,
        dpi=args.dpi,
        width=args.width,
        height=args.height,
        caption=not args.no_caption,
    )
    paths = result if isinstance(result, list) else [result]
    where = str(paths[0]) if len(paths) == 1 else f"{paths[0]} ... {paths[-1].name}"
    print(f"{scene.name}: {len(scene)} frames -> {where}")


add_file_options = _file_options
"""``-o``, ``--sheet``, ``--no-caption``, the drawing options, ``--loop``, ``--width`` and ``--height``
(shared with ``convarith animate model``, :mod:`convarith.cli.animate_model`)."""
