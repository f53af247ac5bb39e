"""The import structure of studio/: no cycle between its modules, and no import hidden inside a function except
the lazy ones named in studio/lazy_imports.py.

The import graph is grimp's: every explicit import, at module level, under TYPE_CHECKING or inside a function, is an
edge, and `from studio.pkg import name` is an edge to the package's `__init__`, whose re-exports are edges to its
submodules. So a submodule that imports its own package (which re-exports it) is a cycle, as it is at run time. The
implicit import of a parent package when a submodule loads is not an edge: otherwise every re-export would be one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

from studio.lazy_imports import LAZY_IMPORTS, is_lazy

STUDIO = Path(__file__).resolve().parents[1] / "studio"


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    modules = sorted(graph.modules)
    edges = {m: sorted(n for n in graph.find_modules_directly_imported_by(m) if n in graph.modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return sorted(cycles)


def describe(graph: grimp.ImportGraph, component: list[str]) -> str:
    """One cycle's modules and the import lines that join them."""
    lines = [" <-> ".join(component)]
    inside = set(component)
    for importer in component:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & inside):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(f"    {importer}:{detail['line_number']}: {detail['line_contents']}")
    return "\n".join(lines)


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> tuple[list[str], str]:
    """(the modules an import statement may load, the module it names)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
        return names, names[0]
    base = node.module or ""
    if node.level:
        package = importer.split(".")
        package = package if is_package else package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    return [base, *(f"{base}.{alias.name}" for alias in node.names)], base


def hidden_imports(root: Path = STUDIO) -> list[tuple[str, int, str]]:
    """Every import inside a function in studio/ whose module is not in the lazy list: (file, line, module)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        importer = module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                candidates, named = imported_modules(node, importer, path.name == "__init__.py")
                # `from module import name` is lazy when the module is; `from package import module` when the module is.
                if isinstance(node, ast.ImportFrom):
                    lazy = is_lazy(candidates[0]) or all(is_lazy(c) for c in candidates[1:])
                else:
                    lazy = all(is_lazy(c) for c in candidates)
                if not lazy:
                    found.append((str(path.relative_to(root.parent)), node.lineno, named))
    return sorted(set(found))


def lazy_imports_used(root: Path = STUDIO) -> set[str]:
    used = set()
    for path in root.rglob("*.py"):
        importer = module_name(path, root)
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(function):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        candidates, _ = imported_modules(node, importer, path.name == "__init__.py")
                        used.update(name for name in LAZY_IMPORTS for c in candidates
                                    if c == name or c.startswith(name + "."))
    return used


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("studio", cache_dir=None)


def test_no_import_cycle_between_studio_modules(graph: grimp.ImportGraph) -> None:
    cycles = import_cycles(graph)
    assert not cycles, "import cycles in studio/ (put each concept where it belongs):\n" + "\n".join(
        describe(graph, c) for c in cycles)


def test_no_import_hidden_inside_a_function() -> None:
    hidden = hidden_imports()
    assert not hidden, (
        "imports inside functions (move them to module level, or name a heavy or optional library, and why, in "
        "studio/lazy_imports.py):\n" + "\n".join(f"    {path}:{line}: {module}" for path, line, module in hidden))


def test_every_lazy_import_named_is_used() -> None:
    assert set(LAZY_IMPORTS) - lazy_imports_used() == set()


def test_the_checks_catch_a_planted_cycle_and_a_planted_hidden_import(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "planted"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "first.py").write_text("from planted.second import B\n\nA = 1\n")
    (package / "second.py").write_text(
        "from planted import first\n\nB = 2\n\n\ndef later():\n    import json\n\n    return json, first\n")
    (package / "third.py").write_text("def fine():\n    import torch\n\n    return torch\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    planted = grimp.build_graph("planted", cache_dir=None)
    assert import_cycles(planted) == [["planted.first", "planted.second"]]
    assert "planted.second:1: from planted import first" in describe(planted, ["planted.first", "planted.second"])
    hidden = [(Path(p).name, line, module) for p, line, module in hidden_imports(package)]
    assert hidden == [("second.py", 7, "json")]
