"""Small English for generated sentences: plurals, articles, lists and cell names.

Every sentence the package writes with numbers in it (worksheets, widget lines, captions) goes
through these few functions, so that none says "a 8×8 input", "1 cells", "channel(s)" or
"output cell (0,)". Nothing here imports anything: every layer of the package may use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["and_list", "cell_name", "plural", "with_article"]

_LEADING_NUMBER = re.compile(r"\d+")
_A_BEFORE = ("one", "uni", "use", "usu", "eu")  # vowel letters that sound like a consonant


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``count`` and the noun, singular for one and plural otherwise.

    Parameters
    ----------
    count : int
    noun : str
        The singular (``'cell'``, ``'output channel'``); its last word is the one made plural.
    plural_form : str, optional
        The plural when adding ``s`` is wrong (``'matrices'``); default: ``noun + 's'``.

    Returns
    -------
    str
        ``'1 cell'``, ``'0 cells'``, ``'3 cells'``.

    Notes
    -----
    English uses the singular for exactly one and the plural for every other count, zero too.

    Examples
    --------
    >>> plural(1, "cell"), plural(0, "cell"), plural(4, "output channel"), plural(2, "matrix", "matrices")
    ('1 cell', '0 cells', '4 output channels', '2 matrices')
    """
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural_form if plural_form is not None else noun + 's'}"


def _takes_an(phrase: str) -> bool:
    text = phrase.lstrip("`'\"(")
    number = _LEADING_NUMBER.match(text)
    if number:
        digits = number.group()
        # eight, eighty, eight hundred...; eleven, eighteen (and eleven/eighteen thousand ...)
        return (
            digits.startswith("8") or digits in ("11", "18") or (len(digits) in (5, 6) and digits[:2] in ("11", "18"))
        )
    word = text.lower()
    return word[:1] in ("a", "e", "i", "o", "u") and not word.startswith(_A_BEFORE)


def with_article(phrase: str) -> str:
    """``phrase`` with ``a`` or ``an`` in front, as it is said: ``'an 8×8 input'``, ``'a 3×3 kernel'``.

    Parameters
    ----------
    phrase : str
        Starts with a word or a number (digits are read as said: 8 "eight", 11 "eleven").

    Returns
    -------
    str

    Notes
    -----
    ``an`` goes before a vowel sound: numbers said with a leading vowel (8, 11, 18, 80-89,
    800-899, ...) and words starting with a, e, i, o, u, except those said with a consonant
    sound (one, uni-, use, eu-).

    Examples
    --------
    >>> with_article("8×8 input"), with_article("3×3 kernel"), with_article("11×11 input"), with_article("input")
    ('an 8×8 input', 'a 3×3 kernel', 'an 11×11 input', 'an input')
    >>> with_article("1×1 convolution"), with_article("one-sided padding")
    ('a 1×1 convolution', 'a one-sided padding')
    """
    return f"{'an' if _takes_an(phrase) else 'a'} {phrase}"


def and_list(items: Iterable[object]) -> str:
    """Items joined as a sentence lists them: ``'0'``, ``'0 and 1'``, ``'0, 1 and 2'``.

    Examples
    --------
    >>> and_list([0]), and_list([0, 1]), and_list(["rows", "columns", "channels"]), and_list([])
    ('0', '0 and 1', 'rows, columns and channels', '')
    """
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def cell_name(coord: Sequence[int] | int) -> str:
    """A cell's index as a sentence writes it: ``'3'`` on one axis, ``'(1, 2)'`` on several.

    Notes
    -----
    A one-axis index is a plain number, never Python's one-element tuple ``(3,)``.

    Examples
    --------
    >>> cell_name((3,)), cell_name((1, 2)), cell_name(4)
    ('3', '(1, 2)', '4')
    """
    if isinstance(coord, int):
        return str(coord)
    values = [int(v) for v in coord]
    if len(values) == 1:
        return str(values[0])
    return "(" + ", ".join(map(str, values)) + ")"
