"""One name per concept: no two classes in `studio/` share a name, so a name found in a traceback, a review or a
search means one thing."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import studio

STUDIO = Path(studio.__file__).parent


def shared_class_names(root: Path) -> dict[str, list[str]]:
    """Every class name defined in more than one place under `root`, with where (path:line)."""
    places: dict[str, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ClassDef):
                places[node.name].append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return {name: where for name, where in places.items() if len(where) > 1}


def test_no_two_classes_in_studio_share_a_name() -> None:
    assert shared_class_names(STUDIO) == {}


def test_a_class_name_defined_twice_is_found(tmp_path: Path) -> None:
    package = tmp_path / "studio"
    (package / "report").mkdir(parents=True)
    (package / "store").mkdir()
    (package / "report" / "model.py").write_text("class Publication:\n    pass\n")
    (package / "store" / "records.py").write_text("class Other:\n    class Publication:\n        pass\n")
    assert shared_class_names(package) == {
        "Publication": ["studio/report/model.py:1", "studio/store/records.py:2"],
    }
