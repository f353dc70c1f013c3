"""SQLite's log is copied into the database file by the settle loop, off the socket loop.

These run on an SQLite file whatever database the rest of the suite uses: the checkpoints are
SQLite's alone (on PostgreSQL nothing is set up, as the last test shows).
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from contextlib import closing

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.fastpath import checkpoint
from telehealth.live.settler import stop_settler

RAN: list[tuple[object, float]] = []


def recording_runner(fn, *args):
    """RUN_BLOCKING as eventlet's thread pool would be, noting what it was handed."""
    RAN.append((fn, time.monotonic()))
    return fn(*args)


@pytest.fixture
def app_config(tmp_path, request) -> dict:
    RAN.clear()
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'served.db'}",
        "SETTLE_INTERVAL_S": 0.02,
        "RUN_BLOCKING": recording_runner,
        **getattr(request, "param", {}),
    }


def checkpoints_since(t: float) -> list[float]:
    """When the settle loop handed a checkpoint to RUN_BLOCKING, after monotonic time ``t``."""
    return [
        at
        for fn, at in RAN
        if getattr(fn, "__func__", None) is checkpoint.Checkpointer._checkpoint and at > t
    ]


def autocheckpoint() -> int:
    return db.session.execute(db.text("PRAGMA wal_autocheckpoint")).scalar_one()


def stored_rev_in_database_file(app, session_id: int, tmp_path) -> int:
    """The room's rev as the database file alone holds it (without what is still in the log)."""
    path = db.engine.url.database
    copy = tmp_path / "file-alone.db"
    stop_settler(app)  # and its last round ends
    shutil.copyfile(path, copy)
    with closing(sqlite3.connect(copy)) as connection:
        return connection.execute(
            "SELECT stim_rev FROM therapy_session WHERE id = ?", (session_id,)
        ).fetchone()[0]


def change_speed(room, times: int) -> tuple[int, float]:
    """``times`` changes, made after the file holds the room as it stands (copied by hand)."""
    db.session.commit()
    with closing(checkpoint.open_for_checkpoints(db.engine.url.database)) as connection:
        assert checkpoint.checkpoint(connection)[0] == 0
    for i in range(times):
        ack = room.therapist_socket.emit("stim:update", {"speed_pps": 1 + i / 10}, callback=True)
        assert ack["ok"], ack
    return ack["rev"], time.monotonic()


@pytest.mark.parametrize("app_config", [{"SQLITE_CHECKPOINT_S": 0.05}], indirect=True)
def test_the_settle_loop_copies_the_log_into_the_database_file_off_the_socket_loop(
    app, room, tmp_path
):
    assert autocheckpoint() == checkpoint.BACKSTOP_PAGES  # SQLite's own waits much longer
    rev, changed_at = change_speed(room, 5)
    deadline = time.monotonic() + 5
    while not checkpoints_since(changed_at):
        assert time.monotonic() < deadline, "no checkpoint after the changes"
        time.sleep(0.02)
    assert stored_rev_in_database_file(app, room.session.id, tmp_path) == rev


@pytest.mark.parametrize("app_config", [{"SQLITE_CHECKPOINT_S": 0}], indirect=True)
def test_with_no_checkpoint_interval_sqlite_copies_the_log_itself(app, room, tmp_path):
    assert autocheckpoint() == 1000  # SQLite's default
    rev, _ = change_speed(room, 5)
    time.sleep(0.2)
    assert not checkpoints_since(0)
    # A few changes stay in the log until SQLite's own checkpoint, 1,000 pages on.
    assert stored_rev_in_database_file(app, room.session.id, tmp_path) < rev


@pytest.mark.parametrize("app_config", [{"SQLITE_CHECKPOINT_S": 0.05}], indirect=True)
def test_a_failed_checkpoint_is_logged_and_the_loop_goes_on(app, room, caplog, tmp_path):
    stop_settler(app)  # this test asks in its place
    checkpointer = app.extensions[checkpoint.CHECKPOINTER]
    checkpointer.path, checkpointer.connection = str(tmp_path), None  # a folder: cannot open
    checkpointer.last = 0.0
    checkpointer.run_if_due()
    assert "copying the SQLite log into the database failed" in caplog.text
    assert room.therapist_socket.emit("stim:update", {"speed_pps": 2.5}, callback=True)["ok"]


def test_only_an_sqlite_file_has_a_log_to_copy(app):
    assert checkpoint.database_file(db.engine) == db.engine.url.database
    assert checkpoint.database_file(sa.create_engine("postgresql+psycopg://u@h/test")) is None
    assert checkpoint.database_file(sa.create_engine("sqlite://")) is None
