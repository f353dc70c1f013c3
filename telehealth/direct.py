"""Built statements run with the database driver's own cursor: for the few on the hot path.

SQLAlchemy's statement machinery around a small statement (its connection, its result, the
ORM's session and events) cost several times the database's own work: timed on its own, the
socket check's lookup took 66 us that way, 20 us with the driver's cursor. The statement is
still SQLAlchemy's, compiled once for the engine's dialect, and every parameter and column
still goes through SQLAlchemy's own conversion for its type (JSON, dates, booleans).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import sqlalchemy as sa


class DirectStatement:
    def __init__(self, engine: sa.Engine, statement: sa.Select | sa.Update):
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self.engine, self.sql = engine, compiled.string
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
        connection = self.engine.raw_connection()  # from the pool; back to it on close
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql, self.params(values))
            found = cursor.fetchone()
        finally:
            connection.close()  # the pool ends the read's transaction
        if found is None:
            return None
        return self.row(*(f(v) if f else v for f, v in zip(self.results, found, strict=True)))

    def changes_one(self, values: dict[str, Any]) -> bool:
        """Run an update in a transaction of its own, kept only if it matched exactly one row."""
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql, self.params(values))
            if cursor.rowcount != 1:
                connection.rollback()
                return False
            connection.commit()
            return True
        finally:
            connection.close()
