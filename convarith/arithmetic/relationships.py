"""The 15 numbered relationships of Dumoulin & Visin's guide, and which one covers a layer.

:data:`RELATIONSHIPS` maps each relationship's number (1 to 15, as in the guide) to a
:class:`Relationship`: its conditions, its formula as text, and the formula as a function;
:func:`relationship` finds the most specific one for a layer. Every relationship is a special case
of the general formulas of :mod:`convarith.arithmetic.formulas`.

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from convarith.arithmetic.validate import check_bool, check_minimum, shown

__all__ = ["RELATIONSHIPS", "Relationship", "Relationships", "relationship"]


@dataclass(frozen=True)
class Relationship:
    """One of the 15 numbered relationships of Dumoulin & Visin's guide.

    Attributes
    ----------
    number : int
        1 to 15, as numbered in the guide.
    name : str
        A short name (``"half padding"``, ``"transposed, general"``, ...).
    conditions : str
        When the relationship holds, in the guide's symbols.
    formula : str
        The output size, in the guide's symbols.
    transposed : bool
        Whether ``output`` gives the size of a transposed convolution.
    holds : callable
        ``holds(i, k, s, p, d)`` tells whether the conditions are met.
    output : callable
        ``output(i, k, s, p, d)`` evaluates the formula (``i`` is ``i'`` when transposed).
    """

    number: int
    name: str
    conditions: str
    formula: str
    transposed: bool
    holds: Callable[[int, int, int, int, int], bool]
    output: Callable[[int, int, int, int, int], int]

    def __repr__(self) -> str:
        return f"Relationship {self.number} ({self.name}): {self.formula}  [{self.conditions}]"


def _r(number: int, name: str, conditions: str, formula: str, holds: Any, output: Any) -> Relationship:
    return Relationship(number, name, conditions, formula, number >= 8 and number <= 14, holds, output)


_ALL: tuple[Relationship, ...] = (
    _r(1, "no padding, unit strides", "s = 1, p = 0", "o = i - k + 1",
       lambda i, k, s, p, d: s == 1 and p == 0 and d == 1, lambda i, k, s, p, d: i - k + 1),
    _r(2, "zero padding, unit strides", "s = 1", "o = i - k + 2p + 1",
       lambda i, k, s, p, d: s == 1 and d == 1, lambda i, k, s, p, d: i - k + 2 * p + 1),
    _r(3, "half (same) padding", "s = 1, k odd, p = floor(k/2)", "o = i",
       lambda i, k, s, p, d: s == 1 and d == 1 and k % 2 == 1 and p == k // 2, lambda i, k, s, p, d: i),
    _r(4, "full padding", "s = 1, p = k - 1", "o = i + k - 1",
       lambda i, k, s, p, d: s == 1 and d == 1 and p == k - 1, lambda i, k, s, p, d: i + k - 1),
    _r(5, "no padding, strides", "p = 0", "o = floor((i - k)/s) + 1",
       lambda i, k, s, p, d: p == 0 and d == 1, lambda i, k, s, p, d: (i - k) // s + 1),
    _r(6, "zero padding, strides", "any i, k, s, p", "o = floor((i + 2p - k)/s) + 1",
       lambda i, k, s, p, d: d == 1, lambda i, k, s, p, d: (i + 2 * p - k) // s + 1),
    _r(7, "pooling", "p = 0 (any pooling function)", "o = floor((i - k)/s) + 1",
       lambda i, k, s, p, d: p == 0 and d == 1, lambda i, k, s, p, d: (i - k) // s + 1),
    _r(8, "transposed, no padding, unit strides", "k' = k, s' = 1, p' = k - 1 (transpose of 1)",
       "o' = i' + (k - 1)",
       lambda i, k, s, p, d: s == 1 and p == 0 and d == 1, lambda i, k, s, p, d: i + k - 1),
    _r(9, "transposed, zero padding, unit strides", "k' = k, s' = 1, p' = k - p - 1 (transpose of 2)",
       "o' = i' + (k - 1) - 2p",
       lambda i, k, s, p, d: s == 1 and d == 1, lambda i, k, s, p, d: i + k - 1 - 2 * p),
    _r(10, "transposed, half padding", "k odd, p = floor(k/2), s = 1, p' = p (transpose of 3)", "o' = i'",
       lambda i, k, s, p, d: s == 1 and d == 1 and k % 2 == 1 and p == k // 2, lambda i, k, s, p, d: i),
    _r(11, "transposed, full padding", "p = k - 1, s = 1, p' = 0 (transpose of 4)", "o' = i' - (k - 1)",
       lambda i, k, s, p, d: s == 1 and d == 1 and p == k - 1, lambda i, k, s, p, d: i - (k - 1)),
    _r(12, "transposed, no padding, strides",
       "p = 0, s divides i - k; zeros inserted, k' = k, s' = 1, p' = k - 1 (transpose of 5)",
       "o' = s(i' - 1) + k",
       lambda i, k, s, p, d: p == 0 and d == 1, lambda i, k, s, p, d: s * (i - 1) + k),
    _r(13, "transposed, padding, strides",
       "s divides i + 2p - k; zeros inserted, k' = k, s' = 1, p' = k - p - 1 (transpose of 6)",
       "o' = s(i' - 1) + k - 2p",
       lambda i, k, s, p, d: d == 1, lambda i, k, s, p, d: s * (i - 1) + k - 2 * p),
    _r(14, "transposed, general", "a = (i + 2p - k) mod s extra units; k' = k, s' = 1, p' = k - p - 1",
       "o' = s(i' - 1) + a + k - 2p",
       lambda i, k, s, p, d: d == 1, lambda i, k, s, p, d: s * (i - 1) + k - 2 * p),
    _r(15, "dilated convolution", "any i, k, s, p, d", "o = floor((i + 2p - k - (k - 1)(d - 1))/s) + 1",
       lambda i, k, s, p, d: True, lambda i, k, s, p, d: (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1),
)  # fmt: skip


class Relationships(Mapping[int, Relationship]):
    """The guide's relationships by their number: ``RELATIONSHIPS[13]`` is relationship 13.

    A read-only mapping from 1..15 to :class:`Relationship`, in order; iterate over
    ``.values()`` for the relationships themselves. Index 0 raises a ``KeyError`` that says the
    numbers start at 1, as in the guide and in :func:`relationship`.

    Examples
    --------
    >>> RELATIONSHIPS[13].formula
    "o' = s(i' - 1) + k - 2p"
    >>> [r.number for r in RELATIONSHIPS.values()][:3]
    [1, 2, 3]
    """

    def __init__(self, relationships: tuple[Relationship, ...]) -> None:
        self._by_number = {r.number: r for r in relationships}

    def __getitem__(self, number: int) -> Relationship:
        try:
            return self._by_number[number]
        except (KeyError, TypeError):
            raise KeyError(
                f"relationships are numbered 1 to {len(self._by_number)} as in the guide, got {shown(number)}"
            ) from None

    def __iter__(self) -> Iterator[int]:
        return iter(self._by_number)

    def __len__(self) -> int:
        return len(self._by_number)

    def __repr__(self) -> str:
        return "\n".join(repr(r) for r in self._by_number.values())


RELATIONSHIPS = Relationships(_ALL)
"""The guide's 15 relationships, by number (``RELATIONSHIPS[n].number == n``).

Relationship 14's ``output`` leaves out ``a``: add the ``output_padding`` yourself.
"""


def relationship(
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    *,
    transposed: bool = False,
    pooling: bool = False,
    input_size: int | None = None,
) -> Relationship:
    """The most specific of the guide's relationships that covers a layer.

    Parameters
    ----------
    kernel_size, stride, padding, dilation : int
        One axis, symmetric padding.
    transposed : bool
        Look among relationships 8-14 (the transpose of the convolution with these parameters).
    pooling : bool
        A pooling layer without padding (relationship 7).
    input_size : int, optional
        With ``transposed`` and a stride > 1: the forward convolution's input size ``i``, which
        tells whether ``s`` divides ``i + 2p - k`` (relationships 12, 13) or an extra ``a`` is
        needed (14). Without it the general relationship 14 is returned.

    Returns
    -------
    Relationship

    Notes
    -----
    The checks go from the most specific case to the most general: direct convolutions
    1, 3, 4, 2, 5, 6 then 15 (dilation); transposed 8, 10, 11, 9 at unit stride, then 12, 13 when
    ``s`` divides ``i + 2p - k``, else 14. Every relationship is a special case of the general
    formulas in :func:`conv_output_size` and :func:`conv_transpose_output_size`.

    Examples
    --------
    >>> relationship(3, padding=1).number  # half padding
    3
    >>> relationship(3, stride=2, padding=1, transposed=True, input_size=5).number  # s divides 4
    13
    >>> relationship(3, stride=2, padding=1, transposed=True, input_size=6).number  # a = 1
    14
    >>> relationship(3, dilation=2).number
    15
    """
    k = check_minimum(kernel_size, "kernel_size", 1)
    s = check_minimum(stride, "stride", 1)
    p = check_minimum(padding, "padding", 0)
    d = check_minimum(dilation, "dilation", 1)
    transposed = check_bool(transposed, "transposed")
    pooling = check_bool(pooling, "pooling")
    i = None if input_size is None else check_minimum(input_size, "input_size", 1)
    if pooling:
        if p != 0 or d != 1:
            raise ValueError(
                f"`pooling`: the guide's pooling relationship 7 has no padding or dilation, got `padding` {p}, "
                f"`dilation` {d}"
            )
        return RELATIONSHIPS[7]
    if not transposed:
        for number in (1, 3, 4, 2, 5, 6, 15):
            if RELATIONSHIPS[number].holds(1, k, s, p, d):
                return RELATIONSHIPS[number]
        raise AssertionError("relationship 15 always holds")  # pragma: no cover
    if d != 1:
        raise ValueError(f"`dilation` {d}: the guide's transposed relationships 8-14 have no dilation")
    if s == 1:
        for number in (8, 10, 11, 9):
            if RELATIONSHIPS[number].holds(1, k, s, p, d):
                return RELATIONSHIPS[number]
    if i is None:
        return RELATIONSHIPS[14]
    if (i + 2 * p - k) % s != 0:
        return RELATIONSHIPS[14]
    return RELATIONSHIPS[12] if p == 0 else RELATIONSHIPS[13]
