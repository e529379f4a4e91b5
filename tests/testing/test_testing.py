"""convarith.testing: the package layout, the strategies' layers, and the ready checks.

The checks are tested on functions whose right answers are worked out by hand here (a floor
where the pool rounds up, a forgotten dilation, a padding off by one): each is caught, and its
counterexample is the smallest layer on which the mistake shows, argued in a comment. The
frameworks themselves (PyTorch, ONNX) are run through the checks in tests/testing/test_testing_oracles.py.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convarith as ca
from convarith.arithmetic import layer
from convarith.engine import reference
from convarith.testing import arange_array, check_op, check_output_size, random_array
from convarith.testing.strategies import EDGES, Case, arrays_for, cases, layers

# -- the package ---------------------------------------------------------------------------------


def test_the_seeded_arrays_are_still_importable_from_convarith_testing() -> None:
    assert random_array((2, 3), seed=1).shape == (2, 3)
    assert arange_array((2, 2)).tolist() == [[0, 1], [2, 3]]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_import_convarith_testing_needs_numpy_only() -> None:
    done = _run("import sys, convarith.testing\nprint('hypothesis' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


BLOCK_HYPOTHESIS = (
    "import sys\n"
    "class Block:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] == 'hypothesis':\n"
    "            raise ImportError('No module named ' + repr(name))\n"
    "sys.meta_path.insert(0, Block())\n"
)


def test_without_hypothesis_the_strategies_name_the_extra() -> None:
    done = _run(BLOCK_HYPOTHESIS + "import convarith.testing.strategies")
    assert done.returncode != 0
    assert "ImportError: convarith.testing.strategies needs hypothesis" in done.stderr
    assert 'pip install "convarith[testing]"' in done.stderr


def test_without_hypothesis_a_check_names_the_extra() -> None:
    code = (
        BLOCK_HYPOTHESIS
        + "import convarith, convarith.testing as t\nt.check_output_size(convarith.conv_output_size, 'conv')"
    )
    done = _run(code)
    assert done.returncode != 0
    assert 'pip install "convarith[testing]"' in done.stderr


# -- the strategies draw valid layers, and the edge cases on purpose --------------------------------


def _rebuilt(lay):
    """The same layer through the one parser, from its resolved numbers (raises if invalid)."""
    return layer(
        lay.op,
        lay.input_size,
        lay.kernel_size,
        lay.stride,
        lay.padding,
        lay.dilation,
        output_padding=lay.output_padding,
        ceil_mode=lay.ceil_mode,
        groups=lay.groups,
        pool_convention=lay.pool_convention,
    )


@settings(max_examples=150)
@given(st.sampled_from(["pytorch", "onnx", "caffe"]).flatmap(lambda convention: layers(pool_convention=convention)))
def test_every_drawn_layer_is_valid_and_has_an_output(lay) -> None:
    again = _rebuilt(lay)
    assert again.output_size == lay.output_size
    assert all(o >= 1 for o in lay.output_shape)
    if lay.kind == "pool" and lay.pool_convention == "pytorch":
        assert all(max(pad) <= k // 2 for pad, k in zip(lay.pads, lay.kernel_size, strict=True))


@settings(max_examples=60)
@given(layers(padding=("same",)))  # any op: only convolutions take a word
def test_same_layers_keep_ceil_i_over_s_outputs(lay) -> None:
    # 'same' under every convention: o = ceil(i / s) (PyTorch's only at stride 1), but Caffe's
    # symmetric (ek - 1) // 2 on both sides, which loses one output for an even kernel
    if lay.convention == "caffe":
        ek, (p,) = lay.effective_kernel_size, {pad for pad in lay.pads[0]}
        assert p == (ek[0] - 1) // 2
        return
    assert lay.output_shape == tuple(-(-i // s) for i, s in zip(lay.input_shape, lay.stride, strict=True))
    if lay.convention == "pytorch":
        assert set(lay.stride) == {1}


@settings(max_examples=80)
@given(cases(max_size=5))
def test_every_drawn_case_runs_in_the_engine_with_the_layers_output_size(case: Case) -> None:
    out = case.expected()
    assert out.shape[2:] == case.layer.output_shape
    assert out.dtype == np.float64


def _edge(lay) -> set[str]:
    """Which edge cases a layer is, computed from its numbers."""
    found = set()
    for axis in lay.axes:
        i, s, (pb, pe), ek = axis.input_size, axis.stride, axis.padding, axis.effective_kernel_size
        if lay.kind != "transpose" and ek == i + pb + pe:
            found.add("kernel_fills_input")
        if s > ek:
            found.add("stride_above_kernel")
        if lay.kind == "pool" and axis.pool_dropped_last():
            found.add("ceil_window_in_padding")
    return found


def test_the_edge_cases_are_drawn_on_purpose() -> None:
    seen: Counter[str] = Counter()

    @settings(max_examples=300, database=None, derandomize=True)
    @given(st.sampled_from(["conv", "max_pool", "avg_pool"]).flatmap(lambda op: layers(op)))
    def collect(lay) -> None:
        seen["all"] += 1
        seen.update(_edge(lay))

    collect()
    for edge in EDGES[1:]:  # each drawn in about one case in five of the ops that have it
        assert seen[edge] >= seen["all"] // 20, (edge, seen)


def test_layers_and_arrays_refuse_bad_options() -> None:
    with pytest.raises(ValueError, match="`op` must be one of"):
        layers("convolution")
    with pytest.raises(ValueError, match="`padding` must be a non-empty selection"):
        layers("conv", padding=("circular",))
    with pytest.raises(ValueError, match="`conventions`"):
        layers("conv", conventions=("valid",))
    with pytest.raises(ValueError, match="has no form a conv_transpose layer takes"):
        layers("conv_transpose", padding=("same",))
    with pytest.raises(ValueError, match="has no form a max_pool layer takes"):
        layers("max_pool", padding=("pairs",), pool_convention="caffe")
    with pytest.raises(ValueError, match="`scalar` layers have one axis"):
        layers("conv", 2, scalar=True)
    with pytest.raises(TypeError, match="`dtype` must be an integer or float dtype"):
        arrays_for(layer("conv", 5, 3), dtype=np.complex128)
    with pytest.raises(TypeError, match=r"`layer` must be a convarith\.arithmetic\.Layer"):
        arrays_for("conv")  # type: ignore[arg-type]


def test_a_case_writes_its_call_as_the_engine_takes_it() -> None:
    case = Case(
        layer("avg_pool", (4, 4), 2, padding=((1, 1), (0, 1))),
        np.ones((1, 1, 4, 4)),
        None,
        {"count_include_pad": False},
    )
    assert case.call_text() == (
        "avg_pool(x, (2, 2), stride=(2, 2), padding=((1, 1), (0, 1)), ceil_mode=False, count_include_pad=False)"
    )
    assert case.expected().shape == (1, 1, 3, 2)  # (4 + 2 - 2)/2 + 1 = 3 rows, (4 + 1 - 2)/2 + 1 = 2 columns


# -- check_output_size --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "op", "options"),
    [
        (ca.conv_output_size, "conv", {}),
        (ca.conv_output_size, "conv", {"ndim": 2, "padding": ("symmetric", "pairs")}),
        (ca.conv_transpose_output_size, "conv_transpose", {"padding": ("pairs",)}),
        (ca.pool_output_size, "pool", {}),
        (partial(ca.pool_output_size, convention="onnx"), "avg_pool", {"ndim": 3, "pool_convention": "onnx"}),
    ],
    ids=["conv", "conv-2d-pairs", "transpose-pairs", "pool", "avg-pool-3d-onnx"],
)
def test_convarith_own_formulas_pass(fn, op, options) -> None:
    assert check_output_size(fn, op, max_examples=80, **options) == 80


def test_a_hand_written_correct_function_passes() -> None:
    def mine(input_size, kernel_size, stride=1, padding=0, dilation=1):
        return (input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1

    assert check_output_size(mine, "conv") == 200


def floor_for_ceil(input_size, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False):
    """Pooling size that always rounds down: wrong in ceil mode whenever a partial window fits."""
    return (input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def no_dilation(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """Convolution size that forgets the dilation."""
    return (input_size + 2 * padding - kernel_size) // stride + 1


def test_floor_for_ceil_is_caught_with_the_smallest_partial_window() -> None:
    with pytest.raises(AssertionError) as caught:
        check_output_size(floor_for_ceil, "max_pool", ceil_mode=True)
    message = str(caught.value)
    # Smallest: a partial window needs s >= 2 and (i - k) % s != 0 (else ceil == floor); k = 1
    # never leaves one (every start i - 1 is a full window); so k = 2, s = 2, i = 3, no padding:
    # ceil((3 - 2)/2) + 1 = 2 windows (cells 0-1 and 2), floor gives 1.
    assert "max_pool: input 3, kernel 2, stride 2, padding (0, 0), ceil_mode -> output 2" in message
    assert "call:     floor_for_ceil(3, 2, stride=2, padding=0, dilation=1, ceil_mode=True)" in message
    assert "expected: 2" in message and "actual:   1" in message
    assert message.startswith("floor_for_ceil disagrees with convarith's pool_output_size on this layer")


def test_a_missing_dilation_is_caught_with_the_smallest_dilated_kernel() -> None:
    with pytest.raises(AssertionError) as caught:
        check_output_size(no_dilation, "conv")
    message = str(caught.value)
    # Smallest: dilation matters only for k >= 2 and d >= 2, so ek = 3, which needs i >= 3 without
    # padding: (3 - 3)/1 + 1 = 1 output, while 3 - 2 + 1 = 2.
    assert "conv: input 3, kernel 2, stride 1, padding (0, 0), dilation 2 -> output 1" in message
    assert "ek = 2·(2 − 1) + 1 = 3" in message  # the formula with the numbers substituted
    assert "call:     no_dilation(3, 2, stride=1, padding=0, dilation=2)" in message
    assert "expected: 1" in message and "actual:   2" in message


def test_the_counterexample_is_the_same_on_every_run() -> None:
    messages = set()
    for _ in range(2):
        with pytest.raises(AssertionError) as caught:
            check_output_size(no_dilation, "conv")
        messages.add(str(caught.value))
    assert len(messages) == 1


def test_per_axis_tuples_and_pairs_are_passed_when_asked() -> None:
    calls = []

    def spy(input_size, kernel_size, stride=1, padding=0, dilation=1):
        calls.append((input_size, kernel_size, stride, padding, dilation))
        return ca.conv_output_size(input_size, kernel_size, stride, padding, dilation)

    check_output_size(spy, "conv", ndim=2, padding=("pairs",), max_examples=30)
    assert all(len(value) == 2 for call in calls for value in call)
    assert all(isinstance(pair, tuple) and len(pair) == 2 for call in calls for pair in call[3])
    calls.clear()
    check_output_size(spy, "conv", max_examples=30)
    assert all(isinstance(value, int) for call in calls for value in call)


def test_a_function_that_raises_is_reported_with_its_error() -> None:
    def refuses_stride(input_size, kernel_size, stride=1, padding=0, dilation=1):
        if stride != 1:
            raise ValueError("no stride here")
        return ca.conv_output_size(input_size, kernel_size, stride, padding, dilation)

    with pytest.raises(AssertionError, match=r"actual:   raised ValueError: no stride here") as caught:
        check_output_size(refuses_stride, "conv")
    assert "stride 2," in str(caught.value)  # the smallest stride that is not 1


def test_check_output_size_refuses_bad_options() -> None:
    with pytest.raises(ValueError, match="`op` must be one of"):
        check_output_size(ca.conv_output_size, "convolution")
    with pytest.raises(TypeError, match="`fn` must be callable"):
        check_output_size(3, "conv")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`max_examples` must be at least 1"):
        check_output_size(ca.conv_output_size, "conv", max_examples=0)
    with pytest.raises(ValueError, match="`padding` must be a non-empty selection"):
        check_output_size(ca.conv_output_size, "conv", padding=("same",))


# -- check_op -----------------------------------------------------------------------------------


def _reference_max_pool(x, kernel_size, **keywords):
    values = reference.max_pool(x, kernel_size, **keywords)[0]  # (values, indices)
    # The loop reference leaves a window that reads padding only as None; the engine and PyTorch
    # give -inf there. check_op found this difference: input 1, kernel 2, dilation 2, padding 1
    # puts the taps at -1 and 1, both in the padding.
    return np.where(values == None, -np.inf, values)  # noqa: E711 (elementwise)


@pytest.mark.parametrize(
    ("fn", "op"),
    [
        (reference.conv, "conv"),
        (reference.conv_transpose, "conv_transpose"),
        (_reference_max_pool, "max_pool"),
        (reference.avg_pool, "avg_pool"),
    ],
    ids=["conv", "conv_transpose", "max_pool", "avg_pool"],
)
def test_the_loop_reference_passes_check_op(fn, op) -> None:
    """The engine's loop definitions (written like the formulas) agree with the fast engine."""
    assert check_op(fn, op, ndim=2, max_examples=40) == 40


