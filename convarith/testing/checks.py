"""Ready property tests with convarith as the oracle: :func:`check_output_size` and :func:`check_op`.

Each check draws valid layers (:mod:`convarith.testing.strategies`), calls *your* function the way
convarith's own is called, and compares: output sizes with :mod:`convarith.arithmetic`'s formulas,
arrays with :mod:`convarith.engine`. On a disagreement it raises an ``AssertionError`` whose message
is the smallest counterexample hypothesis's shrinker found: the layer's repr (the formula with the
numbers substituted), the call, the expected and the actual values. It runs the same in pytest, in a
plain script and in a notebook: nothing is stored (no example database), nothing printed, and the
search is seeded (``seed=0``), so the same function in the same program gets the same counterexample
on every run. (Hypothesis also tries, now and then, integer constants it finds in the modules you
have imported, so another program may try other layers first; the shrunk counterexample is then
usually, not always, the same.)

Needs `hypothesis <https://hypothesis.readthedocs.io>`_ (``pip install "convarith[testing]"``),
imported when a check runs: ``import convarith.testing`` needs NumPy only.
"""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from convarith.arithmetic import Layer
from convarith.arithmetic.layer import OPS

if TYPE_CHECKING:  # (the strategies need hypothesis, imported when a check runs)
    from convarith.testing.strategies import Case

__all__ = ["check_op", "check_output_size"]

_SIZE_FUNCTIONS = {
    "conv": "conv_output_size",
    "conv_transpose": "conv_transpose_output_size",
    "max_pool": "pool_output_size",
    "avg_pool": "pool_output_size",
    "lp_pool": "pool_output_size",
    "pool": "pool_output_size",
}
_TOLERANCES = {"f2": (1e-2, 1e-2), "f4": (1e-5, 1e-5), "f8": (1e-9, 1e-9)}
_MAX_SHOWN = 400  # array entries printed in a counterexample


def _hypothesis() -> Any:
    """The hypothesis pieces the checks use, or an ImportError that names the extra."""
    try:
        import hypothesis
    except ImportError as error:
        raise ImportError(
            'convarith\'s checks need hypothesis, an optional dependency: pip install "convarith[testing]"'
        ) from error
    return hypothesis


def _settings(max_examples: int) -> Any:
    hypothesis = _hypothesis()
    return hypothesis.settings(
        hypothesis.settings.get_profile("default"),  # not the caller's profile: same search everywhere
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,  # seeded through find(random=...) instead
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
        phases=(hypothesis.Phase.generate, hypothesis.Phase.shrink),
    )


def _search(strategy: Any, failure: Callable[[Any], str | None], max_examples: int, seed: int) -> tuple[Any, int]:
    """The smallest drawn value whose ``failure`` is not None (None if none), and how many were tried."""
    hypothesis = _hypothesis()
    from hypothesis.errors import NoSuchExample

    tried = 0

    def fails(value: Any) -> bool:
        nonlocal tried
        tried += 1
        return failure(value) is not None

    try:
        found = hypothesis.find(strategy, fails, settings=_settings(max_examples), random=random.Random(seed))
    except NoSuchExample:
        return None, tried
    return found, tried


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"`{name}` must be at least 1, got {value}")
    return value


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", None) or repr(fn)


def _size_arguments(lay: Layer, op: str, pairs: bool) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of ``conv_output_size`` and its siblings for ``lay``: ints, or per-axis tuples."""

    def one(values: tuple[Any, ...]) -> Any:
        return values[0] if lay.scalar else values

    pads = lay.pads
    padding = pads if pairs or any(pb != pe for pb, pe in pads) else tuple(pb for pb, _ in pads)
    keywords: dict[str, Any] = {"stride": one(lay.stride), "padding": one(padding)}
    if op == "conv_transpose":
        keywords["output_padding"] = one(lay.output_padding)
    keywords["dilation"] = one(lay.dilation)
    if lay.kind == "pool":
        keywords["ceil_mode"] = lay.ceil_mode
    return (one(lay.input_shape), one(lay.kernel_size)), keywords


def _as_size(value: Any) -> Any:
    """An int, or a tuple of ints, as a user's function may return them (NumPy ints, lists)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return tuple(operator.index(v) for v in value)
    return operator.index(value)


