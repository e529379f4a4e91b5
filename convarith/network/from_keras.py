"""Read a Keras 3 model: the ``config.json`` inside a ``.keras`` file, without TensorFlow or Keras.

A ``.keras`` file is a zip archive whose ``config.json`` lists the layers with their arguments
and, for a functional model, the tensors each layer is called on (``inbound_nodes``, whose
``keras_history`` names the producing layer). That is all the arithmetic needs; the weights are
not read. A live ``keras.Model`` is read through ``model.to_json()``, the same text.
"""

from __future__ import annotations

import json
import zipfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from convarith.arithmetic.padding import transpose_padding
from convarith.network.graph import Node
from convarith.typing import PadPair

__all__ = ["keras_transpose_padding", "read_keras", "read_keras_config"]

_MERGES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot")
_ENDS = ("Flatten", "GlobalAveragePooling", "GlobalMaxPooling", "Reshape", "Permute", "RepeatVector")


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


def read_keras(model: Any) -> tuple[list[Node], tuple[int | None, ...] | None, str]:
    """Nodes of a Keras model, its declared input shape and its data format.

    Parameters
    ----------
    model : str, Path or keras.Model
        A ``.keras`` file (read as a zip, Keras is not imported) or a live model.

    Returns
    -------
    (list of Node, tuple or None, str)
    """
    if isinstance(model, str | Path):
        path = Path(model)
        try:
            with zipfile.ZipFile(path) as archive:
                config = json.loads(archive.read("config.json"))
        except (zipfile.BadZipFile, KeyError) as error:
            raise ValueError(f"`model` {str(path)!r} is not a Keras 3 .keras file (a zip with config.json)") from error
    else:
        config = json.loads(model.to_json())
    return read_keras_config(config)


def _shape(tensor: dict[str, Any]) -> list[int | None]:
    return list(tensor["config"]["shape"])


def _tensors(args: Any) -> list[dict[str, Any]]:
    if isinstance(args, dict):
        return [args] if args.get("class_name") == "__keras_tensor__" else []
    if isinstance(args, list | tuple):
        return [t for a in args for t in _tensors(a)]
    return []