def test_asymmetric_pairs_reach_the_function_when_asked() -> None:
    assert check_op(reference.conv, "conv", ndim=1, padding=("pairs",), max_examples=30) == 30


def conv_padding_off_by_one(x, weight, *, stride, padding, dilation, groups):
    """A convolution that pads one cell too many before, one too few after (same output shape)."""
    shifted = tuple((p + 1, p - 1) if p else (0, 0) for p in padding)
    return ca.conv(x, weight, stride=stride, padding=shifted, dilation=dilation, groups=groups)


def test_a_padding_off_by_one_is_caught_with_a_one_cell_input() -> None:
    with pytest.raises(AssertionError) as caught:
        check_op(conv_padding_off_by_one, "conv", ndim=1)
    message = str(caught.value)
    # Smallest: padding 1 needs k >= 2 for the shift to leave the shape; input 1, kernel 2 of ones:
    # padded [0, x, 0] gives (x, x); shifted [0, 0, x] gives (0, x).
    assert "conv: input 1, kernel 2, stride 1, padding (1, 1) -> output 2" in message
    assert "x = [[[1.]]]" in message and "weight = [[[1., 1.]]]" in message
    assert "expected: [[[1., 1.]]]" in message and "actual:   [[[0., 1.]]]" in message
    assert "1 of 2 values differ, the first at (0, 0, 0): 0.0, expected 1.0" in message


