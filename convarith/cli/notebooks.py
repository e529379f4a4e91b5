"""``convarith notebooks DIR``: copy the classroom notebooks into a folder, and say how to open them.

The notebooks ship inside the wheel as package data (``convarith/notebooks/*.ipynb``); in an
editable install of the repository they are read from its ``notebooks/`` folder instead.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from convarith.anim.files import current_umask

__all__ = ["add_command", "copy_notebooks", "find_notebooks"]


def find_notebooks() -> list[Traversable]:
    """The classroom notebooks, in order: the package's data, else the repository's ``notebooks/``.

    Returns
    -------
    list of Traversable
        ``01_discrete_convolution.ipynb``, ... (read them with ``read_bytes``).

    Notes
    -----
    A wheel holds them as ``convarith/notebooks/`` (hatch ``force-include`` in ``pyproject.toml``);
    an editable install runs from the source tree, where they sit beside the package.

    Examples
    --------
    >>> [n.name for n in find_notebooks()][:2]
    ['01_discrete_convolution.ipynb', '02_padding.ipynb']
    """
    packaged = resources.files("convarith") / "notebooks"
    candidates: list[Traversable] = [packaged]
    source_tree = Path(str(resources.files("convarith"))).parent
    if (source_tree / "pyproject.toml").is_file():
        candidates.append(source_tree / "notebooks")
    for folder in candidates:
        if folder.is_dir():
            found = sorted((f for f in folder.iterdir() if f.name.endswith(".ipynb")), key=lambda f: f.name)
            if found:
                return found
    raise FileNotFoundError("the notebooks are not installed with this copy of convarith (reinstall it from a wheel)")


def copy_notebooks(outdir: str | os.PathLike[str], *, overwrite: bool = False) -> list[Path]:
    """Copy every notebook into ``outdir`` (created if missing), all or nothing.

    Parameters
    ----------
    outdir : str or path-like
        The folder to copy into.
    overwrite : bool
        Replace notebooks already there (else a ``FileExistsError`` and nothing is written).

    Returns
    -------
    list of Path
        The copies.

    Notes
    -----
    Every notebook is first written to a temporary file in ``outdir``; only when all are written
    are they renamed into place, so an interrupted copy leaves no partial notebook.

    Examples
    --------
    >>> import tempfile
    >>> copy_notebooks(tempfile.mkdtemp())[0].name
    '01_discrete_convolution.ipynb'
    """
    sources = find_notebooks()
    root = Path(outdir)
    if root.exists() and not root.is_dir():
        raise NotADirectoryError(f"`DIR` {str(root)!r} is a file, not a folder")
    targets = [root / source.name for source in sources]
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise FileExistsError(f"{str(existing[0])!r} exists{more}; pass --overwrite to replace the notebooks")
    created = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    temporaries: list[Path] = []
    try:
        for source in sources:
            handle, name = tempfile.mkstemp(prefix=f".{source.name}.", suffix=".tmp", dir=root)
            temporaries.append(Path(name))
            with os.fdopen(handle, "wb") as file:
                file.write(source.read_bytes())
            os.chmod(name, 0o666 & ~current_umask())
        if not overwrite and any(t.exists() for t in targets):  # appeared while we were copying
            raise FileExistsError(
                f"notebooks appeared in {str(root)!r} while copying; pass --overwrite to replace them"
            )
        for temporary, target in zip(temporaries, targets, strict=True):
            os.replace(temporary, target)
    except BaseException:
        for temporary in temporaries:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        if created:
            with contextlib.suppress(OSError):
                root.rmdir()
        raise
    return targets


def _notebooks(args: argparse.Namespace) -> None:
    if not args.directory.strip():
        raise ValueError("`DIR` is empty; give a folder name such as convarith-notebooks (. for the current folder)")
    copies = copy_notebooks(args.directory, overwrite=args.overwrite)
    where = Path(args.directory).resolve()
    print(
        f"copied {len(copies)} notebooks to {where}\n"
        f"open them with:  jupyter lab {shlex.quote(str(args.directory))}\n"
        'they need the notebook extras:  python -m pip install "convarith[notebooks]"'
    )


def add_command(commands: Any) -> None:
    """Add ``notebooks`` to the ``convarith`` subcommands."""
    notebooks = commands.add_parser(
        "notebooks",
        help="copy the classroom notebooks into a folder",
        description="Copy the classroom notebooks (discrete convolution to receptive fields) into DIR, "
        "then open them with jupyter lab DIR.",
        epilog="example: convarith notebooks convarith-notebooks && jupyter lab convarith-notebooks",
    )
    notebooks.add_argument("directory", metavar="DIR", help="folder to copy into (created if missing)")
    notebooks.add_argument("--overwrite", action="store_true", help="replace notebooks already in DIR")
    notebooks.set_defaults(handler=_notebooks)
