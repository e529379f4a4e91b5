"""The one grammar of the ``convarith`` command line, shared by every subcommand.

Sizes (input size, kernel size, stride, dilation, output padding) are ``224`` (every axis) or
``224,160`` (one value per axis). Padding is ``1`` (both sides of every axis), ``0:1``
(before:after, every axis), ``0:1,1:0`` or ``1,2`` (one entry per axis), or a rule name
(``same``, ``valid``, ``full``; ``same`` is split by ``--convention``). A layer of a stack (the
``receptive-field`` command) is ``OP:key=value,...`` with the same values: ``conv:k=3,5,p=0:1``,
with OP one of the layer ops (``conv``, ``conv_transpose``, ``max_pool``, ``avg_pool``,
``lp_pool``; ``pool`` and ``transpose`` are aliases).

Older spellings are refused with the new one in the message: ``3x5`` (now ``3,5``) and ``0/1``
(now ``0:1``). Every parse error is a :class:`GrammarError`, a ``ValueError`` whose message
names the value and the rule; the command line prints it as one line and exits with status 2.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from typing import Any

from convarith.arithmetic import CONVENTIONS
from convarith.arithmetic.ops import OP_ALIASES, OPS
from convarith.arithmetic.validate import per_axis

__all__ = [
    "CONVENTION_HELP",
    "GRAMMAR",
    "KERNEL_HELP",
    "LAYER_SYNTAX",
    "PADDING_HELP",
    "SIZE_HELP",
    "GrammarError",
    "LayerSpec",
    "NO_PADDING",
    "Padding",
    "add_dilation_option",
    "add_output_padding_option",
    "add_padding_option",
    "add_stride_option",
    "check_rule",
    "count_listed_axes",
    "expand",
    "layer_arguments",
    "number_argument",
    "padding_argument",
    "parse_layer_spec",
    "parse_padding",
    "parse_sizes",
    "size_argument",
]

SIZE_HELP = "one number for every axis, or one per axis: 224 or 224,160"
KERNEL_HELP = "kernel size, one number for every axis or one per axis: 3 or 3,5"
PADDING_HELP = (
    "N (both sides, every axis), BEFORE:AFTER (every axis), one of those per axis comma-separated "
    "(0:1,1:0 or 1,2), or a rule: same, valid, full"
)
CONVENTION_HELP = "how --padding same is split: {names} (default {default})"
LAYER_SYNTAX = (
    "OP:k=K[,s=S][,p=P][,d=D][,c=CONVENTION][,ceil] with OP conv, conv_transpose, max_pool, avg_pool or "
    "lp_pool (pool and transpose are aliases); values as in the "
    "other commands (k=3,5 per axis; p=1, p=0:1, p=1,0:1 per axis, or p=same)"
)
GRAMMAR = (
    "Sizes: 224 (every axis) or 224,160 (per axis). Padding: 1 (both sides, every axis), "
    "0:1 (before:after, every axis), 0:1,1:0 or 1,2 (per axis), or same/valid/full (with --convention)."
)
_RULES = ("same", "valid", "full")


class GrammarError(ValueError):
    """A command-line value that does not follow the grammar (the message gives the right spelling)."""


def parse_sizes(text: str, what: str = "size") -> tuple[int, ...]:
    """One value for every axis, or one per axis, comma-separated.

    Parameters
    ----------
    text : str
        ``'224'`` or ``'224,160'``.
    what : str
        How to name the value in an error message.

    Returns
    -------
    tuple of int
        One entry (every axis) or one per axis.

    Notes
    -----
    ``3x5`` (an older spelling) is refused with its new spelling ``3,5``. The numbers are not
    checked here: the layer's own validation names the rule they break (``kernel_size`` must be
    positive, ...).

    Examples
    --------
    >>> parse_sizes("224"), parse_sizes("224,160")
    ((224,), (224, 160))
    >>> parse_sizes("3x5", "kernel size")
    Traceback (most recent call last):
    ...
    convarith.cli.grammar.GrammarError: kernel size '3x5': write one value per axis with commas, as in 3,5
    """
    text = text.strip()
    if any(mark in text for mark in "x×X") and all(part.strip().isdigit() for part in _split_x(text)):
        raise GrammarError(f"{what} {text!r}: write one value per axis with commas, as in {_split_x_join(text)}")
    parts = text.split(",")
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        raise GrammarError(
            f"{what} must be an integer or comma-separated integers (224 or 224,160), got {text!r}"
        ) from None


def _split_x(text: str) -> list[str]:
    for mark in "×X":
        text = text.replace(mark, "x")
    return text.split("x")


def _split_x_join(text: str) -> str:
    return ",".join(part.strip() for part in _split_x(text))


@dataclass(frozen=True)
class Padding:
    """A parsed ``--padding``: a rule name, or ``(before, after)`` pairs (one for every axis, or one per axis).

    Examples
    --------
    >>> parse_padding("0:1").value(2)  # before:after on every axis
    ((0, 1), (0, 1))
    >>> parse_padding("1,0:1").value(2)  # per axis
    (1, (0, 1))
    >>> parse_padding("2").value(1), parse_padding("same").value(3)
    (2, 'same')
    """

    rule: str | None
    """The rule name as written (``'same'``, ``'SAME'``, ...), or None for explicit numbers."""
    pairs: tuple[tuple[int, int], ...]
    """``(before, after)``: one pair for every axis, or one per axis."""

    @property
    def axes(self) -> int | None:
        """The number of axes this padding names (None: a rule, or the same on every axis)."""
        return None if self.rule is not None or len(self.pairs) == 1 else len(self.pairs)

    def value(self, ndim: int) -> Any:
        """The padding argument of the library for a layer with ``ndim`` axes (unambiguous).

        A rule stays a string; one pair is repeated on every axis; a pair with equal sides is
        written as one int. With one axis, a single pair is the ``(before, after)`` pair itself.
        """
        if self.rule is not None:
            return self.rule
        entries = [b if b == a else (b, a) for b, a in self.pairs]
        if len(entries) == 1:
            if ndim == 1 or isinstance(entries[0], int):
                return entries[0]
            return (entries[0],) * ndim
        return tuple(entries)


def parse_padding(text: str, what: str = "padding") -> Padding:
    """``N``, ``BEFORE:AFTER``, either per axis comma-separated, or a rule name.

    Parameters
    ----------
    text : str
        ``'1'``, ``'0:1'``, ``'0:1,1:0'``, ``'1,2'``, ``'same'``.
    what : str
        How to name the value in an error message.

    Returns
    -------
    Padding

    Notes
    -----
    ``0:1`` is one ``(before, after)`` pair for every axis (it is never read as one number per
    axis: that is ``0,1``). ``0/1``, ``1x0/1`` and ``3x3`` (older spellings) are refused with their
    new spellings ``0:1``, ``1,0:1`` and ``3,3``. Rule names are words (letters and ``_``); which words a
    command accepts is checked by the command (``translate`` takes each framework's own words).

    Examples
    --------
    >>> parse_padding("0:1")
    Padding(rule=None, pairs=((0, 1),))
    >>> parse_padding("1,2").pairs  # one per axis
    ((1, 1), (2, 2))
    >>> parse_padding("0/1")
    Traceback (most recent call last):
    ...
    convarith.cli.grammar.GrammarError: padding '0/1': write BEFORE:AFTER with a colon, as in 0:1
    >>> parse_padding("3x3")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    convarith.cli.grammar.GrammarError: padding '3x3': write one padding per axis with commas, as in 3,3 ...
    """
    text = text.strip()
    if text.replace("_", "").isalpha():
        return Padding(text, ((0, 0),))
    if "/" in text or any(mark in text for mark in "x×X"):
        new = ",".join(part.strip().replace("/", ":") for part in _split_x(text))
        if "/" not in text:  # 3x3: one padding per axis (a kernel size's old spelling)
            raise GrammarError(
                f"{what} {text!r}: write one padding per axis with commas, as in {new} "
                f"(each N or BEFORE:AFTER, as in 0:1)"
            )
        rule = (
            "per-axis values with commas and BEFORE:AFTER with a colon" if "," in new else "BEFORE:AFTER with a colon"
        )
        raise GrammarError(f"{what} {text!r}: write {rule}, as in {new}")
    pairs: list[tuple[int, int]] = []
    for part in text.split(","):
        sides = part.split(":")
        if len(sides) > 2:
            raise GrammarError(f"{what} {text!r}: each axis's padding is N or BEFORE:AFTER, got {part!r}")
        try:
            numbers = [int(side) for side in sides]
        except ValueError:
            raise GrammarError(
                f"{what} must be N, BEFORE:AFTER, those per axis comma-separated (0:1,1:0), "
                f"or a rule such as same; got {text!r}"
            ) from None
        pairs.append((numbers[0], numbers[-1]))
    return Padding(None, tuple(pairs))


def size_argument(text: str) -> tuple[int, ...]:
    """:func:`parse_sizes` for ``argparse`` (its error becomes a usage error)."""
    try:
        return parse_sizes(text, "value")
    except GrammarError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def padding_argument(text: str) -> Padding:
    """:func:`parse_padding` for ``argparse`` (its error becomes a usage error)."""
    try:
        return parse_padding(text, "value")
    except GrammarError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def number_argument(text: str) -> float:
    """A finite number for ``argparse`` (``--dpi``, ``--duration``, ...); its range is checked by the library.

    Examples
    --------
    >>> number_argument("9.6")
    9.6
    >>> number_argument("inf")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: value must be a finite number, got 'inf'
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"value must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"value must be a finite number, got {text!r}")
    return value


def count_listed_axes(*values: tuple[int, ...] | Padding | None) -> int | None:
    """The number of axes listed on the command line: the longest per-axis value (None if every value is one number).

    Values that disagree are left to the layer's validation, which names them; the largest
    count is returned.

    Examples
    --------
    >>> count_listed_axes((224,), (3,), None), count_listed_axes((224, 160), (3,))
    (None, 2)
    >>> count_listed_axes((5,), parse_padding("1,0:1"))
    2
    """
    counts = [v.axes if isinstance(v, Padding) else len(v) for v in values if v is not None]
    multi = [c for c in counts if c is not None and c > 1]
    return max(multi) if multi else None


def expand(values: tuple[int, ...], ndim: int) -> int | tuple[int, ...]:
    """The size argument of the library: an int with one axis, else one value per axis.

    One number is spread over the axes by :func:`convarith.arithmetic.validate.per_axis` (the
    library's one per-axis rule), unbounded here: the layer's validation names a number out of
    range, or per-axis values whose count is not ``ndim``, with the parameter's name.

    Examples
    --------
    >>> expand((3,), 1), expand((3,), 2), expand((3, 5), 2)
    (3, (3, 3), (3, 5))
    """
    if len(values) != 1:
        return values
    return values[0] if ndim == 1 else per_axis(values[0], "value", ndim, minimum=None, maximum=None)


@dataclass(frozen=True)
class LayerSpec:
    """One ``OP:key=value,...`` layer token, parsed but not yet validated (``kind`` is the op)."""

    kind: str
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...] | None
    padding: Padding
    dilation: tuple[int, ...]
    convention: str | None
    ceil_mode: bool

    @property
    def axes(self) -> int | None:
        """The number of axes the token names (None: every value applies to every axis)."""
        return count_listed_axes(self.kernel_size, self.stride, self.padding, self.dilation)