def test_check_op_reports_a_wrong_shape_and_an_error() -> None:
    def padding_twice(x, weight, *, stride, padding, dilation, groups):
        return ca.conv(
            x, weight, stride=stride, padding=tuple(2 * p for p in padding), dilation=dilation, groups=groups
        )

    with pytest.raises(AssertionError, match=r"\(shape \(1, 1, 4\), expected \(1, 1, 2\)\)"):
        check_op(padding_twice, "conv", ndim=1)  # input 1, kernel 2, padding 1: 2 outputs, 4 with padding 2

    def no_groups(x, weight, *, stride, padding, dilation, groups):
        return ca.conv(x, weight, stride=stride, padding=padding, dilation=dilation)

    with pytest.raises(AssertionError, match=r"groups=2\)\n[^(]*\(raised ValueError: `weight` shape \(2, 1, 1\)"):
        check_op(no_groups, "conv", ndim=1)


def test_integer_arrays_are_compared_exactly() -> None:
    assert check_op(ca.conv, "conv", ndim=1, dtype=np.int64, max_examples=20) == 20

    def rounded(x, weight, **keywords):
        return ca.conv(x, weight, **keywords) + 1

    with pytest.raises(AssertionError, match="values differ"):
        check_op(rounded, "conv", ndim=1, dtype=np.int64)


