"""The shape of telehealth/: no import cycles, no module or function too long."""

from __future__ import annotations

import ast
import importlib
import io
import pkgutil
import re
import tokenize
from pathlib import Path

import telehealth

PACKAGE_DIR = Path(telehealth.__file__).parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def module_files() -> dict[str, Path]:
    """Every module of the package by dotted name, from the files on disk."""
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = module_files()


def is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def known_prefix(dotted: str) -> str | None:
    """The longest leading part of ``dotted`` that is a module of the package."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES:
            return candidate
    return None


def imported(name: str) -> set[str]:
    """The package's modules that module ``name`` imports, at module level or in a function."""
    targets = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            targets.update(known_prefix(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name if is_package(name) else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module
            for alias in node.names:
                # ``from . import x`` imports the submodule x when there is one
                submodule = f"{source}.{alias.name}"
                targets.add(submodule if submodule in MODULES else known_prefix(source))
    targets.discard(None)
    targets.discard(name)
    return targets


def import_graph() -> dict[str, set[str]]:
    """Who imports whom, leaving out a package's __init__ importing its own submodules (a
    blueprint's __init__ imports its views, which take ``bp`` from it: that is no cycle)."""
    graph = {}
    for name in MODULES:
        targets = imported(name)
        if is_package(name):
            targets = {t for t in targets if t.rpartition(".")[0] != name}
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path back to its start) for each strongly connected group of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [path_around(graph, group) for group in groups]


def path_around(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest way from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & group):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no way around {group}")


def test_every_module_imports():
    for name in MODULES:
        importlib.import_module(name)


def test_every_module_file_is_found_by_the_package_walk():
    """A folder without __init__.py is a namespace package, which pkgutil (and so tools that
    walk the package) does not see."""
    walked = {"telehealth"} | {
        info.name for info in pkgutil.walk_packages(telehealth.__path__, "telehealth.")
    }
    missing = sorted(set(MODULES) - walked)
    assert not missing, f"not found by pkgutil.walk_packages (no __init__.py?): {missing}"


def test_the_modules_import_each_other_without_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_cycle_check_sees_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]


def test_no_module_is_over_400_lines():
    long = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def functions() -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function and method of the package, by module, class and name."""
    found = {}
    for name, path in MODULES.items():

        def collect(node, prefix):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    qualified = f"{prefix}.{child.name}"
                    if not isinstance(child, ast.ClassDef):
                        found[qualified] = child
                    collect(child, qualified)
                else:
                    collect(child, prefix)

        collect(ast.parse(path.read_text()), name)
    return found


def length(node: ast.AST) -> int:
    return node.end_lineno - node.lineno


def test_no_function_is_over_60_lines():
    long = {
        name: length(node)
        for name, node in functions().items()
        if length(node) > MAX_FUNCTION_LINES
    }
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def python_sources() -> list[Path]:
    root = Path(__file__).resolve().parent.parent
    return sorted((root / "telehealth").rglob("*.py")) + [root / "wsgi.py"]


def test_no_variable_is_named_ts_st_or_sc():
    """A TherapySession, a StimSet and a Score go by their names (see STYLE.md)."""
    short = {"ts", "st", "sc"}
    found = []
    for path in python_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            name = getattr(node, "id", None) or getattr(node, "arg", None)
            if name in short:
                found.append(f"{path.name}:{node.lineno} {name}")
    assert found == []


FIGURE = re.compile(
    r"\d[\d,.]*\s*(ms|us|µs|KB)\b|%|\b[Mm]easured\b|\d\s*x\b"
    r"|(\d|\b(two|three|four|five|ten|hundred))\s*times\b"
)


def comments_and_docstrings(source: str) -> list[tuple[int, str]]:
    found = [
        (tok.start[0], tok.string)
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            found.append((node.lineno, str(node.value.value)))
    return found


def test_comments_carry_no_measured_figures():
    """Figures belong to the bench/ scripts that measure them; a comment names the script."""
    found = [
        f"{path.name}:{line} {text.strip()[:60]}"
        for path in python_sources()
        for line, text in comments_and_docstrings(path.read_text())
        if FIGURE.search(text)
    ]
    assert found == []
