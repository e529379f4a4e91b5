"""Files written atomically: a temporary file beside the target, then a rename.

An existing file is never replaced unless ``overwrite=True`` (else :class:`OutputExistsError`,
which is both a :class:`FileExistsError` and a :class:`ValueError`); a failed write leaves
nothing behind. :mod:`convarith.anim.export` and :mod:`convarith.classroom` write through here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["OutputExistsError", "check_target", "current_umask", "write_atomically"]


class OutputExistsError(FileExistsError, ValueError):
    """A file to be written exists already and ``overwrite`` was not set (or the path is a folder).

    Parameters
    ----------
    path : path-like
        The file (kept as :attr:`path`).
    what : str
        What overwriting would replace, for the message ("it", "the gallery").
    directory : bool
        The path is a folder, not a file (no overwrite replaces it).

    Examples
    --------
    >>> error = OutputExistsError("sheet.md")
    >>> str(error)
    "'sheet.md' exists; pass overwrite=True (--overwrite) to replace it"
    >>> error.advice("pass --overwrite")  # a front end's words for the same choice
    "'sheet.md' exists; pass --overwrite to replace it"
    """

    def __init__(self, path: str | os.PathLike[str], what: str = "it", *, directory: bool = False) -> None:
        self.path = Path(path)
        self.what = what
        self.directory = directory
        super().__init__(self.advice("pass overwrite=True (--overwrite)"))

    def advice(self, how: str) -> str:
        """The message, with ``how`` saying how to replace the file ("tick overwrite", ...)."""
        if self.directory:
            return f"`path` {str(self.path)!r} is a directory, not a file"
        return f"{str(self.path)!r} exists; {how} to replace {self.what}"


def check_target(path: Path, overwrite: bool) -> None:
    """Refuse a directory, an existing file (unless ``overwrite``) or a missing parent folder."""
    if path.is_dir():
        raise OutputExistsError(path, directory=True)
    if path.exists() and not overwrite:
        raise OutputExistsError(path)
    if not path.parent.is_dir():
        raise ValueError(f"`path` {str(path)!r}: the directory {str(path.parent)!r} does not exist")


def write_atomically(path: Path, write: Callable[[Path], object], overwrite: bool) -> Path:
    """Call ``write(temporary)`` then move the temporary file onto ``path``; clean up on failure."""
    check_target(path, overwrite)
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o666 & ~current_umask())  # mkstemp makes 0600; give the usual permissions
        if not overwrite and path.exists():  # appeared while we were writing
            raise OutputExistsError(path)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    return path


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
