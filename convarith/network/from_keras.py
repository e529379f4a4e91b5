"""Read a Keras 3 model: the ``config.json`` inside a ``.keras`` file, without TensorFlow or Keras.

A ``.keras`` file is a zip archive whose ``config.json`` lists the layers with their arguments
and, for a functional model, the tensors each layer is called on (``inbound_nodes``, whose
``keras_history`` names the producing layer). That is all the arithmetic needs; the weights are
not read. A live ``keras.Model`` is read through ``model.to_json()``, the same text.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from convarith.arithmetic.padding import transpose_padding
from convarith.network.graph import Node
from convarith.typing import PadPair

__all__ = ["keras_transpose_padding", "read_keras", "read_keras_config"]

_MERGES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot")


def keras_transpose_padding(
    input_size: tuple[int, ...],
    kernel_size: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    padding: str,
    output_padding: tuple[int, ...] | None,
) -> tuple[tuple[PadPair, ...], tuple[int, ...]]:
    """The crops and output padding of a Keras ``ConvNDTranspose`` with ``padding='same'`` or ``'valid'``.

    Parameters
    ----------
    input_size, kernel_size, stride, dilation : tuple of int
        Per axis.
    padding : {'same', 'valid'}
    output_padding : tuple of int or None

    Returns
    -------
    (tuple of (before, after), tuple of int)
        Crops and output padding in PyTorch's terms: ``o = (i - 1)s + ek - pb - pe + a``.

    Notes
    -----
    :func:`convarith.arithmetic.padding.transpose_padding` with ``convention='keras'``, the one
    resolver of transposed 'same' (Keras' output size, ``o = i*s`` for 'same' without
    ``output_padding``, and its crop split are written there). The crops do not depend on the
    input size.

    Examples
    --------
    >>> keras_transpose_padding((8,), (3,), (2,), (1,), "same", None)  # 8 -> 16
    (((0, 1),), (0,))
    >>> keras_transpose_padding((8,), (4,), (2,), (1,), "same", None)  # the DCGAN layer
    (((1, 1),), (0,))
    """
    del input_size  # the crops of a transposed 'same' or 'valid' do not depend on it
    return transpose_padding(kernel_size, stride, dilation, padding, output_padding, convention="keras")


MAX_CONFIG_BYTES = 64 * 2**20
"""The largest ``config.json`` read from a ``.keras`` file (its size in the zip's header is checked
before anything is read; ResNet152's is about 1 MB)."""

MAX_NESTING = 32
"""How deeply models may nest inside models, and call arguments inside lists."""


def read_keras(model: Any) -> tuple[list[Node], tuple[int | None, ...] | None, str]:
    """Nodes of a Keras model, its declared input shape and its data format.

    Parameters
    ----------
    model : str, Path or keras.Model
        A ``.keras`` file (read as a zip, Keras is not imported; nothing is extracted to disk) or
        a live model.

    Returns
    -------
    (list of Node, tuple or None, str)

    Raises
    ------
    ValueError
        The file is not a zip with a ``config.json``, the config is larger than
        :data:`MAX_CONFIG_BYTES` (from the zip's header, before reading), is not JSON, nests
        deeper than Python can parse, or does not describe a model (the message names the file
        and what is wrong).
    """
    if not isinstance(model, str | Path):
        return read_keras_config(json.loads(model.to_json()))
    path = Path(model)
    where = f"`model` {str(path)!r}"
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > MAX_CONFIG_BYTES:
                raise ValueError(
                    f"{where}: its config.json is {info.file_size:,} bytes, more than the "
                    f"{MAX_CONFIG_BYTES:,} a model's config needs: not read"
                )
            with archive.open(info) as member:
                text = member.read(MAX_CONFIG_BYTES + 1)  # bounded even if the header lies
    except (zipfile.BadZipFile, KeyError, EOFError, NotImplementedError, RuntimeError, OSError) as error:
        if isinstance(error, FileNotFoundError | IsADirectoryError | PermissionError):
            raise ValueError(f"{where}: {error.strerror or error}") from None
        raise ValueError(f"{where} is not a Keras 3 .keras file (a zip with config.json): {error}") from None
    if len(text) > MAX_CONFIG_BYTES:
        raise ValueError(f"{where}: its config.json is larger than its zip header says: not read")
    try:
        config = json.loads(text)
    except RecursionError:
        raise ValueError(f"{where}: its config.json nests deeper than a model's config does: not read") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"{where}: its config.json is not JSON ({error})") from None
    try:
        return read_keras_config(config)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def _shape(tensor: dict[str, Any]) -> list[int | None]:
    return list(tensor["config"]["shape"])


