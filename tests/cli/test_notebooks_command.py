"""``convarith notebooks DIR``: the classroom notebooks, shipped in the wheel, copied out all or nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from convarith.cli import main
from convarith.cli import notebooks as command

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_repository_has_the_numbered_notebooks() -> None:
    assert len(NOTEBOOKS) >= 11 and NOTEBOOKS[0].name == "01_discrete_convolution.ipynb"


def test_copies_every_notebook_and_says_how_to_open_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "new" / "notebooks"  # missing folders are created
    status, out, err = run(capsys, "notebooks", str(target))
    assert status == 0 and err == ""
    assert sorted(p.name for p in target.iterdir()) == [p.name for p in NOTEBOOKS]
    for original in NOTEBOOKS:
        assert (target / original.name).read_bytes() == original.read_bytes()
    assert f"copied {len(NOTEBOOKS)} notebooks to {target.resolve()}" in out
    assert f"jupyter lab {target}" in out


def test_refuses_to_overwrite_without_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "notebooks", str(tmp_path))[0] == 0
    edited = tmp_path / NOTEBOOKS[3].name
    edited.write_text("my answers", encoding="utf-8")
    (tmp_path / NOTEBOOKS[0].name).unlink()  # even the missing one is not copied: all or nothing
    status, out, err = run(capsys, "notebooks", str(tmp_path))
    assert status == 2 and out == "" and err.count("\n") == 1
    assert (
        err.startswith("convarith: error: ") and "pass --overwrite" in err and f"(and {len(NOTEBOOKS) - 2} more)" in err
    )
    assert edited.read_text(encoding="utf-8") == "my answers"
    assert not (tmp_path / NOTEBOOKS[0].name).exists()
    status, _, _ = run(capsys, "notebooks", str(tmp_path), "--overwrite")
    assert status == 0 and edited.read_bytes() == NOTEBOOKS[3].read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in NOTEBOOKS]  # no temporary files left


def test_a_file_in_the_way(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes").write_text("x", encoding="utf-8")
    status, _, err = run(capsys, "notebooks", str(tmp_path / "notes"))
    assert status == 2 and err.count("\n") == 1 and "is a file, not a folder" in err


def test_missing_directory_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "notebooks")
    assert status == 2 and err.count("\n") == 1 and "DIR" in err


class _Broken:
    """A notebook whose reading fails (a disk error half-way through the copy)."""

    name = "06_transposed_convolution.ipynb"

    def read_bytes(self) -> bytes:
        raise OSError("disk error")


def test_a_failed_copy_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    sources = command.find_notebooks()
    monkeypatch.setattr(command, "find_notebooks", lambda: [*sources[:5], _Broken(), *sources[6:]])
    target = tmp_path / "out"
    status, _, err = run(capsys, "notebooks", str(target))
    assert status == 2 and "disk error" in err
    assert not target.exists()  # created for the copy, removed with it
    (tmp_path / "kept").mkdir()
    status, _, _ = run(capsys, "notebooks", str(tmp_path / "kept"))
    assert status == 2 and list((tmp_path / "kept").iterdir()) == []


def test_editable_install_reads_the_repository() -> None:
    found = command.find_notebooks()
    assert [n.name for n in found] == [p.name for p in NOTEBOOKS]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this tree (once for the module)."""
    pytest.importorskip("hatchling", reason="building the wheel needs hatchling (python -m pip install hatchling)")
    folder = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(folder),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (found,) = folder.glob("convarith-*.whl")
    return found


@pytest.mark.slow
def test_the_wheel_ships_the_license(wheel: Path) -> None:
    """The MIT licence travels with the package: the file in the wheel, and named in its metadata."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (licence,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert archive.read(licence) == (ROOT / "LICENSE").read_bytes()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        headers = archive.read(metadata).decode()
    assert "License-File: LICENSE" in headers and "License-Expression: MIT" in headers
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "The convarith developers" in text


@pytest.mark.slow
def test_the_wheel_ships_the_notebooks_and_the_command_finds_them(wheel: Path, tmp_path: Path) -> None:
    """Build the wheel, then run ``convarith notebooks`` from the unpacked wheel, away from the source tree."""
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n: archive.read(n) for n in archive.namelist() if n.startswith("convarith/notebooks/")}
        assert shipped == {f"convarith/notebooks/{p.name}": p.read_bytes() for p in NOTEBOOKS}
        archive.extractall(tmp_path / "site")
    user = tmp_path / "user"
    user.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run(
        [sys.executable, "-m", "convarith", "notebooks", "lessons"],
        cwd=user,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "jupyter lab lessons" in done.stdout
    assert sorted(p.name for p in (user / "lessons").iterdir()) == [p.name for p in NOTEBOOKS]
    where = subprocess.run(
        [sys.executable, "-c", "from convarith.cli.notebooks import find_notebooks; print(find_notebooks()[0])"],
        cwd=user,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "site" / "convarith" / "notebooks")
