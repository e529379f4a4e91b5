"""The layout keeps its promises: imports run downwards, private names stay home, modules stay small.

The package follows the data (docs/architecture.md): ``arithmetic`` -> ``engine`` -> ``studies``
-> ``anim`` -> ``widgets``, ``cli``. These tests read the source with :mod:`ast` (imports inside
functions count; blocks under ``if TYPE_CHECKING:`` do not), so they hold without importing
anything optional.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "convarith"

# The order the data flows in: a subpackage may import from its own rank or below, never above.
RANK = {
    "convarith.typing": 0,
    "convarith.testing": 3,  # its checks read the engine; studies, anim and widgets use its seeded arrays
    "convarith.arithmetic": 1,
    "convarith.engine": 2,
    "convarith.studies": 3,
    "convarith.network": 4,
    "convarith.anim": 4,
    "convarith.classroom": 4,
    "convarith.widgets": 5,
    "convarith.cli": 5,
    "convarith.__main__": 6,
    "convarith": 6,
}
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(module, names) for every import outside ``if TYPE_CHECKING:``; relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    own = _module_name(path).split(".")
    package = own if path.name == "__init__.py" else own[:-1]
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, tuple(alias.name for alias in node.names)))
    return found


def _internal_targets(module: str, names: tuple[str, ...]) -> set[str]:
    """The convarith modules an import statement loads (``from pkg import sub`` loads pkg.sub)."""
    targets = {module} if module in MODULES else set()
    targets |= {f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES}
    return targets


def _subpackage(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


GRAPH = {
    module: {
        target
        for imported, names in _imports(path)
        for target in _internal_targets(imported, names)
        if target != module
        and not (path.name == "__init__.py" and target.startswith(module + "."))
        and not (MODULES[target].name == "__init__.py" and module.startswith(target + "."))
    }
    for module, path in MODULES.items()
}


def _cycles() -> list[list[str]]:
    seen: dict[str, int] = {}  # 1 on the stack, 2 done
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(GRAPH[node]):
            if seen.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in seen:
                visit(nxt, [*stack, nxt])
        seen[node] = 2

    for module in sorted(GRAPH):
        if module not in seen:
            visit(module, [module])
    return cycles


def test_the_import_graph_has_no_cycle():
    assert _cycles() == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_downwards(module):
    rank = RANK[_subpackage(module)]
    upward = sorted(t for t in GRAPH[module] if RANK[_subpackage(t)] > rank)
    assert upward == [], f"{module} (rank {rank}) imports from higher layers: {upward}"


def _private_leaks(module: str, imports: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    """The private names (and, across subpackages, private modules) ``module`` imports from elsewhere."""
    home = _subpackage(module)
    leaks = []
    for imported, names in imports:
        if not imported.startswith("convarith") or imported == module:
            continue
        private_names = [n for n in names if n.startswith("_") and not n.startswith("__")]
        if _subpackage(imported) != home:
            private_module = any(part.startswith("_") and part != "__init__" for part in imported.split("."))
            if private_module or private_names:
                leaks.append(f"{imported}: {private_names or 'private module'} (another subpackage)")
            continue
        # inside the subpackage, a private module is fine (``from . import _core``), a private name is not
        private_names = [n for n in private_names if f"{imported}.{n}" not in MODULES]
        if private_names:
            leaks.append(f"{imported}: {private_names} (another module)")
    return leaks


IMPORTS = {module: _imports(path) for module, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_private_names_stay_in_their_module(module):
    """A helper two modules share gets a public name in its subpackage (not exported unless it is API)."""
    leaks = _private_leaks(module, IMPORTS[module])
    assert leaks == [], f"{module} uses private names of another module: {leaks}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small_or_say_why(module):
    text = MODULES[module].read_text(encoding="utf-8")
    lines = text.count("\n")
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert lines <= MAX_LINES or "longer than 600 lines" in docstring.lower(), (
        f"{module} has {lines} lines; split it, or say in its docstring why it is longer than 600 lines"
    )


MAX_FUNCTION_LINES = 60


def _code_lines(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of ``node`` (its signature and body, nested functions included) that hold code: no
    docstring, blank or comment-only line."""
    skip: set[int] = set()
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        skip = set(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    texts = (lines[n - 1].strip() for n in range(node.lineno, (node.end_lineno or node.lineno) + 1) if n not in skip)
    return sum(1 for text in texts if text and not text.startswith("#"))


def _long_functions(source: str) -> list[str]:
    lines = source.splitlines()
    return [
        f"{node.name} (line {node.lineno}): {count} lines of code"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and (count := _code_lines(lines, node)) > MAX_FUNCTION_LINES
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_functions_stay_short(module):
    """No function holds more than 60 lines of code: split it along its seams (checks, plan, work)."""
    long = _long_functions(MODULES[module].read_text(encoding="utf-8"))
    assert long == [], f"{module}: split {', '.join(long)} (at most {MAX_FUNCTION_LINES})"


def test_the_length_checker_counts_code_not_prose():
    """The def line and 59 statements pass under a long docstring, comments and blank lines; one more fails."""
    body = "".join(f"    x{n} = {n}\n" for n in range(59))
    prose = '    """A docstring\n' + "    of many lines\n" * 30 + '    """\n' + "    # a comment\n\n" * 10
    assert _long_functions(f"def f():\n{prose}{body}") == []
    assert _long_functions(f"def f():\n{body}    return 1\n") == ["f (line 1): 61 lines of code"]
    nested = "def outer():\n    def inner():\n" + "".join(f"        y{n} = {n}\n" for n in range(60))
    assert [m.split(" ")[0] for m in _long_functions(nested)] == ["outer", "inner"]


def test_the_checker_sees_a_cycle_and_an_upward_import(monkeypatch):
    """The tests above can fail: a made-up engine -> anim -> engine loop is caught."""
    monkeypatch.setitem(GRAPH, "convarith.engine._core", GRAPH["convarith.engine._core"] | {"convarith.anim"})
    monkeypatch.setitem(GRAPH, "convarith.anim", GRAPH["convarith.anim"] | {"convarith.engine._core"})
    assert _cycles() != []
    with pytest.raises(AssertionError, match="higher layers"):
        test_imports_run_downwards("convarith.engine._core")


def test_the_checker_sees_a_private_name_imported_from_another_module(monkeypatch):
    """The private-name test can fail: made-up imports of `_name`, in and across subpackages, are caught."""
    conv = "convarith.anim.scenes.conv"
    same = [("convarith.anim.scenes.common", ("_made_up",))]
    other = [("convarith.engine.padding", ("_made_up",))]
    original = IMPORTS[conv]
    for injected in (same, other, [("convarith.engine._core", ("split_batch",))]):
        monkeypatch.setitem(IMPORTS, conv, original + injected)
        with pytest.raises(AssertionError, match="private names of another module"):
            test_private_names_stay_in_their_module(conv)
    # what stays allowed: a module's own names, a private module of its own subpackage, dunders
    allowed = [("convarith.engine", ("_core",)), ("convarith", ("__version__",))]
    assert _private_leaks("convarith.engine.pooling", allowed) == []


# -- the tests' own habits (issue 21): a missing own module fails, randomness is seeded in one place ---

ROOT = PACKAGE.parent
OWN_MODULE_SKIP = re.compile(r"""importorskip\(\s*["'](convarith|numpy)\b""")
DIRECT_NUMPY_RANDOM = re.compile(r"\bn(?:p|umpy)\.random\.(?!Generator\b)\w+")


def _offences(pattern: re.Pattern[str], folders: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]


def test_a_missing_own_module_fails_instead_of_skipping():
    """``pytest.importorskip`` is for optional extras and oracles, never convarith itself or NumPy."""
    assert _offences(OWN_MODULE_SKIP, ("tests",)) == []


def test_tests_and_benchmarks_draw_randomness_from_convarith_testing():
    """Seeded arrays and generators come from :mod:`convarith.testing` (random_array, seeded_rng)."""
    assert _offences(DIRECT_NUMPY_RANDOM, ("tests", "benchmarks")) == []


def test_the_habit_checks_see_an_offence():
    skip, random_ = "pytest.importorskip", "np.random."  # split, so that this file does not offend
    assert OWN_MODULE_SKIP.search(f'engine = {skip}("convarith.engine.convolution")')
    assert OWN_MODULE_SKIP.search(f"np = {skip}('numpy')")
    assert not OWN_MODULE_SKIP.search(f'torch = {skip}("torch")')
    assert DIRECT_NUMPY_RANDOM.search(f"rng = {random_}default_rng(7)")
    assert DIRECT_NUMPY_RANDOM.search("x = numpy" + ".random.rand(3)")
    assert not DIRECT_NUMPY_RANDOM.search(f"def draw(rng: {random_}Generator) -> int:")
