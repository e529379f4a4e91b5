"""The ``convarith shape`` command line: results on stdout, one-line errors with status 2."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from convarith.cli import build_parser, main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exit:  # argparse's own usage errors
        status = int(exit.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_tensorflow_same_on_the_resnet_stem(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "shape", "conv", "-i", "224", "-k", "7", "-s", "2", "--padding", "same", "--convention", "tensorflow"
    )
    assert status == 0 and err == ""
    assert "padding (2, 3) (same, tensorflow) -> output 112" in out
    assert "o = ⌊(224 + 2 + 3 − 7) / 2⌋ + 1 = 112" in out
    assert out.rstrip().endswith("output 112")


def test_pool_with_ceil_mode(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "shape", "pool", "-i", "5", "-k", "2", "--ceil-mode")
    assert status == 0
    assert "o = ⌈(5 + 0 + 0 − 2) / 2⌉ + 1 = 3" in out


def test_transpose(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "shape", "transpose", "-i", "28", "-k", "4", "-s", "2", "-p", "1")
    assert status == 0 and out.rstrip().endswith("output 56")


def test_asymmetric_and_per_axis_padding(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "shape", "conv", "-i", "6,5", "-k", "4,3", "-p", "1:2,1")
    assert status == 0
    assert "axis 0: o = ⌊(6 + 1 + 2 − 4) / 1⌋ + 1 = 6" in out
    assert out.rstrip().endswith("output 6×5")


def test_same_lists_every_convention(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "shape", "same", "-i", "224", "-k", "7", "-s", "2")
    assert status == 0
    assert "tensorflow: padding (2, 3) -> output 112" in out
    assert "caffe: padding (3, 3) -> output 112" in out
    assert "pytorch: n/a" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["shape", "conv", "-i", "2", "-k", "5", "-p", "1"], "`kernel_size` 5 is larger than the padded input 4"),
        (["shape", "conv", "-i", "5", "-k", "0"], "`kernel_size` must be positive, got 0"),
        (
            ["shape", "conv", "-i", "9", "-k", "3", "-s", "2", "-p", "same", "--convention", "pytorch"],
            "PyTorch refuses",
        ),
        (["shape", "conv", "-i", "9", "-k", "3", "-p", "same", "--convention", "tf9"], "`convention` must be one of"),
        (["shape", "conv", "-i", "9", "-k", "3", "-p", "sideways"], "`--padding` must be numbers or one of same"),
        (["shape", "conv", "-i", "9", "-k", "3", "-p", "caffe"], "write --padding same --convention caffe"),
        (["shape", "transpose", "-i", "9", "-k", "3", "-p", "same"], "this layer takes numbers only"),
        (["shape", "transpose", "-i", "3", "-k", "3", "-s", "2", "-a", "2"], "`output_padding` 2 must be smaller"),
        (["shape", "pool", "-i", "10", "-k", "3", "-p", "2"], "more than half the kernel size"),
    ],
)
def test_bad_input_gives_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("convarith: error: ")
    assert message in err
    assert "Traceback" not in err


def test_unparsable_number_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "shape", "conv", "-i", "2.5", "-k", "3")
    assert status == 2 and "must be an integer or comma-separated integers (224 or 224,160)" in err
    assert err.count("\n") == 1 and "usage:" not in err  # one line, not argparse's usage block


def test_module_entry_point_exit_status() -> None:
    """The real process: exit status 2 and no traceback on stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "convarith", "shape", "conv", "-i", "3", "-k", "5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "larger than the padded input" in done.stderr


# The one grammar (issue 11, item 5): sizes 224 or 224,160; padding 1, 0:1, 0:1,1:0 (or 1,2), or a rule.


def test_before_after_padding_applies_to_every_axis(capsys: pytest.CaptureFixture[str]) -> None:
    """`-p 0:1` is (before 0, after 1) on both axes: 112×80, not one number per axis (111×80)."""
    status, out, _ = run(capsys, "shape", "conv", "-i", "224,160", "-k", "3", "-s", "2", "-p", "0:1")
    assert status == 0
    assert "axis 0: o = ⌊(224 + 0 + 1 − 3) / 2⌋ + 1 = 112" in out  # floor(222 / 2) + 1
    assert "axis 1: o = ⌊(160 + 0 + 1 − 3) / 2⌋ + 1 = 80" in out  # floor(158 / 2) + 1
    assert out.rstrip().endswith("output 112×80")


def test_per_axis_padding_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "shape", "conv", "-i", "7,6", "-k", "3", "-p", "0:1,2:0")
    assert status == 0
    assert "axis 0: o = ⌊(7 + 0 + 1 − 3) / 1⌋ + 1 = 6" in out
    assert "axis 1: o = ⌊(6 + 2 + 0 − 3) / 1⌋ + 1 = 6" in out


def test_comma_padding_is_per_axis_even_with_one_number_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    """`-p 1,2` names two axes; it is never read as a (before, after) pair of one axis (that would give 6)."""
    status, out, _ = run(capsys, "shape", "conv", "-i", "5", "-k", "3", "-p", "1,2")
    assert status == 0
    assert "axis 0: o = ⌊(5 + 1 + 1 − 3) / 1⌋ + 1 = 5" in out
    assert "axis 1: o = ⌊(5 + 2 + 2 − 3) / 1⌋ + 1 = 7" in out


def test_before_after_on_one_axis(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "shape", "conv", "-i", "6", "-k", "4", "-p", "0:1")
    assert status == 0 and "o = ⌊(6 + 0 + 1 − 4) / 1⌋ + 1 = 4" in out


