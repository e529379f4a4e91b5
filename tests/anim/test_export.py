"""Export: files read back with the right frame count and size, are byte-identical when written
twice, are written atomically, and are never overwritten by accident."""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest

pytest.importorskip("imageio_ffmpeg")

from PIL import Image

from convarith.anim import export
from convarith.anim.export import (
    OutputExistsError,
    save,
    save_beamer,
    save_frames,
    save_gif,
    save_mp4,
    save_sheet,
)
from convarith.anim.render import Renderer
from convarith.anim.scenes import conv_scene, group_scene, transpose_scene

DPI = 30  # 288 x 162 pixels


@pytest.fixture
def scene():
    return conv_scene((5, 5), 3, 2, 1)  # padding_strides: 9 frames


def test_gif_reads_back(tmp_path, scene):
    path = save_gif(scene, tmp_path / "padding_strides.gif", dpi=DPI, duration=0.5, loop=2)
    with Image.open(path) as gif:
        assert gif.n_frames == len(scene) == 9
        assert gif.size == (288, 162)
        assert gif.info["duration"] == 500
        assert gif.info["loop"] == 2
        # every frame as drawn (palette colours of the cells are exact)
        renderer = Renderer(scene, dpi=DPI)
        for step in (0, 4, 8):
            gif.seek(step)
            shown = np.asarray(gif.convert("RGB")).astype(int)
            drawn = renderer.draw_frame(step).astype(int)
            assert np.median(np.abs(shown - drawn)) == 0
            assert (np.abs(shown - drawn).max(axis=2) > 60).mean() < 0.01


def test_mp4_reads_back(tmp_path, scene):
    imageio = pytest.importorskip("imageio.v2")
    path = save_mp4(scene, tmp_path / "padding_strides.mp4", dpi=DPI, duration=0.5)
    reader = imageio.get_reader(path, format="ffmpeg")
    try:
        assert reader.count_frames() == 9
        meta = reader.get_meta_data()
        assert tuple(meta["size"]) == (288, 162)
        assert meta["fps"] == pytest.approx(2.0)
        first = reader.get_data(0).astype(int)
    finally:
        reader.close()
    drawn = Renderer(scene, dpi=DPI).draw_frame(0).astype(int)
    assert np.abs(first - drawn).mean() < 6  # lossy, but the same picture


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_frames_one_file_per_step(tmp_path, fmt):
    scene = conv_scene((4, 4), 3)
    paths = save_frames(scene, tmp_path / "frames", "no_padding_no_strides", fmt=fmt, dpi=DPI)
    assert [p.name for p in paths] == [f"no_padding_no_strides-{n:03d}.{fmt}" for n in range(4)]
    assert all(p.stat().st_size > 0 for p in paths)
    if fmt == "png":
        with Image.open(paths[2]) as image:
            assert image.size == (288, 162)
            assert np.array_equal(np.asarray(image.convert("RGB")), Renderer(scene, dpi=DPI).draw_frame(2))
    elif fmt == "svg":
        assert paths[0].read_text().lstrip().startswith("<?xml")
    else:
        assert paths[0].read_bytes().startswith(b"%PDF")


def test_sheet_has_every_frame(tmp_path, scene):
    path = save_sheet(scene, tmp_path / "sheet.png", dpi=DPI)
    with Image.open(path) as sheet:
        width, height = sheet.size
    border = 2
    # 3 x 3 frames (the output grid's width per row)
    assert width == 3 * (288 + border) + border and height == 3 * (162 + border) + border


def test_beamer_snippet_names_existing_frames(tmp_path):
    scene = transpose_scene((2, 2), 3, 2)  # no_padding_strides_transposed: 25 frames
    tex = save_beamer(scene, tmp_path / "no_padding_strides_transposed.tex", fmt="png", dpi=DPI, duration=0.5)
    text = tex.read_text()
    match = re.search(r"\\animategraphics\[([^\]]*)\]\{([^}]*)\}\{([^}]*)\}\{([^}]*)\}\{([^}]*)\}", text)
    assert match, text
    options, fps, base, first, last = match.groups()
    assert "loop" in options and "autoplay" in options
    assert float(fps) == 2.0
    assert (first, last) == ("000", "024")
    for number in range(int(first), int(last) + 1):
        frame = tex.parent / f"{base}{number:0{len(first)}d}.png"
        assert frame.is_file(), frame
    assert not (tex.parent / f"{base}025.png").exists()


def test_beamer_default_pdf_frames(tmp_path):
    tex = save_beamer(conv_scene((4, 4), 3), tmp_path / "fig.tex", dpi=DPI)
    assert sorted(p.name for p in (tmp_path / "fig").iterdir()) == [f"fig-{n:03d}.pdf" for n in range(4)]
    assert "{fig/fig-}{000}{003}" in tex.read_text()


@pytest.mark.parametrize("suffix", ["gif", "mp4", "png", "svg", "pdf"])
def test_identical_inputs_give_identical_bytes(tmp_path, suffix):
    scene = conv_scene((4, 4), 3, numbers=True)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = save(scene, tmp_path / "a" / f"fig.{suffix}", dpi=DPI)
    second = save(conv_scene((4, 4), 3, numbers=True), tmp_path / "b" / f"fig.{suffix}", dpi=DPI)
    firsts = first if isinstance(first, list) else [first]
    seconds = second if isinstance(second, list) else [second]
    assert [p.read_bytes() for p in firsts] == [p.read_bytes() for p in seconds]


