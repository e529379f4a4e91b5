"""Benchmark of ``convarith.inspect`` on graphs of about 300 layers and more.

Run by hand from the project root::

    python benchmarks/bench_inspect.py           # Keras applications, an ONNX export, PyTorch, layer values
    python benchmarks/bench_inspect.py --quick   # the synthetic graphs only (no Keras build)

The goal (issue 18): the largest of the Keras applications of the done-when list (DenseNet121,
429 Keras nodes, about 1,200 ONNX nodes) takes at most 1 s beyond the framework's own loading,
as a ``.keras`` file and as ONNX exported by Keras (issue 14 asked 2 s for 300-layer graphs).
For each model it prints, best of ``--repeats`` runs:

- ``load``: what the framework's own reading costs (``json.loads`` of the ``.keras`` file's
  ``config.json``; ``onnx.load``; ``torch.fx.symbolic_trace`` plus one forward pass for shapes);
- ``inspect``: the whole ``convarith.inspect`` call (reading included);
- ``beyond``: ``inspect - load``, the part the goal is about, and ``rows``/``nodes`` walked
  (for PyTorch, ``inspect`` traces the module itself, so the two times overlap and ``beyond`` is
  small or, on a noisy machine, slightly negative).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

from convarith.arithmetic.layer import layer
from convarith.network import inspect


def best(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def line(name: str, nodes: int, rows: int, load: float, total: float) -> None:
    flag = "ok" if total - load <= 1.0 else "SLOW"
    print(f"{name:<34} {nodes:>6} {rows:>5} {load:>8.3f} {total:>8.3f} {total - load:>8.3f}  {flag}")


def keras_models(folder: Path, repeats: int) -> None:
    try:
        import keras
    except ImportError:
        print("(keras not installed: Keras cases skipped)")
        return
    for name in ("InceptionV3", "DenseNet121", "EfficientNetB0", "ResNet152"):
        start = time.perf_counter()
        model = getattr(keras.applications, name)(weights=None)
        path = folder / f"{name}.keras"
        with zipfile.ZipFile(path, "w") as archive:  # config.json is all inspect reads (model.save also writes weights)
            archive.writestr("config.json", model.to_json())
        built = time.perf_counter() - start

        def load(path: Path = path) -> Any:
            with zipfile.ZipFile(path) as archive:
                return json.loads(archive.read("config.json"))

        load_time, config = best(load, repeats)
        total, report = best(lambda path=path: inspect(path), repeats)
        line(f"{name}.keras (built in {built:.0f} s)", len(config["config"]["layers"]), len(report), load_time, total)
        onnx_case(model, name, folder, repeats)


def onnx_case(model: Any, name: str, folder: Path, repeats: int) -> None:
    if name not in ("InceptionV3", "DenseNet121", "EfficientNetB0"):
        return
    try:
        import numpy as np
        import onnx
    except ImportError:
        return
    import warnings

    path = folder / f"{name}.onnx"
    model(np.zeros((1, *model.input_shape[1:]), np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.export(path, format="onnx", verbose=False)
    load_time, proto = best(lambda: onnx.load(path, load_external_data=False), repeats)
    inspect(path)  # the first call imports onnx's shape inference and reference evaluator
    total, report = best(lambda: inspect(path), repeats)
    line(f"{name}.onnx (Keras export)", len(proto.graph.node), len(report), load_time, total)


def torch_case(repeats: int) -> None:
    try:
        import torch
        from torch import nn
        from torch.fx import symbolic_trace
        from torch.fx.passes.shape_prop import ShapeProp
    except ImportError:
        print("(torch not installed: PyTorch case skipped)")
        return

    class Block(nn.Module):
        def __init__(self, c: int) -> None:
            super().__init__()
            self.a, self.b = nn.Conv2d(c, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1)
            self.bn = nn.BatchNorm2d(c)

        def forward(self, x: Any) -> Any:
            return torch.relu(self.bn(self.b(torch.relu(self.a(x)))) + x)

    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), *[Block(8) for _ in range(75)]).eval()
    size = (1, 3, 32, 32)

    def load() -> Any:
        traced = symbolic_trace(model)
        with torch.no_grad():
            ShapeProp(traced).propagate(torch.zeros(size))
        return traced

    load_time, traced = best(load, repeats)
    total, report = best(lambda: inspect(model, size), repeats)
    line("75 residual blocks (torch.fx)", len(traced.graph.nodes), len(report), load_time, total)


def layer_values(repeats: int) -> None:
    stack = [layer("conv", None, 3, stride=2 if n % 50 == 0 else 1, padding="same") for n in range(300)]
    total, report = best(lambda: inspect(stack, input_size=(1, 3, 224, 224)), repeats)
    line("300 layer values (2-D)", 300, len(report), 0.0, total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="synthetic graphs only")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'model':<34} {'nodes':>6} {'rows':>5} {'load s':>8} {'inspect':>8} {'beyond':>8}")
    layer_values(args.repeats)
    torch_case(args.repeats)
    if not args.quick:
        with tempfile.TemporaryDirectory() as folder:
            keras_models(Path(folder), args.repeats)


if __name__ == "__main__":
    main()
