"""The gallery and the ``animate``/``gallery`` commands."""

from __future__ import annotations

import pytest
from PIL import Image

from convarith import cli
from convarith.anim.export import OutputExistsError
from convarith.anim.gallery import FORMATS, GALLERY, gallery_names, render_gallery
from convarith.anim.scenes import ChannelScene
from tests.guide import GUIDE_FIGURES as GUIDE
from tests.guide import GUIDE_OUTPUT

EXTRAS = [
    "numerical_no_padding_no_strides",
    "numerical_max_pooling",
    "numerical_average_pooling",
    "kernel_2_strides_2_transposed",
    "groups",
    "depthwise",
    "symmetric_padding",
    "same_padding_tensorflow_vs_pytorch",
    "conv1d_padding_strides",
    "non_square",
]
DPI = 20


def figure(name):
    return next(f for f in GALLERY if f.name == name)


def test_gallery_has_the_guides_figures_and_their_twins():
    names = gallery_names()
    assert len(names) == len(set(names))
    for name in GUIDE:
        assert name in names
        assert (f"{name}_transposed" in names) == (name != "dilation")
    for name in EXTRAS:
        assert name in names


@pytest.mark.parametrize("name", list(GUIDE))
def test_guide_figures_have_the_guides_parameters(name):
    i, k, s, p, d = GUIDE[name]
    scene = figure(name).build()
    (panel,) = scene.panels
    assert panel.input_shape == (i, i)
    assert panel.kernel_shape == (k, k) and panel.stride == (s, s) and panel.dilation == (d, d)
    assert panel.input_padding == ((p, p), (p, p))
    o = GUIDE_OUTPUT[name]
    assert panel.output_shape == (o, o)
    assert len(scene) == o * o


@pytest.mark.parametrize("name", [n for n in GUIDE if n != "dilation"])
def test_transposed_twins_invert_the_figure(name):
    i, k, s, p, _ = GUIDE[name]
    (panel,) = figure(f"{name}_transposed").build().panels
    o = GUIDE_OUTPUT[name]
    # the twin goes from the figure's output size back to its input size
    assert panel.output_shape == (i, i)
    assert panel.input_shape == ((o - 1) * s + 1,) * 2  # s - 1 zeros between the o input cells
    assert panel.kernel_shape == (k, k)
    # p' = k - 1 - p before; the odd case adds a = 1 after
    extra = 1 if name == "padding_strides_odd" else 0
    assert panel.input_padding == ((k - 1 - p, k - 1 - p + extra),) * 2


def test_k2_s2_transposed_doubles_the_size():
    (panel,) = figure("kernel_2_strides_2_transposed").build().panels
    assert panel.output_shape == (6, 6)
    scatter = figure("kernel_2_strides_2_transposed_scatter").build()
    assert len(scatter) == 9  # one frame per input cell
    # k = s: the scattered 2x2 blocks tile the output without overlap
    written = [c.coord for f in scatter.panels[0].frames for c in f.writes]
    assert sorted(written) == [(r, c) for r in range(6) for c in range(6)]


def test_channel_figures():
    groups = figure("groups").build()
    depthwise = figure("depthwise").build()
    assert isinstance(groups, ChannelScene) and isinstance(depthwise, ChannelScene)
    assert depthwise.groups == depthwise.in_channels
    assert all(len(f.input_channels) == 1 for f in depthwise.frames)


def test_render_a_few_figures(tmp_path):
    names = ["no_padding_no_strides", "padding_strides_odd_transposed", "groups", "symmetric_padding"]
    summary = render_gallery(tmp_path, names=names, formats=("gif", "sheet"), dpi=DPI, progress=False)
    assert [row[0] for row in summary.rows] == names
    for name, frames, seconds, paths in summary.rows:
        assert seconds >= 0
        gif = tmp_path / f"{name}.gif"
        assert gif in paths and (tmp_path / "sheets" / f"{name}.png") in paths
        with Image.open(gif) as image:
            assert image.n_frames == frames
            assert image.size == (192, 108)
    text = repr(summary)
    assert "padding_strides_odd_transposed" in text and "36" in text
    assert text.splitlines()[-1].startswith("4 figures, ")


