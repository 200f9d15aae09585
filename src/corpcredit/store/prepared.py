"""Prepared reads: a ``SELECT`` compiled once, run straight on SQLite's cursor.

The hot reads of a page view (today's view of one organisation) are a handful of
small indexed queries; through SQLAlchemy's execution machinery each costs two
to three times what SQLite spends answering it. :class:`Prepared` compiles its
statement once per dialect and, on SQLite, runs it on the DBAPI connection inside
the SQLAlchemy connection's transaction (begun first, as SQLAlchemy would), and
converts every column with the result processor SQLAlchemy would apply (dates,
booleans, UTC instants, JSON), so callers get the same values as from
``conn.execute(stmt, params).all()``, as named tuples with ``_asdict()``. Other
databases, and statements whose compiled form cannot be reused as is, go through
``conn.execute`` unchanged. Written by hand because SQLAlchemy has no cheaper
way to run one compiled statement again (its compiled cache still builds an
execution context and a result object per call).
"""

from __future__ import annotations

import keyword
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

__all__ = ["Prepared"]

_Processor = Callable[[Any], Any] | None
#: What :class:`Prepared` runs: a ``SELECT``, or a ``UNION`` of them.
_Query = sa.Select[*tuple[Any, ...]] | sa.CompoundSelect[*tuple[Any, ...]]


class _Compiled:
    def __init__(self, stmt: _Query, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        keys = [str(c.key) for c in stmt.selected_columns]
        self.usable = (
            compiled.positional
            and not compiled.literal_execute_params
            and not compiled.post_compile_params
            and len(set(keys)) == len(keys)
            and all(
                k.isidentifier() and not keyword.iskeyword(k) and not k.startswith("_")
                for k in keys
            )
        )
        self.sql = compiled.string
        self.names: list[str] = list(compiled.positiontup or [])
        #: Values written in the statement (``col == "x"``); the caller gives the rest.
        self.values: dict[str, Any] = {
            name: bind.effective_value
            for bind, name in compiled.bind_names.items()
            if bind.value is not None or bind.callable is not None
        }
        self.binds: dict[str, _Processor] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for bind, name in compiled.bind_names.items()
        }
        self.results: list[_Processor] = [
            c.type.dialect_impl(dialect).result_processor(dialect, None)
            for c in stmt.selected_columns
        ]
        self.row: Any = namedtuple("Row", keys) if self.usable else None
        #: The columns to convert, by position: most come from SQLite as they are.
        self.converters = [(i, p) for i, p in enumerate(self.results) if p is not None]
        #: Each parameter's name and bind processor, in the statement's order.
        self.params = [(name, self.binds.get(name)) for name in self.names]


class Prepared:
    """A ``SELECT`` (or a ``UNION`` of them) to run many times with different
    parameters (see the module)."""

    def __init__(self, stmt: _Query) -> None:
        self.stmt = stmt
        self._sqlite: _Compiled | None = None

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Every row, as ``conn.execute(self.stmt, params).all()`` gives them."""
        if conn.dialect.name != "sqlite":
            return list(conn.execute(self.stmt, params).all())
        c = self._sqlite
        if c is None:
            c = self._sqlite = _Compiled(self.stmt, conn.dialect)
        if not c.usable or c.row is None:
            return list(conn.execute(self.stmt, params).all())
        if not conn.in_transaction():
            conn.begin()  # what SQLAlchemy's autobegin does: one snapshot for every read
        values = []
        for name, proc in c.params:
            value = params[name] if name in params else c.values[name]
            values.append(value if proc is None else proc(value))
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            cursor.execute(c.sql, values)
            raw = cursor.fetchall()
        finally:
            cursor.close()
        make = c.row._make
        if not c.converters:
            return [make(r) for r in raw]
        rows = []
        for r in raw:
            values = list(r)
            for i, p in c.converters:
                values[i] = p(values[i])
            rows.append(make(values))
        return rows
