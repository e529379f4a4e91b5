"""Benchmark: Python-side time of one slider change in a LayerExplorer (compute + render).

The layer: a 7x7 input, kernel 3, padding 1 (the picture at the widget's default 80 dpi,
768x432 pixels). Two kinds of slider change are timed, each from the moment the trait is set
until the new PNG bytes are in the Image widget (ipywidgets calls the observers synchronously):

* **step**: the kernel-position slider (or Play) moves: the reusable renderer recolours the
  cells and draws the frame, then the frame is encoded as PNG;
* **parameter, new layer**: a parameter slider moves (stride 1 <-> 2) to a layer not seen
  before: the layer value, frames, the scan and engine check, a new renderer, the first frame;
* **parameter, seen layer**: the same, back to one of the last layers shown (the explorer keeps
  their frames and renderers): only the first frame is drawn.

* **state only**: :func:`convarith.widgets.state.describe_layer` alone (no drawing): the part of
  a new layer the widgets compute themselves; the rest is the renderer's.

Baseline, measured in the same run: what a widget without a reusable renderer would do on every
step (rebuild the whole figure, draw that frame). Target: median under 100 ms per change.

    python benchmarks/bench_widgets.py          # 40 changes of each kind
    python benchmarks/bench_widgets.py --quick  # 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))  # this checkout

import matplotlib

matplotlib.use("Agg")

from convarith.anim.render import Renderer
from convarith.widgets import LayerExplorer, describe_layer, png_bytes

TARGET_MS = 100.0
LAYER = {"kind": "conv", "input_size": 7, "kernel_size": 3, "stride": 1, "padding": 1}


def time_steps(explorer: LayerExplorer, changes: int) -> list[float]:
    """Move the step slider ``changes`` times (wrapping round); seconds per change."""
    times = []
    frames = explorer.step.max
    for _ in range(changes):
        start = time.perf_counter()
        explorer.step.value = 1 + (explorer.step.value % frames)  # next position
        times.append(time.perf_counter() - start)
        assert explorer.picture.value  # the new picture is there
    return times


def time_parameters(explorer: LayerExplorer, changes: int, cold: bool = True) -> list[float]:
    """Flip the stride slider between 1 and 2 ``changes`` times; seconds per change.

    ``cold``: forget the cached layers first, so every change builds its frames and renderer.
    """
    times = []
    stride = explorer.controls["stride"]
    for _ in range(changes):
        if cold:
            explorer._cache.clear()
        start = time.perf_counter()
        stride.value = 2 if stride.value == 1 else 1
        times.append(time.perf_counter() - start)
        assert explorer.message.value == ""  # a valid layer every time
    return times


def time_state(changes: int) -> list[float]:
    """Compute the state of the layer (stride 1 and 2 in turn) without drawing; seconds per call."""
    times = []
    for n in range(changes):
        start = time.perf_counter()
        state = describe_layer(**{**LAYER, "stride": 1 + n % 2})  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
        assert state.agrees
    return times


def time_baseline(changes: int, dpi: float) -> list[float]:
    """Rebuild state and figure on every step change (no reusable renderer); seconds per change."""
    times = []
    for n in range(changes):
        start = time.perf_counter()
        state = describe_layer(**LAYER)  # type: ignore[arg-type]
        renderer = Renderer(state.scene, caption=False, dpi=dpi)
        png_bytes(renderer.draw_frame(n % len(renderer)))
        renderer.close()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 changes of each kind instead of 40")
    args = parser.parse_args()
    changes = 10 if args.quick else 40

    explorer = LayerExplorer(**{k: v for k, v in LAYER.items()})  # type: ignore[arg-type]
    width, height = explorer.renderer.size
    time_steps(explorer, 3)  # warm up (fonts, caches)
    time_parameters(explorer, 2)
    explorer.set(stride=1)
    results = {
        "step slider": time_steps(explorer, changes),
        "parameter slider, new layer": time_parameters(explorer, changes),
        "parameter slider, seen layer": time_parameters(explorer, changes, cold=False),
        "state only (describe_layer)": time_state(changes),
        "baseline: rebuild per step": time_baseline(changes, explorer.dpi),
    }
    print(f"LayerExplorer, 7x7 input, kernel 3, padding 1, picture {width}x{height} px; {changes} changes each")
    baseline = statistics.median(results["baseline: rebuild per step"])
    for name, times in results.items():
        median = statistics.median(times) * 1000
        verdict = "  OK" if median < TARGET_MS else "  SLOWER THAN TARGET"
        if name.startswith(("baseline", "state")):  # not a slider change
            verdict = ""
        print(
            f"  {name:<30} median {median:7.1f} ms   p90 {sorted(times)[int(0.9 * len(times))] * 1000:7.1f} ms"
            f"   {statistics.median(times) / baseline:5.2f}x baseline{verdict}"
        )
    print(f"target: median < {TARGET_MS:.0f} ms per slider change")


if __name__ == "__main__":
    main()
