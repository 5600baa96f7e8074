"""The layers' arrows point one way (docs/architecture.md): a test fails when a module imports across them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[1] / "service"
# What each layer may not import (a prefix of the imported module's name).
FORBIDDEN = {
    "domain": ("litestar", "asyncpg", "uvicorn", "httpx", "service.api", "service.store", "service.operations"),
    "store": ("litestar", "service.api", "service.operations", "service.config"),
    "operations": ("litestar", "service.api"),
}


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _modules(layer: str) -> list[Path]:
    return sorted((SERVICE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_its_arrows_allow(layer):
    modules = _modules(layer)
    assert modules, f"no modules found under service/{layer}"
    crossings = [
        f"{path.relative_to(SERVICE)} imports {name}"
        for path in modules
        for name in _imports(path)
        if name.startswith(FORBIDDEN[layer])
    ]
    assert crossings == []


def test_the_check_sees_a_crossing_when_there_is_one(tmp_path):
    module = tmp_path / "leak.py"
    module.write_text("from litestar import Request\nimport service.store.articles\n")
    assert _imports(module) == ["litestar", "service.store.articles"]
