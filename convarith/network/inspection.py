"""``inspect(model)``: read a Keras, ONNX or PyTorch model or a list of layer values, and walk it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from convarith.arithmetic.layer import Layer
from convarith.network.examples import EXAMPLES, example
from convarith.network.graph import Node
from convarith.network.report import Report
from convarith.network.walk import walk

__all__ = ["inspect"]


def _missing(package: str, extra: str, error: ImportError) -> ImportError:
    return ImportError(
        f"inspecting this model needs {package}: install it with `pip install convarith[{extra}]` "
        f"(or `pip install {package}`)"
    )


def _spatial(shape: Sequence[Any] | None, ndim: int, layout: str, name: str = "input_size") -> tuple[int, ...] | None:
    """The spatial part of a shape given batch first (channels first or last), or of a spatial size."""
    if shape is None:
        return None
    values = tuple(shape)
    if len(values) == ndim + 2:
        values = values[1:-1] if layout == "channels_last" else values[2:]
    elif len(values) != ndim:
        raise ValueError(
            f"`{name}` {tuple(shape)} must be the input's shape with batch and channels "
            f"({ndim + 2} numbers, {'N, *spatial, C' if layout == 'channels_last' else 'N, C, *spatial'}) "
            f"or its spatial size ({ndim} numbers)"
        )
    if any(v is None for v in values):
        return None
    return tuple(int(v) for v in values)


def _from_layers(layers: Sequence[Layer], input_size: Any) -> Report:
    for n, lay in enumerate(layers):
        if not isinstance(lay, Layer):
            raise TypeError(f"`model[{n}]` must be a Layer (convarith.arithmetic.layer), got {type(lay).__name__}")
    first = layers[0]
    size: tuple[int, ...] | None
    if input_size is None:
        if first.input_size is None:
            raise ValueError("`input_size` is needed: the first layer value has no input size")
        size = first.input_size
    elif first.scalar:  # layers given with ints spread over the input's axes
        values = (input_size,) if isinstance(input_size, int) else tuple(input_size)
        size = _spatial(values, len(values) - 2 if len(values) >= 3 else len(values), "channels_first")
    else:
        size = _spatial((input_size,) if isinstance(input_size, int) else input_size, first.ndim, "channels_first")
    assert size is not None
    ndim = len(size)
    nodes = [Node("input", "input", size=size)]
    for n, lay in enumerate(layers):

        def axes(values: tuple[Any, ...], lay: Layer = lay) -> tuple[Any, ...]:
            return values * ndim if lay.scalar else values

        pad: Any
        if lay.padding_rule == "explicit":
            assert lay.padding is not None
            pad = axes(lay.padding)
        else:
            pad = "same" if lay.padding_rule == "same" else lay.padding_rule
        nodes.append(
            Node(
                f"{n}",
                lay.op,
                (nodes[-1].name,),
                source=lay.op,
                kernel_size=axes(lay.kernel_size),
                stride=axes(lay.stride),
                padding=pad,
                dilation=axes(lay.dilation),
                output_padding=axes(lay.output_padding),
                groups=lay.groups,
                ceil_mode=lay.ceil_mode,
                convention=lay.convention,
                pool_convention=lay.pool_convention,
            )
        )
    return replace(walk(nodes, size, source=f"{len(layers)} layer values"), nodes=None)


def inspect(model: Any, input_size: Sequence[int] | None = None) -> Report:
    """Every convolution, pooling and padding layer of a network: arithmetic, receptive field, portability.

    Parameters
    ----------
    model : str, Path, keras.Model, onnx.ModelProto, torch.nn.Module or sequence of Layer
        A ``.keras`` file (its ``config.json`` is read directly: no Keras or TensorFlow needed), the
        name of a shipped example (:data:`~convarith.network.EXAMPLES`), an
        ``.onnx`` file or ``onnx.ModelProto`` (needs ``onnx``), a PyTorch module (needs
        ``input_size``; traced with ``torch.fx``, or run under forward hooks where tracing
        fails), a live Keras model, or a list of layer values (a chain).
    input_size : sequence of int, optional
        The input's shape, batch first, in the model's layout (PyTorch and ONNX ``(N, C, H, W)``,
        Keras usually ``(N, H, W, C)``), or only its spatial size. Needed for PyTorch modules and
        for models that do not declare their input size. For layer values given with ints (one
        value for every axis), 1 or 2 numbers are the spatial size, 3 or more a full shape.

    Returns
    -------
    Report
        ``report.layers``: one :class:`~convarith.network.Row` per layer in execution order.

    Raises
    ------
    ImportError
        The file is valid but its framework is not installed (the message names the extra).
    ValueError
        No such file; a file that is not a model of its kind (the message names the file and what
        is wrong); the input size is missing or malformed; a layer does not fit its input.

    Notes
    -----
    Every path of a branching graph is followed (Inception, DenseNet, residual adds). Sizes come
    from :func:`convarith.arithmetic.layer.layer`; receptive fields from Araujo et al.'s
    recurrences (:mod:`convarith.studies.receptive`), joined over the paths where branches merge.

    Examples
    --------
    >>> from convarith.arithmetic.layer import layer
    >>> stem = [layer("conv", None, 7, stride=2, padding=3), layer("max_pool", None, 3, 2, padding=1)]
    >>> report = inspect(stem, input_size=(1, 3, 224, 224))
    >>> [(r.op, r.output_size, r.receptive_field, r.jump) for r in report.layers]
    [('conv', (112, 112), (7, 7), (2, 2)), ('max_pool', (56, 56), (11, 11), (4, 4))]
    """
    if isinstance(model, list | tuple) and model and any(isinstance(m, Layer) for m in model):
        return _from_layers(model, input_size)
    if isinstance(model, str | Path):
        path = Path(model)
        if isinstance(model, str) and model in EXAMPLES and not path.exists():
            path = example(model)  # a shipped example, by name
        suffix = path.suffix.lower()
        if not path.exists():
            raise ValueError(f"`model` {str(model)!r}: no such file (examples by name: {', '.join(EXAMPLES)})")
        if not path.is_file():
            raise ValueError(f"`model` {str(model)!r} is not a file")
        if suffix == ".keras":
            return _from_file(_keras, path, input_size)
        if suffix == ".onnx":
            return _from_file(_onnx, path, input_size)
        raise ValueError(f"`model` {str(model)!r}: inspect reads .keras and .onnx files (got {suffix or 'no suffix'})")
    kind = type(model).__module__.split(".")[0]
    if kind == "onnx":
        return _onnx(model, input_size, "ONNX model")
    if kind == "keras" or (hasattr(model, "to_json") and hasattr(model, "layers")):
        return _keras(model, input_size, getattr(model, "name", "Keras model"))
    if kind == "torch" or any(c.__module__.startswith("torch.nn") for c in type(model).__mro__):
        return _torch(model, input_size)
    raise TypeError(
        "`model` must be a .keras or .onnx path, an onnx.ModelProto, a torch.nn.Module, a keras.Model "
        f"or a list of Layer values, got {type(model).__name__}"
    )


def _from_file(reader: Any, path: Path, input_size: Sequence[int] | None) -> Report:
    """Read a file; any failure is a ValueError that names it (ImportError: its framework is missing)."""
    try:
        report: Report = reader(path, input_size, path.name)
    except ValueError as error:
        if str(path) in str(error) or path.name in str(error):
            raise
        raise ValueError(f"`model` {str(path)!r}: {error}") from error
    except RecursionError:
        raise ValueError(f"`model` {str(path)!r}: nested too deeply to read") from None
    return report


def _keras(model: Any, input_size: Sequence[int] | None, name: str) -> Report:
    from convarith.network.from_keras import read_keras

    nodes, declared, layout = read_keras(model)
    first = next(n for n in nodes if n.op == "input")
    if declared is None or len(declared) < 3:
        raise ValueError(f"the model's input shape {declared} has no spatial axes to inspect")
    ndim = len(declared) - 2
    size = _spatial(input_size, ndim, layout) if input_size is not None else _spatial(declared, ndim, layout)
    if size is None:
        raise ValueError(f"`input_size` is needed: the model's input shape {tuple(declared)} has unknown spatial sizes")
    first.size = size
    return walk(nodes, size, source=name)


def _onnx(model: Any, input_size: Sequence[int] | None, name: str) -> Report:
    try:
        import onnx  # noqa: F401
    except ImportError as error:
        if isinstance(model, Path) and model.stat().st_size == 0:
            raise ValueError(f"`model` {str(model)!r} is empty: not an ONNX model") from None
        raise _missing("onnx", "network", error) from error
    from convarith.network.from_onnx import read_onnx

    nodes, declared, layout = read_onnx(model, input_size)
    first = next(n for n in nodes if n.op == "input")
    ndim = len(declared) - 2
    size = _spatial(input_size if input_size is not None else declared, ndim, layout)
    if size is None:
        raise ValueError(f"`input_size` is needed: the model's input shape {tuple(declared)} has unknown spatial sizes")
    first.size = size
    return walk(nodes, size, source=name)


def _torch(model: Any, input_size: Sequence[int] | None) -> Report:
    try:
        import torch  # noqa: F401
    except ImportError as error:  # pragma: no cover - a torch module implies torch
        raise _missing("torch", "test", error) from error
    from convarith.network.from_torch import read_torch

    if input_size is None:
        raise ValueError("`input_size` is needed for a PyTorch module, e.g. (1, 3, 224, 224)")
    nodes, how = read_torch(model, tuple(input_size))
    size = tuple(int(v) for v in input_size[2:])
    next(n for n in nodes if n.op == "input").size = size
    return walk(nodes, size, source=f"{type(model).__name__} ({how})")