def test_one_number_is_spread_by_the_librarys_per_axis_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """`-k 3` with two axes is (3, 3) through `validate.per_axis`, the one broadcasting rule (issue 21)."""
    from convarith.arithmetic import validate
    from convarith.cli import grammar

    calls: list[tuple[object, ...]] = []

    def spy(*args: object, **keywords: object) -> tuple[int, ...]:
        calls.append(args)
        return validate.per_axis(*args, **keywords)  # type: ignore[arg-type]

    monkeypatch.setattr(grammar, "per_axis", spy)
    assert grammar.expand((3,), 2) == (3, 3) and calls == [(3, "value", 2)]
    assert grammar.expand((3,), 1) == 3 and grammar.expand((3, 5), 2) == (3, 5) and len(calls) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-i", "5,6", "-k", "9999999999"], "`kernel_size[0]` must be at most 2147483647 (MAX_SIZE), got 9999999999"),
        (["-i", "5,6", "-k", "0"], "`kernel_size[0]` must be positive, got 0"),
        (["-i", "5", "-k", "9999999999"], "`kernel_size` must be at most 2147483647 (MAX_SIZE), got 9999999999"),
    ],
)
def test_a_spread_number_out_of_range_is_named_by_the_layer(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """The grammar spreads a number without bounds: the layer's validation names the parameter and axis."""
    status, out, err = run(capsys, "shape", "conv", *argv)
    assert status == 2 and out == ""
    assert err == f"convarith: error: {message}\n"


@pytest.mark.parametrize(
    ("argv", "new_spelling"),
    [
        (["shape", "conv", "-i", "5", "-k", "3", "-p", "0/1"], "as in 0:1"),
        (["shape", "conv", "-i", "5", "-k", "3", "-p", "1x0/1"], "as in 1,0:1"),
        (["shape", "conv", "-i", "3x5", "-k", "3"], "as in 3,5"),
        (["shape", "pool", "-i", "6", "-k", "2x2"], "as in 2,2"),
        (["receptive-field", "conv:k=3x5"], "as in 3,5"),
        (["receptive-field", "conv:k=3,p=0/1"], "as in 0:1"),
        (["translate", "--from", "onnx", "-i", "5", "-k", "3", "-p", "0/1"], "as in 0:1"),
    ],
)
def test_old_spellings_name_the_new_one(capsys: pytest.CaptureFixture[str], argv: list[str], new_spelling: str) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and new_spelling in err


def test_pool_caffe_rule_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    """Caffe rounds up without --ceil-mode: the output says so instead of a bare "ceil_mode"."""
    status, out, _ = run(capsys, "shape", "pool", "-i", "6", "-k", "3", "-s", "2", "-p", "1", "--rule", "caffe")
    assert status == 0
    assert "caffe rounding (up) -> output 4" in out and "ceil_mode" not in out
    assert out.count("rounds up") + out.count("rounding (up)") == 1  # said once, in the header
    assert "drops a last window that would start at or past i + pb" in out  # the CLI's extra line adds the rest
    assert "o = ⌈(6 + 1 + 1 − 3) / 2⌉ + 1 = 4" in out  # ceil(5 / 2) + 1; PyTorch's floor gives 3
    status, out, _ = run(capsys, "shape", "pool", "-i", "6", "-k", "3", "-s", "2", "-p", "1")
    assert status == 0 and "rounding" not in out and out.rstrip().endswith("output 3")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import convarith

    status, out, _ = run(capsys, "--version")
    assert status == 0 and out == f"convarith {convarith.__version__}\n"


def _parsers(parser: argparse.ArgumentParser, prog: str = "convarith") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(prog, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _parsers(sub, f"{prog} {name}")
    return found


PARSERS = _parsers(build_parser())


def test_every_subcommand_is_reached() -> None:
    names = {prog for prog, _ in PARSERS}
    for command in ("shape conv", "shape pool", "shape transpose", "shape same", "receptive-field", "translate"):
        assert f"convarith {command}" in names
    for command in ("animate conv", "animate max_pool", "animate transpose", "animate groups", "animate symmetric"):
        assert f"convarith {command}" in names
    assert {"convarith gallery", "convarith notebooks", "convarith exercises"} <= names


@pytest.mark.parametrize(("prog", "parser"), PARSERS, ids=[prog for prog, _ in PARSERS])
def test_every_option_has_help_with_balanced_brackets(prog: str, parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help, f"{prog} {action.option_strings or action.dest} has no help"
        assert action.help.count("(") == action.help.count(")"), f"{prog}: {action.help!r}"
        assert action.help.count("[") == action.help.count("]"), f"{prog}: {action.help!r}"


def test_cli_modules_import_no_private_names_and_not_their_package() -> None:
    """No cycle through ``convarith.cli``: its modules import siblings and the library, never the package's names."""
    import ast
    from pathlib import Path

    import convarith.cli

    folder = Path(convarith.cli.__file__).parent
    siblings = {p.stem for p in folder.glob("*.py")}
    for path in folder.glob("*.py"):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [a.name for a in node.names]
                if node.module == "convarith.cli":
                    assert set(names) <= siblings, f"{path.name} imports {names} from convarith.cli"
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                assert not private, f"{path.name} imports {private} from {node.module}"


def test_closed_pipe_stops_quietly() -> None:
    """``convarith ... | head``: the reader has gone; no "Broken pipe" error line, no traceback."""
    done = subprocess.run(
        f"{sys.executable} -m convarith shape same -i 224 -k 7 -s 2 | true",  # true reads nothing and exits
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stderr == ""
