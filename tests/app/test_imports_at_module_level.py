"""The front ends (studio.ui, studio.app, studio.cli) import at module level, so their dependencies are plain to
see and the import-cycle contract sees them all; the few imports deferred into a function are named here, each
with why."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

FRONT_ENDS = ("studio/ui", "studio/app", "studio/cli")

# (file, module imported inside a function): why it waits
DEFERRED = {
    # The window shows before the studio's engines load: its views and the engines behind them are imported on
    # the worker thread that opens the first library.
    ("studio/ui/library_switcher.py", "studio.ui"): "the window's views, after its shell is shown",
    # `studio --help` and the commands that need no library do not load the engines (0.25 s rather than 1 s).
    ("studio/cli/main.py", "studio.services"): "the engines, for commands that open the library",
    # torch, diffusers and the training stack, for the command that trains the built-in model.
    ("studio/cli/train_cmds.py", "studio.generate.training"): "torch",
    ("studio/cli/train_cmds.py", "studio.generate.training.emoji_train"): "torch",
    # pycryptodome comes with the publish extra; addresses are checked without it where it is missing.
    ("studio/cli/params.py", "Crypto.Hash"): "an optional extra",
}


def imports_inside_functions(path: Path, root: Path = REPO) -> set[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = path.relative_to(root).as_posix()
    found: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom):
                    found.add((name, inner.module or ""))
                elif isinstance(inner, ast.Import):
                    found |= {(name, alias.name) for alias in inner.names}
    return found


def test_the_front_ends_import_at_module_level_except_the_named_deferred_imports() -> None:
    found: set[tuple[str, str]] = set()
    for folder in FRONT_ENDS:
        for path in sorted((REPO / folder).rglob("*.py")):
            found |= imports_inside_functions(path)
    assert found == set(DEFERRED)


def test_the_scan_sees_an_import_inside_a_method_and_not_one_at_module_level(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text("import json\n\n\nclass A:\n    def f(self):\n        import studio.app.values\n"
                      "        return json, studio\n")
    assert imports_inside_functions(module, tmp_path) == {("probe.py", "studio.app.values")}
