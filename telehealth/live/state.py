"""A room's stimulation state in the database: read it, change it safely, publish it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from .. import stimulation
from ..extensions import db, socketio
from ..fastpath.direct import DirectStatement
from ..models import TherapySession, utcnow
from . import scores, sets
from .channels import session_room
from .guard import EventError

State = dict[str, Any]
Change = Callable[[State, float], State | None]  # change(state, now_ms): the new state, or None
# The hot path's statements, built once as plain table statements whose values come as
# parameters, so SQLAlchemy finds each in its compiled cache (bench/relay.py).
_ROOM = TherapySession.__table__
_READ_STATE = sa.select(_ROOM.c.stim_state).where(_ROOM.c.id == sa.bindparam("session_id"))
_WRITE_SAME_END = (
    sa.update(_ROOM)
    .where(_ROOM.c.id == sa.bindparam("session_id"), _ROOM.c.stim_rev == sa.bindparam("old_rev"))
    .values(
        stim_state=sa.bindparam("state", type_=_ROOM.c.stim_state.type),
        stim_rev=sa.bindparam("rev"),
    )
)
# With the planned end as well; leaving it out when it stays as it was spares SQLite its index.
_WRITE_STATE = _WRITE_SAME_END.values(
    stim_ends_at_ms=sa.bindparam("ends_at_ms", type_=_ROOM.c.stim_ends_at_ms.type)
)


def now_ms() -> float:
    """The server clock every browser synchronises to: Unix time in milliseconds."""
    return time.time() * 1000.0


def _or_now(t_ms: float | None) -> float:
    """``t_ms`` when a caller (a test) gives the time, else the clock."""
    return now_ms() if t_ms is None else t_ms


def wire_state(state: State, t_ms: float | None = None) -> State:
    """The state as browsers receive it, with the server time it was read at."""
    t_ms = _or_now(t_ms)
    return {**state, "server_ms": t_ms, "passes": stimulation.passes_done(state, t_ms)}


LAST_KNOWN_MAX = 20_000


def _last_known(app: Flask | None = None) -> dict[int, State]:
    """The last state this app stored, per session: a change starts from it instead of reading
    the row again. It is stale only when another process changed the room since; then the
    conditional update in change_state matches nothing and the change is redone from the row."""
    return (app or current_app).extensions.setdefault("telehealth.last_known_state", {})


def _remember(session_id: int, state: State | None, app: Flask | None = None) -> None:
    known = _last_known(app)
    if state is None:
        known.pop(session_id, None)
        return
    if len(known) >= LAST_KNOWN_MAX and session_id not in known:
        known.clear()  # rooms of days gone by; live ones come back with their next change
    known[session_id] = state


def read_state(session_id: int) -> State:
    """The room's state as stored (not this process's memory of it)."""
    return db.session.execute(_READ_STATE, {"session_id": session_id}).scalar_one()


def commit_change(session_id: int, change: Change, t_ms: float | None = None) -> State | None:
    """Apply ``change(state, t_ms)`` (the clock's time unless given) and commit it; a
    concurrent writer makes us retry.

    A unit of work of its own (a conditional write retried until it wins, then remembered), so
    it commits, and the caller has nothing else in the transaction.

    The update is conditional on the ``rev`` we started from, so two processes (or two quick
    events) never both win with the same ``rev``: every stored state has a rev one above the
    last. A change that returns None leaves the state as it is (and returns None); it is
    always judged on the stored state, never on this process's memory of it. The everyday
    case goes the direct way (change_state_direct); the caller has nothing else to commit.
    """
    direct = commit_change_direct(current_app, session_id, change, t_ms)
    if direct is not None:
        return direct
    given_ms = t_ms
    remembered = _last_known().get(session_id)
    for _ in range(5):
        old = remembered if remembered is not None else read_state(session_id)
        t_ms = _or_now(given_ms)
        new = change(old, t_ms)
        if new is None:
            db.session.rollback()
            if remembered is not None:
                remembered = None  # not worth a write on memory alone: ask the row
                continue
            return None
        done = db.session.execute(
            _WRITE_STATE,
            {
                "session_id": session_id,
                "old_rev": old["rev"],
                "state": new,
                "rev": new["rev"],
                "ends_at_ms": stimulation.ends_at_ms(new),
            },
        )
        if done.rowcount == 1:
            # A question still unanswered when the next set starts belongs to the set before:
            # withdrawn, so the client follows the target and no late answer is misfiled.
            withdrawn = sets.starts_set(old, new) and scores.withdraw_prompt(session_id)
            ended = sets.note_state_change(session_id, old, new, t_ms)
            asked = scores.ask_after_set(session_id) if ended else None
            db.session.commit()
            _remember(session_id, new)
            if withdrawn:
                socketio.emit(
                    "score:withdrawn", {"reason": "set_started"}, to=session_room(session_id)
                )
            if asked is not None:  # between sets: the question the therapist asks after each
                socketio.emit(
                    "score:asked", scores.asked_payload(asked), to=session_room(session_id)
                )
            return new
        db.session.rollback()
        remembered = None
        _remember(session_id, None)
    raise EventError("busy", "The room is busy; please try again.")


DIRECT_WRITES = "telehealth.direct_writes"


def init_app(app: Flask, engine: sa.Engine) -> None:
    app.extensions[DIRECT_WRITES] = (
        DirectStatement(engine, _WRITE_STATE),
        DirectStatement(engine, _WRITE_SAME_END),
    )


def commit_change_direct(
    app: Flask, session_id: int, change: Change, t_ms: float | None = None
) -> State | None:
    """change_state's everyday case without the ORM, whose session, events and statement
    machinery cost more than the database's own work (bench/relay.py): a change, from the
    state this process stored last, that starts or ends no set, written with the driver's own
    cursor.

    None when that case does not apply: nothing remembered, no change, a set starts or ends
    (the record is written in the same transaction), or another process changed the room first
    (the update's condition on rev matched nothing). change_state then does it.
    """
    old = _last_known(app).get(session_id)
    if old is None:
        return None
    t_ms = _or_now(t_ms)
    new = change(old, t_ms)
    if new is None or sets.starts_or_ends_set(old, new):
        return None
    values = {"session_id": session_id, "old_rev": old["rev"], "state": new, "rev": new["rev"]}
    write, write_same_end = app.extensions[DIRECT_WRITES]
    ends_at_ms = stimulation.ends_at_ms(new)
    if ends_at_ms == stimulation.ends_at_ms(old):
        write = write_same_end
    else:
        values["ends_at_ms"] = ends_at_ms
    if not write.changes_one(values):
        _remember(session_id, None, app)
        return None
    _remember(session_id, new, app)
    return new


def arrived(session_id: int, who: str) -> None:
    """Note that ``who``'s page ("client" or "therapist") connected (the fail-safe reads it);
    the caller commits."""
    db.session.execute(
        sa.update(TherapySession)
        .where(TherapySession.id == session_id)
        .values({f"{who}_connected_at": utcnow()})
    )


def left(session_id: int, who: str) -> None:
    """Note that ``who``'s page went away (the fail-safe reads it); the caller commits."""
    db.session.execute(
        sa.update(TherapySession)
        .where(TherapySession.id == session_id)
        .values({f"{who}_left_at": utcnow()})
    )


def publish_state(session_id: int, state: State) -> None:
    """Send a room's new state to everyone in it (from a handler or a background task)."""
    socketio.emit("stim:state", wire_state(state), to=session_room(session_id))


def pause_running(state: State, t_ms: float) -> State | None:
    """The change that pauses a running set, and leaves any other state as it is."""
    return stimulation.pause(state, t_ms) if state["running"] else None


def pause_abandoned(
    gone_s: float,
    publish: Callable[[int, State], None],
    now_ms: float | None = None,
    who: str = "client",
) -> list[int]:
    """Pause every running set whose client (or therapist, as ``who`` says) has been gone
    longer than ``gone_s`` seconds at ``now_ms`` (the clock's time unless given).

    One that came back (connected after it left) keeps its set running.
    """
    t_ms = _or_now(now_ms)
    # the times are stored as naive UTC (models.utcnow)
    at = datetime.fromtimestamp(t_ms / 1000.0, UTC).replace(tzinfo=None)
    limit = at - timedelta(seconds=gone_s)
    connected_at = getattr(TherapySession, f"{who}_connected_at")
    left_at = getattr(TherapySession, f"{who}_left_at")
    candidates = db.session.scalars(
        sa.select(TherapySession.id).where(
            left_at <= limit, sa.or_(connected_at.is_(None), connected_at < left_at)
        )
    ).all()
    db.session.rollback()
    paused = []
    for session_id in candidates:
        state = commit_change(session_id, pause_running, t_ms)
        if state is not None:
            publish(session_id, state)
            paused.append(session_id)
    return paused


def settle_due(publish: Callable[[int, State], None], now_ms: float | None = None) -> int:
    """Bring every run whose planned end has passed at ``now_ms`` (the clock's time unless
    given) to rest, and publish its new state.

    Any process may do this at any time: the conditional update lets one writer win.
    """
    t_ms = _or_now(now_ms)
    due = db.session.scalars(
        sa.select(TherapySession.id).where(TherapySession.stim_ends_at_ms <= t_ms)
    ).all()
    db.session.rollback()
    settled = 0
    for session_id in due:
        state = commit_change(session_id, stimulation.settle, t_ms)
        if state is not None:
            publish(session_id, state)
            settled += 1
    return settled
