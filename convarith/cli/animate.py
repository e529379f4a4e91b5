"""``convarith animate``: one layer drawn as an animation, one frame per output cell.

The suffix of ``-o`` picks the format (see :func:`convarith.anim.export.save`). Sizes and
padding follow :mod:`convarith.cli.grammar`; a size given as one number applies to ``--ndim``
axes (default 2: ``-i 5 -k 3`` is a 5×5 input, and the output says so). The Python functions
read an int as one axis instead (``conv_scene(5, 3)`` is 1-D, ``conv_scene((5, 5), 3)`` 2-D).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from convarith.anim import scenes
from convarith.anim.export import save
from convarith.anim.files import OutputExistsError
from convarith.arithmetic import CONVENTIONS, layer, transpose_equivalent
from convarith.cli.grammar import (
    KERNEL_HELP,
    NO_PADDING,
    SIZE_HELP,
    GrammarError,
    add_dilation_option,
    add_output_padding_option,
    add_padding_option,
    add_stride_option,
    check_rule,
    count_listed_axes,
    layer_arguments,
    number_argument,
    size_argument,
)
from convarith.cli.limits import (
    MAX_CHANNELS,
    check_budget,
    check_frame,
    dpi_argument,
    frame_names,
    inches_argument,
    loop_argument,
    text_too_small,
)

__all__ = ["SUFFIXES", "add_command", "add_drawing_options", "add_file_options", "write_scene"]

SUFFIXES = (".gif", ".mp4", ".tex", ".png", ".svg", ".pdf")
"""Output formats of ``-o``, by suffix."""


def add_drawing_options(parser: argparse.ArgumentParser, *, dpi: int = 100, dpi_note: str = "") -> None:
    """``--dpi``, ``--duration`` and ``--overwrite`` (shared with ``convarith gallery``, whose default is 200)."""
    parser.add_argument(
        "--dpi",
        type=dpi_argument,
        default=dpi,
        help=f"pixels per inch of the 9.6x5.4 in frame, 10 to 1000 (default {dpi}{dpi_note})",
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
        "--loop",
        type=loop_argument,
        default=0,
        help="times to loop, 0 = forever (default; at most 65535; .tex: any other value plays once)",
    )
    parser.add_argument(
        "--width",
        type=inches_argument,
        default=9.6,
        help="frame width in inches (default 9.6; a .tex snippet fills \\linewidth on the slide)",
    )
    parser.add_argument("--height", type=inches_argument, default=5.4, help="frame height in inches (default 5.4)")


def _layer_options(parser: argparse.ArgumentParser, *, kernel_default: tuple[int, ...] | None = None) -> None:
    parser.add_argument("-i", "--input-size", type=size_argument, required=True, metavar="SIZE", help=SIZE_HELP)
    parser.add_argument(
        "--ndim",
        type=int,
        choices=(1, 2),
        default=None,
        help="axes when every size is one number (default 2: -i 5 is 5x5; in Python conv_scene(5, 3) is 1-D)",
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
    """Add ``animate`` (with ``conv``, ``max_pool``, ``avg_pool``, ``conv_transpose``, ``groups``, ``symmetric``).

    ``transpose`` is an alias of ``conv_transpose`` (the layer ops of :data:`convarith.arithmetic.ops.OPS`).
    """
    animate = commands.add_parser(
        "animate",
        help="draw one layer as an animation (GIF, MP4, frames, sheet or Beamer)",
        description="Draw one layer, one frame per output cell. The suffix of -o picks the format: .gif, .mp4, "
        ".tex (Beamer snippet + PDF frames), .png/.svg/.pdf (one file per frame, or --sheet for one PNG). "
        "A size given as one number applies to both axes (2-D) unless --ndim 1.",
    )
    ops = animate.add_subparsers(dest="op", required=True, metavar="OP")
    _add_conv(ops)
    _add_pools(ops)
    _add_conv_transpose(ops)
    _add_groups(ops)
    _add_symmetric(ops)
    animate.set_defaults(handler=_animate)


def _add_conv(ops: Any) -> None:
    """``animate conv``: the layer options and ``--convention`` (how 'same' is split), ``--numbers``."""
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


def _add_pools(ops: Any) -> None:
    """``animate max_pool`` and ``animate avg_pool`` (always with numbers; stride defaults to the kernel)."""
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


def _add_conv_transpose(ops: Any) -> None:
    """``animate conv_transpose`` (alias ``transpose``): the guide's view, or ``--scatter``."""
    transpose = ops.add_parser(
        "conv_transpose",
        aliases=["transpose"],
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
    transpose.set_defaults(op="conv_transpose")  # also when called by its alias


def _add_groups(ops: Any) -> None:
    """``animate groups``: the channel view, from channel counts only."""
    groups = ops.add_parser(
        "groups",
        help="channel view of a grouped or depthwise convolution",
        description="Which input channels feed each output channel; groups == in channels is depthwise.",
    )
    groups.add_argument("--in-channels", type=int, required=True, metavar="C", help="input channels")
    groups.add_argument("--out-channels", type=int, required=True, metavar="C", help="output channels")
    groups.add_argument("--groups", type=int, default=1, help="groups, dividing both channel counts (default 1)")
    _file_options(groups)


def _add_symmetric(ops: Any) -> None:
    """``animate symmetric``: an even kernel (default 2) with Wu et al.'s symmetric padding."""
    symmetric = ops.add_parser(
        "symmetric",
        help="symmetric padding of Wu et al. (C2sp, C4sp)",
        description="An even kernel with symmetric padding: channel groups padded towards different corners.",
    )
    _layer_options(symmetric, kernel_default=(2,))
    symmetric.add_argument("--numbers", action="store_true", help="show values and outputs (from the engine)")
    _file_options(symmetric)


def _size_names(args: argparse.Namespace) -> tuple[str, ...]:
    return tuple(n for n in ("input_size", "kernel_size", "stride", "dilation", "output_padding") if hasattr(args, n))


def _rank_defaulted(args: argparse.Namespace) -> bool:
    """Every size was one number and no ``--ndim``: the layer is drawn 2-D by default."""
    if args.op == "groups" or args.ndim is not None:
        return False
    return count_listed_axes(*(getattr(args, n) for n in _size_names(args)), getattr(args, "padding", None)) is None


def _values(args: argparse.Namespace) -> dict[str, Any]:
    """The library's size and padding arguments of a layer op, one entry per axis."""
    names = _size_names(args)
    axes = count_listed_axes(*(getattr(args, n) for n in names), getattr(args, "padding", None))
    if args.ndim is not None and axes is not None and axes != args.ndim:
        raise GrammarError(f"`--ndim` {args.ndim} disagrees with the {axes} per-axis values given")
    if hasattr(args, "padding"):
        check_rule(args.padding, ("same", "valid", "full") if args.op == "conv" else ())
    return layer_arguments(args, names, default_ndim=args.ndim or 2)


def _given(args: argparse.Namespace) -> str:
    """The options that set the layer's size, as written (for messages): ``-i 2 -k 1000000``."""
    flags = (("-i", "input_size"), ("-k", "kernel_size"), ("-s", "stride"), ("-d", "dilation"))
    words = [
        f"{flag} {','.join(map(str, getattr(args, name)))}"
        for flag, name in flags
        if getattr(args, name, None) is not None and (flag in ("-i", "-k") or getattr(args, name) != (1,))
    ]
    padding = getattr(args, "padding", None)
    if padding is not None and padding.rule is not None:
        words.append(f"-p {padding.rule}")
    elif padding is not None and padding != NO_PADDING:
        words.append("-p " + ",".join(str(b) if b == a else f"{b}:{a}" for b, a in padding.pairs))
    return " ".join(words)


def _axes(value: Any) -> tuple[int, ...]:
    return (value,) if isinstance(value, int) else tuple(value)


def _size(args: argparse.Namespace, values: dict[str, Any]) -> tuple[tuple[int, ...], str, list[Any]]:
    """The frames (per axis, what one is) and the grids of the scene ``args`` asks for, from its arithmetic.

    Nothing is built here: sizes come from :func:`convarith.arithmetic.layer`, so a layer of a
    million cells is refused in microseconds.
    """
    if args.op == "groups":
        for option, count in (("--in-channels", args.in_channels), ("--out-channels", args.out_channels)):
            if count > MAX_CHANNELS:
                raise GrammarError(f"`{option}` {count}: the channel view draws at most {MAX_CHANNELS} channels")
        return (max(args.out_channels, 0),), "one per output channel", []
    i, k, d = values["input_size"], values["kernel_size"], values.get("dilation", 1)
    if args.op == "symmetric":  # the output has the input's size; the even kernel pads k - 1 per axis
        inputs = _axes(i)
        kernel = _axes(k) * len(inputs) if len(_axes(k)) == 1 else _axes(k)
        grids = [("a padded input", tuple(n + m - 1 for n, m in zip(inputs, kernel, strict=False)))]
        frames, what = inputs, "one per input cell"
    elif args.op == "conv_transpose":
        s = 1 if values["stride"] is None else values["stride"]
        axes = transpose_equivalent(i, k, s, values["padding"], values["output_padding"], d)
        inputs, outputs = tuple(e.input_size for e in axes), tuple(e.output_size for e in axes)
        drawn = tuple(max(1, e.stretched_size + sum(e.padding)) for e in axes)
        if args.scatter:
            grids = [("an input", inputs), ("an output", tuple(e.stretched_size + e.kernel_size - 1 for e in axes))]
            frames, what = inputs, "one per input cell"
        else:
            grids = [("a padded, stretched input", drawn), ("an output", outputs)]
            frames, what = outputs, "one per output cell"
    else:
        op = args.op
        options: dict[str, Any] = {"convention": args.convention} if op == "conv" else {"ceil_mode": args.ceil_mode}
        stride = 1 if values["stride"] is None and op == "conv" else values["stride"]
        lay = layer(op, i, k, stride, values["padding"], d, **options)
        outputs = lay.output_shape
        padded = tuple(n + b + a for n, (b, a) in zip(lay.input_shape, lay.pads, strict=True))
        grids = [("a padded input", padded), ("an output", outputs)]
        frames, what = outputs, "one per output cell"
    return frames, what, grids


def _scene(args: argparse.Namespace, values: dict[str, Any]) -> Any:
    op = args.op
    if op == "groups":
        return scenes.group_scene(args.in_channels, args.out_channels, args.groups)
    if op == "conv":
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
        return scenes.pool_scene(
            values["input_size"],
            values["kernel_size"],
            values["stride"],
            values["padding"],
            values["dilation"],
            mode=args.mode,
            ceil_mode=args.ceil_mode,
        )
    if op == "conv_transpose":
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


def _check_targets(path: Path, frames: int, args: argparse.Namespace) -> None:
    """Refuse, before drawing, a target that exists (without ``--overwrite``) or is a folder."""
    if path.is_dir():
        raise GrammarError(f"`--output` {str(path)!r} is a folder; give a file name, as in {str(path / 'fig.gif')!r}")
    suffix = path.suffix.lower()
    frame_files = suffix == ".tex" or (suffix in (".png", ".svg", ".pdf") and not args.sheet)
    targets = ([path] if suffix not in (".png", ".svg", ".pdf") or args.sheet else []) + (
        frame_names(path, frames) if frame_files else []
    )
    if not args.overwrite:
        for target in targets:
            if target.exists():
                raise OutputExistsError(target)


def _animate(args: argparse.Namespace) -> None:
    if not args.output.strip():
        raise GrammarError("`--output` is empty; give a file name such as fig.gif")
    path = Path(args.output)
    if path.suffix.lower() not in SUFFIXES:
        raise GrammarError(f"`--output` {args.output!r} must end with {', '.join(SUFFIXES)}")
    if not path.parent.is_dir():
        raise GrammarError(f"`--output` {args.output!r}: the folder {str(path.parent)!r} does not exist")
    if args.sheet and path.suffix.lower() != ".png":
        raise GrammarError(f"`--sheet` needs a .png output, got {args.output!r}")
    frame_pixels = check_frame(args.width, args.height, args.dpi)
    values = {} if args.op == "groups" else _values(args)
    per_axis, what, grids = _size(args, values)
    frames = math.prod(per_axis)
    check_budget(
        _given(args) or f"--out-channels {args.out_channels}",
        frames=frames,
        frame_what=f"{what}: {'×'.join(map(str, per_axis))}",
        grids=grids,
        frame_pixels=frame_pixels,
        holds_all=args.sheet or path.suffix.lower() == ".gif",
    )
    _check_targets(path, frames, args)
    scene = _scene(args, values)
    write_scene(scene, path, args, scene.name)
    if _rank_defaulted(args):
        sizes = "×".join(map(str, _axes(values["input_size"])))
        print(f"note: 2-D (every size was one number: input {sizes}); --ndim 1 draws 1-D, as conv_scene(i, k) does")


add_file_options = _file_options


def write_scene(scene: Any, path: Path, args: argparse.Namespace, label: str) -> None:
    """Write ``scene`` to ``path`` with the file options of ``args``; print ``label: N frames -> FILE``."""
    with text_too_small(args.width, args.height, args.dpi):
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
    print(f"{label}: {len(scene)} frames -> {where}")


"""``-o``, ``--sheet``, ``--no-caption``, the drawing options, ``--loop``, ``--width`` and ``--height``
(shared with ``convarith animate model``, :mod:`convarith.cli.animate_model`)."""
