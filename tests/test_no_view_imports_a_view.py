"""Views stay thin and apart: what two screens share (the selection, the search) lives in a module below them, and
no view module imports another view module."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cartolangue"


def _is_view_module(name: str) -> bool:
    """A module of ours named `views` or inside a `views` package (Django's own views may be imported)."""
    return name.startswith("cartolangue.") and "views" in name.split(".")


def test_no_view_module_imports_a_view_module():
    views = [p for p in PACKAGE.rglob("*.py") if p.name == "views.py" or "views" in p.relative_to(PACKAGE).parts]
    assert views  # the walk finds the views it guards
    offenders = []
    for path in views:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            offenders += [f"{path.relative_to(PACKAGE)}: {n}" for n in names if _is_view_module(n)]
    assert offenders == []