def _tuple(value: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * ndim
    return tuple(int(v) for v in value)


def read_keras_config(config: dict[str, Any]) -> tuple[list[Node], tuple[int | None, ...] | None, str]:
    """Nodes of a Keras model from its parsed ``config.json`` (see :func:`read_keras`).

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
    kind = config.get("class_name")
    body = config["config"]
    layers = body["layers"]
    fmt = "channels_last"
    for lay in layers:
        fmt = lay["config"].get("data_format") or fmt
    nodes: list[Node] = []
    alias: dict[str, str] = {}
    input_shape: tuple[int | None, ...] | None = None
    previous: str | None = None
    channels: dict[str, int | None] = {}
    if kind == "Sequential" and (not layers or layers[0]["class_name"] != "InputLayer"):
        build = body.get("build_input_shape")
        if build is None:
            raise ValueError("the Sequential model has no InputLayer and no build_input_shape: give `input_size`")
        layers = [{"class_name": "InputLayer", "config": {"name": "input", "batch_shape": build}}, *layers]
    for lay in layers:
        cls, cfg = lay["class_name"], lay["config"]
        name = cfg.get("name") or lay.get("name")
        if cls in ("Functional", "Sequential", "Model"):
            raise ValueError(f"layer {name!r} is a nested {cls} model: save or inspect it on its own")
        if kind == "Sequential" or not lay.get("inbound_nodes"):
            inputs = () if previous is None or cls == "InputLayer" else (previous,)
            in_shape = None
        else:
            tensors = _tensors(lay["inbound_nodes"][0]["args"])
            inputs = tuple(alias.get(t["config"]["keras_history"][0], t["config"]["keras_history"][0]) for t in tensors)
            in_shape = _shape(tensors[0]) if tensors else None
        cin = None
        if in_shape is not None:
            cin = in_shape[-1] if fmt == "channels_last" else in_shape[1]
        elif inputs:
            cin = channels.get(inputs[0])
        made = _node(cls, cfg, name, inputs, cin, fmt)
        if cls == "InputLayer":
            input_shape = tuple(cfg["batch_shape"])
            made[0].in_channels = input_shape[-1] if fmt == "channels_last" else input_shape[1]
        for node in made:
            node.framework = "keras"
            node.source = node.source or cls
            nodes.append(node)
        alias[name] = made[-1].name
        out = made[-1]
        channels[out.name] = (
            out.out_channels
            if out.out_channels is not None
            else (out.in_channels if out.in_channels is not None else cin)
        )
        previous = out.name
    return nodes, input_shape, fmt


def _node(cls: str, cfg: dict[str, Any], name: str, inputs: tuple[str, ...], cin: int | None, fmt: str) -> list[Node]:
    base = cls.rstrip("D").rstrip("0123456789") if cls[-2:-1].isdigit() else cls
    nd = int(cls[-2]) if cls[-2:-1].isdigit() and cls.endswith("D") else 0
    if cls == "InputLayer":
        return [Node(name, "input")]
    if base in ("Conv", "ConvTranspose", "DepthwiseConv", "SeparableConv") or (
        base.startswith("Conv") and "Transpose" in cls
    ):
        return _conv(cls, cfg, name, inputs, cin, nd)
    if base in ("MaxPooling", "AveragePooling"):
        padding = cfg.get("padding", "valid").lower()
        pool = cfg.get("pool_size")
        return [
            Node(
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
        ]
    if base == "ZeroPadding":
        pads = (
            tuple((int(b), int(a)) for b, a in cfg["padding"])
            if not isinstance(cfg["padding"], int)
            else ((cfg["padding"],) * 2,) * nd
        )
        return [Node(name, "pad", inputs, padding=pads, in_channels=cin, out_channels=cin)]
    if base == "Cropping":
        crop = cfg["cropping"]
        pairs = (
            tuple((int(b), int(a)) for b, a in crop)
            if not isinstance(crop[0], int) or nd > 1
            else ((int(crop[0]), int(crop[1])),)
        )
        return [Node(name, "crop", inputs, crop=pairs)]
    if base == "UpSampling":
        size = _tuple(cfg.get("size", 2), nd)
        mode = "nearest" if cfg.get("interpolation", "nearest") == "nearest" else "linear"
        return [Node(name, "resize", inputs, scale=tuple(Fraction(v) for v in size), resize_mode=mode)]
    if cls in _MERGES:
        return [Node(name, "merge", inputs)]
    if any(cls.startswith(e) for e in _ENDS):
        return [Node(name, "end", inputs)]
    if cls in ("Dense", "EinsumDense"):
        return [Node(name, "mix", inputs, mixes_channels=True, out_channels=cfg.get("units"))]
    return [Node(name, "elementwise", inputs)]


def _conv(cls: str, cfg: dict[str, Any], name: str, inputs: tuple[str, ...], cin: int | None, nd: int) -> list[Node]:
    k = _tuple(cfg["kernel_size"], nd)
    s = _tuple(cfg.get("strides", 1), nd)
    d = _tuple(cfg.get("dilation_rate", 1), nd)
    padding: Any = cfg.get("padding", "valid").lower()
    if padding == "causal":
        padding = tuple((dd * (kk - 1), 0) for kk, dd in zip(k, d, strict=True))
    bias = bool(cfg.get("use_bias", True))
    if "Transpose" in cls:
        a = cfg.get("output_padding")
        a_t = None if a is None else _tuple(a, nd)
        word = padding

        def resolve(size: tuple[int, ...]) -> tuple[tuple[PadPair, ...], tuple[int, ...]]:
            return keras_transpose_padding(size, k, s, d, word, a_t)

        return [
            Node(
                name,
                "conv_transpose",
                inputs,
                kernel_size=k,
                stride=s,
                dilation=d,
                padding=0,
                resolve_transpose=resolve,
                in_channels=cin,
                out_channels=cfg["filters"],
                bias=bias,
                groups=int(cfg.get("groups", 1) or 1),
            )
        ]
    if cls.startswith("DepthwiseConv") or cls.startswith("SeparableConv"):
        mult = int(cfg.get("depth_multiplier", 1))
        mid = None if cin is None else cin * mult
        depthwise = Node(
            name if cls.startswith("Depthwise") else f"{name}/depthwise",
            "conv",
            inputs,
            kernel_size=k,
            stride=s,
            dilation=d,
            padding=padding,
            groups=cin or 1,
            in_channels=cin,
            out_channels=mid,
            bias=bias and cls.startswith("Depthwise"),
            source=cls,
        )
        if cls.startswith("Depthwise"):
            return [depthwise]
        pointwise = Node(
            f"{name}/pointwise",
            "conv",
            (depthwise.name,),
            kernel_size=(1,) * nd,
            stride=(1,) * nd,
            padding=0,
            in_channels=mid,
            out_channels=cfg["filters"],
            bias=bias,
            source=cls,
        )
        return [depthwise, pointwise]
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
            bias=bias,
        )
    ]
