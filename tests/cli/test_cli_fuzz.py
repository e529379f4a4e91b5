"""Fuzzing the command line: every subcommand, valid and invalid values, missing and repeated options.

Whatever the arguments, ``convarith`` exits with 0 or 2; on failure it prints exactly one line on
stderr, and never a traceback. ``main(argv)`` runs in-process with stdout/stderr captured (an
exception escaping it fails the test with the drawn arguments); two real processes check the same
through the console entry point. Layers are tiny and ``--dpi`` low, so rendering stays fast.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from convarith.cli import main

# --------------------------------------------------------------------------------------------
# values: valid ones (small, so rendering is quick) mixed with invalid ones of every kind

SMALL = st.integers(1, 5).map(str)
SIZE = st.one_of(
    SMALL,
    st.tuples(SMALL, SMALL).map(",".join),
    st.sampled_from(["0", "-1", "2.5", "x", "", "3x5", "1,2,3", "1,,2", " 3", "99999999999999999999", "1e3", "٣"]),
    st.sampled_from(["1000000", "70", "2,1000000"]),  # layers too large to draw: refused before building
)
BIG_SIZE = st.one_of(SIZE, st.integers(6, 10**6).map(str))  # arithmetic only, never drawn
PADDING = st.one_of(
    st.integers(0, 3).map(str),
    st.tuples(st.integers(0, 2), st.integers(0, 2)).map(lambda p: f"{p[0]}:{p[1]}"),
    st.sampled_from(
        ["0:1,1:0", "1,0:1", "1,2", "same", "SAME", "valid", "full", "caffe", "same_lower", "0/1", "1x0/1", "1:2:3"]
    ),
    st.sampled_from(["-1", "a:b", "", ":", "1:", "sideways", "1,2,3,4", "3x3", "1x1", "1000000"]),
)
VALID_SIZE = st.one_of(
    st.integers(1, 3).map(str), st.tuples(st.integers(3, 5), st.integers(3, 5)).map(lambda t: f"{t[0]},{t[1]}")
)
VALID_INPUT = st.one_of(
    st.integers(3, 5).map(str), st.tuples(st.integers(3, 5), st.integers(3, 5)).map(lambda t: f"{t[0]},{t[1]}")
)
VALID_PADDING = st.sampled_from(["0", "1", "0:1", "1,0:1"])
CONVENTION = st.sampled_from(["tensorflow", "pytorch", "caffe", "same_lower", "valid", "all", "tf9", ""])
NUMBER = st.one_of(
    st.sampled_from(["10", "12", "0.5", "5"]),
    st.sampled_from(["0", "-1", "nan", "inf", "abc", "1e400", "1e308", "1", "1000", "1001", "9.99"]),
)
DURATION = st.sampled_from(["0.1", "0.5", "0", "nan", "100", "x"])
SUFFIX = st.sampled_from([".gif", ".mp4", ".tex", ".png", ".svg", ".pdf", ".txt", "", ".GIF", ".tex.gif"])


def option(flag: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """The option with a value, the option twice (the last one wins), or left out."""
    one = values.map(lambda v: [flag, v])
    return st.one_of(one, st.tuples(one, one).map(lambda p: [*p[0], *p[1]]), st.just([]))


def flag(name: str) -> st.SearchStrategy[list[str]]:
    return st.sampled_from([[name], []])


def required(flag_: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """Usually given; sometimes missing (a usage error)."""
    return st.one_of(values.map(lambda v: [flag_, v]), values.map(lambda v: [flag_, v]), st.just([]))


@st.composite
def combine(draw: st.DrawFn, head: list[str], *parts: st.SearchStrategy[list[str]]) -> list[str]:
    argv = list(head)
    for part in draw(st.permutations(parts)):
        argv += draw(part)
    return argv


def valid_shape_args() -> st.SearchStrategy[list[str]]:
    """Values that follow the grammar, on inputs large enough that most layers fit."""
    number = st.integers(7, 300).map(str)
    inputs = st.one_of(number, st.tuples(number, number).map(",".join))
    small = st.sampled_from(["1", "2", "3", "2,3"])
    sizes = [st.just(["-i"]).flatmap(lambda f: inputs.map(lambda v: [*f, v])), small.map(lambda v: ["-k", v])]
    return st.one_of(
        combine(
            ["shape", "conv"], *sizes, option("-s", small), option("-p", st.one_of(VALID_PADDING, st.just("same")))
        ),
        combine(
            ["shape", "pool"],
            *sizes,
            option("-p", st.just("0")),
            flag("--ceil-mode"),
            option("--rule", st.just("caffe")),
        ),
        combine(["shape", "transpose"], *sizes, option("-s", small), option("-p", st.just("0:1"))),
        combine(["shape", "same"], *sizes, option("-s", small)),
    )


def shape_args() -> st.SearchStrategy[list[str]]:
    sizes = [required("-i", BIG_SIZE), required("-k", SIZE), option("-s", SIZE), option("-d", SIZE)]
    return st.one_of(
        valid_shape_args(),
        combine(["shape", "conv"], *sizes, option("-p", PADDING), option("--convention", CONVENTION)),
        combine(
            ["shape", "pool"],
            *sizes,
            option("-p", PADDING),
            flag("--ceil-mode"),
            option("--rule", st.sampled_from(["pytorch", "onnx", "caffe", "keras"])),
        ),
        combine(["shape", "transpose"], *sizes, option("-p", PADDING), option("-a", SIZE)),
        combine(["shape", "same"], *sizes, option("--convention", CONVENTION)),
        combine(["shape"], option("-i", SIZE)),
    )


LAYER = st.one_of(
    st.builds(
        lambda kind, k, extra: f"{kind}:k={k}{extra}",
        st.sampled_from(["conv", "pool"]),
        SIZE,
        st.sampled_from(["", ",s=2", ",p=1", ",p=0:1", ",p=1,0:1", ",p=same", ",d=2", ",ceil", ",c=caffe", ",s=2x2"]),
    ),
    st.sampled_from(["conv", "dense:k=3", "conv:k=3,q=1", "conv:p", "conv:k=3,k=3", "conv:k=3,p=0/1", "pool:"]),
)


def receptive_args() -> st.SearchStrategy[list[str]]:
    layers = st.lists(LAYER, min_size=0, max_size=3)
    return st.builds(
        lambda layers, rest: ["receptive-field", *layers, *rest],
        layers,
        combine(
            [],
            option("-i", BIG_SIZE),
            option("--convention", CONVENTION),
            option("--output", SIZE),
            option("--input", SIZE),
        ),
    )


def translate_args() -> st.SearchStrategy[list[str]]:
    frameworks = st.sampled_from(["tensorflow", "pytorch", "keras", "jax", "onnx", "caffe", "mxnet"])
    return combine(
        ["translate"],
        required("--from", frameworks),
        required("-i", BIG_SIZE),
        required("-k", SIZE),
        option("-s", SIZE),
        option("-d", SIZE),
        option("-p", PADDING),
    )


@st.composite
def output_path(draw: st.DrawFn, folder: str, valid: bool) -> list[str]:
    if valid:
        suffix = draw(st.sampled_from([".gif", ".mp4", ".tex", ".png", ".svg", ".pdf", "sheet"]))
        return ["-o", f"{folder}/fig.png", "--sheet"] if suffix == "sheet" else ["-o", f"{folder}/fig{suffix}"]
    where = draw(st.sampled_from(["", "missing/", "existing", "empty"]))
    if where == "empty":  # never the working directory
        return ["-o", draw(st.sampled_from(["", " "]))]
    if where == "existing":  # a file that is already there (or, with a folder's name, a folder)
        return ["-o", draw(st.sampled_from([f"{folder}/taken.gif", f"{folder}/taken.png", folder]))]
    stem = draw(st.sampled_from(["fig", "a b", "f-1"]))
    return ["-o", f"{folder}/{where}{stem}{draw(SUFFIX)}"]


def drawing(folder: str, valid: bool) -> list[st.SearchStrategy[list[str]]]:
    if valid:
        return [output_path(folder, True), flag("--no-caption"), option("--loop", st.just("1"))]
    return [
        st.one_of(output_path(folder, False), st.just([])),
        option("--dpi", NUMBER),
        option("--duration", DURATION),
        option("--width", st.sampled_from(["2", "1.5", "0", "-3", "100", "101", "1e6", "0.01"])),
        option("--height", st.sampled_from(["1", "2", "nan", "0.01", "1e6", "100"])),
        option("--loop", st.sampled_from(["0", "2", "-1", "x", "65535", "65536", "70000", "1e3"])),
        flag("--sheet"),
        flag("--no-caption"),
        flag("--overwrite"),
    ]


def animate_args(folder: str, valid: bool) -> st.SearchStrategy[list[str]]:
    """``valid``: every value follows the grammar and is small (most of these render); else anything."""
    size, inputs, padding = (VALID_SIZE, VALID_INPUT, VALID_PADDING) if valid else (SIZE, SIZE, PADDING)
    need = (lambda flag_, values: values.map(lambda v: [flag_, v])) if valid else required
    layer = [
        need("-i", inputs),
        need("-k", size),
        option("--ndim", st.sampled_from(["1", "2"] if valid else ["1", "2", "3"])),
    ]
    dpi = ["--dpi", "10"]  # first, so that a drawn --dpi replaces it
    small = st.sampled_from(["1", "2"]) if valid else SIZE
    return st.one_of(
        combine(
            ["animate", "conv", *dpi],
            *layer,
            option("-s", small),
            option("-p", st.one_of(padding, st.just("same")) if valid else padding),
            option("-d", small),
            option("--convention", st.just("caffe") if valid else CONVENTION),
            flag("--numbers"),
            *drawing(folder, valid),
        ),
        combine(
            ["animate", "max_pool", *dpi],
            *layer,
            option("-s", small),
            option("-p", st.just("0") if valid else padding),
            flag("--ceil-mode"),
            *drawing(folder, valid),
        ),
        combine(
            ["animate", "avg_pool", *dpi],
            *layer,
            option("-p", st.just("0") if valid else padding),
            *drawing(folder, valid),
        ),
        combine(
            ["animate", "transpose", *dpi],
            need("-i", st.sampled_from(["2", "3", "2,3"]) if valid else SIZE),
            need("-k", size),
            option("-s", small),
            option("-p", st.just("0") if valid else padding),
            option("-a", st.just("0") if valid else SIZE),
            flag("--scatter"),
            flag("--numbers"),
            *drawing(folder, valid),
        ),
        combine(
            ["animate", "groups", *dpi],
            need("--in-channels", st.sampled_from(["2", "4"]) if valid else st.one_of(SMALL, st.just("65"))),
            need("--out-channels", st.sampled_from(["2", "4", "3", "0", "x", "1000000"])),
            option("--groups", st.sampled_from(["1", "2", "4", "0", "-2"])),
            *drawing(folder, valid),
        ),
        combine(
            ["animate", "symmetric", *dpi],
            need("-i", st.sampled_from(["3", "4", "4,5"]) if valid else SIZE),
            option("-k", st.sampled_from(["2", "4"]) if valid else SIZE),
            *drawing(folder, valid),
        ),
        combine(["animate"], option("-i", SIZE)),
    )


def gallery_args(folder: str) -> st.SearchStrategy[list[str]]:
    formats = st.sampled_from(["gif", "png", "sheet", "beamer", "gif,sheet", "jpeg", ""])
    names = st.sampled_from(["no_padding_no_strides", "nonesuch", "no_padding_no_strides,nonesuch"])
    return st.one_of(
        st.just(["gallery", "--list"]),
        combine(
            ["gallery", "--dpi", "10", "--only", "no_padding_no_strides", "--no-progress"],
            st.sampled_from([[folder], [f"{folder}/taken.gif"], [], [""], [" "]]),
            option("--format", formats),
            option("--only", names),
            option("--duration", DURATION),
            option("--dpi", NUMBER),
            flag("--overwrite"),
        ),
    )


def notebooks_args(folder: str) -> st.SearchStrategy[list[str]]:
    target = st.sampled_from([[f"{folder}/lessons"], [folder], [f"{folder}/taken.gif"], [], [""], [" "]])
    return combine(["notebooks"], target, flag("--overwrite"))


def exercises_args(folder: str) -> st.SearchStrategy[list[str]]:
    return combine(
        ["exercises"],
        required("--seed", st.sampled_from(["0", "7", "-1", "x", "99999999999999999999"])),
        flag("--answers"),
        option("--format", st.sampled_from(["markdown", "html", "pdf"])),
        option("--topic", st.sampled_from(["padding", "02", "nonesuch"])),
        st.sampled_from(
            [[], ["-o", f"{folder}/sheet.md"], ["-o", f"{folder}/taken.gif"], ["-o", f"{folder}/no/x.md"], ["-o", " "]]
        ),
        flag("--overwrite"),
    )


OTHER = st.sampled_from(
    [[], ["--version"], ["--help"], ["nonesuch"], ["shape", "--help"], ["animate", "conv", "--help"]]
)

# --------------------------------------------------------------------------------------------


def run_in_process(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def check(argv: list[str]) -> None:
    status, _, err = run_in_process(argv)
    words = [a for a in argv[:2] if a.replace("_", "").replace("-", "").isalpha()]
    event(f"{' '.join(words)}: exit {status}")  # --hypothesis-show-statistics shows the mix
    assert status in (0, 2), (argv, status, err)
    assert "Traceback" not in err, (argv, err)
    if status == 2:
        assert err.count("\n") == 1 and err.endswith("\n"), (argv, err)
        assert ": error: " in err, (argv, err)


def fresh_folder(root: Path) -> str:
    folder = Path(tempfile.mkdtemp(dir=root))
    (folder / "taken.gif").write_bytes(b"GIF89a")
    (folder / "taken.png").write_bytes(b"\x89PNG")
    return str(folder)


FUZZ = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(FUZZ, max_examples=150)
@given(argv=st.one_of(shape_args(), receptive_args(), translate_args(), OTHER))
def test_arithmetic_commands_exit_0_or_2_with_one_line(argv: list[str]) -> None:
    check(argv)


@pytest.mark.slow
@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_drawing_commands_exit_0_or_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    workdir = tmp_path / "workdir"  # an empty output path must never write here
    workdir.mkdir(exist_ok=True)
    monkeypatch.chdir(workdir)
    folder = fresh_folder(tmp_path)
    commands = st.one_of(
        animate_args(folder, valid=True),
        animate_args(folder, valid=False),
        gallery_args(folder),
        notebooks_args(folder),
        exercises_args(folder),
    )
    argv = data.draw(commands, label="argv")
    check(argv)
    assert Path(folder, "taken.gif").read_bytes() == b"GIF89a" or "--overwrite" in argv
    assert not any(workdir.iterdir()), (argv, sorted(p.name for p in workdir.iterdir()))


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["animate", "conv", "-i", "3", "-k", "2", "--dpi", "inf", "-o", "{tmp}/a.gif"], 2),  # was an OverflowError
        (["animate", "conv", "-i", "3", "-k", "2", "--dpi", "1e308", "-o", "{tmp}/a.gif"], 2),  # was an OverflowError
        (["animate", "conv", "-i", "3", "-k", "2", "--loop", "70000", "-o", "{tmp}/a.gif"], 2),  # was PIL's
        (["animate", "transpose", "-i", "2", "-k", "1000000", "-o", "{tmp}/a.gif"], 2),  # ran for more than 40 s
        (["shape", "conv", "-i", "224,160", "-k", "3", "-s", "2", "-p", "0:1"], 0),
        (["receptive-field", "conv:k=3,p=0/1"], 2),
    ],
)
def test_real_process(tmp_path: Path, argv: list[str], status: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "convarith", *(a.replace("{tmp}", str(tmp_path)) for a in argv)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    if status == 2:
        assert done.stderr.count("\n") == 1 and done.stdout == ""
    else:
        assert done.stderr == "" and done.stdout.rstrip().endswith("output 112×80")
