"""Exercise generators for notebooks 06-08: transposed convolution, the matrix view, groups.

Answers come from the package: :func:`~convarith.arithmetic.conv_transpose_output_size`,
:func:`~convarith.arithmetic.recovering_output_padding` and
:func:`~convarith.arithmetic.transpose_equivalent`; the engine's
:func:`~convarith.engine.conv_transpose`, :func:`~convarith.engine.conv_matrix` and
:func:`~convarith.engine.conv` (whose argument checks decide which ``groups`` are allowed, and
whose impulse responses say which input channels an output channel reads).
"""

from __future__ import annotations

import numpy as np

from convarith.arithmetic import (
    conv_output_size,
    conv_transpose_output_size,
    geometry,
    recovering_output_padding,
    transpose_equivalent,
)
from convarith.arithmetic.english import plural, with_article
from convarith.classroom._common import Generator, block, draw, given, lines, one, square
from convarith.classroom.exercise import Answer, Parts
from convarith.engine import conv, conv_matrix, conv_transpose

__all__ = ["GENERATORS"]


# --- 06 transposed convolution -----------------------------------------------------------------


def _transpose_output_size(rng: np.random.Generator) -> Parts:
    i = draw(rng, 2, 8)
    k = draw(rng, 2, 5)
    s = draw(rng, 1, 3)
    p = draw(rng, 0, min(k - 1, (s * (i - 1) + k - 1) // 2))  # at least one output cell
    a = draw(rng, 0, s - 1)
    o = one(conv_transpose_output_size(i, k, s, p, output_padding=a))
    return Parts(
        f"A transposed convolution with a kernel of size {k}, stride {s}, padding {p} and output padding {a} "
        f"reads an input of size {i}. What is its output size?",
        Answer("int", o),
        lines(geometry("conv_transpose", i, k, s, p, output_padding=a)),
        "A transposed convolution grows its input: each input step moves the kernel stride cells on the output; "
        "the padding is cropped from both ends and the output padding added at the far end.",
        (
            (one(conv_output_size(i, k, s, p)) if i + 2 * p >= k else -1, "That shrinks the input: this one grows it."),
            (o + 2 * p, "The padding of a transposed convolution is removed from the output, on both sides."),
        ),
        given=given(input_size=i, kernel_size=k, stride=s, padding=p, output_padding=a),
    )


def _transpose_output_padding(rng: np.random.Generator) -> Parts:
    while True:
        k = draw(rng, 2, 5)
        s = draw(rng, 2, 3)
        p = draw(rng, 0, k // 2)
        i = draw(rng, max(k, 4), 14)
        a = one(recovering_output_padding(i, k, s, p))
        if i + 2 * p >= k and (a or rng.random() < 0.3):
            break
    o = one(conv_output_size(i, k, s, p))
    return Parts(
        f"A convolution with a kernel of size {k}, stride {s} and padding {p} maps an input of size {i} to "
        f"{o}. Its transposed convolution (same kernel, stride and padding) should give back {i}. Which "
        "`output_padding` does it need?",
        Answer("int", int(a)),
        (
            *lines(geometry("conv", i, k, s, p)),
            *lines(geometry("conv_transpose", o, k, s, p, output_padding=a)),
        ),
        "Without output padding, the transposed convolution gives the smallest input size that maps to this "
        "output; output padding adds the cells that the rounding down lost.",
        (),
        given=given(input_size=i, kernel_size=k, stride=s, padding=p),
    )


def _transpose_value(rng: np.random.Generator) -> Parts:
    x = rng.integers(1, 5, size=3)
    k = draw(rng, 2, 3)
    w = rng.integers(1, 4, size=k)
    s = draw(rng, 1, 2)
    y = conv_transpose(x[None, None], w[None, None], stride=s)[0, 0]
    j = draw(rng, 0, len(y) - 1)
    terms = [
        f"x[{n}]·w[{j - n * s}]" for n in range(len(x)) if 0 <= j - n * s < k
    ]  # the copies that cover output cell j
    numbers = [f"{x[n]}·{w[j - n * s]}" for n in range(len(x)) if 0 <= j - n * s < k]
    return Parts(
        f"`y = conv_transpose(x, w, stride={s})` for the one-dimensional `x` and `w` below (no padding). "
        f"What is `y[{j}]`?",
        Answer("int", int(y[j])),
        (
            f"output size (3 − 1)·{s} + {k} = {len(y)}; input cell n adds x[n]·w starting at cell n·{s}",
            f"y[{j}] = {' + '.join(terms)} = {' + '.join(numbers)} = {int(y[j])}",
        ),
        "Each input cell adds a copy of the kernel, scaled by its value, starting stride cells after the previous "
        "copy; add up the copies that cover this output cell.",
        (),
        (block("x", x), block("w", w)),
        given=given(x=x, w=w, stride=s, output=j),
    )


def _transpose_construction(rng: np.random.Generator) -> Parts:
    i = draw(rng, 2, 6)
    k = draw(rng, 2, 5)
    s = draw(rng, 1, 4)
    p = draw(rng, 0, min(k - 1, (s * (i - 1) + k - 1) // 2))  # at least one output cell
    found = transpose_equivalent(i, k, s, p)
    eq = found if not isinstance(found, tuple) else found[0]
    answer = (eq.zeros_between, eq.padding[0])
    return Parts(
        f"The guide builds a transposed convolution (kernel {k}, stride {s}, padding {p}, input size {i}) as a "
        "stride-one convolution: zeros between the input cells, then padding, then the flipped kernel. How many "
        "zeros go between neighbouring input cells, and how much padding before? Answer (zeros, padding).",
        Answer("ints", answer),
        (
            f"zeros between = s − 1 = {eq.zeros_between}; stretched size = (i − 1)·s + 1 = {eq.stretched_size}",
            f"padding p' = k − 1 − p = {k} − 1 − {p} = {eq.padding[0]}"
            + (" (negative: cells cropped instead)" if eq.padding[0] < 0 else ""),
            f"a stride-one convolution then gives {eq.stretched_size} + {eq.padding[0]} + {eq.padding[1]} − {k} "
            f"+ 1 = {eq.output_size}",
        ),
        "The stride becomes gaps between the input cells; the padding grows from the kernel's reach minus the "
        "transposed convolution's own padding.",
        (((s, eq.padding[0]), "A stride of s leaves one fewer zero than s between two cells."),),
        given=given(input_size=i, kernel_size=k, stride=s, padding=p),
    )


# --- 07 the matrix view ------------------------------------------------------------------------


def _matrix_shape(rng: np.random.Generator) -> Parts:
    c_in, c_out = draw(rng, 1, 3), draw(rng, 1, 4)
    i = draw(rng, 3, 7)
    k = draw(rng, 1, min(i, 3))
    s = draw(rng, 1, 2)
    p = draw(rng, 0, 1)
    w = np.ones((c_out, c_in, k, k))
    shape = conv_matrix((c_in, i, i), w, stride=s, padding=p).shape
    o = one(conv_output_size(i, k, s, p))
    return Parts(
        f"The matrix `C` of a convolution from {plural(c_in, 'input channel')} of {square(i)} to "
        f"{plural(c_out, 'output channel')}, "
        f"kernel {square(k)}, stride {s}, padding {p}: `conv(x).ravel() == C @ x.ravel()`. What is the shape of `C`? "
        "Answer (rows, columns).",
        Answer("ints", tuple(int(v) for v in shape)),
        (
            f"output {square(o)} per channel ({lines(geometry('conv', i, k, s, p))[-1].strip()})",
            f"rows = C_out·o·o = {c_out}·{o}·{o} = {shape[0]}; columns = C_in·i·i = {c_in}·{i}·{i} = {shape[1]}",
        ),
        "One row per output cell (all channels), one column per input cell (all channels).",
        ((tuple(reversed(shape)), "Rows are outputs, columns are inputs: `C` maps the input vector to the output."),),
        given=given(in_channels=c_in, out_channels=c_out, input_size=i, kernel_size=k, stride=s, padding=p),
    )


def _matrix_row_nonzeros(rng: np.random.Generator) -> Parts:
    i = draw(rng, 4, 6)
    k = 3
    p = 1
    s = draw(rng, 1, 2)
    w = rng.integers(1, 4, size=(1, 1, k, k))
    C = conv_matrix((1, i, i), w, stride=s, padding=p)
    o = one(conv_output_size(i, k, s, p))
    r, c = int(rng.integers(0, o)), int(rng.integers(0, o))
    if rng.random() < 0.6:
        r = 0  # a border row: the interesting case
    row = r * o + c
    count = int(np.count_nonzero(C[row]))
    return Parts(
        f"A 3×3 kernel with no zero weights, stride {s} and zero padding one on "
        f"{with_article(square(i) + ' input')}. Row {row} of the "
        f"matrix `C` belongs to output cell ({r}, {c}). How many non-zero entries does that row have?",
        Answer("int", count),
        (
            f"output ({r}, {c}) reads rows {r * s - p}..{r * s - p + k - 1}, columns {c * s - p}..{c * s - p + k - 1}",
            f"of those 9 cells, {count} are input cells (columns of C); the rest are padding",
        ),
        "Each weight meets one cell; weights that land on padding cells have no column in the matrix.",
        ((k * k, "Some of this window's cells are padding: they have no column."),),
        given=given(input_size=i, kernel_size=k, stride=s, padding=p, output=(r, c)),
    )


def _matrix_entry(rng: np.random.Generator) -> Parts:
    i = draw(rng, 5, 7)
    k = 3
    s = draw(rng, 1, 2)
    w = rng.integers(1, 6, size=k)
    C = conv_matrix((1, i), w[None, None], stride=s)
    rows, cols = C.shape
    r = draw(rng, 0, rows - 1)
    col = r * s + draw(rng, -1, k) if rng.random() < 0.8 else draw(rng, 0, cols - 1)
    col = min(max(col, 0), cols - 1)
    value = int(C[r, col])
    tap = col - r * s
    why = f"tap {tap}: w[{tap}] = {value}" if 0 <= tap < k else "outside the window: 0"
    return Parts(
        f"The matrix `C` of a one-dimensional convolution with kernel `w` (below), stride {s} and no padding, on "
        f"an input of size {i}. What is the entry `C[{r}, {col}]`?",
        Answer("int", value),
        (f"row {r} is output {r}, which reads inputs {r * s}..{r * s + k - 1}; column {col} is input {col}: {why}",),
        "Row r is output r: it holds the kernel's weights in the columns of the cells that output reads, starting "
        "stride times r, and zeros elsewhere.",
        (),
        (block("w", w),),
        given=given(input_size=i, w=w, stride=s, entry=(r, col)),
    )


# --- 08 groups and depthwise -------------------------------------------------------------------


def _weight_count(c_in: int, c_out: int, k: int, groups: int) -> int:
    """Weights of a grouped convolution: the weight the engine accepts (it refuses any other shape)."""
    weight = np.zeros((c_out, c_in // groups, k, k))
    conv(np.zeros((1, c_in, k, k)), weight, groups=groups)  # raises if the shape were wrong
    return int(weight.size)


def _groups_weights(rng: np.random.Generator) -> Parts:
    g = draw(rng, 2, 4)
    c_in = g * draw(rng, 1, 4)
    c_out = g * draw(rng, 1, 4)
    k = draw(rng, 1, 3) * 2 - 1
    count = _weight_count(c_in, c_out, k, g)
    return Parts(
        f"A convolution from {c_in} to {c_out} channels with "
        f"{with_article(square(k) + ' kernel')} and `groups={g}` (no bias). "
        "How many weights does it have?",
        Answer("int", count),
        (
            f"weight shape (C_out, C_in/groups, k, k) = ({c_out}, {c_in // g}, {k}, {k})",
            f"{c_out}·{c_in // g}·{k}·{k} = {count}",
        ),
        "Each output channel has one kernel per input channel of its own group, not per input channel overall.",
        ((_weight_count(c_in, c_out, k, 1), "That is the dense count: with groups, each output reads fewer inputs."),),
        given=given(in_channels=c_in, out_channels=c_out, kernel_size=k, groups=g),
    )


def _allowed(c_in: int, c_out: int, groups: int) -> bool:
    """Whether the engine accepts ``groups`` for these channel counts."""
    if c_in % groups:
        return False
    try:
        conv(np.zeros((1, c_in, 1)), np.zeros((c_out, c_in // groups, 1)), groups=groups)
    except ValueError:
        return False
    return True


def _groups_allowed(rng: np.random.Generator) -> Parts:
    c_in = int(rng.choice([4, 6, 8, 9, 12]))
    c_out = int(rng.choice([6, 8, 9, 12, 16]))
    allowed = frozenset(g for g in range(1, c_in + 1) if _allowed(c_in, c_out, g))
    return Parts(
        f"A convolution from {c_in} to {c_out} channels. Which values of `groups` does it accept? List them all.",
        Answer("set", allowed),
        (
            f"groups must divide both channel counts: the common divisors of {c_in} and {c_out} are "
            f"{', '.join(map(str, sorted(allowed)))}",
        ),
        "Every group needs the same whole number of input channels and of output channels.",
        (),
        given=given(in_channels=c_in, out_channels=c_out),
    )


def _reads_channels(c_in: int, c_out: int, groups: int, out: int) -> frozenset[int]:
    """Input channels that output channel ``out`` reads, found by the engine's impulse responses."""
    weight = np.ones((c_out, c_in // groups, 1))
    found = set()
    for channel in range(c_in):
        x = np.zeros((1, c_in, 1))
        x[0, channel, 0] = 1.0
        if conv(x, weight, groups=groups)[0, out, 0] != 0:
            found.add(channel)
    return frozenset(found)


def _groups_reads(rng: np.random.Generator) -> Parts:
    g = int(rng.choice([2, 3, 4]))
    c_in = g * draw(rng, 1, 3)
    c_out = g * draw(rng, 1, 3)
    j = draw(rng, 0, c_out - 1)
    reads = _reads_channels(c_in, c_out, g, j)
    per_in, per_out = c_in // g, c_out // g
    group = j // per_out
    return Parts(
        f"A convolution from {c_in} to {c_out} channels with `groups={g}`. Which input channels does output "
        f"channel {j} read? (Channels are numbered from zero.)",
        Answer("set", reads),
        (
            f"{plural(per_out, 'output channel')} and {plural(per_in, 'input channel')} per group; "
            f"output {j} is in group {j} // {per_out} = {group}",
            f"group {group} has input channels {group * per_in}..{group * per_in + per_in - 1}",
        ),
        "Find the group of this output channel (output channels are split into equal, consecutive groups), then "
        "the input channels of the same group.",
        ((frozenset(range(c_in)), "With groups, an output channel does not read every input channel."),),
        given=given(in_channels=c_in, out_channels=c_out, groups=g, output_channel=j),
    )


def _groups_separable(rng: np.random.Generator) -> Parts:
    c_in = int(rng.choice([8, 16, 24, 32]))
    c_out = c_in * draw(rng, 1, 4)
    k = int(rng.choice([3, 5]))
    depthwise = _weight_count(c_in, c_in, k, c_in)
    pointwise = _weight_count(c_in, c_out, 1, 1)
    dense = _weight_count(c_in, c_out, k, 1)
    return Parts(
        f"A depthwise-separable convolution from {c_in} to {c_out} channels: a depthwise {square(k)} convolution "
        f"(`groups={c_in}`, {c_in} output channels) followed by a pointwise 1×1 convolution to {c_out} channels. "
        "How many weights does it have in all (no biases)?",
        Answer("int", depthwise + pointwise),
        (
            f"depthwise: {c_in}·1·{k}·{k} = {depthwise}; pointwise: {c_out}·{c_in}·1·1 = {pointwise}",
            f"total {depthwise + pointwise} (a dense {square(k)} convolution has {dense})",
        ),
        "Add the two layers: the depthwise one has one small kernel per channel, the pointwise one a single weight "
        "per pair of channels.",
        ((dense, "That is the dense convolution's count; the separable one replaces it by two cheaper layers."),),
        given=given(in_channels=c_in, out_channels=c_out, kernel_size=k),
    )


GENERATORS: dict[str, dict[str, tuple[str, Generator]]] = {
    "transposed_convolution": {
        "output_size": ("Output size of a transposed convolution", _transpose_output_size),
        "output_padding": ("Which output padding gives the input back", _transpose_output_padding),
        "value": ("One output value by scattering", _transpose_value),
        "construction": ("The guide's construction", _transpose_construction),
    },
    "matrix_view": {
        "shape": ("The shape of the matrix", _matrix_shape),
        "row_nonzeros": ("Non-zero entries in a row", _matrix_row_nonzeros),
        "entry": ("One entry of the matrix", _matrix_entry),
    },
    "groups_depthwise": {
        "weights": ("Weights of a grouped convolution", _groups_weights),
        "allowed_groups": ("Which groups are allowed", _groups_allowed),
        "reads": ("Which input channels an output reads", _groups_reads),
        "separable": ("Weights of a depthwise-separable convolution", _groups_separable),
    },
}
"""``GENERATORS[topic][kind] = (title, generator)`` for topics 06-08."""
