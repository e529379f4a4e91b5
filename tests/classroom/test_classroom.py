"""The seeded exercises: every answer checked against an independent oracle, hints that never hold the answer.

Oracles: PyTorch (convolution, pooling, padding, transposed convolution, parameter counts,
which ``groups`` a layer accepts), brute-force enumeration of kernel positions and of receptive
fields, and the rules written out in the references (TensorFlow's SAME, Wu et al.'s groups and
half-cell shift).
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from convarith.classroom import TOPICS, Answer, AnswerFormatError, Exercise, exercise, exercise_from_key, exercises

torch = pytest.importorskip("torch")
F = torch.nn.functional

SEEDS = range(25)
NOTEBOOK_TOPICS = [
    "discrete_convolution",
    "padding",
    "strides",
    "dilation",
    "pooling",
    "transposed_convolution",
    "matrix_view",
    "groups_depthwise",
    "even_kernels_symmetric_padding",
    "framework_same",
    "receptive_fields",
]
ALL = [(t, k) for t in TOPICS for k in TOPICS[t].kinds]


def _build(topic: str, kind: str) -> list[Exercise]:
    return [exercise(topic, kind, seed) for seed in SEEDS]


@functools.cache
def _all(topic: str, kind: str) -> list[Exercise]:
    return _build(topic, kind)


def _t(values: Any) -> Any:
    return torch.tensor(np.asarray(values, dtype=np.float64))


# --- the catalogue ---------------------------------------------------------------------------------


def test_eleven_topics_in_notebook_order_with_three_kinds_or_more() -> None:
    assert list(TOPICS) == NOTEBOOK_TOPICS
    assert [t.number for t in TOPICS.values()] == [f"{n:02d}" for n in range(1, 12)]
    assert all(len(t.kinds) >= 3 for t in TOPICS.values()), {t.name: len(t.kinds) for t in TOPICS.values()}


@pytest.mark.parametrize(("topic", "kind"), ALL)
def test_seeded_and_reproducible(topic: str, kind: str) -> None:
    first = _build(topic, kind)
    assert first == _build(topic, kind)  # the same seed, the same exercise
    assert len({ex.prompt + "".join(ex.blocks) for ex in first}) >= 5, "seeds should give students their own numbers"
    assert all(exercise_from_key(ex.key) == ex for ex in first[:3])


@pytest.mark.parametrize(("topic", "kind"), ALL)
def test_the_answer_checks_and_wrong_answers_get_hints_without_it(topic: str, kind: str) -> None:
    for ex in _all(topic, kind):
        assert ex.check(ex.answer.text()) == (True, "Right.")
        assert ex.check(ex.answer.value).correct
        wrong = [value for value, _ in ex.mistakes] + _near_misses(ex.answer)
        for value in wrong:
            try:
                if ex.answer.matches(ex.answer.parse(value)):
                    continue
            except AnswerFormatError:
                pass  # unreadable: check says what to write
            correct, hint = ex.check(value)
            assert not correct, (ex, value)
            assert not re.search(r"\d", hint), (ex.key, hint)  # no digit at all: no number to leak
            if ex.answer.kind == "word":
                assert ex.answer.text() not in hint
        assert repr(ex) == f"Exercise {ex.key}: {ex.prompt}"  # the question, never the answer
        assert ex.solution().startswith(f"Answer: {ex.answer.text()}\n")


def _near_misses(answer: Answer) -> list[Any]:
    v = answer.value
    if answer.kind == "int":
        return [v - 1, v + 1, 0, -v]
    if answer.kind == "number":
        return [Fraction(v) + 1, -Fraction(v) - 1, Fraction(v) * 2 + Fraction(1, 3)]
    if answer.kind in ("ints", "list"):
        return [tuple(x + 1 for x in v), tuple(reversed(v)), tuple(v)[:-1] or (99,)]
    if answer.kind == "set":
        return [frozenset(list(v)[:-1]) or frozenset({99}), frozenset(v) | {max(v) + 5}]
    return [c for c in answer.choices if c != v]


def test_a_hint_with_a_digit_is_refused() -> None:
    with pytest.raises(ValueError, match="may not contain digits"):
        Exercise("t", "k", 0, "T", "What?", Answer("int", 4), (), "It is near 4.")
    with pytest.raises(ValueError, match="may not contain the answer"):
        Exercise("t", "k", 0, "T", "Yes or no?", Answer("word", "yes", ("yes", "no")), (), "Say yes.")


@pytest.mark.parametrize(
    ("answer", "typed", "parsed"),
    [
        (Answer("int", 3), " 3 ", 3),
        (Answer("ints", (1, 2)), "(1, 2)", (1, 2)),
        (Answer("ints", (1, 2)), "1 2", (1, 2)),
        (Answer("ints", (-1, 2)), "[−1; 2]", (-1, 2)),
        (Answer("list", (4, 3, 2)), "4,3,2", (4, 3, 2)),
        (Answer("set", frozenset({5, 6})), "{6, 5}", frozenset({5, 6})),
        (Answer("number", Fraction(4, 9)), "4/9", Fraction(4, 9)),
        (Answer("number", Fraction(-3, 2)), "-1.5", Fraction(-3, 2)),
        (Answer("word", "yes", ("yes", "no")), "Y", "yes"),
    ],
)
def test_answers_are_read_as_students_type_them(answer: Answer, typed: str, parsed: Any) -> None:
    assert answer.parse(typed) == parsed
    assert answer.matches(answer.parse(typed))


@pytest.mark.parametrize(
    ("answer", "typed"),
    [
        (Answer("int", 3), "three"),
        (Answer("int", 3), "3, 4"),
        (Answer("ints", (1, 2)), "1"),
        (Answer("number", Fraction(1, 2)), "1/0"),
        (Answer("word", "yes", ("yes", "no")), "maybe"),
        (Answer("int", 3), ""),
    ],
)
def test_unreadable_answers_say_what_to_write(answer: Answer, typed: str) -> None:
    with pytest.raises(AnswerFormatError, match=r"^Write "):
        answer.parse(typed)
    ex = Exercise("t", "k", 0, "T", "Q?", answer, (), "Think.")
    correct, hint = ex.check(typed)
    assert not correct and hint.startswith("Write ")


def test_number_answers_accept_three_decimals_only_near_the_value() -> None:
    answer = Answer("number", Fraction(4, 9))
    assert answer.matches(answer.parse("0.444")) and answer.matches(answer.parse("0.44"))
    assert not answer.matches(answer.parse("0.43"))


def test_set_answers_say_when_some_are_missing_or_extra() -> None:
    ex = Exercise("t", "k", 0, "T", "Which?", Answer("set", frozenset({5, 6})), (), "Think.")
    assert ex.check("5").hint.startswith("Some are missing")
    assert ex.check("5, 6, 7").hint.startswith("Some of these do not belong")
    ordered = Exercise("t", "k", 0, "T", "Which?", Answer("list", (1, 2, 3)), (), "Think.")
    assert ordered.check("3, 2, 1").hint == "The right numbers, in the wrong order."


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        (dict(topic_name="nope", kind="x"), ValueError, "`topic` must be a topic name"),
        (dict(topic_name=12, kind="x"), ValueError, "`topic`"),
        (dict(topic_name="padding", kind="nope"), ValueError, "`kind` for topic 'padding' must be one of"),
        (dict(topic_name="padding", kind="output_size", seed=-1), ValueError, "`seed`"),
        (dict(topic_name="padding", kind="output_size", seed=1.5), TypeError, "`seed`"),
    ],
)
def test_bad_arguments_name_the_parameter(bad: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        exercise(**bad)


def test_exercises_gives_one_of_each_kind_and_keys_round_trip() -> None:
    found = exercises(3, seed=11)
    assert [ex.kind for ex in found] == list(TOPICS["strides"].kinds)
    with pytest.raises(ValueError, match="`key`"):
        exercise_from_key("strides/output_size")


# --- independent oracles, topic by topic -----------------------------------------------------------


def _positions(i: int, k: int, s: int = 1, pb: int = 0, pe: int = 0, d: int = 1) -> list[int]:
    """Brute force: window starts (padded coordinates) where the dilated kernel fits."""
    return [start for start in range(0, i + pb + pe, s) if start + d * (k - 1) < i + pb + pe]


def test_01_output_sizes_and_kernels_by_counting_positions() -> None:
    for ex in _all("discrete_convolution", "output_size"):
        n = ex.numbers
        assert ex.answer.value == len(_positions(n["input_size"], n["kernel_size"]))
    for ex in _all("discrete_convolution", "kernel_size"):
        n = ex.numbers
        assert len(_positions(n["input_size"], ex.answer.value)) == n["output_size"]


def test_01_output_value_against_torch() -> None:
    for ex in _all("discrete_convolution", "output_value"):
        n = ex.numbers
        y = F.conv2d(_t(n["x"])[None, None], _t(n["w"])[None, None])[0, 0]
        assert ex.answer.value == int(y[n["output"]])


def test_01_readers_by_brute_force() -> None:
    for ex in _all("discrete_convolution", "readers"):
        n = ex.numbers
        i, k, (a, b) = n["input_size"], n["kernel_size"], n["cell"]
        count = sum(1 for r in range(i - k + 1) for c in range(i - k + 1) if r <= a < r + k and c <= b < c + k)
        assert ex.answer.value == count


def test_02_padding_against_torch_and_counting() -> None:
    for ex in _all("padding", "output_size"):
        n = ex.numbers
        pb, pe = n["padding"]
        y = F.conv1d(F.pad(torch.ones(1, 1, n["input_size"]), (pb, pe)), torch.ones(1, 1, n["kernel_size"]))
        assert ex.answer.value == y.shape[-1]
    for ex in _all("padding", "mode_values"):
        n = ex.numbers
        mode = n["mode"]
        padded = F.pad(_t(n["row"])[None, None], (n["padding"], n["padding"]), mode=mode)[0, 0]
        assert ex.answer.value == tuple(int(v) for v in padded)
    for ex in _all("padding", "padding_for_output"):
        n = ex.numbers
        p = ex.answer.value
        assert len(_positions(n["input_size"], n["kernel_size"], 1, p, p)) == n["output_size"]


def _tf_same(i: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TensorFlow's SAME, written from its documentation: o = ceil(i/s), extra unit after."""
    ek = d * (k - 1) + 1
    o = -(-i // s)
    total = max((o - 1) * s + ek - i, 0)
    return total // 2, total - total // 2


def test_02_same_split_and_10_framework_split_from_tensorflow_rule() -> None:
    for ex in _all("padding", "same_split") + _all("even_kernels_symmetric_padding", "split"):
        n = ex.numbers
        before, after = _tf_same(n["input_size"], n["kernel_size"], 1)
        expected = {
            "tensorflow": (before, after),
            "same_lower": (after, before),
            "caffe": ((n["kernel_size"] - 1) // 2,) * 2,
        }
        assert ex.answer.value == expected[n["convention"]]
    for ex in _all("framework_same", "split"):
        n = ex.numbers
        before, after = _tf_same(n["input_size"], n["kernel_size"], n["stride"])
        assert ex.answer.value == ((before, after) if n["convention"] == "tensorflow" else (after, before))
    for ex in _all("framework_same", "same_lower"):
        n = ex.numbers
        before, after = _tf_same(n["input_size"], n["kernel_size"], n["stride"])
        assert ex.answer.value == (after, before)
    for ex in _all("framework_same", "output_size"):
        assert ex.answer.value == -(-ex.numbers["input_size"] // ex.numbers["stride"])
    for ex in _all("framework_same", "agree"):
        n = ex.numbers
        habit = ((n["kernel_size"] - 1) // 2,) * 2
        assert ex.answer.value == ("yes" if _tf_same(n["input_size"], n["kernel_size"], 2) == habit else "no")


def test_03_strides_by_counting_positions() -> None:
    for ex in _all("strides", "output_size"):
        n = ex.numbers
        p = n["padding"]
        assert ex.answer.value == len(_positions(n["input_size"], n["kernel_size"], n["stride"], p, p))
    for ex in _all("strides", "input_sizes"):
        n = ex.numbers
        p = n["padding"]
        found = {i for i in range(1, 80) if len(_positions(i, n["kernel_size"], n["stride"], p, p)) == n["output_size"]}
        assert ex.answer.value == found
    for ex in _all("strides", "unread_cells"):
        n = ex.numbers
        i, k = n["input_size"], n["kernel_size"]
        read = {start + t for start in _positions(i, k, n["stride"]) for t in range(k)}
        assert ex.answer.value == i - len(read)
    for ex in _all("strides", "last_window"):
        n = ex.numbers
        p = n["padding"]
        assert ex.answer.value == _positions(n["input_size"], n["kernel_size"], n["stride"], p, p)[-1] - p


def test_04_dilation_against_torch() -> None:
    for ex in _all("dilation", "output_size"):
        n = ex.numbers
        y = F.conv1d(
            torch.ones(1, 1, n["input_size"]),
            torch.ones(1, 1, n["kernel_size"]),
            stride=n["stride"],
            padding=n["padding"],
            dilation=n["dilation"],
        )
        assert ex.answer.value == y.shape[-1]
    for ex in _all("dilation", "taps"):
        n = ex.numbers
        x = torch.zeros(1, 1, n["input_size"])
        reads = []
        for cell in range(n["input_size"]):  # which input cells move output y: its taps
            x.zero_()
            x[0, 0, cell] = 1
            if F.conv1d(x, torch.ones(1, 1, n["kernel_size"]), dilation=n["dilation"])[0, 0, n["output"]] != 0:
                reads.append(cell)
        assert ex.answer.value == tuple(reads)
    for ex in _all("dilation", "same_padding"):
        n = ex.numbers
        y = F.conv1d(
            torch.ones(1, 1, n["input_size"]),
            torch.ones(1, 1, n["kernel_size"]),
            padding=ex.answer.value,
            dilation=n["dilation"],
        )
        assert y.shape[-1] == n["input_size"]
    for ex in _all("dilation", "effective_kernel"):
        n = ex.numbers
        assert ex.answer.value == len(range(0, n["dilation"] * (n["kernel_size"] - 1) + 1))


def test_05_pooling_against_torch() -> None:
    for ex in _all("pooling", "output_size"):
        n = ex.numbers
        y = F.max_pool1d(
            torch.ones(1, 1, n["input_size"]), n["kernel_size"], n["stride"], n["padding"], ceil_mode=n["ceil_mode"]
        )
        assert ex.answer.value == y.shape[-1]
    for ex in _all("pooling", "max_values"):
        n = ex.numbers
        y = F.max_pool1d(_t(n["row"])[None, None], n["kernel_size"], n["stride"], ceil_mode=n["ceil_mode"])
        assert ex.answer.value == tuple(int(v) for v in y[0, 0])
    for ex in _all("pooling", "average"):
        n = ex.numbers
        y = F.avg_pool2d(_t(n["x"])[None, None], 3, 1, 1, count_include_pad=n["count_include_pad"])[0, 0]
        assert abs(float(ex.answer.value) - float(y[n["output"]])) < 1e-12


def test_06_transposed_against_torch() -> None:
    for ex in _all("transposed_convolution", "output_size"):
        n = ex.numbers
        layer = torch.nn.ConvTranspose1d(
            1, 1, n["kernel_size"], n["stride"], n["padding"], output_padding=n["output_padding"]
        )
        assert ex.answer.value == layer(torch.ones(1, 1, n["input_size"])).shape[-1]
    for ex in _all("transposed_convolution", "output_padding"):
        n = ex.numbers
        forward = F.conv1d(torch.ones(1, 1, n["input_size"]), torch.ones(1, 1, n["kernel_size"]), **_sp(n))
        back = F.conv_transpose1d(forward, torch.ones(1, 1, n["kernel_size"]), output_padding=ex.answer.value, **_sp(n))
        assert back.shape[-1] == n["input_size"]
    for ex in _all("transposed_convolution", "value"):
        n = ex.numbers
        y = F.conv_transpose1d(_t(n["x"])[None, None], _t(n["w"])[None, None], stride=n["stride"])[0, 0]
        assert ex.answer.value == int(y[n["output"]])
    for ex in _all("transposed_convolution", "construction"):
        n = ex.numbers
        zeros, p_prime = ex.answer.value
        k, s = n["kernel_size"], n["stride"]
        assert zeros == s - 1 and p_prime == k - 1 - n["padding"]  # the guide's relationship 13/14


def _sp(n: dict[str, Any]) -> dict[str, int]:
    return {"stride": n["stride"], "padding": n["padding"]}


def test_07_matrix_from_torch_impulse_responses() -> None:
    for ex in _all("matrix_view", "shape"):
        n = ex.numbers
        x = torch.zeros(1, n["in_channels"], n["input_size"], n["input_size"])
        w = torch.ones(n["out_channels"], n["in_channels"], n["kernel_size"], n["kernel_size"])
        y = F.conv2d(x, w, stride=n["stride"], padding=n["padding"])
        assert ex.answer.value == (y.numel(), x.numel())
    for ex in _all("matrix_view", "entry"):
        n = ex.numbers
        r, col = n["entry"]
        e = torch.zeros(1, 1, n["input_size"], dtype=torch.float64)
        e[0, 0, col] = 1  # column col of C is the response to the unit vector e_col
        assert ex.answer.value == int(F.conv1d(e, _t(n["w"])[None, None], stride=n["stride"])[0, 0, r])
    for ex in _all("matrix_view", "row_nonzeros"):
        n = ex.numbers
        i, (r, c) = n["input_size"], n["output"]
        count = 0
        for a in range(i):
            for b in range(i):
                e = torch.zeros(1, 1, i, i)
                e[0, 0, a, b] = 1
                y = F.conv2d(e, torch.ones(1, 1, 3, 3), stride=n["stride"], padding=n["padding"])
                count += int(y[0, 0, r, c] != 0)
        assert ex.answer.value == count


def test_08_groups_against_torch() -> None:
    for ex in _all("groups_depthwise", "weights"):
        n = ex.numbers
        layer = torch.nn.Conv2d(n["in_channels"], n["out_channels"], n["kernel_size"], groups=n["groups"], bias=False)
        assert ex.answer.value == layer.weight.numel()
    for ex in _all("groups_depthwise", "allowed_groups")[:6]:
        n = ex.numbers
        accepted = set()
        for g in range(1, n["in_channels"] + 1):
            try:
                torch.nn.Conv1d(n["in_channels"], n["out_channels"], 1, groups=g)
            except ValueError:
                continue
            accepted.add(g)
        assert ex.answer.value == accepted
    for ex in _all("groups_depthwise", "reads"):
        n = ex.numbers
        layer = torch.nn.Conv1d(n["in_channels"], n["out_channels"], 1, groups=n["groups"], bias=False)
        torch.nn.init.ones_(layer.weight)
        eye = torch.eye(n["in_channels"])[:, :, None]  # input channel c set in batch item c
        reads = {c for c in range(n["in_channels"]) if layer(eye)[c, n["output_channel"], 0] != 0}
        assert ex.answer.value == reads
    for ex in _all("groups_depthwise", "separable"):
        n = ex.numbers
        c, k = n["in_channels"], n["kernel_size"]
        depthwise = torch.nn.Conv2d(c, c, k, groups=c, bias=False)
        pointwise = torch.nn.Conv2d(c, n["out_channels"], 1, bias=False)
        assert ex.answer.value == depthwise.weight.numel() + pointwise.weight.numel()


def test_09_even_kernels_from_wu_et_al() -> None:
    for ex in _all("even_kernels_symmetric_padding", "shift"):
        n = ex.numbers  # one-sided padding moves the map half a cell per layer, towards the short side
        sign = -1 if n["convention"] == "tensorflow" else 1
        assert ex.answer.value == Fraction(sign * n["layers"], 2)
    for ex in _all("even_kernels_symmetric_padding", "c2sp_groups"):
        c = ex.numbers["channels"]
        assert ex.answer.value == tuple(c // 4 + (1 if g < c % 4 else 0) for g in range(4))
    for ex in _all("even_kernels_symmetric_padding", "erosion"):
        n = ex.numbers
        h = n["input_size"]
        if n["stack"] == "C2":  # the last row and column average half zeros: (h - 1/2)^2 / h^2
            assert ex.answer.matches(Fraction(2 * h - 1, 2 * h) ** 2)
        x = torch.ones(1, 4, h, h, dtype=torch.float64)
        w = torch.full((4, 4, 2, 2), 1 / 16, dtype=torch.float64)
        for _ in range(n["layers"]):
            if n["stack"] == "C2":
                x = F.conv2d(F.pad(x, (0, 1, 0, 1)), w)
            else:  # official C2sp group order: (top, bottom), (left, right) pads per group of one channel
                pads = [(0, 1, 0, 1), (1, 0, 1, 0), (1, 0, 0, 1), (0, 1, 1, 0)]  # F.pad order: left, right, top, bottom
                x = F.conv2d(torch.cat([F.pad(x[:, g : g + 1], pads[g]) for g in range(4)], dim=1), w)
        assert abs(float(ex.answer.value) - float(x.abs().mean())) < 5e-5


def _field(stack: tuple[tuple[str, int, int, int, int], ...], y: int) -> tuple[int, int]:
    """Brute force: push the interval of output y back through each layer's window."""
    lo, hi = y, y
    for _kind, k, s, p, d in reversed(stack):
        lo, hi = lo * s - p, hi * s - p + d * (k - 1)
    return lo, hi


def test_11_receptive_fields_by_pushing_intervals_back() -> None:
    for ex in _all("receptive_fields", "size"):
        lo, hi = _field(ex.numbers["layers"], 0)
        assert ex.answer.value == hi - lo + 1
    for ex in _all("receptive_fields", "stride"):
        assert ex.answer.value == _field(ex.numbers["layers"], 1)[0] - _field(ex.numbers["layers"], 0)[0]
    for ex in _all("receptive_fields", "interval"):
        assert ex.answer.value == _field(ex.numbers["layers"], ex.numbers["output"])
    for ex in _all("receptive_fields", "centre"):
        lo, hi = _field(ex.numbers["layers"], ex.numbers["output"])
        assert ex.answer.value == Fraction(lo + hi, 2)
