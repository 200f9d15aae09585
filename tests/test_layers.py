"""The domain core knows nothing of the edges (STYLE.md rule 1, DESIGN.md layers).

The core — identifiers, catalogue, kernel, errors — imports no web framework, no
SQL, no CLI and no outer corpcredit layer. A new import that breaks this fails here.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "corpcredit"
CORE = ["ids", "catalogue", "scoring", "errors.py", "calendar.py", "repair"]
FORBIDDEN = [
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "typer",
    "rich",
    "click",
    "pyspark",
    "corpcredit.cli",
    "corpcredit.store",
    "corpcredit.web",
    "corpcredit.engines",
    "corpcredit.services",
    "corpcredit.ingest",
    "corpcredit.feeds",
    "corpcredit.audit",
]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _files(part: str) -> list[Path]:
    p = SRC / part
    return [p] if p.is_file() else sorted(p.rglob("*.py"))


@pytest.mark.parametrize("part", CORE)
def test_core_imports_no_edge(part):
    files = _files(part)
    assert files, part
    bad = {
        f"{f.relative_to(SRC)}: {name}"
        for f in files
        for name in _imports(f)
        if any(name == x or name.startswith(x + ".") for x in FORBIDDEN)
    }
    assert bad == set()


def test_the_check_sees_a_forbidden_import(tmp_path):
    f = tmp_path / "bad.py"
    f.write_text("from sqlalchemy import select\nimport corpcredit.web.app\n", "utf-8")
    assert {"sqlalchemy", "corpcredit.web.app"} <= _imports(f)
