"""Benchmark: Python-side time of one slider change in a LayerExplorer (compute + render).

The layer: a 7x7 input, kernel 3, padding 1 (the picture at the widget's default 80 dpi,
768x432 pixels). Each change is timed from the moment the trait is set until the new PNG bytes
are in the Image widget (ipywidgets calls the observers synchronously):

* **step**: the kernel-position slider (or Play) moves: the reusable renderer recolours the
  cells and draws the frame, then the frame is encoded as PNG;
* **new layer**: a parameter slider moves (stride 1 <-> 2) to a layer not seen before: the
  layer value, frames, the scan and engine check, a new renderer, the first frame;
* **seen layer**: the same, back to one of the last layers shown (the explorer keeps their
  frames and renderers): only the first frame is drawn;
* **new layer, numbers**: a new layer of an explorer showing values (a notebook's ``x``), padding
  values included (informative, no target);
* **state only**: :func:`convarith.widgets.state.describe_layer` alone (no drawing): the part of
  a new layer the widgets compute themselves; the rest is the renderer's.

Baseline, measured in the same run: what a widget without a reusable renderer would do on every
step (rebuild the whole figure, draw that frame).

Targets (issue 13): step <= 30 ms and new layer <= 60 ms median on a quiet machine. Then the
step and new-layer changes are timed again with two CPU-bound processes running beside the
benchmark (started and stopped here; the classroom machine has 2 cores) and their p95 reported.
The machine's load average is printed first: other work on the machine slows the quiet part too.

    python benchmarks/bench_widgets.py            # 40 changes of each kind (60 under load)
    python benchmarks/bench_widgets.py --quick    # 10 (20 under load)
    python benchmarks/bench_widgets.py --profile  # and cProfile the new-layer path
    python benchmarks/bench_widgets.py --clock cpu  # CPU time: compare versions on a busy machine
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))  # this checkout

import matplotlib

matplotlib.use("Agg")

import numpy as np

from convarith.anim.render import Renderer
from convarith.widgets import LayerExplorer, describe_layer, png_bytes

TARGETS_MS = {"step slider": 30.0, "new layer": 60.0}
LAYER = {"kind": "conv", "input_size": 7, "kernel_size": 3, "stride": 1, "padding": 1}
BUSY_PROCESSES = 2
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]  # --clock cpu: this process's CPU time, less sensitive to other work on the machine

# A busy loop that also stops when the benchmark is gone (its parent changes), so a killed
# benchmark leaves nothing spinning.
_BUSY_LOOP = """
import os
parent = os.getppid()
while os.getppid() == parent:
    for _ in range(200_000):
        pass
"""


def time_steps(explorer: LayerExplorer, changes: int) -> list[float]:
    """Move the step slider ``changes`` times (wrapping round); seconds per change."""
    times = []
    frames = explorer.step.max
    for _ in range(changes):
        start = clock()
        explorer.step.value = 1 + (explorer.step.value % frames)  # next position
        times.append(clock() - start)
        assert explorer.picture.value  # the new picture is there
    return times


def forget_layers(explorer: LayerExplorer) -> None:
    """Empty the explorer's cache of layers, closing their renderers as its eviction does."""
    for _, renderer in explorer._cache.values():
        if renderer is not None:
            renderer.close()
    explorer._cache.clear()


def time_parameters(explorer: LayerExplorer, changes: int, cold: bool = True) -> list[float]:
    """Flip the stride slider between 1 and 2 ``changes`` times; seconds per change.

    ``cold``: forget the cached layers first (not timed), so every change builds its frames and
    renderer.
    """
    times = []
    stride = explorer.controls["stride"]
    for _ in range(changes):
        if cold:
            forget_layers(explorer)
        start = clock()
        stride.value = 2 if stride.value == 1 else 1
        times.append(clock() - start)
        assert explorer.message.value == ""  # a valid layer every time
    return times


def time_state(changes: int) -> list[float]:
    """Compute the state of the layer (stride 1 and 2 in turn) without drawing; seconds per call."""
    times = []
    for n in range(changes):
        start = clock()
        state = describe_layer(**{**LAYER, "stride": 1 + n % 2})  # type: ignore[arg-type]
        times.append(clock() - start)
        assert state.agrees
    return times


def time_baseline(changes: int, dpi: float) -> list[float]:
    """Rebuild state and figure on every step change (no reusable renderer); seconds per change."""
    times = []
    for n in range(changes):
        start = clock()
        state = describe_layer(**LAYER)  # type: ignore[arg-type]
        assert state.scene is not None
        renderer = Renderer(state.scene, caption=False, dpi=dpi)
        png_bytes(renderer.draw_frame(n % len(renderer)))
        renderer.close()
        times.append(clock() - start)
    return times


