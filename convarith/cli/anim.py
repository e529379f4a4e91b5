"""``convarith animate`` and ``convarith gallery``: the command-line side of the animations.

:func:`add_commands` registers both subcommands on the main parser (see :mod:`convarith.cli`).
Bad input raises ValueError/TypeError, which ``convarith.cli.main`` prints as one line (exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_commands"]


def _drawing_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dpi", type=float, default=100, help="pixels per inch of the 9.6x5.4 in frame (default 100)")
    parser.add_argument("--duration", type=float, default=0.7, help="seconds per frame (default 0.7)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")


def _file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--loop", type=int, default=0, help="GIF: times to loop, 0 = forever (default)")
    parser.add_argument("--width", type=float, default=9.6, help="frame width in inches (default 9.6)")
    parser.add_argument("--height", type=float, default=5.4, help="frame height in inches (default 5.4)")


def add_commands(commands: Any) -> None:
    """Add ``animate`` and ``gallery`` to the subparsers of the ``convarith`` command."""
    from convarith.anim.gallery import FORMATS
    from convarith.cli import _ints, _padding

    animate = commands.add_parser(
        "animate",
        help="draw one layer as an animation (GIF, MP4, frames, sheet or Beamer)",
        description="Draw one layer, one frame per output cell. The suffix of -o picks the format: .gif, .mp4, "
        ".tex (Beamer + PDF frames), .png/.svg/.pdf (one file per frame, or --sheet for one PNG).",
    )
    ops = animate.add_subparsers(dest="op", required=True, metavar="OP")

    def common(op: argparse.ArgumentParser, *, kernel: bool = True) -> None:
        op.add_argument("-i", "--input-size", type=_ints, required=True, help="input size, e.g. 5 or 5,7")
        op.add_argument(
            "--ndim", type=int, choices=(1, 2), default=2, help="axes when every size is one number (default 2)"
        )
        if kernel:
            op.add_argument("-k", "--kernel-size", type=_ints, required=True, help="kernel size per axis")
        op.add_argument("-o", "--output", required=True, help="file to write (.gif, .mp4, .tex, .png, .svg, .pdf)")
        op.add_argument("--sheet", action="store_true", help="with a .png output: every frame on one image")
        op.add_argument("--no-caption", action="store_true", help="leave out the formula")
        _drawing_options(op)
        _file_options(op)

    conv = ops.add_parser("conv", help="convolution")
    common(conv)
    conv.add_argument("-s", "--stride", type=_ints, default=1)
    conv.add_argument("-p", "--padding", type=_padding, default=0, help="N, BEFORE:AFTER, per axis, or same/valid/full")
    conv.add_argument("-d", "--dilation", type=_ints, default=1)
    conv.add_argument("--convention", default="tensorflow", help="rule for --padding same (default tensorflow)")
    conv.add_argument("--numbers", action="store_true", help="show values, weights and outputs (from the engine)")
    for name, mode in (("max_pool", "max"), ("avg_pool", "avg")):
        pool = ops.add_parser(name, help=f"{mode} pooling (always with numbers)")
        common(pool)
        pool.add_argument("-s", "--stride", type=_ints, default=None, help="default: the kernel size")
        pool.add_argument("-p", "--padding", type=_padding, default=0)
        pool.add_argument("--ceil-mode", action="store_true")
        pool.set_defaults(mode=mode)
    transpose = ops.add_parser("transpose", help="transposed convolution (the guide's equivalent, or --scatter)")
    common(transpose)
    transpose.add_argument("-s", "--stride", type=_ints, default=1)
    transpose.add_argument("-p", "--padding", type=_padding, default=0)
    transpose.add_argument("-a", "--output-padding", type=_ints, default=0)
    transpose.add_argument("-d", "--dilation", type=_ints, default=1)
    transpose.add_argument("--scatter", action="store_true", help="one frame per input cell, adding kernels")
    transpose.add_argument("--numbers", action="store_true")
    groups = ops.add_parser("groups", help="channel view of a grouped or depthwise convolution")
    groups.add_argument("--in-channels", type=int, required=True)
    groups.add_argument("--out-channels", type=int, required=True)
    groups.add_argument("--groups", type=int, default=1)
    groups.add_argument("-o", "--output", required=True)
    groups.add_argument("--sheet", action="store_true")
    groups.add_argument("--no-caption", action="store_true")
    _drawing_options(groups)
    _file_options(groups)
    symmetric = ops.add_parser("symmetric", help="symmetric padding of Wu et al. (C2sp, C4sp)")
    common(symmetric, kernel=False)
    symmetric.add_argument("-k", "--kernel-size", type=_ints, default=2, help="even kernel size (default 2)")
    symmetric.add_argument("--numbers", action="store_true")
    animate.set_defaults(handler=_animate)

    gallery = commands.add_parser(
        "gallery",
        help="render the slide gallery (the guide's figures and more)",
        description="Render every figure of the gallery into OUTDIR. Formats: "
        + "; ".join(f"{k}: {v}" for k, v in FORMATS.items()),
    )
    gallery.add_argument("outdir", nargs="?", help="output directory (created if missing)")
    gallery.add_argument("--format", default="gif", help="comma-separated: " + ",".join(FORMATS) + " (default gif)")
    gallery.add_argument("--only", default=None, help="comma-separated figure names (see --list)")
    gallery.add_argument("--list", action="store_true", help="list the figures and exit")
    gallery.add_argument("--no-progress", action="store_true", help="no progress bar")
    _drawing_options(gallery)
    gallery.set_defaults(handler=_gallery)


def _scene(args: argparse.Namespace) -> Any:
    from convarith.anim import scenes as frames

    op = args.op
    if op != "groups" and isinstance(args.input_size, int):
        args.input_size = (args.input_size,) * args.ndim
    if op == "conv":
        return frames.conv_scene(
            args.input_size,
            args.kernel_size,
            args.stride,
            args.padding,
            args.dilation,
            convention=args.convention,
            numbers=args.numbers,
        )
    if op in ("max_pool", "avg_pool"):
        if isinstance(args.padding, str):
            raise ValueError(f"`padding` {args.padding!r}: pooling takes explicit padding")
        return frames.pool_scene(
            args.input_size, args.kernel_size, args.stride, args.padding, mode=args.mode, ceil_mode=args.ceil_mode
        )
    if op == "transpose":
        if isinstance(args.padding, str):
            raise ValueError(f"`padding` {args.padding!r}: a transposed convolution takes explicit padding")
        return frames.transpose_scene(
            args.input_size,
            args.kernel_size,
            args.stride,
            args.padding,
            args.output_padding,
            args.dilation,
            view="scatter" if args.scatter else "direct",
            numbers=args.numbers,
        )
    if op == "groups":
        return frames.group_scene(args.in_channels, args.out_channels, args.groups)
    return frames.symmetric_scene(args.input_size, args.kernel_size, numbers=args.numbers)


def _animate(args: argparse.Namespace) -> None:
    from convarith.anim.export import save

    scene = _scene(args)
    path = Path(args.output)
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


def _gallery(args: argparse.Namespace) -> None:
    from convarith.anim.gallery import GALLERY, render_gallery

    if args.list:
        width = max(len(f.name) for f in GALLERY)
        for figure in GALLERY:
            print(f"{figure.name:<{width}}  {figure.description}")
        return
    if args.outdir is None:
        raise ValueError("`OUTDIR` is required (or --list)")
    summary = render_gallery(
        args.outdir,
        formats=args.format,
        names=args.only,
        overwrite=args.overwrite,
        progress=not args.no_progress,
        duration=args.duration,
        dpi=args.dpi,
    )
    print(repr(summary))
    print(f"written to {Path(args.outdir).resolve()}")
