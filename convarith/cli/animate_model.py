"""``convarith animate model FILE LAYER -o OUT``: a layer of your own network on a slide.

The model is read by :func:`convarith.inspect` (a ``.keras`` or ``.onnx`` file, or
``package.module:name``); LAYER is a row of its report, by the name the report prints or by its
``#`` index. The layer is drawn by :func:`convarith.anim.layer_scene` with its true kernel, stride,
dilation and padding, cropped to a corner of at most ``--max-frames`` output cells, the caption
saying which corner and the channel counts. The suffix of ``-o`` picks the format, as for the other
``animate`` subcommands.
"""

from __future__ import annotations

import argparse
import difflib
import math
from pathlib import Path
from typing import Any

from convarith.cli.animate import SUFFIXES, add_file_options, write_scene
from convarith.cli.grammar import GrammarError, size_argument
from convarith.cli.inspect import load_model
from convarith.cli.limits import check_budget, check_frame, frame_names

__all__ = ["add_command", "find_row"]


def find_row(report: Any, name: str) -> Any:
    """The row of an inspect report named ``name`` (as the report prints it), or at index ``name``.

    Parameters
    ----------
    report : Report
        From :func:`convarith.inspect`.
    name : str
        A layer name, or its ``#`` index in the report (``'0'``, ``'-1'`` for the last).

    Returns
    -------
    Row

    Raises
    ------
    ValueError
        No such layer (the message lists close names), or a layer with no picture (a padding
        layer, ``lp_pool``, more than two spatial axes).

    Examples
    --------
    >>> from convarith.arithmetic import layer
    >>> from convarith.network import inspect
    >>> report = inspect([layer("conv", None, 7, 2, 3), layer("max_pool", None, 3, 2, 1)], input_size=224)
    >>> find_row(report, "1").op, find_row(report, "-1").name
    ('max_pool', '1')
    """
    rows = report.layers
    row = next((r for r in rows if r.name == name), None)
    if row is None:
        try:
            index = int(name)
        except ValueError:
            index = None
        if index is not None and -len(rows) <= index < len(rows):
            row = rows[index]
        elif index is not None:
            raise ValueError(f"LAYER {name!r}: the report has layers 0..{len(rows) - 1} ({len(rows)} layers)")
    if row is None:
        names = [r.name for r in rows]
        close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
        if not close:
            close = [n for n in names if name.lower() in n.lower()][:5]
        hint = f"; close: {', '.join(close)}" if close else f"; layers: {', '.join(names[:8])}"
        raise ValueError(
            f"LAYER {name!r} is not a layer of the model{hint}{', ...' if not close and len(names) > 8 else ''}"
        )
    if row.layer is None or row.op not in ("conv", "conv_transpose", "max_pool", "avg_pool"):
        raise ValueError(
            f"LAYER {row.name!r} is a {row.op!r} layer: pictures show conv, conv_transpose, max_pool and avg_pool"
        )
    if row.layer.ndim > 2:
        raise ValueError(f"LAYER {row.name!r} has {row.layer.ndim} spatial axes: pictures have 1 or 2")
    return row


def _max_frames(text: str) -> int:
    from convarith.anim.scenes.crop import MAX_FRAMES

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_FRAMES:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_FRAMES}, got {value}")
    return value


def add_command(commands: Any) -> None:
    """Add ``model`` to the operations of ``convarith animate`` (added before this).

    Examples
    --------
    >>> from convarith.cli.app import build_parser
    >>> args = build_parser().parse_args(["animate", "model", "net.onnx", "conv1", "-o", "conv1.gif"])
    >>> args.model, args.layer, args.max_frames, args.corner
    ('net.onnx', 'conv1', 16, 'auto')
    """
    animate = commands.choices["animate"]
    ops = next(a for a in animate._actions if isinstance(a, argparse._SubParsersAction))
    model = ops.add_parser(
        "model",
        help="a layer of your own model (.keras, .onnx, package.module:name), cropped to a corner",
        description="Read a model as `convarith inspect` does and draw one of its layers with its true kernel, "
        "stride, dilation and padding, cropped to a corner of at most --max-frames output cells (the corner "
        "where the padding is larger); the caption says which corner and the channel counts.",
        epilog="example: convarith animate model resnet.onnx conv1 -o conv1.gif",
    )
    model.add_argument("model", metavar="FILE", help="a .keras or .onnx file, or package.module:name (PyTorch, Keras)")
    model.add_argument(
        "layer", metavar="LAYER", help="the layer's name as `convarith inspect` prints it, or its # index"
    )
    model.add_argument(
        "--input",
        type=size_argument,
        default=None,
        metavar="SHAPE",
        help="the input's shape (1,3,224,224) or spatial size, for models without a fixed input size",
    )
    model.add_argument(
        "--max-frames", type=_max_frames, default=16, metavar="N", help="at most N output cells (default 16)"
    )
    model.add_argument(
        "--corner",
        choices=("auto", "start", "end"),
        default="auto",
        help="start = top-left, end = bottom-right (default auto: the end where the padding is larger)",
    )
    model.add_argument("--numbers", action="store_true", help="show values, weights and outputs (from the engine)")
    model.add_argument("--scatter", action="store_true", help="transposed convolution: one frame per input cell")
    add_file_options(model)
    model.set_defaults(handler=_animate_model)