# -- the docs page "Use convarith as an oracle" ---------------------------------------------------


def _code_cells(text: str) -> list[str]:
    """The code of each ``{code-cell}`` of a MyST-NB page (the page's own option lines dropped)."""
    cells = []
    for block in text.split("```{code-cell} python3\n")[1:]:
        code = block.split("\n```", 1)[0]
        cells.append("\n".join(line for line in code.splitlines() if not line.startswith(":")))
    return cells


@pytest.mark.slow
def test_the_oracle_docs_page_runs_and_shows_its_counterexamples() -> None:
    """docs/oracle.md runs in the docs build (myst-nb, errors fail it); here its cells run in pytest."""
    import contextlib
    import io
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "oracle.md"
    namespace: dict[str, object] = {"__name__": "oracle_page"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for code in _code_cells(page.read_text(encoding="utf-8")):
            exec(compile(code, str(page), "exec"), namespace)
    out = printed.getvalue()
    assert "max_pool: input 3, kernel 2, stride 2, padding (0, 0), ceil_mode -> output 2" in out  # floor for ceil
    assert "conv: input 3, kernel 2, stride 1, padding (0, 0), dilation 2 -> output 1" in out  # no dilation
    assert "my_conv disagrees with convarith.engine.conv" in out and "actual:   [[[0., 1.]]]" in out
    assert "passed: conv_size agrees on 200 cases" in out and "passed: pool_output_size agrees on 200 cases" in out
    assert "passed: torch_conv2d agrees on 100 cases" in out or "PyTorch is not installed" in out
    assert "ONNX shape inference: [1, 1, 1]" in out or "onnx" not in sys.modules


# -- notebook 03's exercise -------------------------------------------------------------------------


def _notebook_cells(name: str) -> dict[str, str]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "notebooks" / f"{name}.ipynb"
    return {cell["id"]: "".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]}


def _run_cells(*sources: str) -> str:
    import contextlib
    import io

    namespace: dict[str, object] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for source in sources:
            exec(compile(source, "notebook", "exec"), namespace)
    return printed.getvalue()


def test_notebook_03_checks_the_students_function_and_shows_its_first_counterexample() -> None:
    cells = _notebook_cells("03_strides")
    stub, check = cells["03-oracle-stub"], cells["03-oracle-check"]
    out = _run_cells(stub, check)
    # The stub rounds up: it counts a window that does not fit. Smallest: input 2, kernel 1,
    # stride 2 has one window (at 0; the next would start at 2, past the input); ceil gives 2.
    assert "conv: input 2, kernel 1, stride 2, padding (0, 0) -> output 1" in out
    assert "call:     my_output_size(2, 1, stride=2, padding=0)" in out
    assert "expected: 1" in out and "actual:   2" in out
    assert "agrees with convarith on all" not in out

    fixed = stub.replace("-(-last_start // stride) + 1", "last_start // stride + 1")
    assert fixed != stub
    assert _run_cells(fixed, check).strip() == "Your function agrees with convarith on all 200 layers tried."
    floats = stub.replace("-(-last_start // stride) + 1", "last_start / stride + 1")
    assert "actual:   1.0 (not an int)" in _run_cells(floats, check)  # input 1, kernel 1: 0/1 + 1
