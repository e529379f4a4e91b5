"""Exercise generators for notebooks 09-11: even kernels and symmetric padding, framework 'same', receptive fields.

Answers come from :mod:`convarith.studies` (the measured shift, the erosion experiment, the
receptive-field sums) and from :func:`~convarith.arithmetic.same_padding` and
:func:`~convarith.engine.symmetric_groups`.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from convarith.arithmetic import conv_output_size, geometry, same_padding
from convarith.arithmetic.text import format_pad
from convarith.classroom._common import Generator, draw, given, lines, one, pick, square
from convarith.classroom.exercise import Answer, Parts
from convarith.engine import symmetric_groups
from convarith.studies import erosion, layer, measure_shift, receptive_field
from convarith.studies.receptive import Layer

__all__ = ["GENERATORS"]

_NAMES = {"tensorflow": "TensorFlow's `SAME`", "same_lower": "ONNX's `SAME_LOWER`", "caffe": "Caffe's (k − 1) // 2"}


def _pair(pads: object) -> tuple[int, int]:
    """``same_padding`` of one axis as a ``(before, after)`` pair."""
    assert isinstance(pads, tuple) and isinstance(pads[0], int)
    return int(pads[0]), int(pads[1])


# --- 09 even kernels and symmetric padding -----------------------------------------------------


def _even_shift(rng: np.random.Generator) -> Parts:
    k = int(pick(rng, (2, 4, 2)))
    n = draw(rng, 2, 8)
    convention = str(pick(rng, ("tensorflow", "same_lower", "tensorflow")))
    m = measure_shift(k, convention, layers=n, ndim=1)
    shift = m.displacement[0]
    return Parts(
        f"A stack of {n} stride-one convolutions with {square(k)} kernels, each padded with {_NAMES[convention]} "
        "padding. By how many cells has the feature map moved after the last layer, along each axis? "
        "Give a signed number in array indices (negative: towards index zero, up and left).",
        Answer("number", shift),
        (
            f"pads {m.pads[0]}: output y reads y − {m.pads[0][0]} .. y + {m.pads[0][1]}, centred half a cell "
            f"{'after' if m.pads[0][1] > m.pads[0][0] else 'before'} y",
            repr(m),
        ),
        "Each layer with one-sided padding moves the map by half a cell; the side with the extra padding cell "
        "decides the direction.",
        (
            (-shift, "The size is right; check the direction of the move."),
            (2 * shift, "Each layer moves the map by half a cell, not a whole one."),
        ),
        given=given(kernel_size=k, layers=n, convention=convention),
    )


def _even_split(rng: np.random.Generator) -> Parts:
    k = int(pick(rng, (2, 4, 6)))
    i = draw(rng, 6, 14)
    convention = str(pick(rng, ("tensorflow", "same_lower", "caffe")))
    pads = _pair(same_padding(i, k, 1, convention=convention))
    o = one(conv_output_size(i, k, 1, pads))
    return Parts(
        f"An even {square(k)} kernel at stride one on an input of size {i}, padded with {_NAMES[convention]} rule. "
        "How many padding cells go before and after? Answer (before, after).",
        Answer("ints", pads),
        (
            f"{convention}: {'symmetric (k − 1) // 2 on both sides' if convention == 'caffe' else 'total k − 1'}"
            f" -> {format_pad(pads)}, output {o}",
            *lines(geometry("conv", i, k, 1, pads)),
        ),
        "An even kernel needs an odd total for 'same': read where this rule puts the extra cell, or whether it "
        "rounds the total down and pads both sides equally.",
        ((tuple(reversed(pads)), "The total is right; check which side this rule gives the extra cell."),),
        given=given(input_size=i, kernel_size=k, convention=convention),
    )


def _even_groups(rng: np.random.Generator) -> Parts:
    c = draw(rng, 5, 22)
    if c % 4 == 0 and rng.random() < 0.8:  # mostly an uneven split
        c += draw(rng, 1, 3)
    groups = symmetric_groups(c, (2, 2))
    sizes = tuple(len(g.channels) for g in groups)
    return Parts(
        f"C2sp (Wu et al.) splits {c} channels into four contiguous groups, each padded towards a different "
        "corner. How many channels does each group get? List the four sizes in order.",
        Answer("list", sizes),
        (f"{c} = 4·{c // 4} + {c % 4}: {_extra_channels(c % 4)}", repr(groups)),
        "The groups are as even as possible; when the channels do not divide evenly, the first groups take one "
        "channel more.",
        ((tuple(sorted(sizes)), "The extra channels go to the first groups, not the last."),),
        given=given(channels=c),
    )


def _extra_channels(extra: int) -> str:
    """Which of C2sp's four groups take one channel more."""
    if extra == 0:
        return "the four groups are equal"
    if extra == 1:
        return "the first group takes one channel more"
    return f"the first {extra} groups take one channel more"


