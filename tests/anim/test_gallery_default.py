"""The gallery's default size is a slide's, 1920 × 1080, as the docs and the widgets' export say."""

from __future__ import annotations

import inspect
from pathlib import Path

from PIL import Image

from convarith.anim.gallery import render_gallery

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_gallery_gif_is_full_hd(tmp_path: Path) -> None:
    """`convarith gallery` wrote 960 × 540 GIFs while docs/gallery.md promised 1920 × 1080."""
    (path,) = render_gallery(tmp_path, names=["no_padding_strides"], progress=False).paths  # 4 frames
    with Image.open(path) as gif:
        assert gif.size == (1920, 1080)
    assert inspect.signature(render_gallery).parameters["dpi"].default * 9.6 == 1920


def test_the_docs_say_the_same_size() -> None:
    page = (ROOT / "docs" / "gallery.md").read_text(encoding="utf-8")
    assert "1920 × 1080" in page and "960" not in page
    assert "`convarith gallery OUTDIR`" in page and "default" in page
