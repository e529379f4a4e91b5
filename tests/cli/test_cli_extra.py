"""``convarith receptive-field`` and ``convarith translate``: results on stdout, one-line errors with status 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from convarith.cli import main
from convarith.cli.receptive_field import parse_layer
from convarith.studies.receptive import layer


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exit:  # argparse's own usage errors
        status = int(exit.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_receptive_field_resnet_stem(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "receptive-field", "conv:k=7,s=2,p=3", "pool:k=3,s=2,p=1", "-i", "224", "--output", "3", "--input", "10"
    )
    assert status == 0 and err == ""
    assert out.startswith("receptive field of 2 layers, input 224")
    assert "output y reads input [4y − 5, 4y + 5], centre 4y\n" in out  # r0 = 11, S0 = 4, P0 = 5
    assert "output 3: input interval (7, 17), centre 12.0" in out  # 3*4 - 5 = 7
    assert "input 10 is seen by outputs range(2, 4)" in out  # 4y - 5 <= 10 <= 4y + 5


def test_receptive_field_same_needs_input_size(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "receptive-field", "conv:k=7,s=2,p=same")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("convarith: error: `input_size` is needed")


def test_receptive_field_same_with_convention(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "receptive-field", "conv:k=4,s=2,p=same", "-i", "9", "--convention", "same_lower", "--output", "0"
    )
    assert status == 0
    assert "output 0: input interval (-2, 1), centre -0.5" in out  # SAME_LOWER on 9: (2, 1)


def test_receptive_field_two_axes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "receptive-field", "conv:k=3,2,p=1,0:1", "-i", "9,8", "--output", "1,2")
    assert status == 0
    assert "output 1,2: input interval ((0, 2), (2, 3)), centre (1.0, 2.5)" in out


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("conv:k=7,s=2,p=3", layer("conv", 7, 2, 3)),
        ("pool:k=3,s=2,p=1,ceil", layer("pool", 3, 2, 1, ceil_mode=True)),
        ("conv:k=3,d=2,p=2", layer("conv", 3, padding=2, dilation=2)),
        ("conv:k=2,p=0:1", layer("conv", 2, padding=(0, 1))),
        ("conv:k=3,5,p=1,2", layer("conv", (3, 5), padding=(1, 2))),
        ("conv:k=3,5,s=2,p=0:1", layer("conv", (3, 5), 2, padding=((0, 1), (0, 1)))),
        ("pool:k=2,ceil,s=1", layer("pool", 2, 1, ceil_mode=True)),
        ("conv:k=4,s=2,p=same,c=same_lower", layer("conv", 4, 2, "same", convention="same_lower")),
        ("pool:k=2", layer("pool", 2)),
    ],
)
def test_parse_layer(token: str, expected: object) -> None:
    assert parse_layer(token) == expected


def test_translate_tensornets(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "translate", "--from", "tensorflow", "-i", "224", "-k", "7", "-s", "2", "-p", "SAME")
    assert status == 0 and err == ""
    assert out.startswith("tensorflow conv: input 224, kernel 7, stride 2 -> pads (2, 3), output 112")
    assert "pytorch: F.pad(x, (2, 3)) then nn.Conv1d" in out and "[NOT NATIVE]" in out
    assert "pytorch: pads (3, 3) -> output 112, shift -1" in out


def test_translate_explicit_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "translate", "--from", "onnx", "-i", "9,9", "-k", "4", "-s", "2", "-p", "1:2,2:1")
    assert status == 0
    assert "pads (1, 2)×(2, 1), output 5×5" in out
    assert "onnx: Conv(strides=[2, 2], pads=[1, 2, 2, 1])  [native]" in out


# Failure modes: one line on stderr, status 2.


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["receptive-field", "dense:k=3"],
            "layer 'dense:k=3' must start with an op, conv:, conv_transpose:, max_pool:",
        ),
        (["receptive-field", "conv:s=2"], "layer 'conv:s=2' has no kernel size k=..."),
        (["receptive-field", "conv:k=three"], "layer 'conv:k=three': `k` must be an integer"),
        (["receptive-field", "conv:k=3,k=5"], "k= is given twice"),
        (["receptive-field", "conv:k=3", "--output", "1,2,3", "-i", "5"], "one entry per axis (1), got 3"),
        (["receptive-field", "conv:k=3,q=1"], "layer 'conv:k=3,q=1': unknown key 'q'"),
        (["receptive-field", "conv:p"], "layer 'conv:p': 'p' is not key=value"),
        (["receptive-field", "conv:k=3,p=1:2:3"], "each axis's padding is N or BEFORE:AFTER"),
        (["receptive-field", "conv:k=3,p=half"], "`padding` must be one of 'same', 'valid', 'full'"),
        (["receptive-field", "conv:k=3", "--convention", "mxnet"], "`--convention` must be one of"),
        (["receptive-field", "conv:k=3", "-i", "ten"], "argument -i/--input-size: value must be an integer"),
        (["receptive-field", "conv:k=3", "--input", "0"], "`input_size` was not given"),
        (["receptive-field", "conv:k=5", "-i", "3"], "larger than the padded input"),
        (["translate", "--from", "mxnet", "-i", "5", "-k", "3"], "`framework` must be one of"),
        (["translate", "--from", "caffe", "-i", "5", "-k", "3", "-p", "same"], "Caffe has no padding words"),
        (["translate", "--from", "pytorch", "-i", "5", "-k", "3", "-p", "0:1"], "pytorch pads both sides alike"),
        (["translate", "--from", "tensorflow", "-i", "5", "-k", "3", "-p", "1:y"], "value must be N, BEFORE:AFTER"),
        (["translate", "--from", "tensorflow", "-i", "5", "-k", "3", "-p", "1:2:3"], "padding is N or BEFORE:AFTER"),
        (["translate", "--from", "tensorflow", "-i", "5,5", "-k", "3,3,3"], "same number of axes"),
    ],
)
def test_bad_input_one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("convarith") and ": error: " in err and message in err


def test_commands_listed_in_help() -> None:
    done = subprocess.run([sys.executable, "-m", "convarith", "--help"], capture_output=True, text=True, check=True)
    assert "receptive-field" in done.stdout and "translate" in done.stdout


def test_bad_input_in_a_real_process() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "convarith",
            "translate",
            "--from",
            "pytorch",
            "-i",
            "224",
            "-k",
            "7",
            "-s",
            "2",
            "-p",
            "same",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "PyTorch refuses padding='same' for strided convolutions" in done.stderr


# convarith animate: the same grammar, CLI words in its errors.


def test_animate_before_after_padding_on_every_axis(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.gif"
    status, stdout, err = run(
        capsys, "animate", "conv", "-i", "4,5", "-k", "3", "-p", "0:1", "--dpi", "10", "-o", str(out)
    )
    assert status == 0, err
    assert stdout.startswith("convolution: 12 frames")  # (4 + 1 - 3 + 1) x (5 + 1 - 3 + 1) = 3 x 4
    assert out.is_file()


def test_animate_overwrite_error_speaks_cli(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.gif"
    argv = ["animate", "conv", "-i", "3", "-k", "2", "--dpi", "10", "-o", str(out)]
    assert run(capsys, *argv)[0] == 0
    before = out.read_bytes()
    status, stdout, err = run(capsys, *argv)
    assert status == 2 and stdout == "" and err.count("\n") == 1
    assert "pass --overwrite to replace it" in err and "overwrite=True" not in err
    assert out.read_bytes() == before
    assert run(capsys, *argv, "--overwrite")[0] == 0


def test_gallery_overwrite_error_speaks_cli(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["gallery", str(tmp_path), "--only", "no_padding_no_strides", "--dpi", "10", "--no-progress"]
    assert run(capsys, *argv)[0] == 0
    status, _, err = run(capsys, *argv)
    assert status == 2 and err.count("\n") == 1
    assert "--overwrite" in err and "overwrite=True" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["animate", "conv", "-i", "4,4", "-k", "3", "--ndim", "1", "-o", "{tmp}/a.gif"], "`--ndim` 1 disagrees"),
        (["animate", "conv", "-i", "4", "-k", "3", "-o", "{tmp}/a.txt"], "must end with .gif"),
        (["animate", "conv", "-i", "4", "-k", "3", "-o", "{tmp}/no/a.gif"], "does not exist"),
        (["animate", "max_pool", "-i", "4", "-k", "2", "-p", "same", "-o", "{tmp}/a.gif"], "numbers only"),
        (["animate", "conv", "-i", "4", "-k", "3", "-p", "0/1", "-o", "{tmp}/a.gif"], "as in 0:1"),
        (
            ["animate", "groups", "--in-channels", "4", "--out-channels", "6", "--groups", "4", "-o", "{tmp}/g.gif"],
            "groups",
        ),
        (["animate", "conv", "-i", "2", "-k", "3", "-o", "{tmp}/a.gif"], "larger than the padded input"),
        (["gallery"], "`OUTDIR` is required"),
        (["gallery", "{tmp}", "--only", "nonesuch"], "`names` must be one of"),
    ],
)
def test_animate_and_gallery_errors(
    tmp_path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert message in err
    assert not list(tmp_path.glob("*.gif"))


# Bounded where parsed, refused before drawing: issue 19 (each case was a traceback, a wrong message,
# a file in the working directory, or more than 40 s of work before).

BOUNDS = [
    (["animate", "conv", "-i", "3", "-k", "2", "--dpi", "1e308", "-o", "{tmp}/a.gif"], "--dpi: must be in [10, 1000]"),
    (["animate", "conv", "-i", "3", "-k", "2", "--dpi", "1", "-o", "{tmp}/a.gif"], "--dpi: must be in [10, 1000]"),
    (["animate", "conv", "-i", "3", "-k", "2", "--height", "0.01", "-o", "{tmp}/a.gif"], "`--height` 0.01 at"),
    (["animate", "conv", "-i", "3", "-k", "2", "--loop", "70000", "-o", "{tmp}/a.gif"], "--loop: must be an integer"),
    (
        ["animate", "conv", "-i", "3", "-k", "2", "--sheet", "--dpi", "10", "--height", "1e6", "-o", "{tmp}/a.png"],
        "--height: must be in (0, 100] inches",
    ),
    (
        ["animate", "conv", "-i", "3", "-k", "2", "--dpi", "100", "--width", "90", "-o", "{tmp}/a.gif"],
        "`--width` 90 at `--dpi` 100 gives 9000 pixels",
    ),
    (  # 100 frames of 3840 x 2160 held at once by a GIF: 829 M pixels
        ["animate", "conv", "-i", "12", "-k", "3", "--dpi", "400", "-o", "{tmp}/a.gif"],
        "are 829440000 pixels; a GIF or a sheet has at most 268435456",
    ),
    (
        ["animate", "transpose", "-i", "2", "-k", "1000000", "-o", "{tmp}/a.gif"],
        "`-i 2 -k 1000000` gives 1000002000001 frames (one per output cell: 1000001×1000001)",
    ),
    (
        ["animate", "transpose", "-i", "2", "-k", "1000000", "--scatter", "-o", "{tmp}/a.gif"],
        "an output of 1000001×1000001 = 1000002000001 cells",
    ),
    (["animate", "conv", "-i", "70", "-k", "70", "-o", "{tmp}/a.gif"], "a padded input of 70×70 = 4900 cells"),
    (["animate", "symmetric", "-i", "3", "-k", "100", "-o", "{tmp}/a.gif"], "a padded input of 102×102"),
    (["animate", "groups", "--in-channels", "100", "--out-channels", "4", "-o", "{tmp}/a.gif"], "at most 64"),
    (["animate", "conv", "-i", "3", "-k", "2", "-o", ""], "`--output` is empty"),
    (["gallery", "", "--only", "dilation"], "`OUTDIR` is empty"),
    (["gallery", "{tmp}", "--only", "dilation", "--dpi", "900"], "gives 8640 pixels"),
    (["notebooks", ""], "`DIR` is empty"),
    (["notebooks", " "], "`DIR` is empty"),
    (["exercises", "--seed", "1", "-o", " "], "`--output` is empty"),
]


@pytest.mark.parametrize(("argv", "message"), BOUNDS)
def test_drawing_options_bounded_before_drawing(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    from convarith.anim import scenes

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a scene was built for a command that must be refused first")

    for name in ("conv_scene", "transpose_scene", "symmetric_scene", "group_scene", "pool_scene"):
        monkeypatch.setattr(scenes, name, never)
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    status, out, err = run(capsys, *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["workdir"] and not list(workdir.iterdir())


@pytest.mark.parametrize(
    ("output", "existing"),
    [("a.gif", "a.gif"), ("a.png", "a-000.png"), ("a.tex", "a.tex"), ("a.tex", "a/a-003.pdf"), ("s.png", "s.png")],
)
def test_animate_checks_the_target_before_building(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], output: str, existing: str
) -> None:
    from convarith.anim import scenes

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scene was built before the target was checked")

    monkeypatch.setattr(scenes, "conv_scene", never)
    taken = tmp_path / existing
    taken.parent.mkdir(exist_ok=True)
    taken.write_bytes(b"mine")
    sheet = ["--sheet"] if output == "s.png" else []
    status, out, err = run(capsys, "animate", "conv", "-i", "3", "-k", "2", *sheet, "-o", str(tmp_path / output))
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert f"{str(taken)!r} exists; pass --overwrite to replace it" in err
    assert taken.read_bytes() == b"mine"


@pytest.mark.parametrize(
    ("padding", "message"),
    [
        ("3x3", "write one padding per axis with commas, as in 3,3"),
        ("1x0", "as in 1,0"),
        ("0/1", "write BEFORE:AFTER with a colon, as in 0:1"),
        ("1x0/1", "write per-axis values with commas and BEFORE:AFTER with a colon, as in 1,0:1"),
    ],
)
def test_padding_old_spellings_get_what_was_meant(
    capsys: pytest.CaptureFixture[str], padding: str, message: str
) -> None:
    status, out, err = run(capsys, "shape", "conv", "-i", "9", "-k", "3", "-p", padding)
    assert status == 2 and out == "" and err.count("\n") == 1
    assert message in err
    if "/" not in padding:  # 3x3 has no before/after to write with a colon
        assert "with a colon, as in" not in err


def test_tiny_text_is_one_line_and_other_runtime_errors_pass() -> None:
    from convarith.cli.grammar import GrammarError
    from convarith.cli.limits import text_too_small

    with pytest.raises(GrammarError, match=r"`--dpi` 10: this drawing's smallest text is under half a pixel"):
        with text_too_small(9.6, 5.4, 10):
            raise RuntimeError("FT_Set_Char_Size (ft2font.cpp line 248) failed with error 0x97: invalid ppem value")
    with pytest.raises(RuntimeError, match="something else"):
        with text_too_small(9.6, 5.4, 10):
            raise RuntimeError("something else")


@pytest.mark.slow
def test_tiny_text_from_a_real_drawing(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 24x24 grid with numbers at dpi 10: its 3-point weights (0.4 pixel) made FreeType raise; the renderers
    now raise every text to at least a pixel, so the smallest dpi draws it."""
    out = tmp_path / "a.gif"
    status, printed, err = run(
        capsys, "animate", "conv", "-i", "24", "-k", "23", "--numbers", "--dpi", "10", "-o", str(out)
    )
    assert status == 0, err
    assert printed.startswith("convolution: 4 frames") and out.exists()


