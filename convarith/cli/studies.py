"""The ``receptive-field`` and ``translate`` commands of the ``convarith`` command line.

Arguments are parsed inside the handlers, so that every mistake becomes one ``ValueError`` line
(printed by :func:`convarith.cli.main`, exit status 2).
"""

from __future__ import annotations

import argparse
from typing import Any

from convarith.arithmetic.formulas import CONVENTIONS
from convarith.studies.frameworks import FRAMEWORKS, translate
from convarith.studies.receptive import Layer, layer, receptive_field

__all__ = ["add_commands", "parse_layer"]

LAYER_SYNTAX = (
    "KIND:k=K[,s=S][,p=P][,d=D][,c=CONVENTION][,ceil] with KIND conv or pool; per-axis values joined by x "
    "(k=3x5); P is N, BEFORE/AFTER (0/1), per axis (1x0/1), or same/valid/full"
)


def _int(text: str, what: str, token: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"layer {token!r}: `{what}` must be an integer, got {text!r}") from None


def _sizes(text: str, what: str, token: str) -> int | tuple[int, ...]:
    values = tuple(_int(v, what, token) for v in text.split("x"))
    return values[0] if len(values) == 1 else values


def _layer_padding(text: str, token: str) -> Any:
    if text.isalpha():
        return text.lower()
    axes: list[Any] = []
    for part in text.split("x"):
        pieces = part.split("/")
        if len(pieces) > 2:
            raise ValueError(f"layer {token!r}: padding {part!r} must be N or BEFORE/AFTER")
        values = tuple(_int(p, "p", token) for p in pieces)
        axes.append(values[0] if len(values) == 1 else values)
    if len(axes) == 1:
        return axes[0]
    return tuple(axes)


def parse_layer(token: str, convention: str = "tensorflow") -> Layer:
    """A :class:`convarith.studies.receptive.Layer` from ``'conv:k=7,s=2,p=3'`` (see ``LAYER_SYNTAX``)."""
    kind, sep, rest = token.partition(":")
    if not sep or kind not in ("conv", "pool"):
        raise ValueError(f"layer {token!r} must start with conv: or pool:, as in {LAYER_SYNTAX}")
    options: dict[str, Any] = {"convention": convention}
    kernel: Any = None
    stride: Any = None
    padding: Any = 0
    dilation: Any = 1
    for item in filter(None, rest.split(",")):
        key, eq, value = item.partition("=")
        if key == "ceil" and not eq:
            options["ceil_mode"] = True
        elif not eq or not value:
            raise ValueError(f"layer {token!r}: {item!r} is not key=value ({LAYER_SYNTAX})")
        elif key == "k":
            kernel = _sizes(value, "k", token)
        elif key == "s":
            stride = _sizes(value, "s", token)
        elif key == "d":
            dilation = _sizes(value, "d", token)
        elif key == "p":
            padding = _layer_padding(value, token)
        elif key == "c":
            options["convention"] = value
        else:
            raise ValueError(f"layer {token!r}: unknown key {key!r} (use k, s, p, d, c, ceil)")
    if kernel is None:
        raise ValueError(f"layer {token!r} has no kernel size k=...")
    return layer(kind, kernel, stride, padding, dilation, **options)  # type: ignore[arg-type]


def _receptive_field(args: argparse.Namespace) -> None:
    if args.convention not in CONVENTIONS:
        raise ValueError(f"`--convention` must be one of {', '.join(CONVENTIONS)}; got {args.convention!r}")
    layers = [parse_layer(token, args.convention) for token in args.layers]
    size = None if args.input_size is None else _comma_ints(args.input_size, "--input-size")
    rf = receptive_field(layers, size)
    lines = [repr(rf)]  # everything is computed before anything is printed
    if args.output is not None:
        y = _comma_ints(args.output, "--output")
        lines.append(f"output {args.output}: input interval {rf.interval(y)}, centre {rf.centre(y)}")
    if args.input is not None:
        reading = rf.outputs_reading(_comma_ints(args.input, "--input"))
        lines.append(f"input {args.input} is seen by outputs {reading}")
    print("\n".join(lines))


def _padding_argument(text: str) -> Any:
    """``'SAME'``, ``'3'``, ``'2:3'``, ``'1,2'`` (per axis), ``'2:3,1:1'``."""
    if text.replace("_", "").isalpha():
        return text
    axes: list[Any] = []
    for part in text.split(","):
        try:
            values = tuple(int(v) for v in part.split(":"))
        except ValueError:
            raise ValueError(
                f"`--padding` must be a word (SAME, VALID, ...), N, BEFORE:AFTER, or those per axis "
                f"comma-separated; got {text!r}"
            ) from None
        if len(values) > 2:
            raise ValueError(f"`--padding` axis {part!r} must be N or BEFORE:AFTER")
        axes.append(values[0] if len(values) == 1 else values)
    return axes[0] if len(axes) == 1 else tuple(axes)


def _comma_ints(text: str, name: str) -> int | tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise ValueError(f"`{name}` must be an integer or comma-separated integers, got {text!r}") from None
    return values[0] if len(values) == 1 else values


def _translate(args: argparse.Namespace) -> None:
    t = translate(
        args.framework,
        _comma_ints(args.input_size, "--input-size"),
        _comma_ints(args.kernel_size, "--kernel-size"),
        _comma_ints(args.stride, "--stride"),
        _padding_argument(args.padding),
        _comma_ints(args.dilation, "--dilation"),
    )
    print(repr(t))


def add_commands(subparsers: Any) -> None:
    """Add ``receptive-field`` and ``translate`` to the ``convarith`` command's subparsers."""
    rf = subparsers.add_parser(
        "receptive-field",
        help="receptive field of a layer stack (Araujo et al.)",
        description="Receptive field size r0, effective stride S0 and padding P0 of a stack, layer by layer.",
        epilog="example: convarith receptive-field conv:k=7,s=2,p=3 pool:k=3,s=2,p=1 -i 224 --output 0",
    )
    rf.add_argument("layers", nargs="+", metavar="LAYER", help=LAYER_SYNTAX)
    rf.add_argument(
        "-i", "--input-size", default=None, help="input size (needed by 'same' at stride > 1), e.g. 224 or 224,160"
    )
    rf.add_argument("--convention", default="tensorflow", metavar="NAME", help="split of p=same (default tensorflow)")
    rf.add_argument("--output", default=None, metavar="Y", help="print the input interval of output unit Y")
    rf.add_argument("--input", default=None, metavar="U", help="print the outputs that see input unit U (needs -i)")
    rf.set_defaults(handler=_receptive_field)

    tr = subparsers.add_parser(
        "translate",
        help="a convolution's padding in every framework",
        description="Explicit pads, output size, the same layer in each framework, and each framework's own 'same'.",
        epilog="example: convarith translate --from tensorflow -i 224 -k 7 -s 2 -p SAME",
    )
    tr.add_argument("--from", dest="framework", required=True, metavar="FRAMEWORK", help=", ".join(FRAMEWORKS))
    tr.add_argument("-i", "--input-size", required=True, help="input size, e.g. 224 or 224,160")
    tr.add_argument("-k", "--kernel-size", required=True, help="kernel size per axis")
    tr.add_argument("-s", "--stride", default="1", help="stride (default 1)")
    tr.add_argument("-p", "--padding", default="0", help="in the framework's terms: SAME, VALID, N, BEFORE:AFTER, ...")
    tr.add_argument("-d", "--dilation", default="1", help="dilation (default 1)")
    tr.set_defaults(handler=_translate)
