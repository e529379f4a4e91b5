"""Read a PyTorch module: traced with ``torch.fx``, or run under forward hooks where tracing fails.

The fx graph names every call; a shape pass (one forward run on zeros of ``input_size``) gives
each node's output shape, which classifies the calls convarith does not know (same spatial size:
element-wise or a merge; another size: a resize; fewer axes: the end of the spatial axes). A
module that fx cannot trace (data-dependent control flow) is run instead with hooks on its
convolution, pooling and padding modules and a ``TorchFunctionMode`` that records which tensor
every other call made from which, so the branches are still followed.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from convarith.network.graph import Node
from convarith.typing import PadPair

__all__ = ["read_torch"]

_PAD_MODULES = {
    "ZeroPad": "constant",
    "ConstantPad": "constant",
    "ReflectionPad": "reflect",
    "ReplicationPad": "replicate",
    "CircularPad": "circular",
}


def _probe(model: Any, input_size: tuple[int, ...]) -> Any:
    """Zeros of ``input_size`` in the dtype (and on the device) of the module's first floating parameter."""
    import torch

    for p in list(model.parameters()) + list(model.buffers()):
        if p.is_floating_point():
            return torch.zeros(input_size, dtype=p.dtype, device=p.device)
    return torch.zeros(input_size)