def _tensors(args: Any, depth: int = 0) -> list[dict[str, Any]]:
    if depth > MAX_NESTING:
        raise ValueError(f"call arguments nested deeper than {MAX_NESTING} levels")
    if isinstance(args, dict):
        return [args] if args.get("class_name") == "__keras_tensor__" else []
    if isinstance(args, list | tuple):
        return [t for a in args for t in _tensors(a, depth + 1)]
    return []


def _tuple(value: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * ndim
    return tuple(int(v) for v in value)


_KEPT = (
    "Activation",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "Softmax",
    "ThresholdedReLU",
    "BatchNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "UnitNormalization",
    "Normalization",
    "Rescaling",
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
    "Identity",
    "Masking",
)
"""Keras layers that keep the spatial size (understood; anything not listed is named in the notes)."""


def _history(tensor: dict[str, Any]) -> tuple[str, int]:
    history = tensor["config"]["keras_history"]
    return str(history[0]), int(history[2]) if len(history) > 2 else 0


def read_keras_config(config: Any) -> tuple[list[Node], tuple[int | None, ...] | None, str]:
    """Nodes of a Keras model from its parsed ``config.json`` (see :func:`read_keras`).

    Nested models (a ``Sequential`` or functional model used as a layer) are read in place, their
    layers named ``outer/inner``. Layers convarith does not know are kept with what was assumed
    (``Node.assumed``), and every node carries the output size Keras recorded for it where the
    config has one (the shapes of the tensors its consumers are called on).

    Raises
    ------
    ValueError
        The config does not describe a Keras model (what is missing is named).

    Examples
    --------
    >>> cfg = {"class_name": "Sequential", "config": {"layers": [
    ...     {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 32, 32, 3]}},
    ...     {"class_name": "Conv2D", "config": {"name": "c", "filters": 8, "kernel_size": [3, 3],
    ...      "strides": [2, 2], "padding": "same", "dilation_rate": [1, 1], "groups": 1, "use_bias": True}}]}}
    >>> nodes, shape, fmt = read_keras_config(cfg)
    >>> [(n.name, n.op, n.padding) for n in nodes], shape
    ([('x', 'input', 0), ('c', 'conv', 'same')], (None, 32, 32, 3))
    """
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise ValueError('the config is not a Keras model (a JSON object with a "config" object)')
    layers = config["config"].get("layers")
    if not isinstance(layers, list) or not all(isinstance(lay, dict) for lay in layers):
        raise ValueError('the config\'s "config" has no "layers" list: not a Sequential or functional model')
    fmt = "channels_last"
    for lay in layers:
        inner = lay.get("config")
        if isinstance(inner, dict) and isinstance(inner.get("data_format"), str):
            fmt = inner["data_format"]
    reader = _Reader(fmt)
    reader.model(config, "", None, 0)
    if reader.input_shape is None:
        raise ValueError("the model has no InputLayer")
    reader.finish()
    return reader.nodes, reader.input_shape, fmt


class _Reader:
    """Reads a model's layers into nodes, nested models in place."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.nodes: list[Node] = []
        self.input_shape: tuple[int | None, ...] | None = None
        self.channels: dict[str, int | None] = {}
        self.recorded: dict[str, list[Any]] = {}  # node name -> the output shape Keras recorded

    def _spatial(self, shape: Any) -> tuple[int, ...] | None:
        """The spatial part of a recorded batch-first shape; () when it has no spatial axes."""
        if self.input_shape is None or not isinstance(shape, list | tuple):
            return None
        if len(shape) != len(self.input_shape):
            return ()
        part = shape[1:-1] if self.fmt == "channels_last" else shape[2:]
        return None if any(not isinstance(v, int) for v in part) else tuple(part)

    def model(self, config: dict[str, Any], prefix: str, outer: tuple[str, ...] | None, depth: int) -> str:
        """Read one model; ``outer`` are the nodes its inputs are called on (None at the top). Returns its output."""
        if depth > MAX_NESTING:
            raise ValueError(f"models nested deeper than {MAX_NESTING} levels")
        kind = config.get("class_name")
        body = config["config"]
        layers = body.get("layers")
        if not isinstance(layers, list):
            raise ValueError(f"nested model {prefix.rstrip('/')!r} has no layers list")
        alias: dict[tuple[str, int], str] = {}
        sequential = kind == "Sequential"
        if sequential and (not layers or layers[0].get("class_name") != "InputLayer"):
            build = body.get("build_input_shape")
            if build is None and outer is None:
                raise ValueError("the Sequential model has no InputLayer and no build_input_shape: give `input_size`")
            layers = [{"class_name": "InputLayer", "config": {"name": "input", "batch_shape": build}}, *layers]
        previous: str | None = None
        for number, lay in enumerate(layers):
            cls, cfg = lay.get("class_name"), lay.get("config")
            if not isinstance(cls, str) or not isinstance(cfg, dict):
                raise ValueError(f"layer {number} has no class_name and config object")
            name = str(cfg.get("name") or lay.get("name") or f"layer_{number}")
            try:
                previous = self._layer(lay, cls, cfg, prefix + name, prefix, sequential, previous, alias, outer, depth)
            except (KeyError, TypeError, IndexError, AttributeError, ValueError) as error:
                if isinstance(error, ValueError) and str(error).startswith("layer "):
                    raise
                what = f"no {error}" if isinstance(error, KeyError) else str(error)
                raise ValueError(f"layer {name!r} ({cls}): {what}") from None
        if previous is None:
            raise ValueError(f"model {prefix.rstrip('/') or config.get('class_name')!r} has no layers (no InputLayer)")
        if sequential or not body.get("output_layers"):
            return previous
        first = body["output_layers"]
        first = first[0] if isinstance(first[0], list) else first
        return alias.get((str(first[0]), int(first[2]) if len(first) > 2 else 0), previous or "")

    def _layer(
        self,
        lay: dict[str, Any],
        cls: str,
        cfg: dict[str, Any],
        name: str,
        prefix: str,
        sequential: bool,
        previous: str | None,
        alias: dict[tuple[str, int], str],
        outer: tuple[str, ...] | None,
        depth: int,
    ) -> str:
        in_shape = None
        inputs: tuple[str, ...]
        if sequential or not lay.get("inbound_nodes"):
            inputs = () if previous is None or cls == "InputLayer" else (previous,)
            build = (
                lay.get("build_config", {}).get("input_shape") if isinstance(lay.get("build_config"), dict) else None
            )
            if isinstance(build, list) and build and isinstance(build[0], int | None) and previous is not None:
                self.recorded.setdefault(previous, build)  # what the previous layer gave this one
        else:
            tensors = _tensors(lay["inbound_nodes"][0]["args"])
            inputs = tuple(alias.get(_history(t), prefix + _history(t)[0]) for t in tensors)
            for t, source in zip(tensors, inputs, strict=True):
                self.recorded.setdefault(source, _shape(t))
            in_shape = _shape(tensors[0]) if tensors else None
        if cls == "InputLayer" and outer is not None:  # a nested model's input: the tensor it is called on
            position = sum(1 for (_, k) in alias if k == -1)
            source = outer[min(position, len(outer) - 1)] if outer else (previous or "")
            alias[(str(cfg.get("name")), 0)] = source
            alias[(str(cfg.get("name")), -1)] = source
            return source
        if cls in ("Functional", "Sequential", "Model") and isinstance(cfg.get("layers"), list):
            out = self.model(lay, f"{name}/", inputs, depth + 1)
            alias[(str(cfg.get("name") or name.rsplit("/", 1)[-1]), 0)] = out
            return out
        cin = None
        if in_shape is not None:
            cin = in_shape[-1] if self.fmt == "channels_last" else in_shape[1]
        elif inputs:
            cin = self.channels.get(inputs[0])
        made: list[Node] = _node(cls, cfg, name, inputs, cin, len(self.input_shape or ()) - 2)
        if cls == "InputLayer":
            self.input_shape = tuple(cfg["batch_shape"])
            made[0].in_channels = self.input_shape[-1] if self.fmt == "channels_last" else self.input_shape[1]
        for node in made:
            node.framework = "keras"
            node.source = node.source or cls
            self.nodes.append(node)
        last = made[-1]
        alias[(str(cfg.get("name") or name.rsplit("/", 1)[-1]), 0)] = last.name
        self.channels[last.name] = (
            last.out_channels
            if last.out_channels is not None
            else (last.in_channels if last.in_channels is not None else cin)
        )
        return last.name

    def finish(self) -> None:
        """Give every node the output size Keras recorded for it."""
        for node in self.nodes:
            if node.op not in ("input", "global") and node.name in self.recorded:
                node.recorded = self._spatial(self.recorded[node.name])
            if node.op == "reshape" and node.size is None and node.recorded:
                node.size = node.recorded


def _node(cls: str, cfg: dict[str, Any], name: str, inputs: tuple[str, ...], cin: int | None, ndim: int) -> list[Node]:
    base = cls.rstrip("D").rstrip("0123456789") if cls[-2:-1].isdigit() else cls
    nd = int(cls[-2]) if cls[-2:-1].isdigit() and cls.endswith("D") else 0
    if cls == "InputLayer":
        return [Node(name, "input")]
    if base in ("Conv", "ConvTranspose", "DepthwiseConv", "SeparableConv") or (
        base.startswith("Conv") and "Transpose" in cls
    ):
        return _conv(cls, cfg, name, inputs, cin, nd)
    if base in _FAMILIES:
        return [_FAMILIES[base](base, cfg, name, inputs, cin, nd)]
    if cls in _MERGES:
        return [Node(name, "merge", inputs)]
    if cls.startswith(("GlobalAveragePooling", "GlobalMaxPooling")):
        return [Node(name, "global", inputs, in_channels=cin, out_channels=cin)]
    if cls == "Reshape":
        return [_reshape(cfg, name, inputs, ndim)]
    if cls == "Flatten":
        return [Node(name, "end", inputs)]
    if cls in ("Dense", "EinsumDense"):
        return [Node(name, "mix", inputs, mixes_channels=True, out_channels=cfg.get("units"))]
    if cls in _KEPT:
        return [Node(name, "elementwise", inputs)]
    if len(inputs) > 1:
        return [Node(name, "elementwise", inputs, assumed="taken as an element-wise merge of its inputs")]
    return [Node(name, "elementwise", inputs, assumed="taken as size-keeping")]


def _pooling(base: str, cfg: dict[str, Any], name: str, inputs: tuple[str, ...], cin: int | None, nd: int) -> Node:
    """``MaxPoolingND`` and ``AveragePoolingND``: TensorFlow's padding, padded cells left out of the mean."""
    padding = cfg.get("padding", "valid").lower()
    pool = cfg.get("pool_size")
    return Node(
        name,
        "max_pool" if base == "MaxPooling" else "avg_pool",
        inputs,
        kernel_size=_tuple(pool, nd),
        stride=_tuple(cfg.get("strides") or pool, nd),
        padding=padding,
        convention="tensorflow",
        pool_convention="onnx",
        count_include_pad=False,
        in_channels=cin,
        out_channels=cin,
    )


def _pairs(value: Any, nd: int) -> tuple[tuple[int, int], ...]:
    """Keras' (before, after) pairs per axis: an int for every side, one pair, or an int or pair per axis."""
    if isinstance(value, int):
        return ((value, value),) * nd
    if nd == 1 and len(value) == 2 and all(isinstance(v, int) for v in value):
        return ((int(value[0]), int(value[1])),)
    return tuple((int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1])) for v in value)