def test_gallery_refuses_to_overwrite_and_writes_nothing(tmp_path):
    (tmp_path / "padding_strides.gif").write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match=r"padding_strides\.gif"):
        render_gallery(tmp_path, names=["no_padding_strides", "padding_strides"], dpi=DPI, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["padding_strides.gif"]
    assert (tmp_path / "padding_strides.gif").read_bytes() == b"precious"
    render_gallery(tmp_path, names=["padding_strides"], dpi=DPI, progress=False, overwrite=True)
    with Image.open(tmp_path / "padding_strides.gif") as image:
        assert image.n_frames == 9


def test_every_format_in_its_place(tmp_path):
    summary = render_gallery(tmp_path, names=["no_padding_no_strides"], formats=list(FORMATS), dpi=DPI, progress=False)
    written = {p.relative_to(tmp_path).as_posix() for p in summary.paths}
    assert "no_padding_no_strides.gif" in written and "no_padding_no_strides.mp4" in written
    for ext in ("png", "svg", "pdf"):
        assert {f"no_padding_no_strides/no_padding_no_strides-00{n}.{ext}" for n in range(4)} <= written
    assert "sheets/no_padding_no_strides.png" in written
    assert "beamer/no_padding_no_strides.tex" in written
    assert {f"beamer/no_padding_no_strides/no_padding_no_strides-00{n}.pdf" for n in range(4)} <= written
    assert all(p.is_file() for p in summary.paths)


@pytest.mark.slow
def test_the_whole_gallery(tmp_path):
    # what `convarith gallery out/` does, at a small size
    summary = render_gallery(tmp_path / "out", dpi=DPI, progress=False)
    assert [row[0] for row in summary.rows] == gallery_names()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{n}.gif" for n in gallery_names())


def test_bad_format():
    with pytest.raises(ValueError, match="`formats` must be one of"):
        render_gallery("unused", formats=("webp",), progress=False)


def test_unknown_figure_name():
    with pytest.raises(ValueError, match="`names` must be one of"):
        render_gallery("unused", names=["no_padding"], progress=False)


def test_outdir_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        render_gallery(target, names=["dilation"], progress=False)


# the command line


def test_cli_gallery(tmp_path, capsys):
    out = tmp_path / "out"
    status = cli.main(["gallery", str(out), "--only", "dilation,groups", "--dpi", "20", "--no-progress"])
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == ["dilation.gif", "groups.gif"]
    printed = capsys.readouterr().out
    assert "dilation" in printed and "2 figures, 15 frames" in printed
    assert cli.main(["gallery", str(out), "--only", "dilation", "--dpi", "20", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "dilation.gif' exists; pass --overwrite" in err and "overwrite=True" not in err  # CLI words only
    assert cli.main(["gallery", str(out), "--only", "dilation", "--dpi", "20", "--no-progress", "--overwrite"]) == 0


def test_cli_gallery_default_is_slide_size(tmp_path, capsys):
    """The README's main job writes 1920×1080 frames, as the docs' gallery page and the widgets' export say."""
    assert cli.main(["gallery", str(tmp_path), "--only", "no_padding_no_strides", "--no-progress"]) == 0
    with Image.open(tmp_path / "no_padding_no_strides.gif") as gif:
        assert gif.size == (1920, 1080)
    capsys.readouterr()
    assert cli.main(["gallery", "--help"]) == 0
    assert "default 200 = 1920x1080" in " ".join(capsys.readouterr().out.split())


def test_cli_gallery_list(capsys):
    assert cli.main(["gallery", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(GALLERY)
    assert lines[0].startswith("no_padding_no_strides ")


def test_cli_animate(tmp_path, capsys):
    out = tmp_path / "ps.gif"
    assert cli.main(["animate", "conv", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", str(out), "--dpi", "20"]) == 0
    with Image.open(out) as image:
        assert image.n_frames == 9  # 2-D by default
    assert "9 frames" in capsys.readouterr().out
    one_d = tmp_path / "one_d.gif"
    assert cli.main(["animate", "conv", "-i", "8", "--ndim", "1", "-k", "3", "-o", str(one_d), "--dpi", "20"]) == 0
    with Image.open(one_d) as image:
        assert image.n_frames == 6
    sheet = tmp_path / "t.png"
    args = ["animate", "transpose", "-i", "2,3", "-k", "3", "-s", "2", "--scatter", "-o", str(sheet), "--sheet"]
    assert cli.main([*args, "--dpi", "20"]) == 0
    assert sheet.is_file()
    tex = tmp_path / "groups.tex"
    args = ["animate", "groups", "--in-channels", "4", "--out-channels", "4", "--groups", "2", "-o", str(tex)]
    assert cli.main([*args, "--dpi", "20"]) == 0
    assert (tmp_path / "groups" / "groups-003.pdf").is_file()


def test_cli_animate_bad_layer_is_one_line(tmp_path, capsys):
    status = cli.main(["animate", "conv", "-i", "3", "-k", "5", "-o", str(tmp_path / "x.gif")])
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "`kernel_size` 5 is larger than the padded input 3" in err
    assert not (tmp_path / "x.gif").exists()


def test_cli_animate_bad_suffix(tmp_path, capsys):
    assert cli.main(["animate", "conv", "-i", "4", "-k", "3", "-o", str(tmp_path / "x.jpg")]) == 2
    assert "must end with" in capsys.readouterr().err


def test_cli_animate_pool_refuses_same(tmp_path, capsys):
    args = ["animate", "max_pool", "-i", "4", "-k", "2", "-p", "same", "-o", str(tmp_path / "x.gif")]
    assert cli.main(args) == 2
    assert "`--padding` 'same': this layer takes numbers only" in capsys.readouterr().err


def test_cli_animate_loop_and_size(tmp_path):
    out = tmp_path / "fig.gif"
    args = ["animate", "conv", "-i", "4", "-k", "3", "-o", str(out), "--loop", "3", "--width", "8", "--height", "6"]
    assert cli.main([*args, "--dpi", "25"]) == 0
    with Image.open(out) as image:
        assert image.size == (200, 150)
        assert image.info["loop"] == 3
        assert image.n_frames == 4


def test_numerical_figure_reproduces_the_guides_numbers():
    # the guide's numerical_no_padding_no_strides figure, output worked by hand from its input
    # and kernel, e.g. top-left: 3*0 + 3*1 + 2*2 + 0*2 + 0*2 + 1*0 + 3*0 + 1*1 + 2*2 = 12
    (panel,) = figure("numerical_no_padding_no_strides").build().panels
    assert panel.frames[-1].output_values.tolist() == [[12, 12, 17], [10, 17, 19], [9, 6, 14]]


def test_progress_bar_only_on_a_terminal(tmp_path, monkeypatch, capsys):
    """The default progress=None draws the bar only when stderr is a terminal (a log gets none)."""
    import io
    import sys

    render_gallery(tmp_path / "log", names=["no_padding_no_strides"], dpi=DPI)
    assert capsys.readouterr().err == ""  # pytest's captured stderr is not a terminal

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    render_gallery(tmp_path / "tty", names=["no_padding_no_strides"], dpi=DPI)
    assert "gallery" in terminal.getvalue() and "1/1" in terminal.getvalue()
