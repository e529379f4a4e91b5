"""Exercise generators for notebook 14, "Beyond the box": overlap and the effective receptive field.

They add kinds to the topics they belong to: ``transposed_convolution`` gets ``overlap`` (how many
(input cell, tap) pairs write one output cell) and ``phases`` (the interior counts by phase, the
checkerboard); ``receptive_fields`` gets ``effective_gradient`` (one entry of the gradient of a
stack of all-ones convolutions). Answers come from :func:`convarith.studies.overlap`,
:func:`convarith.studies.overlap_phases` and :func:`convarith.studies.effective_receptive_field`.
"""

from __future__ import annotations

import numpy as np

from convarith.classroom._common import Generator, draw, given
from convarith.classroom.exercise import Answer, Parts
from convarith.studies import effective_receptive_field, layer, overlap, overlap_phases

__all__ = ["GENERATORS"]


def _overlap(rng: np.random.Generator) -> Parts:
    i = draw(rng, 3, 6)
    s = draw(rng, 2, 3)
    k = draw(rng, 2, 5)
    p = draw(rng, 0, k - 1)
    counts = overlap(i, k, stride=s, padding=p)
    o = draw(rng, 0, len(counts) - 1)
    answer = int(counts[o])
    pairs = [(j, t) for j in range(i) for t in range(k) if j * s + t - p == o]
    listed = ", ".join(f"(j={j}, t={t})" for j, t in pairs) or "none"
    mistakes = [
        (k, "Not every tap reaches this cell: only the taps whose offset has the cell's phase modulo the stride.")
    ]
    mistakes += [(1, "Cells are written more than once when the kernel is wider than the stride: count every pair.")]
    return Parts(
        f"A 1-D transposed convolution with a kernel of size {k}, stride {s} and padding {p} reads an input of "
        f"size {i}, all ones, with a kernel of ones. Its output is the number of (input cell, kernel tap) pairs "
        f"that write each output cell. What is output cell {o}?",
        Answer("int", answer),
        (
            f"input cell j writes through tap t onto output cell j·{s} + t − {p}",
            f"pairs with j·{s} + t − {p} = {o}, 0 ≤ j < {i}, 0 ≤ t < {k}: {listed}",
            f"output cell {o} = {answer}; the whole output is {counts.tolist()}",
        ),
        "List the input cells and taps that land on this cell: input cell j through tap t writes the cell at j "
        "times the stride, plus t, minus the padding.",
        tuple((v, h) for v, h in mistakes if v != answer),
        given=given(input_size=i, kernel_size=k, stride=s, padding=p, output=o),
    )


def _phases(rng: np.random.Generator) -> Parts:
    s = draw(rng, 2, 4)
    k = draw(rng, 2, 8)
    (phases,) = overlap_phases(k + 2, k, stride=s)
    taps = [", ".join(str(t) for t in range(r, k, s)) or "none" for r in range(s)]
    even = all(c == phases[0] for c in phases)
    verdict = "even" if even else ("gaps" if 0 in phases else "a checkerboard")
    mistakes = []
    if not even:
        mistakes.append(((k // s,) * s, "The taps do not share out evenly: count the taps of each phase one by one."))
    return Parts(
        f"A transposed convolution with a kernel of size {k} and stride {s} (no padding, no dilation). Tap t writes "
        f"the output cells o with o mod {s} = t mod {s}. Away from the edges, how many taps write a cell with "
        f"o mod {s} = {', '.join(str(r) for r in range(s))}? Answer with {s} numbers, in that order.",
        Answer("list", tuple(phases)),
        (
            *(f"phase {r}: taps {taps[r]}" for r in range(s)),
            f"counts {list(phases)}: {verdict} ({k} is{'' if k % s == 0 else ' not'} divisible by {s})",
        ),
        "Tap t lands on the phase t mod stride: share the taps out among the phases.",
        tuple(mistakes),
        given=given(kernel_size=k, stride=s),
    )


def _effective_gradient(rng: np.random.Generator) -> Parts:
    n = draw(rng, 2, 3)
    k = draw(rng, 2, 3)
    r0 = n * (k - 1) + 1
    c = draw(rng, 1, r0 - 2)  # inside the field: an edge cell has one path
    gradient = effective_receptive_field([layer("conv", k)] * n, r0).gradient
    answer = int(gradient[c])
    kernel = "[" + ", ".join(["1"] * k) + "]"
    return Parts(
        f"{n} stacked 1-D convolutions, each with a kernel of {k} ones, stride 1, no padding and no bias, read an "
        f"input of size {r0}: the output is one cell, and its theoretical receptive field is the whole input. By "
        f"how much does the output grow when input cell {c} grows by one (the gradient at cell {c})?",
        Answer("int", answer),
        (
            f"the gradient is the convolution of {n} copies of {kernel}: {[int(g) for g in gradient]}",
            f"cell {c}: {answer} paths from it to the output (one per choice of a tap in each layer)",
        ),
        "Count the paths: each layer passes a cell on to the cells of the next whose window covers it, and the "
        "gradient of the output is the number of ways through all the layers.",
        ((1, "All-ones weights do not make the gradient uniform: the middle of the field has more paths."),)
        if answer != 1
        else (),
        given=given(layers=n, kernel_size=k, input_size=r0, input_cell=c),
    )


GENERATORS: dict[str, dict[str, tuple[str, Generator]]] = {
    "transposed_convolution": {
        "overlap": ("How many writes land on one output cell", _overlap),
        "phases": ("Taps per phase: even, checkerboard or gaps", _phases),
    },
    "receptive_fields": {
        "effective_gradient": ("One entry of the effective receptive field", _effective_gradient),
    },
}
"""``GENERATORS[topic][kind] = (title, generator)``: kinds added to topics 06 and 11 for notebook 14."""