def _zero_padding(base: str, cfg: dict[str, Any], name: str, inputs: tuple[str, ...], cin: int | None, nd: int) -> Node:
    """``ZeroPaddingND``: one int for every side, or (before, after) per axis (``ZeroPadding1D``: one pair)."""
    return Node(name, "pad", inputs, padding=_pairs(cfg["padding"], nd), in_channels=cin, out_channels=cin)


def _cropping(base: str, cfg: dict[str, Any], name: str, inputs: tuple[str, ...], cin: int | None, nd: int) -> Node:
    """``CroppingND``: (before, after) per axis (``Cropping1D``: one pair)."""
    return Node(name, "crop", inputs, crop=_pairs(cfg["cropping"], nd))


def _upsampling(base: str, cfg: dict[str, Any], name: str, inputs: tuple[str, ...], cin: int | None, nd: int) -> Node:
    """``UpSamplingND``: an integer scale per axis, nearest or (bilinear...) linear."""
    size = _tuple(cfg.get("size", 2), nd)
    mode = "nearest" if cfg.get("interpolation", "nearest") == "nearest" else "linear"
    return Node(name, "resize", inputs, scale=tuple(Fraction(v) for v in size), resize_mode=mode)


_FAMILIES = {
    "MaxPooling": _pooling,
    "AveragePooling": _pooling,
    "ZeroPadding": _zero_padding,
    "Cropping": _cropping,
    "UpSampling": _upsampling,
}
"""Layer families (class name without its ``ND``) read into one node each."""