def test_existing_file_is_not_overwritten(tmp_path, scene):
    path = tmp_path / "fig.gif"
    path.write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match="exists; pass overwrite=True"):
        save_gif(scene, path, dpi=DPI)
    assert path.read_bytes() == b"precious"
    with pytest.raises(ValueError):  # also a ValueError: the CLI prints it as one line
        save(scene, path, dpi=DPI)
    save_gif(scene, path, dpi=DPI, overwrite=True)
    with Image.open(path) as gif:
        assert gif.n_frames == 9


def test_existing_frame_stops_the_whole_set(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "fig-002.png").write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match=r"fig-002\.png"):
        save_frames(conv_scene((4, 4), 3), folder, "fig", dpi=DPI)
    assert sorted(p.name for p in folder.iterdir()) == ["fig-002.png"]  # nothing else written


def _boom_after_writing(image, path, *args, **kwargs):
    with open(path, "wb") as handle:
        handle.write(b"GIF89a partial")
    raise KeyboardInterrupt("interrupted mid-write")


def test_interrupted_gif_leaves_no_partial_file(tmp_path, scene, monkeypatch):
    monkeypatch.setattr(Image.Image, "save", _boom_after_writing)
    with pytest.raises(KeyboardInterrupt):
        save_gif(scene, tmp_path / "fig.gif", dpi=DPI)
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file


def test_interrupted_overwrite_keeps_the_old_file(tmp_path, scene, monkeypatch):
    path = tmp_path / "fig.gif"
    path.write_bytes(b"old")
    monkeypatch.setattr(Image.Image, "save", _boom_after_writing)
    with pytest.raises(KeyboardInterrupt):
        save_gif(scene, path, dpi=DPI, overwrite=True)
    assert path.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [path]


def test_interrupted_mp4_leaves_no_partial_file(tmp_path, scene, monkeypatch):
    calls = []
    original = Renderer._draw

    def failing(self, step=None):
        calls.append(step)
        if len(calls) == 5:  # the fifth frame fails, after four were sent to ffmpeg
            raise OSError("disk full")
        return original(self, step)

    monkeypatch.setattr(Renderer, "_draw", failing)
    with pytest.raises(OSError, match="disk full"):
        save_mp4(scene, tmp_path / "fig.mp4", dpi=DPI)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_frames_remove_the_ones_written(tmp_path, monkeypatch):
    original = export._write_png
    calls = []

    def failing(px, path):
        calls.append(path)
        if len(calls) == 3:
            path.write_bytes(b"\x89PNG partial")
            raise OSError("disk full")
        original(px, path)

    monkeypatch.setattr(export, "_write_png", failing)
    with pytest.raises(OSError, match="disk full"):
        save_frames(conv_scene((4, 4), 3), tmp_path, "fig", dpi=DPI)
    assert list(tmp_path.iterdir()) == []


def test_channel_scene_exports(tmp_path):
    path = save_gif(group_scene(4, 4, 2), tmp_path / "groups.gif", dpi=DPI)
    with Image.open(path) as gif:
        assert gif.n_frames == 4


def test_written_files_have_ordinary_permissions(tmp_path, scene):
    path = save_gif(scene, tmp_path / "fig.gif", dpi=DPI)
    assert path.stat().st_mode & 0o044 == 0o044  # readable by others, unlike mkstemp's 0600


# bad input, one test each


def test_wrong_suffix(tmp_path, scene):
    with pytest.raises(ValueError, match=r"must end with \.gif"):
        save_gif(scene, tmp_path / "fig.png")
    with pytest.raises(ValueError, match="must end with"):
        save(scene, tmp_path / "fig.jpeg")


def test_missing_directory(tmp_path, scene):
    with pytest.raises(ValueError, match="does not exist"):
        save_gif(scene, tmp_path / "missing" / "fig.gif", dpi=DPI)


def test_bad_duration(tmp_path, scene):
    with pytest.raises(ValueError, match="`duration` must be between"):
        save_gif(scene, tmp_path / "fig.gif", duration=0)
    with pytest.raises(TypeError, match="`duration` must be a number"):
        save_mp4(scene, tmp_path / "fig.mp4", duration="fast")


def test_bad_loop(tmp_path, scene):
    with pytest.raises(ValueError, match="`loop` must be non-negative"):
        save_gif(scene, tmp_path / "fig.gif", loop=-1)


def test_bad_frame_format(tmp_path, scene):
    with pytest.raises(ValueError, match="`fmt` must be one of 'png', 'svg', 'pdf'"):
        save_frames(scene, tmp_path, fmt="jpg")


def test_sheet_needs_png(tmp_path, scene):
    with pytest.raises(ValueError, match=r"`sheet` needs a \.png path"):
        save(scene, tmp_path / "fig.gif", sheet=True)


def test_options_with_a_renderer(tmp_path, scene):
    with pytest.raises(TypeError, match="drawing options"):
        save_gif(Renderer(scene, dpi=DPI), tmp_path / "fig.gif", dpi=50)


def test_an_empty_path_is_refused(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """render_gallery('') wrote the whole gallery into the working directory (the CLI refused it)."""
    from convarith.anim import render_gallery

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="`outdir` is empty"):
        render_gallery("", names=["dilation"])
    assert list(tmp_path.iterdir()) == []