def _even_erosion(rng: np.random.Generator) -> Parts:
    h = draw(rng, 3, 8)
    stack = str(pick(rng, ("C2", "C2sp")))
    layers = 1 if stack == "C2" else 2
    curves = erosion(layers=layers, input_size=(h, h), stacks=(stack,))
    q = Fraction(curves.curves[stack][-1]).limit_denominator(10_000)
    described = (
        "one 2×2 averaging convolution with TensorFlow 'same' padding (one extra zero row and column, after)"
        if stack == "C2"
        else "two 2×2 averaging convolutions with symmetric padding (C2sp)"
    )
    return Parts(
        f"Information erosion: a constant {square(h)} input of ones (four channels) goes through {described}. "
        "What is Q, the mean of the absolute values of the output? (A fraction or three decimals.)",
        Answer("number", q, tolerance=0.0005),
        (
            "Q_n = (1/(C h w))·Σ |F_n|; the averaging kernel keeps every interior value, the zeros enter at the border",
            repr(curves),
        ),
        "Only the cells whose window reaches into the zero padding lose value; average every output cell, the "
        "border ones included.",
        (),
        given=given(input_size=h, stack=stack, layers=layers),
    )


# --- 10 'same' in different frameworks ---------------------------------------------------------


def _same_split(rng: np.random.Generator) -> Parts:
    i = draw(rng, 5, 30)
    k = int(pick(rng, (3, 5, 7, 2, 4)))
    s = draw(rng, 2, 3)
    convention = str(pick(rng, ("tensorflow", "same_lower")))
    pads = _pair(same_padding(i, k, s, convention=convention))
    o = -(-i // s)
    return Parts(
        f"{_NAMES[convention]} padding for a kernel of size {k} with stride {s} on an input of size {i}: how many "
        "padding cells go before and after? Answer (before, after).",
        Answer("ints", pads),
        (
            f"o = ⌈i/s⌉ = ⌈{i}/{s}⌉ = {o}; total = max((o − 1)·s + k − i, 0) = max({(o - 1) * s + k - i}, 0) "
            f"= {sum(pads)}",
            f"{convention}: "
            + (
                "an even total splits equally"
                if sum(pads) % 2 == 0
                else f"the extra cell goes {'after' if convention == 'tensorflow' else 'before'}"
            )
            + f" -> {format_pad(pads)}",
        ),
        "At a stride above one the total is not the kernel minus one: first find how many outputs 'same' asks "
        "for, then the padding that makes the last window fit.",
        ((tuple(reversed(pads)), "The total is right; check which side this rule gives the extra cell."),),
        given=given(input_size=i, kernel_size=k, stride=s, convention=convention),
    )


def _same_output(rng: np.random.Generator) -> Parts:
    i = draw(rng, 5, 40)
    k = int(pick(rng, (3, 5, 7, 2)))
    s = draw(rng, 2, 4)
    pads = _pair(same_padding(i, k, s, convention="tensorflow"))
    o = one(conv_output_size(i, k, s, pads))
    return Parts(
        f"A TensorFlow `Conv2D(kernel_size={k}, strides={s}, padding='same')` on an input of size {i}. What is "
        "the output size?",
        Answer("int", o),
        (f"'same' pads {format_pad(pads)}:", *lines(geometry("conv", i, k, s, pads))),
        "'Same' at a stride does not keep the size: it asks for the input size divided by the stride, rounded up.",
        ((i // s, "Round up, not down: 'same' keeps a last, partly padded window."), (i, "Not at a stride above one.")),
        given=given(input_size=i, kernel_size=k, stride=s),
    )


def _same_agree(rng: np.random.Generator) -> Parts:
    i = draw(rng, 8, 40)
    k = int(pick(rng, (3, 5, 7)))
    s = 2
    tf = _pair(same_padding(i, k, s, convention="tensorflow"))
    habit = _pair(same_padding(i, k, s, convention="caffe"))
    agree = "yes" if tf == habit else "no"
    return Parts(
        f"A Keras layer `Conv2D(kernel_size={k}, strides={s}, padding='same')` is ported to PyTorch as "
        f"`Conv2d(kernel_size={k}, stride={s}, padding={(k - 1) // 2})`. On an input of size {i}, do the two read "
        "exactly the same windows? Answer yes or no.",
        Answer("word", agree, choices=("yes", "no")),
        (
            f"TensorFlow pads {format_pad(tf)}; PyTorch pads {format_pad(habit)}",
            "the same windows" if agree == "yes" else "the windows are one input cell apart",
        ),
        "Work out TensorFlow's total padding for this input size: the split is symmetric only when the total is even.",
        (),
        given=given(input_size=i, kernel_size=k, stride=s),
    )


def _same_lower(rng: np.random.Generator) -> Parts:
    while True:  # an odd total: the two rules differ
        i = draw(rng, 6, 30)
        k = int(pick(rng, (2, 4, 3, 5)))
        s = draw(rng, 1, 3)
        upper = _pair(same_padding(i, k, s, convention="same_upper"))
        lower = _pair(same_padding(i, k, s, convention="same_lower"))
        if upper != lower:
            break
    return Parts(
        f"ONNX `auto_pad='SAME_UPPER'` pads {upper} for a kernel of size {k}, stride {s}, input size {i}. What does "
        "`auto_pad='SAME_LOWER'` pad? Answer (before, after).",
        Answer("ints", lower),
        (f"the same total, {sum(upper)}, with the extra cell (if any) before instead of after: {format_pad(lower)}",),
        "The two rules pad the same total; they differ only in which side gets the extra cell of an odd total.",
        ((upper, "That is SAME_UPPER's split; the other rule moves the extra cell to the other side."),),
        given=given(input_size=i, kernel_size=k, stride=s),
    )


# --- 11 receptive fields -----------------------------------------------------------------------


def _random_stack(rng: np.random.Generator) -> list[Layer]:
    stack = []
    for _ in range(draw(rng, 2, 4)):
        if rng.random() < 0.25:
            stack.append(layer("max_pool", 2, 2))
        else:
            k = int(pick(rng, (1, 3, 3, 5, 7)))
            s = int(pick(rng, (1, 1, 2)))
            d = int(pick(rng, (1, 1, 1, 2))) if k > 1 else 1
            stack.append(layer("conv", k, s, (k - 1) * d // 2, dilation=d))
    return stack


def _stack_given(stack: list[Layer]) -> tuple[tuple[str, int, int, int, int], ...]:
    """``(kind, kernel, stride, padding before, dilation)`` per layer."""
    return tuple((lay.kind, lay.kernel_size[0], lay.stride[0], _before(lay), lay.dilation[0]) for lay in stack)


def _before(lay: Layer) -> int:
    pads = lay.padding
    assert pads is not None and not isinstance(pads, str)
    return int(pads[0][0])


def _stack_text(stack: list[Layer]) -> str:
    return "; ".join(f"{n + 1}: {lay!r}" for n, lay in enumerate(stack))


def _rf_size(rng: np.random.Generator) -> Parts:
    stack = _random_stack(rng)
    rf = receptive_field(stack)
    naive = 1 + sum(lay.kernel_size[0] - 1 for lay in stack)
    return Parts(
        f"A stack of layers, input first ({_stack_text(stack)}; k kernel, s stride, p padding, d dilation). "
        "What is the receptive field r0 of one output unit, in input cells along one axis?",
        Answer("int", int(rf.size)),
        lines(rf)[-3:],
        "Each layer adds its effective kernel minus one, multiplied by the product of the strides of the layers "
        "before it.",
        ((naive, "The layers after a stride see a coarser grid: multiply by the strides before them."),),
        given=given(layers=_stack_given(stack)),
    )


def _rf_stride(rng: np.random.Generator) -> Parts:
    stack = _random_stack(rng)
    if all(lay.stride[0] == 1 for lay in stack):
        stack[0] = layer("conv", 3, 2, 1)
    rf = receptive_field(stack)
    total = sum(lay.stride[0] for lay in stack)
    return Parts(
        f"A stack of layers, input first ({_stack_text(stack)}). By how many input cells do the fields of two "
        "neighbouring output units lie apart (the effective stride S0)?",
        Answer("int", int(rf.stride)),
        lines(rf)[-2:-1],
        "Strides multiply through a stack: each output step is a step of the last layer, which is several steps of "
        "the layer before.",
        ((total, "Strides multiply, they do not add."),),
        given=given(layers=_stack_given(stack)),
    )


def _rf_interval(rng: np.random.Generator) -> Parts:
    stack = _random_stack(rng)
    rf = receptive_field(stack)
    y = draw(rng, 0, 4)
    start, end = rf.interval(y)
    return Parts(
        f"A stack of layers, input first ({_stack_text(stack)}). Which input cells does output unit {y} see? "
        "Answer (first, last); cells before the input have negative indices.",
        Answer("ints", (int(start), int(end))),
        (*lines(rf)[-3:], f"[y·S0 − P0, y·S0 − P0 + r0 − 1] = [{start}, {end}]"),
        "Output y's field starts at y times the effective stride, minus the effective padding, and spans as many "
        "cells as the receptive field.",
        (
            (
                (int(start), int(start) + int(rf.size)),
                "The interval includes both ends: it holds as many cells as the receptive field.",
            ),
        ),
        given=given(layers=_stack_given(stack), output=y),
    )


def _rf_centre(rng: np.random.Generator) -> Parts:
    stack = _random_stack(rng)
    if rng.random() < 0.5:
        stack.append(layer("conv", 2, 2))  # an even field: the centre falls between two cells
    rf = receptive_field(stack)
    y = draw(rng, 0, 4)
    centre = Fraction(rf.centre(y))
    start, end = rf.interval(y)
    return Parts(
        f"A stack of layers, input first ({_stack_text(stack)}). Where is the centre of output unit {y}'s "
        "receptive field, in input coordinates? (It may fall between two cells.)",
        Answer("number", centre),
        (f"field [{start}, {end}]: centre ({start} + {end})/2 = {float(centre):g}", *lines(rf)[-3:]),
        "The centre is the middle of the field: halfway between its first and last cell.",
        ((Fraction(start), "That is the first cell of the field, not its centre."),),
        given=given(layers=_stack_given(stack), output=y),
    )


GENERATORS: dict[str, dict[str, tuple[str, Generator]]] = {
    "even_kernels_symmetric_padding": {
        "shift": ("How far an even-kernel stack moves the picture", _even_shift),
        "split": ("Padding an even kernel", _even_split),
        "c2sp_groups": ("The four groups of C2sp", _even_groups),
        "erosion": ("Information erosion", _even_erosion),
    },
    "framework_same": {
        "split": ("TensorFlow's 'same' at a stride", _same_split),
        "output_size": ("Output size of 'same' at a stride", _same_output),
        "agree": ("Does the PyTorch port agree?", _same_agree),
        "same_lower": ("SAME_UPPER and SAME_LOWER", _same_lower),
    },
    "receptive_fields": {
        "size": ("Receptive field size", _rf_size),
        "stride": ("Effective stride", _rf_stride),
        "interval": ("The input interval of an output", _rf_interval),
        "centre": ("The centre of a field", _rf_centre),
    },
}
"""``GENERATORS[topic][kind] = (title, generator)`` for topics 09-11."""