def _reshape(cfg: dict[str, Any], name: str, inputs: tuple[str, ...], ndim: int) -> Node:
    """A ``Reshape`` to a map of the input's rank has its new spatial size; to another rank, an unknown one."""
    target = list(cfg["target_shape"])
    shape: tuple[int, ...] | None = None
    if len(target) == ndim + 1 and all(isinstance(v, int) and v > 0 for v in target):
        shape = tuple(target[:-1]) if cfg.get("data_format", "channels_last") == "channels_last" else tuple(target[1:])
    return Node(name, "reshape", inputs, size=shape)


@dataclass(frozen=True)
class _ConvFields:
    """A Keras convolution as read: class, config, name, inputs, channels, rank, k, s, d, padding, bias."""

    cls: str
    cfg: dict[str, Any]
    name: str
    inputs: tuple[str, ...]
    cin: int | None
    nd: int
    k: tuple[int, ...]
    s: tuple[int, ...]
    d: tuple[int, ...]
    padding: Any
    bias: bool


def _conv(cls: str, cfg: dict[str, Any], name: str, inputs: tuple[str, ...], cin: int | None, nd: int) -> list[Node]:
    k = _tuple(cfg["kernel_size"], nd)
    s = _tuple(cfg.get("strides", 1), nd)
    d = _tuple(cfg.get("dilation_rate", 1), nd)
    padding: Any = cfg.get("padding", "valid").lower()
    if padding == "causal":
        padding = tuple((dd * (kk - 1), 0) for kk, dd in zip(k, d, strict=True))
    f = _ConvFields(cls, cfg, name, inputs, cin, nd, k, s, d, padding, bool(cfg.get("use_bias", True)))
    if "Transpose" in cls:
        return [_transpose(f)]
    if cls.startswith("DepthwiseConv") or cls.startswith("SeparableConv"):
        return _depthwise(f)
    return [
        Node(
            name,
            "conv",
            inputs,
            kernel_size=k,
            stride=s,
            dilation=d,
            padding=padding,
            groups=int(cfg.get("groups", 1) or 1),
            in_channels=cin,
            out_channels=cfg["filters"],
            bias=f.bias,
        )
    ]


