"""``convarith receptive-field``: the receptive field of a layer stack (Araujo et al.).

Each layer is a token ``OP:key=value,...`` in the command line's one grammar (see
:mod:`convarith.cli.grammar`): ``conv:k=7,s=2,p=3 max_pool:k=3,s=2,p=1`` or ``conv:k=3,5,p=0:1``.
"""

from __future__ import annotations

import argparse
from typing import Any

from convarith.arithmetic import CONVENTIONS, Layer
from convarith.cli.grammar import (
    LAYER_SYNTAX,
    SIZE_HELP,
    GrammarError,
    LayerSpec,
    count_listed_axes,
    expand,
    parse_layer_spec,
    size_argument,
)
from convarith.studies.receptive import layer, receptive_field

__all__ = ["add_command", "build_layer", "parse_layer"]


def build_layer(spec: LayerSpec, ndim: int, convention: str = "tensorflow") -> Layer:
    """The receptive-field layer of a parsed token, with every value given for ``ndim`` axes.

    Examples
    --------
    >>> from convarith.cli.grammar import parse_layer_spec
    >>> build_layer(parse_layer_spec("conv:k=3,p=0:1"), 2)  # before:after on every axis
    conv: kernel 3, stride 1, padding (0, 1)
    """
    padding: Any = spec.padding.rule.lower() if spec.padding.rule is not None else spec.padding.value(ndim)
    return layer(
        spec.kind,
        expand(spec.kernel_size, ndim),
        None if spec.stride is None else expand(spec.stride, ndim),
        padding,
        expand(spec.dilation, ndim),
        convention=spec.convention or convention,
        ceil_mode=spec.ceil_mode,
    )


def parse_layer(token: str, convention: str = "tensorflow", ndim: int | None = None) -> Layer:
    """A stack's layer (an input-less :class:`convarith.arithmetic.Layer`) from ``'conv:k=7,s=2,p=3'``.

    Parameters
    ----------
    token : str
        ``OP:k=K[,s=S][,p=P][,d=D][,c=CONVENTION][,ceil]`` (see ``LAYER_SYNTAX``).
    convention : str
        The split of ``p=same`` when the token has no ``c=``.
    ndim : int, optional
        Number of axes (default: as many as the token names, else one).

    Returns
    -------
    Layer

    Notes
    -----
    The values follow :mod:`convarith.cli.grammar`: ``k=3,5`` per axis, ``p=0:1`` (before:after on
    every axis), ``p=1,0:1`` per axis, ``p=same``.

    Examples
    --------
    >>> parse_layer("conv:k=7,s=2,p=3")
    conv: kernel 7, stride 2, padding (3, 3)
    >>> parse_layer("conv:k=3,2,p=1,0:1")  # per axis
    conv: kernel 3×2, stride 1, padding (1, 1)×(0, 1)
    """
    spec = parse_layer_spec(token)
    return build_layer(spec, ndim or spec.axes or 1, convention)


def _receptive_field(args: argparse.Namespace) -> None:
    if args.convention not in CONVENTIONS:
        raise GrammarError(f"`--convention` must be one of {', '.join(CONVENTIONS)}; got {args.convention!r}")
    specs = [parse_layer_spec(token) for token in args.layers]
    ndim = count_listed_axes(args.input_size)
    ndim = max([n for n in (ndim, *(s.axes for s in specs)) if n is not None], default=1)
    layers = [build_layer(spec, ndim, args.convention) for spec in specs]
    size = None if args.input_size is None else expand(args.input_size, ndim)
    rf = receptive_field(layers, size)
    lines = [repr(rf)]  # everything is computed before anything is printed
    if args.output is not None:
        y = expand(args.output, ndim)
        shown = ",".join(str(v) for v in args.output)
        lines.append(f"output {shown}: input interval {rf.interval(y)}, centre {rf.centre(y)}")
    if args.input is not None:
        u = expand(args.input, ndim)
        shown = ",".join(str(v) for v in args.input)
        lines.append(f"input {shown} is seen by outputs {rf.outputs_reading(u)}")
    print("\n".join(lines))


def add_command(commands: Any) -> None:
    """Add ``receptive-field`` to the ``convarith`` subcommands."""
    rf = commands.add_parser(
        "receptive-field",
        help="receptive field of a layer stack (Araujo et al.)",
        description="Receptive field size r0, effective stride S0 and padding P0 of a stack, layer by layer.",
        epilog="example: convarith receptive-field conv:k=7,s=2,p=3 max_pool:k=3,s=2,p=1 -i 224 --output 0",
    )
    rf.add_argument("layers", nargs="+", metavar="LAYER", help=LAYER_SYNTAX)
    rf.add_argument(
        "-i",
        "--input-size",
        type=size_argument,
        default=None,
        metavar="SIZE",
        help="input size (needed by 'same' at stride > 1 and by --input): " + SIZE_HELP,
    )
    rf.add_argument(
        "--convention",
        default="tensorflow",
        metavar="NAME",
        help="split of p=same: " + ", ".join(CONVENTIONS) + " (default tensorflow)",
    )
    rf.add_argument(
        "--output",
        type=size_argument,
        default=None,
        metavar="Y",
        help="print the input interval of output unit Y (one index, or one per axis: 3 or 3,4)",
    )
    rf.add_argument(
        "--input",
        type=size_argument,
        default=None,
        metavar="U",
        help="print the outputs that see input unit U (one index, or one per axis; needs -i)",
    )
    rf.set_defaults(handler=_receptive_field)
