"""Replaces SQLite's own log checkpoint (run on the socket loop, in the commit that fills the
log) with one in the thread pool, asked for by the settle loop; bench/relay.py shows why:
the commit that takes the write-ahead log past wal_autocheckpoint pages copies the whole log
into the database file then and there, stalling every socket of the process.

A served process copies the log itself every SQLITE_CHECKPOINT_S, in eventlet's thread pool
(the sqlite3 module lets go of the GIL while SQLite works). A PASSIVE checkpoint never waits
for the writer nor stops it, so the loop keeps committing meanwhile. The log starts over
only when a commit finds it all copied, which a copy running beside the writer seldom leaves
it; so SQLite's own checkpoint stays, at BACKSTOP_PAGES, and by then it finds all but the
last round's pages copied. A process that never runs the settle loop (the CLI) has only the
backstop.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import closing

import sqlalchemy as sa
from flask import Flask

from ..blocking import run_blocking
from .direct import database_file

log = logging.getLogger(__name__)
BACKSTOP_PAGES = 2_000  # 8 MB of log at SQLite's 4 KiB pages


def checkpoint(connection: sqlite3.Connection) -> tuple[int, int, int]:
    """Copy what the log holds into the database file: (busy, log pages, pages copied).
    The cursor is closed at once, so the connection holds no snapshot of the log."""
    with closing(connection.execute("PRAGMA wal_checkpoint(PASSIVE)")) as cursor:
        return cursor.fetchall()[0]


def open_for_checkpoints(path: str) -> sqlite3.Connection:
    """A connection for checkpoints alone, which any one thread at a time may use."""
    return sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)


CHECKPOINTER = "telehealth.checkpointer"


class Checkpointer:
    """Asked by the settle loop every round; copies the log once SQLITE_CHECKPOINT_S passed."""

    def __init__(self, path: str, every_s: float):
        self.path, self.every_s, self.last = path, every_s, time.monotonic()
        self.connection: sqlite3.Connection | None = None  # opened in the pool, kept

    def _checkpoint(self) -> tuple[int, int, int]:
        if self.connection is None:
            self.connection = open_for_checkpoints(self.path)
        return checkpoint(self.connection)

    def run_if_due(self) -> None:
        now = time.monotonic()
        if now - self.last < self.every_s:
            return
        self.last = now
        try:
            run_blocking(self._checkpoint)
        except sqlite3.Error as exc:  # the next round tries again; the backstop holds meanwhile
            log.warning("copying the SQLite log into the database failed: %s", exc)


def init_app(app: Flask, engine: sa.Engine) -> None:
    """For an app on an SQLite file with a settle loop and SQLITE_CHECKPOINT_S > 0: its
    connections leave the log to the Checkpointer, up to the backstop."""
    path, every_s = database_file(engine), app.config["SQLITE_CHECKPOINT_S"]
    if path is None or every_s <= 0 or app.config["SETTLE_INTERVAL_S"] <= 0:
        return
    app.extensions[CHECKPOINTER] = Checkpointer(path, every_s)

    @sa.event.listens_for(engine, "connect")
    def _leave_the_log_to_the_checkpointer(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")


def run_if_due(app: Flask) -> None:
    """The settle loop's round: a checkpoint when one is due (nothing on other databases)."""
    checkpointer = app.extensions.get(CHECKPOINTER)
    if checkpointer is not None:
        checkpointer.run_if_due()
