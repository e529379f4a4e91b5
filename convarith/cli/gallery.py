"""``convarith gallery``: render the slide gallery (the guide's figures and more) into a folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from convarith.anim.gallery import FORMATS, GALLERY, render_gallery
from convarith.cli.animate import add_drawing_options
from convarith.cli.grammar import GrammarError
from convarith.cli.limits import check_budget, check_frame, text_too_small

__all__ = ["add_command"]


def _gallery(args: argparse.Namespace) -> None:
    if args.list:
        width = max(len(f.name) for f in GALLERY)
        print("\n".join(f"{figure.name:<{width}}  {figure.description}" for figure in GALLERY))
        return
    if args.outdir is None:
        raise GrammarError("`OUTDIR` is required (or --list)")
    if not args.outdir.strip():
        raise GrammarError("`OUTDIR` is empty; give a folder name such as gallery/ (. for the current folder)")
    _check_size(args)
    with text_too_small(9.6, 5.4, args.dpi):
        summary = render_gallery(
            args.outdir,
            formats=args.format,
            names=args.only,
            overwrite=args.overwrite,
            progress=False if args.no_progress else None,
            duration=args.duration,
            dpi=args.dpi,
        )
    print(repr(summary))
    print(f"written to {Path(args.outdir).resolve()}")


def _check_size(args: argparse.Namespace) -> None:
    """Refuse a ``--dpi`` at which the largest figure's frames would not fit the pixel budgets."""
    frame_pixels = check_frame(9.6, 5.4, args.dpi, ("the gallery's frame width 9.6 in", "its height 5.4 in"))
    known = {figure.name: figure for figure in GALLERY}
    names = [n.strip() for n in (args.only or ",".join(known)).split(",") if n.strip()]
    figures = [known[n] for n in names if n in known]  # unknown names: render_gallery names them
    if not figures:
        return
    frames, name = max((len(figure.build()), figure.name) for figure in figures)
    formats = {f.strip() for f in args.format.split(",")}
    check_budget(
        f"--only {name}",
        frames=frames,
        frame_what=name,
        frame_pixels=frame_pixels,
        holds_all=bool(formats & {"gif", "sheet"}),
    )


def add_command(commands: Any) -> None:
    """Add ``gallery`` to the ``convarith`` subcommands."""
    gallery = commands.add_parser(
        "gallery",
        help="render the slide gallery (the guide's figures and more)",
        description="Render every figure of the gallery into OUTDIR. Formats: "
        + "; ".join(f"{k}: {v}" for k, v in FORMATS.items()),
        epilog="example: convarith gallery out/ --format gif,beamer --only padding_strides",
    )
    gallery.add_argument("outdir", nargs="?", metavar="OUTDIR", help="output directory (created if missing)")
    gallery.add_argument(
        "--format", default="gif", metavar="LIST", help="comma-separated: " + ",".join(FORMATS) + " (default gif)"
    )
    gallery.add_argument("--only", default=None, metavar="NAMES", help="comma-separated figure names (see --list)")
    gallery.add_argument("--list", action="store_true", help="list the figures and exit")
    gallery.add_argument(
        "--no-progress", action="store_true", help="no progress bar (there is one only when stderr is a terminal)"
    )
    add_drawing_options(gallery)
    gallery.set_defaults(handler=_gallery)