_KEYS = {"k": "kernel size", "s": "stride", "p": "padding", "d": "dilation", "c": "convention"}
_FLAGS = ("ceil",)


def parse_layer_spec(token: str) -> LayerSpec:
    """Parse one layer of a stack: ``conv:k=7,s=2,p=3``, ``max_pool:k=3,s=2,p=1,ceil``, ``conv:k=3,5,p=0:1,1:0``.

    Parameters
    ----------
    token : str
        ``OP:key=value,...`` (see ``LAYER_SYNTAX``); ``pool`` and ``transpose`` become
        ``max_pool`` and ``conv_transpose``.

    Returns
    -------
    LayerSpec

    Notes
    -----
    Items are split at commas; an item without ``=`` that is not the flag ``ceil`` continues the
    value before it, so per-axis values keep the grammar of the other commands (``k=3,5``).

    Examples
    --------
    >>> spec = parse_layer_spec("conv:k=3,5,s=2,p=1,0:1")
    >>> spec.kernel_size, spec.stride, spec.padding.pairs
    ((3, 5), (2,), ((1, 1), (0, 1)))
    """
    kind, sep, rest = token.partition(":")
    if not sep or kind not in (*OPS, *OP_ALIASES):
        ops = ", ".join(f"{op}:" for op in OPS)
        aliases = ", ".join(f"{alias}: for {op}:" for alias, op in OP_ALIASES.items())
        raise GrammarError(f"layer {token!r} must start with an op, {ops} (or {aliases}), as in conv:k=3,s=2,p=1")
    kind = OP_ALIASES.get(kind, kind)
    values: dict[str, str] = {}
    ceil_mode = False
    last: str | None = None
    for item in rest.split(","):
        key, eq, value = item.partition("=")
        if not eq:
            if item in _FLAGS:
                ceil_mode, last = True, None
            elif last is not None and item:
                values[last] += "," + item
            else:
                raise GrammarError(f"layer {token!r}: {item!r} is not key=value (use k, s, p, d, c, or the flag ceil)")
            continue
        if key not in _KEYS:
            raise GrammarError(f"layer {token!r}: unknown key {key!r} (use k, s, p, d, c, or the flag ceil)")
        if key in values:
            raise GrammarError(f"layer {token!r}: {key}= is given twice")
        if not value:
            raise GrammarError(f"layer {token!r}: {key}= has no value")
        values[key], last = value, key
    if "k" not in values:
        raise GrammarError(f"layer {token!r} has no kernel size k=...")

    def sizes(key: str) -> tuple[int, ...]:
        try:
            return parse_sizes(values[key], f"`{key}`")
        except GrammarError as error:
            raise GrammarError(f"layer {token!r}: {error}") from None

    try:
        padding = parse_padding(values.get("p", "0"), "`p`")
    except GrammarError as error:
        raise GrammarError(f"layer {token!r}: {error}") from None
    return LayerSpec(
        kind=kind,
        kernel_size=sizes("k"),
        stride=sizes("s") if "s" in values else None,
        padding=padding,
        dilation=sizes("d") if "d" in values else (1,),
        convention=values.get("c"),
        ceil_mode=ceil_mode,
    )