def _grids(lay: Any, scatter: bool) -> list[tuple[str, tuple[int, ...]]]:
    """The grids the scene of ``lay`` (a cropped layer) draws, as ``animate`` counts them."""
    from convarith.arithmetic import transpose_equivalent

    if lay.op == "conv_transpose":
        equivalent = transpose_equivalent(lay)
        axes = equivalent if isinstance(equivalent, tuple) else (equivalent,)
        if scatter:
            return [
                ("an input", lay.input_shape),
                ("an output", tuple(e.stretched_size + e.kernel_size - 1 for e in axes)),
            ]
        return [("a padded, stretched input", tuple(max(1, e.stretched_size + sum(e.padding)) for e in axes))]
    padded = tuple(n + b + a for n, (b, a) in zip(lay.input_shape, lay.pads, strict=True))
    return [("a padded input", padded), ("an output", lay.output_shape)]


def _animate_model(args: argparse.Namespace) -> None:
    from convarith.anim.files import OutputExistsError
    from convarith.anim.scenes import layer_scene
    from convarith.anim.scenes.crop import crop_layer
    from convarith.network import inspect

    if not args.output.strip():
        raise GrammarError("`--output` is empty; give a file name such as fig.gif")
    path = Path(args.output)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise GrammarError(f"`--output` {args.output!r} must end with {', '.join(SUFFIXES)}")
    if not path.parent.is_dir():
        raise GrammarError(f"`--output` {args.output!r}: the folder {str(path.parent)!r} does not exist")
    if path.is_dir():
        raise GrammarError(f"`--output` {str(path)!r} is a folder; give a file name, as in {str(path / 'fig.gif')!r}")
    if args.sheet and suffix != ".png":
        raise GrammarError(f"`--sheet` needs a .png output, got {args.output!r}")
    frame_pixels = check_frame(args.width, args.height, args.dpi)
    row = find_row(inspect(load_model(args.model), input_size=args.input), args.layer)
    scatter = row.op == "conv_transpose" and args.scatter
    view = "scatter" if scatter else "direct"
    crop = crop_layer(row.layer, args.max_frames, args.corner, view=view)
    frames = crop.cropped.input_shape if scatter else crop.cropped.output_shape
    check_budget(
        f"{args.layer} --max-frames {args.max_frames}",
        frames=math.prod(frames),
        frame_what=f"one per {'input' if scatter else 'output'} cell: {'×'.join(map(str, frames))}",
        grids=_grids(crop.cropped, scatter),
        frame_pixels=frame_pixels,
        holds_all=args.sheet or suffix == ".gif",
    )
    frame_files = suffix == ".tex" or (suffix in (".png", ".svg", ".pdf") and not args.sheet)
    targets = ([path] if suffix not in (".png", ".svg", ".pdf") or args.sheet else []) + (
        frame_names(path, math.prod(frames)) if frame_files else []
    )
    for target in targets if not args.overwrite else []:
        if target.exists():
            raise OutputExistsError(target)
    options: dict[str, Any] = {"max_frames": args.max_frames, "corner": args.corner}
    if row.op == "conv_transpose":
        options["view"] = view
    if row.op in ("conv", "conv_transpose"):
        options["numbers"] = args.numbers
    scene = layer_scene(row, name=_stem(row.name), **options)
    write_scene(scene, path, args, row.name)
    print("\n".join(f"  {line}" for line in scene.panels[0].caption))


def _stem(name: str) -> str:
    """A file-name stem from a layer name (``/conv1/Conv`` -> ``conv1_Conv``)."""
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("_")
    return stem or "layer"
