"""Reads sit below writes: no selector imports a service, and the pure modules both share
import no ORM. Checked on the source, imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import commonground.evaluation

APP = Path(commonground.evaluation.__file__).parent
PURE = ["texts.py", "stats.py", "suggest.py", "refiqda.py", "tables.py"]


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function; ``from a import b``
    counts as both ``a`` and ``a.b``, since ``b`` may be a module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_selector_imports_a_service() -> None:
    # selectors.py, or any module of a selectors package should it become one.
    selectors = [
        p for p in APP.rglob("*.py") if "selectors" in p.relative_to(APP).with_suffix("").parts
    ]
    assert selectors
    for path in selectors:
        services = {
            name
            for name in _imports(path)
            if name == "commonground.evaluation.services"
            or name.startswith("commonground.evaluation.services.")
        }
        assert not services, f"{path.name} imports {sorted(services)}"


@pytest.mark.parametrize("name", PURE)
def test_a_pure_module_imports_no_orm(name: str) -> None:
    layers = ("models", "selectors", "services")
    banned = ("django.db", *(f"commonground.evaluation.{layer}" for layer in layers))
    ormish = {found for found in _imports(APP / name) if found.startswith(banned)}
    assert not ormish, f"{name} imports {sorted(ormish)}"
