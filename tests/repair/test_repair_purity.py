"""The due-process core and the calendar know nothing of the edges (STYLE.md rule 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_layers import FORBIDDEN, SRC, _imports

PURE = [SRC / "calendar.py", *sorted((SRC / "repair").glob("*.py"))]


@pytest.mark.parametrize("path", PURE, ids=lambda p: p.name)
def test_the_repair_core_imports_no_edge(path: Path) -> None:
    bad = {n for n in _imports(path) if any(n == x or n.startswith(x + ".") for x in FORBIDDEN)}
    assert bad == set()


def test_the_list_of_pure_modules_is_not_empty() -> None:
    assert len(PURE) >= 9
