"""The hot path's direct statements: on an SQLite file one connection kept for them, which
never carries a transaction from one use to the next; elsewhere the pool's connections."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.fastpath.direct import DirectStatement, database_file, hot_connection
from telehealth.live import state as room_state
from telehealth.models import JoinLink, TherapySession


@pytest.fixture
def socket_recheck_s() -> float:
    return 60  # the frequent events take the fast path, with its direct statements


@pytest.fixture
def checkouts(app) -> list[int]:
    """Connections taken from the engine's pool from now on (their ids)."""
    taken: list[int] = []

    def on_checkout(dbapi_connection, _record, _proxy) -> None:
        taken.append(id(dbapi_connection))

    sa.event.listen(db.engine, "checkout", on_checkout)
    yield taken
    sa.event.remove(db.engine, "checkout", on_checkout)


def on_sqlite_file() -> bool:
    return database_file(db.engine) is not None


def test_the_frequent_events_take_no_connection_from_the_pool_on_sqlite(room, checkouts):
    say = room.therapist_socket.emit
    assert say("stim:update", {"speed_pps": 2.0}, callback=True)["rev"] == 1  # remembered now
    assert say("stim:update", {"speed_pps": 1.0}, callback=True)["rev"] == 2  # the kept one made
    checkouts.clear()
    for rev, speed in enumerate((1.5, 2.5, 3.0), start=3):
        assert say("stim:update", {"speed_pps": speed}, callback=True)["rev"] == rev
        assert room.client_socket.emit("stim:applied", {"rev": rev}, callback=True)["ok"]
    if on_sqlite_file():
        assert checkouts == []  # all three writes on the kept connection
        assert hot_connection(db.engine).kept is not None
    else:
        assert len(checkouts) >= 3  # PostgreSQL: a pool connection for each
    assert room_state.read_state(room.session.id)["settings"]["speed_pps"] == 3.0


def test_a_due_socket_check_reads_on_the_kept_connection_too(app, room, checkouts):
    from telehealth.live.access import QUICK_CHECK

    check = app.extensions[QUICK_CHECK]
    saved = {
        "socket_role": "client",
        "socket_session_id": room.session.id,
        **db.session.get(JoinLink, room.link.id).cookie(app.config["SECRET_KEY"]),
    }
    assert check.confirm(saved) is True  # (the kept connection made)
    checkouts.clear()
    assert check.confirm(saved) is True
    assert (checkouts == []) is on_sqlite_file()


def test_a_statement_that_fails_leaves_no_transaction_open(app, room):
    """A write refused half way (NOT NULL) must not keep SQLite's write lock for the next use:
    other connections write at once, and the kept connection's next write is its own."""
    write, _ = app.extensions[room_state.DIRECT_WRITES]
    values = {"session_id": room.session.id, "old_rev": 0, "state": {}, "rev": None}
    with pytest.raises(db.engine.dialect.dbapi.IntegrityError):
        write.changes_one({**values, "ends_at_ms": None})
    hot = hot_connection(db.engine)
    if on_sqlite_file():
        assert hot.kept.in_transaction is False
    # another connection writes at once (a held lock would make it wait, then fail)
    other = sa.create_engine(
        db.engine.url, connect_args={"timeout": 0.5} if on_sqlite_file() else {}
    )
    try:
        with other.begin() as conn:
            conn.execute(
                sa.update(TherapySession)
                .where(TherapySession.id == room.session.id)
                .values(notes="written beside")
            )
    finally:
        other.dispose()
    state = room_state.read_state(room.session.id)
    assert room.therapist_socket.emit("stim:update", {"speed_pps": 2.0}, callback=True)["ok"]
    assert room_state.read_state(room.session.id)["rev"] == state["rev"] + 1
    assert db.session.get(TherapySession, room.session.id).notes == "written beside"


def test_disposing_the_engine_closes_the_kept_connection(app, room):
    for speed in (2.0, 2.5):  # the first goes the ORM's way (nothing remembered yet)
        assert room.therapist_socket.emit("stim:update", {"speed_pps": speed}, callback=True)["ok"]
    hot = hot_connection(db.engine)
    kept = hot.kept
    if not on_sqlite_file():
        assert kept is None  # nothing kept beside PostgreSQL's pool
        return
    db.engine.dispose()
    assert hot.kept is None
    with pytest.raises(sqlite3.ProgrammingError):
        kept.execute("SELECT 1")
    # the next statement opens a new one
    assert room.therapist_socket.emit("stim:update", {"speed_pps": 3.0}, callback=True)["ok"]
    assert hot.kept is not None and hot.kept is not kept


def test_statements_of_one_engine_share_one_hot_connection(app):
    first = DirectStatement(db.engine, sa.select(TherapySession.__table__.c.id))
    second = DirectStatement(db.engine, sa.select(TherapySession.__table__.c.notes))
    assert first.connection is second.connection is hot_connection(db.engine)
    other = sa.create_engine(db.engine.url)
    try:
        assert hot_connection(other) is not first.connection
    finally:
        other.dispose()


def test_an_engine_let_go_takes_its_hot_connection_with_it(app):
    import gc
    import weakref

    from telehealth.fastpath import direct

    engine = sa.create_engine(db.engine.url)
    DirectStatement(engine, sa.select(TherapySession.__table__.c.id))
    hot = weakref.ref(direct._HOT[engine])
    gone = weakref.ref(engine)
    engine.dispose()
    del engine
    gc.collect()
    assert gone() is None and hot() is None
