"""Rendering speed: one frame of a 7x7 convolution, and the whole gallery.

Run by hand: ``python benchmarks/bench_render.py [--skip-gallery]``.

Targets (issue 6): one frame of a 7x7 convolution in under 50 ms median (notebook sliders), the
whole gallery in under 30 s; issue 20: at its default slide size, 1920 x 1080, in under 15 s
(the README's main job). The baseline, measured in the same run, is matplotlib redrawing the
whole figure for every frame (what a renderer without blitting does); CPU time is printed next
to wall time because this 2-core machine is shared.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time

import convarith as ca


def frame_times(renderer, steps, *, full_redraw=False):
    times = []
    for step in steps:
        start = time.perf_counter()
        if full_redraw:
            renderer.update(step)
            renderer._prepare_full_draw()
            renderer.canvas.draw()
            renderer.canvas.buffer_rgba()
        else:
            renderer.draw_frame(step)
        times.append(time.perf_counter() - start)
    return times


def bench_frames() -> None:
    print("one frame of a 7x7 convolution (960 x 540), median over the frames")
    cases = {
        "7x7, k=3, p=1 (49 frames)": ca.conv_scene((7, 7), 3, padding=1),
        "7x7, k=3, p=1, numbers": ca.conv_scene((7, 7), 3, padding=1, numbers=True),
    }
    for label, scene in cases.items():
        renderer = ca.anim.render(scene, dpi=100)
        renderer.draw_frame(0)  # builds the cached background
        n = len(scene)
        forwards = frame_times(renderer, range(n))
        rng = random.Random(0)
        slider = frame_times(renderer, [rng.randrange(n) for _ in range(n)])
        baseline = ca.anim.render(scene, dpi=100)
        baseline.draw_frame(0)
        full = frame_times(baseline, range(n), full_redraw=True)
        med_f, med_s, med_b = (statistics.median(t) * 1000 for t in (forwards, slider, full))
        verdict = "ok" if max(med_f, med_s) < 50 else "SLOW"
        print(
            f"  {label:<28} forwards {med_f:6.1f} ms  slider (random) {med_s:6.1f} ms  "
            f"full redraw {med_b:6.1f} ms  ratio {med_b / med_f:4.1f}x  [{verdict}: < 50 ms]"
        )


def bench_gallery() -> None:
    print("the whole gallery (GIF, the default 1920 x 1080)")
    cpu = time.process_time()
    with tempfile.TemporaryDirectory() as out:
        summary = ca.render_gallery(out, progress=False)
    cpu = time.process_time() - cpu
    print("\n".join("  " + line for line in repr(summary).splitlines()))
    verdict = "ok" if summary.seconds < 15 else "SLOW"
    print(f"  wall {summary.seconds:.1f} s, CPU {cpu:.1f} s  [{verdict}: < 15 s, the README's main job]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-gallery", action="store_true")
    args = parser.parse_args()
    bench_frames()
    if not args.skip_gallery:
        bench_gallery()


if __name__ == "__main__":
    main()