def _transpose(f: _ConvFields) -> Node:
    """``ConvNDTranspose``: its crops resolved by :func:`keras_transpose_padding` on the input size."""
    a = f.cfg.get("output_padding")
    a_t = None if a is None else _tuple(a, f.nd)

    def resolve(size: tuple[int, ...]) -> tuple[tuple[PadPair, ...], tuple[int, ...]]:
        return keras_transpose_padding(size, f.k, f.s, f.d, f.padding, a_t)

    return Node(
        f.name,
        "conv_transpose",
        f.inputs,
        kernel_size=f.k,
        stride=f.s,
        dilation=f.d,
        padding=0,
        resolve_transpose=resolve,
        in_channels=f.cin,
        out_channels=f.cfg["filters"],
        bias=f.bias,
        groups=int(f.cfg.get("groups", 1) or 1),
    )


def _depthwise(f: _ConvFields) -> list[Node]:
    """``DepthwiseConvND`` (one node), ``SeparableConvND`` (a depthwise node, then a pointwise one)."""
    mult = int(f.cfg.get("depth_multiplier", 1))
    mid = None if f.cin is None else f.cin * mult
    alone = f.cls.startswith("Depthwise")
    depthwise = Node(
        f.name if alone else f"{f.name}/depthwise",
        "conv",
        f.inputs,
        kernel_size=f.k,
        stride=f.s,
        dilation=f.d,
        padding=f.padding,
        groups=f.cin or 1,
        in_channels=f.cin,
        out_channels=mid,
        bias=f.bias and alone,
        source=f.cls,
    )
    if alone:
        return [depthwise]
    pointwise = Node(
        f"{f.name}/pointwise",
        "conv",
        (depthwise.name,),
        kernel_size=(1,) * f.nd,
        stride=(1,) * f.nd,
        padding=0,
        in_channels=mid,
        out_channels=f.cfg["filters"],
        bias=f.bias,
        source=f.cls,
    )
    return [depthwise, pointwise]