def _call_text(name: str, args: Sequence[Any], keywords: dict[str, Any]) -> str:
    shown = [repr(a) if not isinstance(a, str) else a for a in args] + [f"{k}={v!r}" for k, v in keywords.items()]
    return f"{name}({', '.join(shown)})"


def _check_size_options(fn: Any, op: str, padding: Sequence[str], pool_convention: str) -> tuple[str, ...]:
    """The argument checks of :func:`check_output_size`; the padding forms."""
    if not callable(fn):
        raise TypeError(f"`fn` must be callable, got {type(fn).__name__}")
    if op not in _SIZE_FUNCTIONS:
        raise ValueError(f"`op` must be one of {', '.join(_SIZE_FUNCTIONS)}, got {op!r}")
    forms = tuple(padding)
    if not forms or any(f not in ("symmetric", "pairs", "none") for f in forms):
        raise ValueError(f"`padding` must be a non-empty selection of 'symmetric', 'pairs', 'none'; got {forms!r}")
    if pool_convention not in ("pytorch", "onnx"):
        raise ValueError(f"`pool_convention` must be 'pytorch' or 'onnx', got {pool_convention!r}")
    return forms


def _size_call(
    fn: Callable[..., Any], name: str, lay: Layer, op: str, pairs: bool, dilation: bool
) -> tuple[str, Any, str]:
    """``fn`` called on ``lay``: the call's text, the expected size, and what is wrong (empty if nothing)."""
    args, keywords = _size_arguments(lay, op, pairs)
    if not dilation:
        del keywords["dilation"]
    out = lay.output_size
    assert out is not None
    expected = out[0] if lay.scalar else out
    text = _call_text(name, args, keywords)
    try:
        returned = fn(*args, **keywords)
    except Exception as error:  # a raise is a failure too, reported with the call
        return text, expected, f"raised {type(error).__name__}: {error}"
    try:
        actual: Any = _as_size(returned)
    except TypeError:  # 3.0 for 3: an output size is a count
        return text, expected, f"{returned!r} (not an int)"
    return text, expected, repr(actual) if actual != expected else ""