def check_rule(padding: Padding, allowed: tuple[str, ...] = ("same", "valid", "full")) -> None:
    """Refuse a padding word other than ``allowed`` (a convention name gets the right spelling).

    Examples
    --------
    >>> from convarith.cli.grammar import parse_padding
    >>> check_rule(parse_padding("caffe"))
    Traceback (most recent call last):
    ...
    convarith.cli.grammar.GrammarError: `--padding` 'caffe' is a convention: write --padding same --convention caffe
    """
    if padding.rule is None or padding.rule.lower() in allowed:
        return
    if padding.rule.lower() in CONVENTIONS and "same" in allowed:
        raise GrammarError(
            f"`--padding` {padding.rule!r} is a convention: write --padding same --convention {padding.rule.lower()}"
        )
    if not allowed:
        raise GrammarError(
            f"`--padding` {padding.rule!r}: this layer takes numbers only (N, BEFORE:AFTER, or per axis)"
        )
    raise GrammarError(f"`--padding` must be numbers or one of {', '.join(allowed)}; got {padding.rule!r}")


def layer_arguments(args: argparse.Namespace, sizes: tuple[str, ...], *, default_ndim: int = 1) -> dict[str, Any]:
    """The library's arguments for the size options ``sizes`` and ``--padding`` of ``args``, unambiguous per axis.

    The number of axes comes from the per-axis values (``224,160``), else ``default_ndim``;
    every one-number size is repeated on each axis and ``--padding 0:1`` becomes one pair per
    axis. Options left at None stay None.
    """
    padding: Padding | None = getattr(args, "padding", None)
    values = [getattr(args, name) for name in sizes]
    ndim = count_listed_axes(*values, padding) or default_ndim
    result: dict[str, Any] = {
        name: None if v is None else expand(v, ndim) for name, v in zip(sizes, values, strict=True)
    }
    if padding is not None:
        if padding.rule is not None:
            result["padding"] = padding.rule.lower()
        else:
            result["padding"] = padding.value(ndim)
    return result


