"""Replaces SQLAlchemy's connection, result and ORM machinery with the driver's own cursor
for the few statements on the socket hot path; bench/relay.py shows why.

The statement is still SQLAlchemy's, compiled once for the engine's dialect, and every
parameter and column still goes through SQLAlchemy's own conversion for its type (JSON,
dates, booleans). On an SQLite file these statements share one connection kept for them
(HotConnection), sparing the pool's checkout and reset on every change. Elsewhere each takes
one from the pool, as a server's green threads wait on the database there and a connection
must not be shared between them.
"""

from __future__ import annotations

import threading
import weakref
from collections import namedtuple
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import sqlalchemy as sa


def database_file(engine: sa.Engine) -> str | None:
    """The engine's SQLite database file, or None (another database, or one in memory)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


class HotConnection:
    """Where an engine's direct statements get their connection.

    On an SQLite file: one connection, made by the engine (so with its pragmas) and taken out
    of its pool, used by one statement at a time under a lock, and closed when the engine is
    disposed. Every use ends its transaction before the lock is let go, and SQLite does its work
    without handing the event loop to another green thread, so the connection never carries a
    half-done transaction from one use to the next. Any other database: the pool's.
    """

    def __init__(self, engine: sa.Engine):
        # Weakly: the engine holds this (through its dispose listener and _HOT), not the reverse.
        self.engine = weakref.ref(engine)
        self.keep = database_file(engine) is not None
        self.kept: Any = None
        self.lock = threading.Lock()
        if self.keep:
            sa.event.listen(engine, "engine_disposed", self.close)

    @contextmanager
    def __call__(self) -> Iterator[Any]:
        """A DBAPI connection for one statement; the caller ends its transaction."""
        if not self.keep:
            connection = self.engine().raw_connection()
            try:
                yield connection
            finally:
                connection.close()  # back to the pool, which ends any transaction left open
            return
        with self.lock:
            if self.kept is None:
                made = self.engine().raw_connection()
                made.detach()  # its own from now on: the pool neither lends nor resets it
                self.kept = made.dbapi_connection
            try:
                yield self.kept
            except BaseException:
                self.kept.rollback()
                raise

    def close(self, _engine: sa.Engine | None = None) -> None:
        with self.lock:
            kept, self.kept = self.kept, None
        if kept is not None:
            kept.close()


_HOT: weakref.WeakKeyDictionary[sa.Engine, HotConnection] = weakref.WeakKeyDictionary()


def hot_connection(engine: sa.Engine) -> HotConnection:
    """The engine's HotConnection, the same for all its direct statements."""
    if engine not in _HOT:
        _HOT[engine] = HotConnection(engine)
    return _HOT[engine]


class DirectStatement:
    def __init__(self, engine: sa.Engine, statement: sa.Select | sa.Update):
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self.connection, self.sql = hot_connection(engine), compiled.string
        self.names = compiled.positiontup if compiled.positional else None
        self.convert = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        columns = list(statement.selected_columns) if isinstance(statement, sa.Select) else []
        self.row = namedtuple("Row", [column.key for column in columns])
        self.results = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]

    def params(self, values: dict[str, Any]) -> tuple | dict[str, Any]:
        converted = {
            name: (convert(value) if (convert := self.convert[name]) else value)
            for name, value in values.items()
        }
        return tuple(converted[n] for n in self.names) if self.names else converted

    def one_or_none(self, values: dict[str, Any]) -> Any:
        """The first row of a select (its columns by name), or None."""
        with self.connection() as connection:
            # The cursor closed, the read holds no snapshot of SQLite's log, nor a transaction.
            with closing(connection.cursor()) as cursor:
                cursor.execute(self.sql, self.params(values))
                found = cursor.fetchone()
            connection.rollback()
        if found is None:
            return None
        return self.row(*(f(v) if f else v for f, v in zip(self.results, found, strict=True)))

    def changes_one(self, values: dict[str, Any]) -> bool:
        """Run an update in a transaction of its own, kept only if it matched exactly one row."""
        with self.connection() as connection:
            with closing(connection.cursor()) as cursor:
                cursor.execute(self.sql, self.params(values))
                changed = cursor.rowcount
            if changed != 1:
                connection.rollback()
                return False
            connection.commit()
            return True
