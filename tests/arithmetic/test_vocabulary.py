"""One op vocabulary and one ``ek = d*(k - 1) + 1`` (issue 21, items 1 and 2).

The layer ops of :data:`convarith.arithmetic.ops.OPS` are accepted at every entry point
(``arithmetic.layer``, ``geometry``, ``studies.layer``, the ``receptive-field`` grammar, the
widgets); the older ``'pool'`` and ``'transpose'`` are aliases; anything else is refused with the
list; reprs print the op. The dilated kernel's extent is written once, in
:func:`convarith.arithmetic.kernel.effective_kernel_size`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import convarith as ca
from convarith.arithmetic import geometry, layer
from convarith.arithmetic.ops import OP_ALIASES, OPS, op_name
from convarith.cli.grammar import GrammarError, parse_layer_spec
from convarith.cli.receptive_field import parse_layer
from convarith.studies import receptive

PACKAGE = Path(ca.__file__).parent

# one size/kernel/stride that every op accepts, and what each op's layer is (a hand-worked table)
SIZES = {  # op: (i, k, s, expected output)
    "conv": (6, 2, 2, 3),  # floor((6 - 2)/2) + 1
    "conv_transpose": (3, 2, 2, 6),  # (3 - 1)*2 + 2
    "max_pool": (6, 2, 2, 3),
    "avg_pool": (6, 2, 2, 3),
    "lp_pool": (6, 2, 2, 3),
}


@pytest.mark.parametrize("op", OPS)
def test_geometry_takes_every_layer_op(op: str) -> None:
    """``geometry('max_pool', 5, 2)`` was refused: it now takes the layer's op names."""
    i, k, s, out = SIZES[op]
    geo = geometry(op, i, k, s)  # type: ignore[arg-type]
    assert geo.op == op and geo.output_shape == (out,)
    assert geo == layer(op, i, k, s)


@pytest.mark.parametrize("op", OPS)
def test_repr_starts_with_the_op(op: str) -> None:
    i, k, s, _ = SIZES[op]
    assert repr(layer(op, i, k, s)).startswith(f"{op}: input {i}, kernel {k}, stride {s}")
    assert repr(layer(op, None, k, s)).startswith(f"{op}: kernel {k}, stride {s}")


@pytest.mark.parametrize(("alias", "op"), sorted(OP_ALIASES.items()))
def test_aliases_give_the_same_layer_everywhere(alias: str, op: str) -> None:
    i, k, s, _ = SIZES[op]
    assert layer(alias, i, k, s) == layer(op, i, k, s)
    assert geometry(alias, i, k, s) == layer(op, i, k, s)  # type: ignore[arg-type]
    assert receptive.layer(alias, k, s) == receptive.layer(op, k, s)
    assert parse_layer_spec(f"{alias}:k={k},s={s}").kind == op


def test_studies_layer_is_arithmetic_layer_without_an_input_size() -> None:
    """The README's positional call keeps its meaning (pooling with the ONNX arithmetic)."""
    assert ca.studies.layer("conv", 7, 2, 3) == layer("conv", None, 7, 2, 3, pool_convention="onnx")
    assert ca.studies.layer("max_pool", 3, 2, 1) == layer("max_pool", None, 3, 2, 1, pool_convention="onnx")
    assert ca.studies.layer("avg_pool", 2, dilation=1) == layer("avg_pool", None, 2, pool_convention="onnx")


@pytest.mark.parametrize("token", ["max_pool:k=3,s=2,p=1", "avg_pool:k=3,s=2,p=1", "lp_pool:k=3,s=2,p=1"])
def test_receptive_field_grammar_takes_the_pooling_ops(token: str) -> None:
    lay = parse_layer(token)
    assert lay.op == token.split(":")[0] and lay.kernel_size == (3,) and lay.pads == ((1, 1),)
    assert repr(lay).startswith(token.split(":")[0] + ":")


def test_receptive_field_of_a_max_pool_stack_is_the_same_under_both_spellings() -> None:
    new = receptive.receptive_field([parse_layer("conv:k=7,s=2,p=3"), parse_layer("max_pool:k=3,s=2,p=1")], (224,))
    old = receptive.receptive_field([parse_layer("conv:k=7,s=2,p=3"), parse_layer("pool:k=3,s=2,p=1")], (224,))
    assert (
        (new.size, new.stride, new.padding) == (old.size, old.stride, old.padding) == ((11,), (4,), (5,))
    )  # ResNet's stem


@pytest.mark.parametrize("name", ["deconv", "maxpool", "Conv", "pooling", "", "transposed"])
def test_other_spellings_are_refused_with_the_ops(name: str) -> None:
    listed = re.escape("'conv', 'conv_transpose', 'max_pool', 'avg_pool', 'lp_pool'")
    with pytest.raises(ValueError, match=rf"`op` must be one of {listed}, 'pool', 'transpose'; got"):
        layer(name, 5, 2)
    for call in (lambda: geometry(name, 5, 2), lambda: receptive.layer(name, 2)):  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=rf"`kind` must be one of {listed}"):
            call()
    with pytest.raises(GrammarError, match=r"must start with an op, conv:, conv_transpose:, max_pool:, avg_pool:"):
        parse_layer_spec(f"{name}:k=3")
    with pytest.raises(ValueError, match=listed):
        op_name(name)


def test_widget_kinds_are_layer_ops() -> None:
    pytest.importorskip("matplotlib")  # the widgets' state draws scenes
    from convarith.widgets.state import KINDS, describe_layer

    assert set(KINDS) <= set(OPS)
    old, new = describe_layer("transpose", 3, 3, 2, 1), describe_layer("conv_transpose", 3, 3, 2, 1)
    assert old.message is None and old.layer == new.layer == layer("conv_transpose", (3, 3), 3, 2, 1)
    assert "`kind` must be one of conv, max_pool, avg_pool, conv_transpose" in describe_layer("deconv").message


