"""Exercise generators for notebooks 01-05: a kernel slides (convolution, padding, strides, dilation, pooling).

Every answer is computed by the package: the output-size formulas, the window map (which input
cells an output reads) and the engine (values). Each generator takes a seeded
:class:`numpy.random.Generator` and returns the :class:`~convarith.classroom.exercise.Parts` of
one exercise; :data:`GENERATORS` lists them by topic and kind.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from convarith.arithmetic import (
    conv_output_size,
    effective_kernel_size,
    geometry,
    input_sizes_for_output,
    padding_for_output,
    pool_output_size,
    same_padding,
    window_map,
)
from convarith.arithmetic.english import and_list, plural, with_article
from convarith.arithmetic.text import format_pad
from convarith.classroom._common import Generator, block, capital, draw, given, lines, one, pick, square
from convarith.classroom.exercise import Answer, Parts
from convarith.engine import avg_pool, conv, max_pool, pad

__all__ = ["GENERATORS"]

_COUNT_POSITIONS = "Count the kernel positions: the first at the start, then one more per step while the window fits."


# --- 01 discrete convolution ---------------------------------------------------------------------


def _conv_output_size(rng: np.random.Generator) -> Parts:
    i = draw(rng, 5, 14)
    k = draw(rng, 2, min(i - 1, 7))
    o = one(conv_output_size(i, k))
    return Parts(
        f"{capital(with_article(square(k) + ' kernel'))} slides over {with_article(square(i) + ' input')} "
        "with stride one and no padding. "
        "How many output cells are there along each axis?",
        Answer("int", o),
        lines(geometry("conv", i, k)),
        _COUNT_POSITIONS,
        (
            (o - 1, "Count the first position too: the kernel already fits once before it moves."),
            (i, "Without padding the output is smaller than the input: the kernel must fit entirely inside."),
            (o + 1, "The last position is where the kernel's last column meets the input's last column."),
        ),
        given=given(input_size=i, kernel_size=k),
    )


def _conv_output_value(rng: np.random.Generator) -> Parts:
    x = rng.integers(0, 4, size=(5, 5))
    w = rng.integers(0, 3, size=(3, 3))
    r, c = draw(rng, 0, 2), draw(rng, 0, 2)
    y = conv(x[None, None], w[None, None])[0, 0]
    flipped = conv(x[None, None], w[None, None], flip=True)[0, 0]
    window = x[r : r + 3, c : c + 3]
    products = " + ".join(f"{a}·{b}" for a, b in zip(window.ravel(), w.ravel(), strict=True))
    return Parts(
        f"`y = conv(x, w)` with stride one and no padding. What is the output cell `y[{r}, {c}]`?",
        Answer("int", int(y[r, c])),
        (
            f"y[{r}, {c}] reads the block x[{r}:{r + 3}, {c}:{c + 3}] under the kernel:",
            f"y[{r}, {c}] = {products} = {int(y[r, c])}",
        ),
        "Multiply each weight with the input cell under it, for the window whose top-left cell is at "
        "the output cell's row and column, and add the products.",
        (
            (
                int(flipped[r, c]),
                "Deep-learning libraries do not flip the kernel: weight (a, b) meets window cell (a, b).",
            ),
            (int(y[c, r]), "Rows first: the first index is the row, the second the column."),
        ),
        (block("x", x), block("w", w)),
        given=given(x=x, w=w, output=(r, c)),
    )


def _conv_kernel_size(rng: np.random.Generator) -> Parts:
    i = draw(rng, 6, 16)
    k = draw(rng, 2, min(i - 1, 9))
    o = one(conv_output_size(i, k))
    found = [kk for kk in range(1, i + 1) if one(conv_output_size(i, kk)) == o]
    return Parts(
        f"A convolution with stride one and no padding turns {with_article(square(i) + ' input')} into "
        f"{with_article(square(o) + ' output')}. "
        "What is the kernel size?",
        Answer("int", found[0]),
        (f"o = i − k + 1, so k = i − o + 1 = {i} − {o} + 1 = {found[0]}", *lines(geometry("conv", i, found[0]))),
        "Each step of the kernel adds one output; the kernel uses up the cells it covers beyond the first.",
        ((i - o, "Off by one: a kernel of the input's size still gives one output."),),
        given=given(input_size=i, output_size=o),
    )


def _conv_readers(rng: np.random.Generator) -> Parts:
    i = draw(rng, 5, 9)
    k = draw(rng, 2, 4)
    a, b = draw(rng, 0, i - 1), draw(rng, 0, i - 1)
    readers = window_map((i, i), k).readers((a, b))
    count = len(readers)
    return Parts(
        f"{capital(with_article(square(k) + ' kernel'))} slides over {with_article(square(i) + ' input')} "
        "(stride one, no padding). "
        f"How many output cells read the input cell `x[{a}, {b}]`?",
        Answer("int", count),
        (
            f"Along each axis, the outputs whose window covers the cell: rows {_span(a, i, k)}, "
            f"columns {_span(b, i, k)}",
            f"{plural(count, 'output cell')} in all",
        ),
        "Along each axis, count the kernel positions whose window covers this cell, then multiply the two counts. "
        "Cells near the border are read by fewer windows.",
        ((k * k, "That is the count for a cell far from the border; this cell may be near one."),),
        given=given(input_size=i, kernel_size=k, cell=(a, b)),
    )


def _span(cell: int, i: int, k: int) -> str:
    first, last = max(cell - k + 1, 0), min(cell, i - k)
    return f"{first}..{last}"


# --- 02 padding ----------------------------------------------------------------------------------


def _padding_output_size(rng: np.random.Generator) -> Parts:
    i = draw(rng, 4, 12)
    k = draw(rng, 2, 6)
    pb = draw(rng, 0, k - 1)
    pe = pb if rng.random() < 0.5 else draw(rng, 0, k - 1)
    if pb + pe == 0:  # a padding question needs padding
        pb = pe = 1
    if i + pb + pe < k:
        pb = pe = k - 1
    o = one(conv_output_size(i, k, padding=(pb, pe)))
    words = f"{pb} on each side" if pb == pe else f"{pb} before and {pe} after"
    mistakes: list[tuple[object, str]] = [
        (o - pb - pe, "Count the padding: the kernel slides over the padded input."),
    ]
    if pb != pe:
        mistakes.append((o - pe, "Count the padding on both sides: before and after."))
    return Parts(
        f"A convolution with a kernel of size {k}, stride one and zero padding {words} reads an input of size "
        f"{i} (one axis). What is the output size?",
        Answer("int", o),
        lines(geometry("conv", i, k, 1, (pb, pe))),
        "The kernel slides over the padded input: add the padding before and after to the input size first.",
        tuple(mistakes),
        given=given(input_size=i, kernel_size=k, padding=(pb, pe)),
    )


def _padding_same_split(rng: np.random.Generator) -> Parts:
    i = draw(rng, 5, 12)
    k = int(pick(rng, (2, 4, 6, 3, 5, 4, 2)))  # mostly even: the split is the question
    convention = str(pick(rng, ("tensorflow", "same_lower")))
    pads = same_padding(i, k, 1, convention=convention)
    assert isinstance(pads[0], int)
    name = {"tensorflow": "TensorFlow's `SAME`", "same_lower": "ONNX's `SAME_LOWER`"}[convention]
    return Parts(
        f"{name} padding for a kernel of size {k} at stride one, on an input of size {i}: how many padding "
        "cells go before and after? Answer (before, after).",
        Answer("ints", tuple(pads)),
        (
            f"'same' at stride one needs k − 1 = {plural(k - 1, 'cell')} in total so that o = i.",
            f"{convention}: {_split_rule(convention, k - 1)} -> {format_pad(pads)}",
            *lines(geometry("conv", i, k, 1, tuple(pads))),
        ),
        "At stride one, 'same' keeps the output as large as the input: the total is one less than the kernel. "
        "An odd total cannot be split evenly.",
        ((tuple(reversed(pads)), "The total is right; check which side this rule gives the extra cell."),),
        given=given(input_size=i, kernel_size=k, convention=convention),
    )


def _split_rule(convention: str, total: int) -> str:
    """How a 'same' rule splits ``total`` padding cells: evenly, or with the extra cell on its side."""
    if total % 2 == 0:
        return "an even total splits equally"
    return "the extra cell goes after" if convention == "tensorflow" else "the extra cell goes before"


def _padding_for_output(rng: np.random.Generator) -> Parts:
    i = draw(rng, 4, 12)
    k = draw(rng, 2, 7)
    p = draw(rng, 1, 4)
    o = one(conv_output_size(i, k, padding=p))
    pads = padding_for_output(i, o, k)
    assert pads == (p, p)
    return Parts(
        f"A convolution with a kernel of size {k} and stride one should turn an input of size {i} into an output "
        f"of size {o}. How much zero padding does it need on each side (the same on both)?",
        Answer("int", p),
        (
            f"o = i + 2p − k + 1, so 2p = o − i + k − 1 = {o} − {i} + {k} − 1 = {2 * p}, p = {p}",
            *lines(geometry("conv", i, k, 1, p)),
        ),
        "Write the output-size formula with the padding unknown and solve for it; padding is added on both sides.",
        ((2 * p, "That is the total over both sides; the question asks for one side."),),
        given=given(input_size=i, kernel_size=k, output_size=o),
    )


def _padding_mode_values(rng: np.random.Generator) -> Parts:
    row = rng.integers(1, 10, size=5)
    mode = str(pick(rng, ("reflect", "replicate", "circular", "reflect")))
    p = draw(rng, 1, 3)
    padded = pad(row[None, None], p, mode=mode)[0, 0]
    mistakes: list[tuple[object, str]] = []
    if mode == "reflect":
        mistakes.append(
            (tuple(np.pad(row, p, mode="symmetric")), "Reflect mirrors around the edge cell without repeating it.")
        )
    else:
        mistakes.append(
            (tuple(pad(row[None, None], p, mode="reflect")[0, 0]), "That is the reflect mode; read this mode's rule.")
        )
    rules = {
        "reflect": "mirror around the edge cell, not repeating it",
        "replicate": "repeat the edge cell",
        "circular": "wrap around: the cells before come from the end, the cells after from the start",
    }
    return Parts(
        f"Pad the row below by {p} on each side with `mode='{mode}'`. Write the whole padded row.",
        Answer("list", tuple(int(v) for v in padded)),
        (f"{mode}: {rules[mode]}", f"pad(row, {p}, mode={mode!r}) = {list(map(int, padded))}"),
        f"The {mode} mode: {rules[mode]}. The padded row is longer than the row by the padding on both sides.",
        tuple(mistakes),
        (block("row", row),),
        given=given(row=row, padding=p, mode=mode),
    )


# --- 03 strides ----------------------------------------------------------------------------------


def _strides_output_size(rng: np.random.Generator) -> Parts:
    while True:
        i = draw(rng, 5, 20)
        k = draw(rng, 2, 5)
        s = draw(rng, 2, 4)
        p = draw(rng, 0, k // 2)
        if i + 2 * p >= k:
            break
    o = one(conv_output_size(i, k, s, p))
    exact = Fraction(i + 2 * p - k, s) + 1
    mistakes: list[tuple[object, str]] = [
        (
            one(conv_output_size(i, k, 1, p)),
            "The kernel jumps by the stride: divide the distance it travels by the stride.",
        ),
        (o - 1, "Count the first position too: add one after dividing."),
    ]
    if exact.denominator != 1:
        mistakes.append((o + 1, "Round down: a last window that does not fit inside the padded input is dropped."))
    return Parts(
        f"A convolution with a kernel of size {k}, stride {s} and zero padding {p} on each side reads an input of "
        f"size {i}. What is the output size?",
        Answer("int", o),
        lines(geometry("conv", i, k, s, p)),
        "Subtract the kernel from the padded input, divide by the stride and round down, then count the first "
        "position.",
        tuple(mistakes),
        given=given(input_size=i, kernel_size=k, stride=s, padding=p),
    )


def _strides_input_sizes(rng: np.random.Generator) -> Parts:
    k = draw(rng, 2, 5)
    s = draw(rng, 2, 4)
    p = draw(rng, 0, k // 2)
    o = draw(rng, 2, 8)
    sizes = input_sizes_for_output(o, k, s, p)
    assert isinstance(sizes, range)
    answer = frozenset(int(v) for v in sizes)
    lo = min(answer)
    return Parts(
        f"A convolution with a kernel of size {k}, stride {s} and padding {p} on each side "
        f"gives {plural(o, 'output')}. "
        "Which input sizes give exactly that many? List them all.",
        Answer("set", answer),
        (
            f"o = ⌊(i + 2p − k)/s⌋ + 1 = {o} holds for i = {', '.join(map(str, sorted(answer)))}:",
            *lines(geometry("conv", lo, k, s, p)),
        ),
        "Because of the rounding down, a few neighbouring sizes share one output size: find the smallest, then "
        "add input cells until one more kernel position fits.",
        ((frozenset({lo}), "More than one size gives this output: rounding down hides the extra cells."),),
        given=given(output_size=o, kernel_size=k, stride=s, padding=p),
    )


def _strides_unread(rng: np.random.Generator) -> Parts:
    while True:
        i = draw(rng, 7, 20)
        k = draw(rng, 1, 4)
        s = draw(rng, k + 1, k + 3) if rng.random() < 0.5 else draw(rng, 2, 4)
        if i >= k:
            break
    wm = window_map(i, k, stride=s)
    read = {r.input[0] for y in range(wm.output_shape[0]) for r in wm.reads((y,)) if r.kind == "input"}
    unread = i - len(read)
    o = wm.output_shape[0]
    return Parts(
        f"A kernel of size {k} slides with stride {s} and no padding over an input of size {i} (one axis). "
        "How many input cells are never read by any window?",
        Answer("int", unread),
        (
            f"o = ⌊({i} − {k})/{s}⌋ + 1 = {plural(o, 'window')}, starting at {and_list(y * s for y in range(o))}",
            f"cells read: {and_list(sorted(read))}; never read: {and_list(sorted(set(range(i)) - read)) or 'none'} "
            f"({plural(unread, 'cell')})",
        ),
        "List the start of each window (every stride cells), mark the cells each window covers, and count the "
        "unmarked ones: gaps between windows and a tail at the end.",
        (),
        given=given(input_size=i, kernel_size=k, stride=s),
    )


def _strides_last_window(rng: np.random.Generator) -> Parts:
    i = draw(rng, 6, 16)
    k = draw(rng, 2, 5)
    s = draw(rng, 2, 3)
    p = draw(rng, 0, k // 2)
    wm = window_map(i, k, stride=s, padding=p)
    last = wm.output_shape[0] - 1
    start = min(r.input[0] for r in wm.reads((last,)))
    return Parts(
        f"A kernel of size {k} slides with stride {s} over an input of size {i} padded by {p} on each side. "
        "At which index does the last window start? (Input cells are numbered from zero; padding cells before "
        "the input have negative indices.)",
        Answer("int", start),
        (*lines(geometry("conv", i, k, s, p)), f"window y starts at y·s − p; the last, y = {last}: {start}"),
        "Window y starts stride times y cells after the first window, which starts in the padding before the input.",
        ((last * s, "Windows start in the padding: subtract the padding before."),),
        given=given(input_size=i, kernel_size=k, stride=s, padding=p),
    )


# --- 04 dilation ---------------------------------------------------------------------------------


def _dilation_effective_kernel(rng: np.random.Generator) -> Parts:
    k = draw(rng, 2, 7)
    d = draw(rng, 2, 5)
    ek = one(effective_kernel_size(k, d))
    return Parts(
        f"A kernel of size {k} with dilation {d}: how many input cells does it span, from its first tap to its last?",
        Answer("int", ek),
        (f"ek = d·(k − 1) + 1 = {d}·({k} − 1) + 1 = {ek}",),
        "Between neighbouring taps there are dilation steps; count the gaps between the taps, not the taps.",
        ((k * d, "The last tap is the end of the span: nothing follows it."),),
        given=given(kernel_size=k, dilation=d),
    )


def _dilation_output_size(rng: np.random.Generator) -> Parts:
    while True:
        i = draw(rng, 7, 20)
        k = draw(rng, 2, 4)
        d = draw(rng, 2, 4)
        s = int(pick(rng, (1, 1, 2)))
        p = draw(rng, 0, 3)
        if i + 2 * p >= one(effective_kernel_size(k, d)):
            break
    o = one(conv_output_size(i, k, s, p, d))
    return Parts(
        f"A convolution with a kernel of size {k}, dilation {d}, stride {s} and padding {p} on each side reads an "
        f"input of size {i}. What is the output size?",
        Answer("int", o),
        lines(geometry("conv", i, k, s, p, d)),
        "Use the kernel's span (its effective size) in place of its size in the output-size formula.",
        ((one(conv_output_size(i, k, s, p)), "The dilated kernel spans more cells than it has taps."),),
        given=given(input_size=i, kernel_size=k, stride=s, padding=p, dilation=d),
    )


def _dilation_taps(rng: np.random.Generator) -> Parts:
    k = draw(rng, 2, 4)
    d = draw(rng, 2, 4)
    i = one(effective_kernel_size(k, d)) + draw(rng, 2, 6)
    wm = window_map(i, k, dilation=d)
    y = draw(rng, 0, wm.output_shape[0] - 1)
    taps = tuple(r.input[0] for r in wm.reads((y,)))
    return Parts(
        f"A kernel of size {k} with dilation {d} (stride one, no padding) slides over an input of size {i}. "
        f"Which input cells does output {y} read? List them in order.",
        Answer("list", taps),
        (f"output y reads y + d·t for taps t = 0..k − 1: {', '.join(map(str, taps))}",),
        "The first tap sits at the output's index; every further tap is dilation cells after the previous one.",
        ((tuple(range(y, y + k)), "The taps are not neighbours: they are dilation cells apart."),),
        given=given(input_size=i, kernel_size=k, dilation=d, output=y),
    )


def _dilation_same_padding(rng: np.random.Generator) -> Parts:
    k = int(pick(rng, (3, 5, 3)))
    d = draw(rng, 2, 5)
    i = draw(rng, 8, 16)
    pads = same_padding(i, k, 1, d, convention="tensorflow")
    assert isinstance(pads[0], int) and pads[0] == pads[1]
    ek = one(effective_kernel_size(k, d))
    return Parts(
        f"A convolution with a kernel of size {k}, dilation {d} and stride one should keep the output as large as "
        f"the input. How much padding does it need on each side?",
        Answer("int", pads[0]),
        (f"ek = d·(k − 1) + 1 = {ek}; 'same' needs ek − 1 = {plural(ek - 1, 'cell')} in all, {pads[0]} per side",),
        "'Same' at stride one pads one less than the kernel's span in total, split over both sides.",
        (((k - 1) // 2, "That is the padding of the undilated kernel; dilation widens the span."),),
        given=given(input_size=i, kernel_size=k, dilation=d),
    )


# --- 05 pooling and ceil mode ------------------------------------------------------------------


def _pool_output_size(rng: np.random.Generator) -> Parts:
    while True:
        i = draw(rng, 5, 16)
        k = draw(rng, 2, 4)
        s = draw(rng, 2, 3)
        p = draw(rng, 0, k // 2)
        if (i + 2 * p - k) % s:  # the two modes differ
            break
    ceil_mode = bool(rng.random() < 0.6)
    o = one(pool_output_size(i, k, s, p, ceil_mode=ceil_mode))
    other = one(pool_output_size(i, k, s, p, ceil_mode=not ceil_mode))
    mode = "`ceil_mode=True`" if ceil_mode else "`ceil_mode=False`"
    hint = (
        "Round up: the last, partial window is kept, unless it would start in the padding after the input."
        if ceil_mode
        else "Round down: a last window that does not fit is dropped."
    )
    return Parts(
        f"Max pooling with a window of size {k}, stride {s}, padding {p} on each side and {mode} on an input of "
        f"size {i}. What is the output size?",
        Answer("int", o),
        lines(geometry("max_pool", i, k, s, p, ceil_mode=ceil_mode)),
        hint,
        ((other, "That is the other rounding: read the ceil mode again."),),
        given=given(input_size=i, kernel_size=k, stride=s, padding=p, ceil_mode=ceil_mode),
    )


def _pool_max_values(rng: np.random.Generator) -> Parts:
    i = draw(rng, 7, 9)
    row = rng.integers(0, 10, size=i)
    k = draw(rng, 2, 3)
    s = draw(rng, 2, 3)
    ceil_mode = bool(rng.random() < 0.5)
    out = np.asarray(max_pool(row[None, None], (k,), stride=(s,), ceil_mode=ceil_mode))[0, 0]
    other = np.asarray(max_pool(row[None, None], (k,), stride=(s,), ceil_mode=not ceil_mode))[0, 0]
    mode = "`ceil_mode=True`" if ceil_mode else "`ceil_mode=False`"
    return Parts(
        f"Max pooling of the row below with a window of size {k}, stride {s}, no padding and {mode}. "
        "Write the pooled row.",
        Answer("list", tuple(int(v) for v in out)),
        (
            *lines(geometry("max_pool", i, k, s, 0, ceil_mode=ceil_mode)),
            f"windows start at {', '.join(str(y * s) for y in range(len(out)))}: maxima {list(map(int, out))}",
        ),
        "Windows start every stride cells; each output is the largest value its window covers. The ceil mode "
        "decides whether a last, partial window counts.",
        ((tuple(int(v) for v in other), "The values are right; check how many windows this ceil mode keeps."),),
        (block("row", row),),
        given=given(row=row, kernel_size=k, stride=s, ceil_mode=ceil_mode),
    )


def _pool_average(rng: np.random.Generator) -> Parts:
    size = draw(rng, 4, 5)
    x = rng.integers(0, 5, size=(size, size))
    include = bool(rng.random() < 0.5)
    r, c = int(pick(rng, (0, 0, size - 1))), draw(rng, 0, size - 1)
    kernel = (3, 3)
    value = avg_pool(x[None, None].astype(float), kernel, stride=1, padding=1, count_include_pad=include)[0, 0, r, c]
    other = avg_pool(x[None, None].astype(float), kernel, stride=1, padding=1, count_include_pad=not include)
    exact = Fraction(float(value)).limit_denominator(100)
    flag = "True" if include else "False"
    rows, cols = slice(max(r - 1, 0), min(r + 2, size)), slice(max(c - 1, 0), min(c + 2, size))
    real = x[rows, cols].size
    total = int(x[rows, cols].sum())
    return Parts(
        f"Average pooling of `x` (below) with a 3×3 window, stride one, zero padding one and "
        f"`count_include_pad={flag}`. What is output cell `[{r}, {c}]`? (A fraction is fine.)",
        Answer("number", exact),
        (
            f"the window of [{r}, {c}] covers the {real} input cells x[{rows.start}:{rows.stop}, {cols.start}:"
            f"{cols.stop}] (sum {total}) and {9 - real} padding cells (zeros)",
            f"divisor: {'all 9 cells of the window' if include else f'the {real} input cells'} -> {total}/"
            f"{9 if include else real} = {Answer('number', exact).text()}",
        ),
        "Add the input cells under the window (the padding adds zeros), then divide; this setting decides whether "
        "the padding cells count in the divisor.",
        (
            (
                Fraction(float(other[0, 0, r, c])).limit_denominator(100),
                "Check the divisor: read `count_include_pad` again.",
            ),
        ),
        (block("x", x),),
        given=given(x=x, count_include_pad=include, output=(r, c)),
    )


GENERATORS: dict[str, dict[str, tuple[str, Generator]]] = {
    "discrete_convolution": {
        "output_size": ("Output size", _conv_output_size),
        "output_value": ("One output value", _conv_output_value),
        "kernel_size": ("Kernel size from the output", _conv_kernel_size),
        "readers": ("Outputs that read an input cell", _conv_readers),
    },
    "padding": {
        "output_size": ("Output size with padding", _padding_output_size),
        "same_split": ("The split of 'same' padding", _padding_same_split),
        "padding_for_output": ("Padding for a given output", _padding_for_output),
        "mode_values": ("Padding modes", _padding_mode_values),
    },
    "strides": {
        "output_size": ("Output size with a stride", _strides_output_size),
        "input_sizes": ("Input sizes sharing an output size", _strides_input_sizes),
        "unread_cells": ("Cells a stride skips", _strides_unread),
        "last_window": ("Where the last window starts", _strides_last_window),
    },
    "dilation": {
        "effective_kernel": ("The dilated kernel's span", _dilation_effective_kernel),
        "output_size": ("Output size with dilation", _dilation_output_size),
        "taps": ("Which cells a dilated kernel reads", _dilation_taps),
        "same_padding": ("'Same' padding of a dilated kernel", _dilation_same_padding),
    },
    "pooling": {
        "output_size": ("Pooling output size and ceil mode", _pool_output_size),
        "max_values": ("Max pooling by hand", _pool_max_values),
        "average": ("Average pooling at the border", _pool_average),
    },
}
"""``GENERATORS[topic][kind] = (title, generator)`` for topics 01-05."""
