"""Database fixtures: every storage test runs on SQLite and on a real PostgreSQL.

``pg_url`` starts one throwaway cluster per test session (per xdist worker);
``database_url`` gives each test a fresh, empty database on it (or a new SQLite
file); ``engine`` opens a fresh database already upgraded to the head revision
(on PostgreSQL a clone of one upgraded per session). Without PostgreSQL binaries
the PostgreSQL cases fail, naming what to install; they never skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine, make_url

from corpcredit.store import create_engine_for, upgrade
from tests.pg import PostgresMissing, find_bin_dir, fresh_database, throwaway_cluster

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """The URL of the session's PostgreSQL cluster (its ``postgres`` database)."""
    missing = None
    try:
        find_bin_dir()
    except PostgresMissing as exc:
        missing = str(exc)
    if missing:  # outside the except block, so the report is just this sentence
        pytest.fail(missing, pytrace=False)
    with throwaway_cluster() as url:
        yield url


@pytest.fixture(scope="session")
def pg_template(pg_url: str) -> Iterator[str]:
    """The name of a database on the cluster upgraded to head, to clone per test."""
    with fresh_database(pg_url) as url:
        template = create_engine_for(url)
        upgrade(template)
        template.dispose()
        yield str(make_url(url).database)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
    else:
        with fresh_database(request.getfixturevalue("pg_url")) as url:
            yield url


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh database at the head revision."""
    with _fresh_upgraded_url(request, tmp_path) as url:
        eng = create_engine_for(url)
        try:
            upgrade(eng)  # a no-op on the PostgreSQL clone
            yield eng
        finally:
            eng.dispose()


def _fresh_upgraded_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AbstractContextManager[str]:
    if request.param == "sqlite":
        return nullcontext(f"sqlite:///{tmp_path / 'registry.db'}")
    template = request.getfixturevalue("pg_template")
    return fresh_database(request.getfixturevalue("pg_url"), template=template)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep expensive shared resources on one xdist worker each (``--dist loadgroup``).

    All Spark tests share one JVM and all browser tests one Chromium: grouping them
    stops both workers from starting their own.
    """
    for item in items:
        for marker in ("spark", "browser"):
            if item.get_closest_marker(marker) is not None:
                item.add_marker(pytest.mark.xdist_group(marker))
                break