def test_quiz_kinds_are_layer_ops() -> None:
    pytest.importorskip("ipywidgets")
    from convarith.widgets import OutputSizeQuiz

    by_op, by_alias = (
        OutputSizeQuiz(["conv", "max_pool", "conv_transpose"], seed=7),
        OutputSizeQuiz(["conv", "pool", "transpose"], seed=7),
    )
    assert by_op.kinds == by_alias.kinds == ("conv", "max_pool", "conv_transpose")
    for _ in range(6):  # the same seeded questions under both spellings
        assert by_op.question.layer == by_alias.question.layer
        by_op.new_question(), by_alias.new_question()
    with pytest.raises(ValueError, match=r"`kinds` entries must be 'conv', 'max_pool' or 'conv_transpose'"):
        OutputSizeQuiz(["avg_pool"])


# Modules that accept or write an op name: none may keep its own table of spellings ('pool', 'transpose'
# as string literals); they read names through op_name / OP_ALIASES.
OP_READERS = [
    "arithmetic/geometry.py",
    "arithmetic/layer.py",
    "studies/receptive.py",
    "cli/grammar.py",
    "cli/receptive_field.py",
    "widgets/state.py",
    "widgets/layer_start.py",
    "widgets/layer_explorer.py",
    "widgets/quiz.py",
    "classroom/beyond.py",
    "classroom/sliding.py",
    "classroom/research.py",
]


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


@pytest.mark.parametrize("module", OP_READERS)
def test_no_second_op_vocabulary(module: str) -> None:
    found = [(line, text) for line, text in _literals(PACKAGE / module) if text in OP_ALIASES]
    # layer.py's Layer.kind names the output-size formula ('conv', 'pool', 'transpose'), not an op
    allowed = {"arithmetic/layer.py": {"pool", "transpose"}}.get(module, set())
    assert [f for f in found if f[1] not in allowed] == [], f"{module} spells ops its own way: {found}"


def _inline_effective_kernels(path: Path, root: Path = PACKAGE) -> list[str]:
    """``d * (k - 1) + 1`` written out: a product of a dilation-like and ``kernel-like - 1``, plus 1."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)):
            continue
        if not (isinstance(node.right, ast.Constant) and node.right.value == 1):
            continue
        product = (
            node.left.right if isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Add) else node.left
        )
        if not (isinstance(product, ast.BinOp) and isinstance(product.op, ast.Mult)):
            continue
        for factor, other in ((product.left, product.right), (product.right, product.left)):
            if isinstance(factor, ast.BinOp) and isinstance(factor.op, ast.Sub):
                if isinstance(factor.right, ast.Constant) and factor.right.value == 1:
                    kernel, dilation = ast.unparse(factor.left), ast.unparse(other)
                    if re.search(r"\bk|kernel|kk", kernel) and re.search(r"\bd|dilation|dd", dilation):
                        found.append(f"{path.relative_to(root).as_posix()}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_dilated_kernel_is_written_in_one_place() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += _inline_effective_kernels(path)
    assert found == ["arithmetic/kernel.py:52: dilation * (kernel_size - 1) + 1"]


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scan is not blind: it sees the forms the package used, and not the look-alikes."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "a = d * (k - 1) + 1\n"  # crop.py, padding.py
        "b = (i - 1) * s + dilation * (kernel_size - 1) + 1\n"  # a transposed output size
        "c = [d[x] * (k[x] - 1) + 1 for x in range(2)]\n"  # layer.py, inverse.py
        "e = lay.dilation[0] * (lay.kernel_size[0] - 1) + 1\n"  # receptive.py
        "f = n * (k - 1) + 1\n"  # r0 of n stacked layers: not a dilated kernel
        "g = (i - 1) * s + 1\n"  # a stretched input
    )
    assert sorted(line.split(":")[1] for line in _inline_effective_kernels(sample, tmp_path)) == ["1", "2", "3", "4"]


@pytest.mark.parametrize(
    ("command", "alias", "op"),
    [
        ("shape", "pool", "max_pool"),
        ("shape", "transpose", "conv_transpose"),
        ("animate", "transpose", "conv_transpose"),
    ],
)
def test_cli_subcommands_are_named_by_op(command: str, alias: str, op: str) -> None:
    from convarith.cli.app import build_parser

    parser = build_parser()
    rest = ["-i", "5", "-k", "3"] + (["-o", "never-written.gif"] if command == "animate" else [])
    by_op, by_alias = vars(parser.parse_args([command, op, *rest])), vars(parser.parse_args([command, alias, *rest]))
    if command == "shape":  # `shape` keeps the typed name in `op` and the layer op in `kind`
        assert by_op.pop("kind") == by_alias.pop("kind") == op and by_alias.pop("op") == alias
        by_op.pop("op")
    assert by_op == by_alias
    assert command == "shape" or by_op["op"] == op


def test_cli_shape_prints_the_op(capsys: pytest.CaptureFixture[str]) -> None:
    from convarith.cli.app import main

    assert main(["shape", "max_pool", "-i", "5", "-k", "2", "--ceil-mode"]) == 0
    by_op = capsys.readouterr().out
    assert main(["shape", "pool", "-i", "5", "-k", "2", "--ceil-mode"]) == 0
    assert capsys.readouterr().out == by_op
    assert "max_pool: input 5, kernel 2, stride 2, padding (0, 0), ceil_mode -> output 3" in by_op  # ceil(3/2) + 1