def check_output_size(
    fn: Callable[..., Any],
    op: str,
    *,
    ndim: int | None = None,
    padding: Sequence[str] = ("symmetric",),
    dilation: bool = True,
    ceil_mode: bool | None = None,
    pool_convention: str = "pytorch",
    max_size: int = 8,
    max_examples: int = 200,
    seed: int = 0,
) -> int:
    """Property-test your output-size function against convarith's formula for ``op``.

    Parameters
    ----------
    fn : callable
        Called as convarith's own formula for ``op`` is: ``fn(input_size, kernel_size, stride=...,
        padding=..., dilation=...)`` for ``'conv'``, with ``output_padding=...`` before
        ``dilation`` for ``'conv_transpose'``, with ``ceil_mode=...`` after it for the pools.
        It returns an int (or one int per axis, as a tuple or list; a float such as ``3.0`` is
        reported as not an int).
    op : {'conv', 'conv_transpose', 'pool', 'max_pool', 'avg_pool', 'lp_pool'}
        Every pool has one output-size formula (:func:`convarith.pool_output_size`).
    ndim : int, optional
        None calls ``fn`` with one int per argument; an int with a tuple per argument, one entry
        per axis.
    padding : sequence of {'symmetric', 'pairs', 'none'}
        ``'symmetric'`` passes one int per axis (the default); ``'pairs'`` ``(before, after)``
        pairs (with ``ndim=None``, one pair), only pairs unless ``'symmetric'`` is asked too;
        ``'none'`` only zero padding.
    dilation : bool
        Draw dilations; with False every dilation is 1 and ``dilation=`` is not passed.
    ceil_mode : bool, optional
        Pools: None draws both.
    pool_convention : {'pytorch', 'onnx'}
        Pools: PyTorch's padding limit (``padding <= kernel_size // 2``) or ONNX's (below the kernel).
    max_size : int
        Largest input and (dilated) kernel size drawn per axis.
    max_examples : int
        Layers drawn before the function is declared correct (shrinking a failure adds calls).
    seed : int
        Seed of the search: the same function gets the same counterexample every time.

    Returns
    -------
    int
        The number of layers tried (``fn`` agreed on each).

    Raises
    ------
    AssertionError
        ``fn`` returned another size (or raised) on a valid layer. The message gives the smallest
        such layer found: its repr (the formula with the numbers substituted), the call, the
        expected and the actual value.

    Notes
    -----
    The layers are :func:`convarith.testing.strategies.layers`, valid for ``op``; the expected
    size is :attr:`Layer.output_size <convarith.arithmetic.Layer.output_size>`, per axis:

    - ``'conv'``: ``o = floor((i + pb + pe - ek)/s) + 1`` with ``ek = d*(k - 1) + 1``;
    - ``'conv_transpose'``: ``o = (i - 1)*s - pb - pe + ek + a``;
    - pools: ``o = floor((i + pb + pe - ek + (s - 1 if ceil_mode else 0))/s) + 1``, one less in
      ceil mode when the last window would start in the right padding.

    The search is hypothesis's ``find`` with a seeded ``random.Random(seed)``, no database, no
    deadline, quiet, health checks off, and the default profile's other settings (a profile your
    test suite loads does not change it). Wrong edge cases are found because the strategy draws
    them on purpose (the kernel filling the padded input, stride above the kernel, ceil windows
    starting in the padding).

    Examples
    --------
    >>> import convarith as ca
    >>> check_output_size(ca.conv_output_size, "conv")  # convarith's own formula passes
    200
    >>> def floor_always(input_size, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False):
    ...     return (input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    >>> check_output_size(floor_always, "max_pool", ceil_mode=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: floor_always disagrees with convarith's pool_output_size on this layer ...
    max_pool: input 3, kernel 2, stride 2, padding (0, 0), ceil_mode -> output 2
      o = ⌈(3 + 0 + 0 − 2) / 2⌉ + 1 = 2
      call:     floor_always(3, 2, stride=2, padding=0, dilation=1, ceil_mode=True)
      expected: 2
      actual:   1
    """
    forms = _check_size_options(fn, op, padding, pool_convention)
    max_examples, seed = _count(max_examples, "max_examples"), operator.index(seed)
    from convarith.testing import strategies

    layer_op = "max_pool" if op == "pool" else op
    strategy = strategies.layers(
        layer_op,
        ndim,
        max_size=_count(max_size, "max_size"),
        padding=forms,
        pool_convention=pool_convention,
        dilation=dilation,
        ceil_mode=ceil_mode,
        max_groups=1,
        scalar=ndim is None,
    )
    name = _name(fn)
    pairs = "pairs" in forms and "symmetric" not in forms

    def call(lay: Layer) -> tuple[str, Any, str]:
        return _size_call(fn, name, lay, layer_op, pairs, dilation)

    found, tried = _search(strategy, lambda lay: call(lay)[2] or None, max_examples, seed)
    if found is None:
        return tried
    text, expected, actual = call(found)
    raise AssertionError(
        f"{name} disagrees with convarith's {_SIZE_FUNCTIONS[op]} on this layer (the smallest counterexample "
        f"found; {tried} layers tried, seed {seed}):\n{found!r}\n"
        f"  call:     {text}\n  expected: {expected!r}\n  actual:   {actual}"
    )


def _show(label: str, array: np.ndarray) -> str:
    """``label`` and the array, its later rows aligned under its first."""
    if array.size > _MAX_SHOWN:
        return f"{label}array of shape {array.shape}, {array.dtype} (too large to print)"
    text = np.array2string(array, separator=", ", threshold=_MAX_SHOWN)
    return label + "\n".join(line and " " * len(label) + line for line in text.split("\n")).lstrip()


