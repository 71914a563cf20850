"""The layout is the design: the layering contract in pyproject.toml holds, no module of the bot
is part of an import cycle, and size limits keep every piece readable."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 250
MAX_BENCH_LINES = 800


def test_the_layering_contract_holds() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def import_cycles(package: str) -> list[list[str]]:
    """Every set of modules that import each other, directly or round a loop (Tarjan)."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True)
    edges = {
        module: sorted(graph.find_modules_directly_imported_by(module)) for module in graph.modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges.get(module, []):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_is_part_of_an_import_cycle() -> None:
    # A package's __init__ importing its own modules, which import each other through it, is
    # the one loop the language needs; every other cycle is a design error.
    cycles = [
        cycle
        for cycle in import_cycles("bot")
        if not all(m == cycle[0] or m.startswith(cycle[0] + ".") for m in cycle)
    ]
    assert cycles == []


def _lines(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n")


def test_modules_and_classes_stay_small() -> None:
    too_long = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if _lines(path) > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {_lines(path)} lines")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}: class {node.name} {size} lines")
    for path in sorted((ROOT / "bench").rglob("*.py")):
        if _lines(path) > MAX_BENCH_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {_lines(path)} lines")
    assert too_long == []


def test_benchmarks_import_nothing_from_tests() -> None:
    for path in sorted((ROOT / "bench").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            assert not any(n == "tests" or n.startswith("tests.") for n in names), path