# --------------------------------------------------------------------------------------------
# the options every layer command shares, declared once

NO_PADDING = Padding(None, ((0, 0),))
"""The default ``--padding``: none on either side."""


def add_stride_option(parser: argparse.ArgumentParser, default: str = "1") -> None:
    """``-s/--stride SIZE``; unset (None) means ``default``, which the help names."""
    parser.add_argument(
        "-s", "--stride", type=size_argument, default=None, metavar="SIZE", help=f"stride (default {default})"
    )


def add_dilation_option(parser: argparse.ArgumentParser) -> None:
    """``-d/--dilation SIZE`` (default 1)."""
    parser.add_argument(
        "-d", "--dilation", type=size_argument, default=(1,), metavar="SIZE", help="dilation (default 1)"
    )


def add_padding_option(parser: argparse.ArgumentParser, numbers_only: str | None = None) -> None:
    """``-p/--padding``: numbers or a rule; with ``numbers_only`` (what the padding does), numbers only."""
    text = PADDING_HELP
    if numbers_only is not None:
        text = f"{numbers_only}: N, BEFORE:AFTER, or those per axis comma-separated (default 0)"
    parser.add_argument("-p", "--padding", type=padding_argument, default=NO_PADDING, help=text)


def add_output_padding_option(parser: argparse.ArgumentParser) -> None:
    """``-a/--output-padding SIZE`` of a transposed convolution (default 0)."""
    parser.add_argument(
        "-a",
        "--output-padding",
        type=size_argument,
        default=(0,),
        metavar="SIZE",
        help="extra cells on the far side of the output (default 0)",
    )