def _tuple(value: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * ndim
    return tuple(int(v) for v in value)


def _torch_pad(flat: Any) -> tuple[PadPair, ...]:
    # F.pad order: last axis first, (left, right, top, bottom, ...)
    values = [int(v) for v in flat]
    pairs = [(values[2 * j], values[2 * j + 1]) for j in range(len(values) // 2)]
    return tuple(reversed(pairs))


def _module_node(name: str, module: Any, ins: tuple[str, ...]) -> Node | None:
    """A layer node for a convolution, pooling or padding module (None for other modules)."""
    import torch.nn as nn

    source = f"nn.{type(module).__name__}"
    if isinstance(module, nn.modules.conv._ConvNd):
        return _conv_module_node(name, module, ins, source)
    pools = {nn.MaxPool1d: 1, nn.MaxPool2d: 2, nn.MaxPool3d: 3, nn.AvgPool1d: 1, nn.AvgPool2d: 2, nn.AvgPool3d: 3}
    if type(module) in pools:
        return _pool_module_node(name, module, ins, source, pools[type(module)])
    if isinstance(module, nn.LPPool1d | nn.LPPool2d | nn.LPPool3d):
        nd = {nn.LPPool1d: 1, nn.LPPool2d: 2}.get(type(module), 3)
        kernel = _tuple(module.kernel_size, nd)
        return Node(
            name,
            "lp_pool",
            ins,
            source=source,
            framework="pytorch",
            kernel_size=kernel,
            stride=_tuple(module.stride or kernel, nd),
            ceil_mode=bool(module.ceil_mode),
            extra={"norm_type": float(module.norm_type)},
        )
    for prefix, mode in _PAD_MODULES.items():
        if type(module).__name__.startswith(prefix):
            return Node(
                name, "pad", ins, source=source, framework="pytorch", padding=_torch_pad(module.padding), pad_mode=mode
            )
    return None


def _conv_module_node(name: str, module: Any, ins: tuple[str, ...], source: str) -> Node:
    """``nn.ConvNd`` and ``nn.ConvTransposeNd``: PyTorch's symmetric padding, its word, or its padding mode."""
    nd = len(module.kernel_size)
    common: dict[str, Any] = dict(
        source=source,
        framework="pytorch",
        kernel_size=tuple(module.kernel_size),
        stride=tuple(module.stride),
        dilation=tuple(module.dilation),
        groups=module.groups,
        in_channels=module.in_channels,
        out_channels=module.out_channels,
        bias=module.bias is not None,
    )
    if module.transposed:
        pads = tuple((p, p) for p in _tuple(module.padding, nd))
        return Node(name, "conv_transpose", ins, padding=pads, output_padding=tuple(module.output_padding), **common)
    padding: Any = module.padding if isinstance(module.padding, str) else tuple((p, p) for p in module.padding)
    node = Node(name, "conv", ins, padding=padding, convention="pytorch", **common)
    if module.padding_mode != "zeros":
        node.pad_mode = module.padding_mode
    return node


def _pool_module_node(name: str, module: Any, ins: tuple[str, ...], source: str, nd: int) -> Node:
    """``nn.MaxPoolNd`` and ``nn.AvgPoolNd`` (PyTorch's pooling convention: ceil mode, the divisor)."""
    op = "max_pool" if type(module).__name__.startswith("Max") else "avg_pool"
    kernel = _tuple(module.kernel_size, nd)
    return Node(
        name,
        op,
        ins,
        source=source,
        framework="pytorch",
        kernel_size=kernel,
        stride=_tuple(module.stride or kernel, nd),
        padding=tuple((p, p) for p in _tuple(module.padding, nd)),
        dilation=_tuple(getattr(module, "dilation", 1), nd),
        ceil_mode=bool(module.ceil_mode),
        pool_convention="pytorch",
        count_include_pad=getattr(module, "count_include_pad", None),
    )


_CONV_ARGS = ("stride", "padding", "dilation", "groups")
_TRANSPOSE_ARGS = ("stride", "padding", "output_padding", "groups", "dilation")


def _conv_function_node(
    name: str, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any], ins: tuple[str, ...], shape_of: Any
) -> Node | None:
    """A row for ``F.conv{1,2,3}d`` / ``F.conv_transpose{1,2,3}d``: arguments as called, channels from the weight."""
    import torch

    for nd in (1, 2, 3):
        transposed = target is getattr(torch, f"conv_transpose{nd}d")
        if not transposed and target is not getattr(torch, f"conv{nd}d"):
            continue
        names = ("input", "weight", "bias", *(_TRANSPOSE_ARGS if transposed else _CONV_ARGS))
        given = dict(zip(names, args, strict=False)) | kwargs
        weight = shape_of(given.get("weight"))
        if weight is None or len(weight) != nd + 2:
            return None
        groups = int(given.get("groups", 1))
        kernel = tuple(int(v) for v in weight[2:])
        common: dict[str, Any] = dict(
            source=f"F.{'conv_transpose' if transposed else 'conv'}{nd}d",
            framework="pytorch",
            kernel_size=kernel,
            stride=_tuple(given.get("stride", 1), nd),
            dilation=_tuple(given.get("dilation", 1), nd),
            groups=groups,
            bias=given.get("bias") is not None,
        )
        if transposed:
            pads = tuple((p, p) for p in _tuple(given.get("padding", 0), nd))
            extra = _tuple(given.get("output_padding", 0), nd)
            cin, cout = int(weight[0]), int(weight[1]) * groups
            return Node(
                name,
                "conv_transpose",
                ins[:1],
                padding=pads,
                output_padding=extra,
                in_channels=cin,
                out_channels=cout,
                **common,
            )
        padding = given.get("padding", 0)
        padding = padding if isinstance(padding, str) else tuple((p, p) for p in _tuple(padding, nd))
        cin, cout = int(weight[1]) * groups, int(weight[0])
        return Node(
            name, "conv", ins[:1], padding=padding, convention="pytorch", in_channels=cin, out_channels=cout, **common
        )
    return None


def _function_node(
    name: str,
    target: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    ins: tuple[str, ...],
    shape_of: Any = lambda value: None,
) -> Node | None:
    import torch.nn.functional as F

    conv = _conv_function_node(name, target, args, kwargs, ins, shape_of)
    if conv is not None:
        return conv
    if target is F.pad:
        pad = args[1] if len(args) > 1 else kwargs["pad"]
        mode = args[2] if len(args) > 2 else kwargs.get("mode", "constant")
        return Node(name, "pad", ins[:1], source="F.pad", framework="pytorch", padding=_torch_pad(pad), pad_mode=mode)
    for nd in (1, 2, 3):
        if target in (getattr(F, f"max_pool{nd}d"), getattr(F, f"avg_pool{nd}d")):
            names = (
                "kernel_size",
                "stride",
                "padding",
                "dilation" if "max" in target.__name__ else "ceil_mode",
                "ceil_mode",
            )
            given = dict(zip(names, args[1:], strict=False)) | kwargs
            kernel = _tuple(given["kernel_size"], nd)
            return Node(
                name,
                "max_pool" if "max" in target.__name__ else "avg_pool",
                ins[:1],
                source=f"F.{target.__name__}",
                framework="pytorch",
                kernel_size=kernel,
                stride=_tuple(given.get("stride") or kernel, nd),
                padding=tuple((p, p) for p in _tuple(given.get("padding", 0), nd)),
                dilation=_tuple(given.get("dilation", 1), nd),
                ceil_mode=bool(given.get("ceil_mode", False)),
                count_include_pad=given.get("count_include_pad", True) if "avg" in target.__name__ else None,
            )
    return None


def _resize_mode(how: Any, args: Any) -> str:
    """``'nearest'`` or ``'linear'`` (PyTorch's bilinear and trilinear) of an interpolation call or module."""
    if isinstance(how, dict):
        mode = how.get("mode", args[3] if len(args) > 3 else "nearest")
    else:
        mode = getattr(how, "mode", "nearest")
    return "linear" if isinstance(mode, str) and mode.endswith("linear") else "nearest"


def _by_shape(
    name: str, ins: tuple[str, ...], shapes: list[tuple[int, ...]], out: tuple[int, ...] | None, label: str, ndim: int
) -> Node:
    """A node for a call convarith does not know, from its input and output shapes."""
    if out is None or len(out) != ndim + 2 or not shapes:
        # a reduction that keeps the channels (a mean over the spatial axes) mixes nothing
        keeps = out is not None and len(out) >= 2 and bool(shapes) and len(shapes[0]) >= 2 and out[1] == shapes[0][1]
        return Node(name, "end", ins, source=label, framework="pytorch", mixes_channels=not keeps)
    first = shapes[0]
    if len(first) == ndim + 2 and first[2:] == out[2:]:
        return Node(name, "merge" if len(ins) > 1 else "elementwise", ins, source=label, framework="pytorch")
    if len(ins) > 1 and all(
        len(shape) == ndim + 2 and all(v in (1, o) for v, o in zip(shape[2:], out[2:], strict=True)) for shape in shapes
    ):  # broadcasting: a squeeze-excitation gate (1x1) times the map
        return Node(name, "merge", ins, source=label, framework="pytorch")
    if len(first) == ndim + 2:
        scale = tuple(Fraction(o, i) for o, i in zip(out[2:], first[2:], strict=True))
        if all(o == 1 for o in out[2:]):  # a global pooling: one cell that reads the whole map
            return Node(name, "global", ins, source=label, framework="pytorch", mixes_channels=out[1] != first[1])
        return Node(name, "resize", ins, source=label, framework="pytorch", scale=scale, size=tuple(out[2:]))
    return Node(name, "end", ins, source=label, framework="pytorch")


def read_torch(model: Any, input_size: tuple[int, ...]) -> tuple[list[Node], str]:
    """Nodes of a PyTorch module on an input of ``input_size`` (batch first), and how it was read.

    Returns
    -------
    (list of Node, str)
        The nodes, and ``'torch.fx'`` or ``'forward hooks'``.
    """
    import torch

    was_training = model.training
    model.eval()
    try:
        try:
            return _read_fx(model, input_size), "torch.fx"
        except Exception:  # fx raises many kinds of errors on untraceable code
            return _read_hooks(model, input_size), "forward hooks"
    finally:
        model.train(was_training)
        del torch


def _meta_shape(meta: Any) -> tuple[int, ...] | None:
    """The shape fx's shape pass recorded; for a tuple of tensors (``chunk``, ``split``), its first piece's."""
    if hasattr(meta, "shape"):
        return tuple(meta.shape)
    if isinstance(meta, list | tuple) and meta and hasattr(meta[0], "shape"):
        return tuple(meta[0].shape)
    return None


def _read_fx(model: Any, input_size: tuple[int, ...]) -> list[Node]:
    import torch
    from torch.fx import symbolic_trace
    from torch.fx.passes.shape_prop import ShapeProp

    traced = symbolic_trace(model)
    with torch.no_grad():
        ShapeProp(traced).propagate(_probe(model, input_size))
    ndim = len(input_size) - 2
    modules = dict(traced.named_modules())
    nodes: list[Node] = []
    taken: set[str] = set()
    alias: dict[str, str] = {}  # fx node name -> our node name (a module's dotted name)

    def shape_of(value: Any) -> tuple[int, ...] | None:
        return _meta_shape(value.meta.get("tensor_meta")) if hasattr(value, "meta") else None

    for fx_node in traced.graph.nodes:
        out = _meta_shape(fx_node.meta.get("tensor_meta"))
        args = [a for a in fx_node.all_input_nodes if a.name in alias]
        ins = tuple(dict.fromkeys(alias[a.name] for a in args))
        shapes = [shape for a in args if (shape := shape_of(a)) is not None]
        node: Node | None = None
        if fx_node.op == "placeholder":
            node = Node(fx_node.name, "input", framework="pytorch", source="input", in_channels=input_size[1])
        elif fx_node.op in ("output", "get_attr"):
            continue
        elif fx_node.op == "call_module":
            node = _module_node(str(fx_node.target), modules[fx_node.target], ins)
            label = f"nn.{type(modules[fx_node.target]).__name__}"
        elif fx_node.op == "call_function":
            node = _function_node(fx_node.name, fx_node.target, fx_node.args, dict(fx_node.kwargs), ins, shape_of)
            label = getattr(fx_node.target, "__name__", str(fx_node.target))
        else:
            label = str(fx_node.target)
        if node is None:
            if not ins:
                continue
            node = _by_shape(
                str(fx_node.target) if fx_node.op == "call_module" else fx_node.name, ins, shapes, out, label, ndim
            )
            if fx_node.op == "call_module" and type(modules[fx_node.target]).__name__ == "Linear":
                node.mixes_channels = True
            if node.op == "resize":
                how = modules[fx_node.target] if fx_node.op == "call_module" else fx_node.kwargs
                node.resize_mode = _resize_mode(how, fx_node.args)
        if node.op in ("conv", "conv_transpose") or node.in_channels is None:
            if shapes and len(shapes[0]) > 1 and node.op != "input":
                node.in_channels = node.in_channels or int(shapes[0][1])
            if out is not None and len(out) > 1 and node.out_channels is None and node.op != "input":
                node.out_channels = int(out[1])
        if node.name in taken:  # a module called twice
            node.name = f"{node.name}#{fx_node.name}"
        taken.add(node.name)
        alias[fx_node.name] = node.name
        nodes.append(node)
    return nodes


def _tensor_shape(value: Any) -> tuple[int, ...] | None:
    shape = getattr(value, "shape", None)
    return None if shape is None else tuple(shape)


def _tensors(value: Any) -> list[Any]:
    """The tensors in a call's arguments or results (inside lists, tuples and dicts)."""
    import torch

    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    return []


class _HookedRun:
    """One forward run under hooks: which node made which tensor, and the nodes found so far.

    Module hooks (:meth:`pre`, :meth:`post`) make a node for each convolution, pooling and
    padding module; :meth:`called` makes one for every other call on the tensors made so far
    (through a ``TorchFunctionMode``). Calls inside a hooked module are not nodes (``depth``).
    """

    def __init__(self, model: Any, input_size: tuple[int, ...]) -> None:
        self.ndim = len(input_size) - 2
        self.nodes: list[Node] = [
            Node("input", "input", framework="pytorch", source="input", in_channels=input_size[1])
        ]
        self.producer: dict[int, str] = {}
        self.alive: list[Any] = []  # keeps the tensors (and so their ids) alive until the run ends
        self.depth = 0
        self.counter = 0
        self.names = {module: name for name, module in model.named_modules()}

    def produced(self, outputs: Any, name: str) -> None:
        for t in _tensors(outputs):
            self.producer[id(t)] = name
            self.alive.append(t)

    def called(self, func: Any, args: Any, kwargs: dict[str, Any], result: Any) -> None:
        """A function call outside the hooked modules: a node when it reads and makes tensors."""
        if self.depth:
            return
        sources = [t for t in _tensors((args, kwargs)) if id(t) in self.producer]
        outs = _tensors(result)
        if not sources or not outs:
            return
        ins = tuple(dict.fromkeys(self.producer[id(t)] for t in sources))
        self.counter += 1
        label = getattr(func, "__name__", str(func))
        name = f"{label}_{self.counter}"
        node = _function_node(name, func, tuple(args), kwargs, ins, _tensor_shape)
        if node is None:
            node = _by_shape(name, ins, [tuple(t.shape) for t in sources], tuple(outs[0].shape), label, self.ndim)
            if node.op == "resize":
                node.resize_mode = _resize_mode(kwargs, args)
        if node.op == "elementwise" and len(ins) == 1:
            self.produced(result, ins[0])  # pass-through: no node
            return
        self.nodes.append(node)
        self.produced(result, name)

    def pre(self, module: Any, args: Any) -> None:
        if self.depth == 0:
            sources = [t for t in _tensors(args) if id(t) in self.producer]
            node = _module_node(self.names[module], module, tuple(dict.fromkeys(self.producer[id(t)] for t in sources)))
            assert node is not None
            if node.op not in ("conv", "conv_transpose") and sources:
                node.in_channels = node.out_channels = int(sources[0].shape[1])
            self.nodes.append(node)
        self.depth += 1

    def post(self, module: Any, args: Any, output: Any) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.produced(output, self.names[module])


def _recording(run: _HookedRun) -> Any:
    """A ``TorchFunctionMode`` that tells ``run`` every torch call made under it."""
    from torch.overrides import TorchFunctionMode

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            kwargs = kwargs or {}
            result = func(*args, **kwargs)
            run.called(func, args, kwargs, result)
            return result

    return Recorder()


def _read_hooks(model: Any, input_size: tuple[int, ...]) -> list[Node]:
    import torch

    run = _HookedRun(model, input_size)
    handles = []
    for module in model.modules():
        if _module_node("probe", module, ()) is not None:
            handles.append(module.register_forward_pre_hook(run.pre))
            handles.append(module.register_forward_hook(run.post))
    x = _probe(model, input_size)
    run.produced(x, "input")
    try:
        with torch.no_grad(), _recording(run):
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return run.nodes