def test_largest_animation_within_the_limits_is_drawn(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bounds are not too tight: 1024 frames (a 32x32 output) at the smallest frame pass the checks."""
    from convarith.cli.limits import MAX_FRAMES, check_budget, check_frame

    pixels = check_frame(4.8, 4.8, 10)
    assert pixels == 48 * 48
    check_budget("-i 34 -k 3", frames=MAX_FRAMES, frame_what="", grids=[("a", (34, 34))], frame_pixels=pixels)
    status, out, err = run(
        capsys, "animate", "conv", "-i", "5", "-k", "3", "--dpi", "10", "-o", str(tmp_path / "a.mp4")
    )
    assert status == 0, err
    assert out.startswith("convolution: 9 frames")


@pytest.mark.parametrize(
    ("sizes", "axes", "noted"),
    [
        (["-i", "5", "-k", "3"], 2, True),
        (["-i", "5", "-k", "3", "--ndim", "1"], 1, False),
        (["-i", "5,5", "-k", "3"], 2, False),
    ],
)
def test_animate_says_its_default_rank(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sizes: list[str],
    axes: int,
    noted: bool,
) -> None:
    """One number is both axes on the command line (and a note says so); in Python an int is one axis."""
    from convarith.anim import scenes

    built = []
    real = scenes.conv_scene
    monkeypatch.setattr(scenes, "conv_scene", lambda *a, **k: built.append(real(*a, **k)) or built[-1])
    status, out, err = run(capsys, "animate", "conv", *sizes, "--dpi", "10", "-o", str(tmp_path / "a.gif"))
    assert status == 0, err
    assert len(built[0].panels[0].input_shape) == axes
    note = "note: 2-D (every size was one number: input 5×5); --ndim 1 draws 1-D, as conv_scene(i, k) does"
    assert (note in out) is noted
    assert len(real(5, 3).panels[0].input_shape) == 1  # the library's int: one axis


@pytest.mark.parametrize(
    ("parse", "accepted", "refused"),
    [
        ("dpi_argument", ["10", "1000", "72.5"], ["9.99", "1000.5", "0", "-5", "nan", "1e308", "x"]),
        ("inches_argument", ["0.01", "100", "5.4"], ["0", "-1", "100.01", "1e6", "inf"]),
        ("loop_argument", ["0", "65535", "3"], ["-1", "65536", "70000", "1.5", "x", ""]),
    ],
)
def test_option_bounds_at_their_edges(parse: str, accepted: list[str], refused: list[str]) -> None:
    import argparse

    from convarith.cli import limits

    function = getattr(limits, parse)
    for text in accepted:
        assert function(text) == float(text)
    for text in refused:
        with pytest.raises(argparse.ArgumentTypeError, match=r"must be"):
            function(text)