def _compare(expected: np.ndarray, actual: Any, rtol: float, atol: float) -> str:
    """Why ``actual`` is not ``expected`` (empty when it is)."""
    try:
        got = np.asarray(actual)
    except Exception as error:
        return f"returned {type(actual).__name__}, not an array ({error})"
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    if got.dtype.kind == "O":  # Python numbers in an object array (a loop implementation's)
        try:
            got = got.astype(np.float64)
        except (TypeError, ValueError):
            return "entries that are not numbers"
    if got.dtype.kind not in "iufb":
        return f"dtype {got.dtype}, not numbers"
    if expected.dtype.kind in "iu" and got.dtype.kind in "iu":
        same = got == expected
    else:
        same = np.isclose(got.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True)
    if same.all():
        return ""
    where = tuple(int(v) for v in np.argwhere(~same)[0])
    return (
        f"{int((~same).sum())} of {same.size} values differ, the first at {where}: "
        f"{got[where].item()!r}, expected {expected[where].item()!r}"
    )


def check_op(
    fn: Callable[..., Any],
    op: str,
    ndim: int = 2,
    *,
    dtype: npt.DTypeLike = np.float64,
    padding: Sequence[str] | None = None,
    dilation: bool | None = None,
    ceil_mode: bool | None = None,
    max_groups: int = 3,
    max_size: int = 6,
    max_examples: int = 100,
    seed: int = 0,
    rtol: float | None = None,
    atol: float | None = None,
) -> int:
    """Property-test your array implementation of ``op`` against convarith's engine.

    Parameters
    ----------
    fn : callable
        Called as the engine's function for ``op`` (:class:`convarith.testing.strategies.Case`):
        ``fn(x, weight, stride=..., padding=..., dilation=..., groups=...)`` for ``'conv'``,
        ``fn(x, weight, stride=..., padding=..., output_padding=..., dilation=..., groups=...)``
        for ``'conv_transpose'``, ``fn(x, kernel_size, stride=..., padding=..., dilation=...,
        ceil_mode=...)`` for ``'max_pool'``, ``fn(x, kernel_size, stride=..., padding=...,
        ceil_mode=..., count_include_pad=...)`` for ``'avg_pool'``, ``fn(x, norm_type,
        kernel_size, stride=..., ceil_mode=...)`` for ``'lp_pool'``. Arrays are batched
        ``(N, C, *spatial)``; sizes are per-axis tuples; it returns an array (anything
        ``numpy.asarray`` reads, a CPU ``torch.Tensor`` too).
    op : {'conv', 'conv_transpose', 'max_pool', 'avg_pool', 'lp_pool'}
    ndim : int
        Spatial axes (2 for ``conv2d``).
    dtype : dtype
        Of the drawn arrays (entries are small integers, see
        :func:`convarith.testing.strategies.arrays_for`).
    padding : sequence of str, optional
        Padding forms (:data:`convarith.testing.strategies.PADDING_FORMS`); default
        ``('symmetric',)``, what PyTorch takes, and ``('none',)`` for ``'lp_pool'`` (PyTorch's has
        none). ``('symmetric', 'pairs')`` also passes ``(before, after)`` pairs, as ONNX pads.
    dilation : bool, optional
        Draw dilations; default True but for ``'avg_pool'`` and ``'lp_pool'`` (PyTorch's have
        none). A dilation is passed only when drawn.
    ceil_mode : bool, optional
        Pools: None draws both.
    max_groups : int
        Convolutions: groups drawn from 1 to this.
    max_size : int
        Largest input and (dilated) kernel size per axis.
    max_examples : int
        Cases drawn before the function is declared correct.
    seed : int
        Seed of the search (same function, same counterexample).
    rtol, atol : float, optional
        Tolerances of :func:`numpy.isclose`; by default exact for integers, ``1e-9`` for float64,
        ``1e-5`` for float32, ``1e-2`` for float16.

    Returns
    -------
    int
        The number of cases tried (``fn`` agreed on each).

    Raises
    ------
    AssertionError
        ``fn`` returned another shape or other values (or raised) on a valid case. The message
        gives the smallest such case found: the layer's repr, the arrays, the call, the expected
        and the actual values.

    Notes
    -----
    Expected values come from :mod:`convarith.engine` (``conv``: ``y[n, m, o] = sum_{c, t}
    x_pad[n, g*C_g + c, o*s + t*d] * w[m, c, t]``, the pools likewise over each window), itself
    tested against PyTorch, ONNX's conformance data and loop definitions. Values are compared with
    ``numpy.isclose(actual, expected, rtol, atol, equal_nan=True)``. The search is the one of
    :func:`check_output_size` (seeded, no database, quiet).

    Examples
    --------
    >>> import convarith as ca
    >>> check_op(ca.conv, "conv", ndim=1, max_examples=20)  # the engine agrees with itself
    20
    >>> def conv_padding_off_by_one(x, weight, stride, padding, dilation, groups):
    ...     return ca.conv(x, weight, stride=stride, padding=tuple(p + 1 for p in padding), dilation=dilation,
    ...                    groups=groups)
    >>> check_op(conv_padding_off_by_one, "conv", ndim=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: conv_padding_off_by_one disagrees with convarith.engine.conv on this case ...
    """
    if not callable(fn):
        raise TypeError(f"`fn` must be callable, got {type(fn).__name__}")
    if op not in OPS:
        raise ValueError(f"`op` must be one of {', '.join(OPS)}, got {op!r}")
    kind = np.dtype(dtype)
    if kind.kind not in "iuf":
        raise TypeError(f"`dtype` must be an integer or float dtype, got {kind}")
    default_rtol, default_atol = _TOLERANCES.get(kind.str[1:], (0.0, 0.0))
    rtol = default_rtol if rtol is None else float(rtol)
    atol = default_atol if atol is None else float(atol)
    forms = tuple(padding) if padding is not None else ("none",) if op == "lp_pool" else ("symmetric",)
    draw_dilation = op not in ("avg_pool", "lp_pool") if dilation is None else bool(dilation)
    max_examples, seed = _count(max_examples, "max_examples"), operator.index(seed)
    from convarith.testing import strategies

    strategy = strategies.cases(
        op,
        _count(ndim, "ndim"),
        kind,
        max_size=_count(max_size, "max_size"),
        padding=forms,
        dilation=draw_dilation,
        ceil_mode=ceil_mode,
        max_groups=_count(max_groups, "max_groups"),
    )
    name = _name(fn)

    def run(case: strategies.Case) -> tuple[np.ndarray, Any, str]:
        return _run_case(fn, case, rtol, atol)

    found, tried = _search(strategy, lambda case: run(case)[2] or None, max_examples, seed)
    if found is None:
        return tried
    expected, actual, why = run(found)
    header = (
        f"{name} disagrees with convarith.engine.{op} on this case (the smallest counterexample found; "
        f"{tried} cases tried, seed {seed}):"
    )
    raise AssertionError(_case_report(header, name, found, expected, actual, why))


def _run_case(fn: Callable[..., Any], case: Case, rtol: float, atol: float) -> tuple[np.ndarray, Any, str]:
    """The engine's and ``fn``'s results on ``case``, and why they differ (empty when they agree)."""
    expected = case.expected()
    try:
        actual = case.call(fn)
    except Exception as error:
        return expected, None, f"raised {type(error).__name__}: {error}"
    return expected, actual, _compare(expected, actual, rtol, atol)


def _case_report(header: str, name: str, found: Case, expected: np.ndarray, actual: Any, why: str) -> str:
    """The message of :func:`check_op`: the layer, the arrays, the call, the expected and actual values."""
    lines = [header, repr(found.layer), _show("  x = ", found.x)]
    if found.weight is not None:
        lines.append(_show("  weight = ", found.weight))
    lines += [f"  call:     {found.call_text(name)}", _show("  expected: ", expected)]
    if actual is not None:
        try:
            lines.append(_show("  actual:   ", np.asarray(actual)))
        except Exception:
            lines.append(f"  actual:   {actual!r}")
    lines.append(f"  ({why})")
    return "\n".join(lines)
