"""``convarith inspect``: every convolution, pooling and padding layer of a model, explained."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from convarith.cli.grammar import size_argument

__all__ = ["add_command"]


def _load(model: str) -> Any:
    """A path as it is, or ``package.module:name`` imported (a model object, or a callable that builds one)."""
    if Path(model).exists() or ":" not in model:
        return model
    module_name, _, attribute = model.partition(":")
    try:
        value = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"MODEL {model!r}: cannot import {attribute!r} from {module_name!r} ({error})") from None
    return value() if callable(value) and not hasattr(value, "forward") else value


def _inspect(args: argparse.Namespace) -> None:
    from convarith.network import inspect

    report = inspect(_load(args.model), input_size=args.input)
    if args.format == "json":
        print(report.to_json())
    elif args.format == "markdown":
        print(report.to_markdown())
    else:
        print(report)
        if args.verbose:
            for row in report.layers:
                print(f"\n{row.name} ({row.source or row.op}):")
                # one line where every axis has the same formula (square layers)
                formulas = row.formula[:1] if len(set(row.formula)) == 1 else row.formula
                print("\n".join(f"  {line}" for line in (*formulas, *row.messages)))
                print("\n".join(f"  {a!r}" for a in row.porting))
    if args.figure is not None:
        import matplotlib

        matplotlib.use("Agg")
        figure = report.plot()
        figure.savefig(args.figure, dpi=120)


def add_command(commands: Any) -> None:
    """Add ``inspect`` to the ``convarith`` subcommands.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="convarith")
    >>> add_command(parser.add_subparsers())
    >>> args = parser.parse_args(["inspect", "model.onnx", "--input", "1,3,224,224", "--format", "json"])
    >>> args.input, args.format
    ((1, 3, 224, 224), 'json')
    """
    cmd = commands.add_parser(
        "inspect",
        help="every layer of a model: sizes, padding, receptive field, warnings, porting",
        description=(
            "Read a Keras .keras file, an ONNX file, or a PyTorch model (package.module:name, with --input), "
            "and print one row per convolution, pooling and padding layer: sizes, resolved padding, receptive "
            "field and jump, warnings, and what to write when porting to PyTorch or Keras."
        ),
        epilog="example: convarith inspect resnet50.keras --format markdown",
    )
    cmd.add_argument(
        "model",
        metavar="MODEL",
        help="a .keras or .onnx file, a shipped example by name (inception_block), or package.module:name "
        "(PyTorch, Keras)",
    )
    cmd.add_argument(
        "--input",
        type=size_argument,
        default=None,
        metavar="SHAPE",
        help="the input's shape, batch first in the model's layout (1,3,224,224), or its spatial size (224,224); "
        "needed for PyTorch and for models without a fixed input size",
    )
    cmd.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text", help="how to print the report (default text)"
    )
    cmd.add_argument("-v", "--verbose", action="store_true", help="text: each layer's formula, warnings and porting")
    cmd.add_argument("--figure", metavar="PATH", default=None, help="also save the receptive-field figure (PNG, SVG)")
    cmd.set_defaults(handler=_inspect)


load_model = _load
"""A MODEL argument as a path, or ``package.module:name`` imported (shared with ``convarith animate model``)."""
