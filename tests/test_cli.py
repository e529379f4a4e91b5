"""The ``convarith shape`` command line: results on stdout, one-line errors with status 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from convarith.cli import main


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
    assert "padding same (tensorflow): (2, 3)" in out
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
    assert out.rstrip().endswith("output 6, 5")


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
        (["shape", "conv", "-i", "9", "-k", "3", "-p", "sideways"], "`padding` must be a number"),
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
    assert status == 2 and "expected an integer" in err


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