def new_layer_path(n: int, dpi: float) -> None:
    """What a new layer costs outside the widgets: state, renderer, first frame, PNG (for the profile)."""
    state = describe_layer(**{**LAYER, "stride": 1 + n % 2})  # type: ignore[arg-type]
    assert state.scene is not None
    renderer = Renderer(state.scene, caption=False, dpi=dpi)
    png_bytes(renderer.draw_frame(0))
    renderer.close()


@contextlib.contextmanager
def busy_processes(count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Run ``count`` CPU-bound processes beside the benchmark; stop them however the block ends."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(count):
            processes.append(subprocess.Popen([sys.executable, "-c", _BUSY_LOOP]))
        time.sleep(0.5)  # let them start spinning
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def percentile(times: list[float], q: int) -> float:
    """The ``q``-th percentile of ``times`` (inclusive method: a value between two measured ones)."""
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1]


def report(name: str, times: list[float], baseline: float | None = None, target: float | None = None) -> None:
    """One line: median, p90, p95, the ratio to the baseline, the target and whether it is met."""
    median = statistics.median(times) * 1000
    line = (
        f"  {name:<30} median {median:7.1f} ms   p90 {percentile(times, 90) * 1000:7.1f} ms"
        f"   p95 {percentile(times, 95) * 1000:7.1f} ms"
    )
    if baseline is not None:
        line += f"   {statistics.median(times) / baseline:5.2f}x baseline"
    if target is not None:
        line += f"   target <= {target:.0f} ms: {'OK' if median <= target else 'MISSED'}"
    print(line)


def profile(dpi: float, calls: int = 30, rows: int = 25) -> None:
    """cProfile of the new-layer path (state, renderer, first frame, PNG), by cumulative time."""
    for n in range(3):  # warm up
        new_layer_path(n, dpi)
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(calls):
        new_layer_path(n, dpi)
    profiler.disable()
    print(f"\ncProfile of {calls} new layers (describe_layer + Renderer + first frame + PNG):")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 changes of each kind, 20 under load")
    parser.add_argument("--profile", action="store_true", help="cProfile the new-layer path at the end")
    parser.add_argument(
        "--clock", choices=list(CLOCKS), default="wall", help="wall time (default) or this process's CPU time"
    )
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    changes = 10 if args.quick else 40
    loaded_changes = 20 if args.quick else 60

    explorer = LayerExplorer(**LAYER)  # type: ignore[arg-type]
    assert explorer.renderer is not None
    width, height = explorer.renderer.size
    time_steps(explorer, 3)  # warm up (fonts, caches)
    time_parameters(explorer, 2)
    explorer.set(stride=1)
    x = np.arange(49).reshape(7, 7) % 10
    numbers = LayerExplorer(**LAYER, x=x, numbers=True)  # type: ignore[arg-type]
    time_parameters(numbers, 2)

    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(
        f"LayerExplorer, 7x7 input, kernel 3, padding 1, picture {width}x{height} px; "
        f"{args.clock} clock; load average {load}"
    )
    print(f"quiet ({changes} changes each):")
    measure: dict[str, Callable[[], list[float]]] = {
        "step slider": lambda: time_steps(explorer, changes),
        "new layer": lambda: time_parameters(explorer, changes),
        "seen layer": lambda: time_parameters(explorer, changes, cold=False),
        "new layer, numbers": lambda: time_parameters(numbers, changes),
        "state only (describe_layer)": lambda: time_state(changes),
        "baseline: rebuild per step": lambda: time_baseline(changes, explorer.dpi),
    }
    results = {name: run() for name, run in measure.items()}
    baseline = statistics.median(results["baseline: rebuild per step"])
    for name, times in results.items():
        report(name, times, baseline, TARGETS_MS.get(name))

    with busy_processes(BUSY_PROCESSES):
        loaded = {
            "step slider": time_steps(explorer, loaded_changes),
            "new layer": time_parameters(explorer, loaded_changes),
        }
    print(f"beside {BUSY_PROCESSES} CPU-bound processes ({loaded_changes} changes each; the p95 is the figure):")
    for name, times in loaded.items():
        report(name, times)
    print("targets: median step <= 30 ms, new layer <= 60 ms on a quiet machine; under load, the p95 is reported")

    if args.profile:
        profile(explorer.dpi)


if __name__ == "__main__":
    main()
