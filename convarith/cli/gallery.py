"""``convarith gallery``: render the slide gallery (the guide's figures and more) into a folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from convarith.anim.gallery import FORMATS, GALLERY, render_gallery
from convarith.cli.animate import add_drawing_options
from convarith.cli.grammar import GrammarError

__all__ = ["add_command"]


def _gallery(args: argparse.Namespace) -> None:
    if args.list:
        width = max(len(f.name) for f in GALLERY)
        print("\n".join(f"{figure.name:<{width}}  {figure.description}" for figure in GALLERY))
        return
    if args.outdir is None:
        raise GrammarError("`OUTDIR` is required (or --list)")
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
    gallery.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_drawing_options(gallery)
    gallery.set_defaults(handler=_gallery)
