"""Beamer snippets: ``\\animategraphics`` gets a LaTeX width, and the snippets compile with pdflatex.

The compile test needs ``pdflatex`` with the ``beamer`` and ``animate`` packages (Debian:
``apt-get install texlive-latex-extra texlive-latex-recommended``); it skips, saying so, without.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from convarith.anim.export import save, save_beamer
from convarith.anim.scenes import conv_scene
from convarith.cli import main

ANIMATE = re.compile(r"\\animategraphics\[([^\]]*)\]\{([^}]*)\}\{([^}]*)\}\{([^}]*)\}\{([^}]*)\}")


def options_of(tex: Path) -> dict[str, str]:
    match = ANIMATE.search(tex.read_text(encoding="utf-8"))
    assert match, tex.read_text(encoding="utf-8")
    return dict(item.partition("=")[::2] for item in match.group(1).split(","))


def pdf_page_width_points(path: Path) -> float:
    match = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]", path.read_bytes())
    assert match, path
    return float(match.group(1))


def test_cli_beamer_width_is_a_latex_length(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's example: the frame width in inches (9.6) used to become ``width=9.6``, which LaTeX refuses."""
    out = tmp_path / "pool.tex"
    status = main(["animate", "max_pool", "-i", "5,6", "-k", "2", "--ceil-mode", "-o", str(out), "--dpi", "10"])
    assert status == 0, capsys.readouterr().err
    assert options_of(out)["width"] == r"\linewidth"
    assert len(list((tmp_path / "pool").glob("pool-*.pdf"))) == 9  # ceil(5/2) x ceil(6/2) windows


def test_frame_width_shapes_the_frames_not_the_latex_width(tmp_path: Path) -> None:
    tex = save(conv_scene((4, 4), 3), tmp_path / "fig.tex", width=4.8, height=2.7, dpi=10)
    assert isinstance(tex, Path)
    assert options_of(tex)["width"] == r"\linewidth"
    assert pdf_page_width_points(tmp_path / "fig" / "fig-000.pdf") == pytest.approx(4.8 * 72)


def test_latex_width_is_passed_through(tmp_path: Path) -> None:
    tex = save_beamer(conv_scene((4, 4), 3), tmp_path / "fig.tex", latex_width=r"0.8\textwidth", fmt="png", dpi=10)
    assert options_of(tex)["width"] == r"0.8\textwidth"


@pytest.mark.parametrize("width", ["9.6", "", "wide", r"\linewidth}{"])
def test_latex_width_without_a_unit_is_refused(tmp_path: Path, width: str) -> None:
    with pytest.raises(ValueError, match="`latex_width` must be a LaTeX length with its unit"):
        save_beamer(conv_scene((4, 4), 3), tmp_path / "fig.tex", latex_width=width, fmt="png", dpi=10)
    assert not list(tmp_path.iterdir())


DOCUMENT = r"""\documentclass{beamer}
\usepackage{animate}
\begin{document}
\begin{frame}{animate -o pool.tex}
\input{pool.tex}
\end{frame}
\begin{frame}{gallery --format beamer}
\input{no_padding_no_strides.tex}
\end{frame}
\end{document}
"""


@pytest.mark.slow
def test_snippets_compile_with_pdflatex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        pytest.skip("pdflatex is not installed (Debian: apt-get install texlive-latex-extra texlive-latex-recommended)")
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is not None:
        for package in ("beamer.cls", "animate.sty"):
            found = subprocess.run([kpsewhich, package], capture_output=True, text=True, check=False).stdout.strip()
            if not found:
                pytest.skip(f"{package} is not installed (Debian: apt-get install texlive-latex-extra)")
    # The snippets name their frames relative to themselves: the slides sit beside them.
    slides = tmp_path / "beamer"
    status = main(
        [
            "gallery",
            str(tmp_path),
            "--format",
            "beamer",
            "--only",
            "no_padding_no_strides",
            "--dpi",
            "10",
            "--no-progress",
        ]
    )
    assert status == 0, capsys.readouterr().err
    status = main(
        ["animate", "max_pool", "-i", "5,6", "-k", "2", "--ceil-mode", "-o", str(slides / "pool.tex"), "--dpi", "10"]
    )
    assert status == 0, capsys.readouterr().err
    (slides / "slides.tex").write_text(DOCUMENT, encoding="utf-8")
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "slides.tex"],
        cwd=slides,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    log = "".join((slides / "slides.log").read_text(encoding="utf-8", errors="replace").splitlines())  # TeX wraps at 79
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Illegal unit" not in log and "not found" not in log
    assert (slides / "slides.pdf").stat().st_size > 1000
    assert "Output written on slides.pdf (" in "".join(done.stdout.splitlines()), done.stdout[-500:]
    # every frame was read: 9 pool windows (ceil(5/2) x ceil(6/2)) and the gallery figure's 4
    for frame in [*(f"pool/pool-{n:03d}.pdf" for n in range(9)), "no_padding_no_strides/no_padding_no_strides-003.pdf"]:
        assert frame in log, frame
