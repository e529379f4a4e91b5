"""Worksheets and ``convarith exercises``: the same numbers as the notebooks, an answer key on request, safe files."""

from __future__ import annotations

import argparse
import html
import os
from pathlib import Path

import pytest

from convarith.anim.export import OutputExistsError
from convarith.classroom import TOPICS, exercises, worksheet, write_worksheet
from convarith.cli import exercises as cli_exercises


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="convarith")
    cli_exercises.add_command(parser.add_subparsers(dest="command", required=True))
    return parser


def _run(argv: list[str]) -> None:
    args = _parser().parse_args(argv)
    args.handler(args)


def test_the_worksheet_asks_every_kind_of_every_topic_with_the_seed_numbers() -> None:
    sheet = worksheet(9)
    for t in TOPICS.values():
        assert f"## {t.number}. {t.title}" in sheet
        for ex in exercises(t.name, seed=9):
            assert ex.prompt in sheet
    assert "Answer key" not in sheet
    assert worksheet(9) == sheet and worksheet(10) != sheet


def test_the_answer_key_holds_every_answer_and_its_working() -> None:
    sheet = worksheet(3, answers=True, topics=["dilation", 11])
    questions, key = sheet.split("# Answer key (seed 3)")
    for name in ("dilation", "receptive_fields"):
        for ex in exercises(name, seed=3):
            assert f"**{ex.answer.text()}**" in key
            assert all(line in key for line in ex.working)
            assert ex.solution().splitlines()[1] not in questions


def test_html_is_a_standalone_page_with_the_key_on_a_new_page() -> None:
    page = worksheet(2, answers=True, format="html", topics=[2])
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<section class="key">' in page and "break-before: page" in page
    for ex in exercises("padding", seed=2):
        assert html.escape(ex.answer.text()) in page.split('<section class="key">')[1]
    assert "<code>mode=" in page or "<code>SAME" in page


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(seed=-1), ValueError, "`seed`"),
        (dict(seed=1, format="pdf"), ValueError, "`format` must be one of markdown, html"),
        (dict(seed=1, answers="yes"), TypeError, "`answers` must be a bool"),
        (dict(seed=1, topics=["convolution"]), ValueError, "`topic`"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        worksheet(**kwargs)


def test_cli_prints_markdown_and_the_key_with_answers(capsys: pytest.CaptureFixture[str]) -> None:
    _run(["exercises", "--seed", "7"])
    plain = capsys.readouterr().out
    assert plain == worksheet(7)
    _run(["exercises", "--seed", "7", "--answers", "--topic", "02", "--topic", "strides"])
    keyed = capsys.readouterr().out
    assert keyed == worksheet(7, answers=True, topics=["02", "strides"])


def test_cli_writes_html_atomically_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "sheet.html"
    _run(["exercises", "--seed", "1", "--format", "html", "-o", str(target)])
    assert target.read_text(encoding="utf-8") == worksheet(1, format="html")
    assert f"wrote {target}" in capsys.readouterr().out
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    target.write_text("keep me")
    with pytest.raises(OutputExistsError, match="exists"):
        _run(["exercises", "--seed", "1", "-o", str(target)])
    assert target.read_text() == "keep me"
    _run(["exercises", "--seed", "1", "-o", str(target), "--overwrite"])
    assert target.read_text(encoding="utf-8") == worksheet(1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.html"]  # no temporary file left behind


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        write_worksheet(tmp_path / "missing" / "sheet.md", "text")
    with pytest.raises(OutputExistsError, match="is a directory"):
        write_worksheet(tmp_path, "text")

    with pytest.raises(TypeError):
        write_worksheet(tmp_path / "sheet.md", 123)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("seed", ["-3", "x"])
def test_cli_refuses_a_bad_seed(seed: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["exercises", "--seed", seed])
    assert "`--seed` must be a whole number >= 0" in capsys.readouterr().err
