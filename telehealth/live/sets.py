"""The sets of a session as they run: one recorded when a set starts, closed when it ends
(or dropped when no pass was done), and struck from the record by the therapist."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .. import stimulation
from ..extensions import db
from ..models import Score, StimSet, TherapySession, utcnow

State = dict[str, Any]


def note_state_change(session_id: int, old: State, new: State, t_ms: float) -> bool:
    """Record a set (with the room's dual-attention task and the plan's target worked on now)
    when one starts and close it when the target comes to rest (same transaction as the state
    change); whether a set ended and was kept."""
    if starts_set(old, new):
        _close_open_set(session_id, old, t_ms)
        number = (
            db.session.scalar(
                sa.select(sa.func.max(StimSet.number)).where(
                    StimSet.therapy_session_id == session_id
                )
            )
            or 0
        ) + 1
        task, target_id = db.session.execute(
            sa.select(TherapySession.dual_task, TherapySession.current_target_id).where(
                TherapySession.id == session_id
            )
        ).one()
        db.session.add(
            StimSet(
                therapy_session_id=session_id,
                number=number,
                settings=dict(new["settings"]),
                task=task,
                target_id=target_id,
            )
        )
    return _set_ends(old, new) and _close_open_set(session_id, new, t_ms)


def starts_or_ends_set(old: State, new: State) -> bool:
    """Does going from ``old`` to ``new`` start or end a set (what note_state_change notes)?"""
    return starts_set(old, new) or _set_ends(old, new)


def starts_set(old: State, new: State) -> bool:
    """Whether the change from ``old`` to ``new`` starts a new set (not a resume)."""
    return new["running"] and new.get("set_started_ms") != old.get("set_started_ms")


def _set_ends(old: State, new: State) -> bool:
    at_rest = not new["running"] and not new.get("paused")
    return at_rest and bool(old["running"] or old.get("paused"))


def open_set_of(session_id: int) -> StimSet | None:
    """The set running (or paused) in the session, if any."""
    return db.session.scalar(
        sa.select(StimSet).where(
            StimSet.therapy_session_id == session_id, StimSet.ended_at.is_(None)
        )
    )


def _close_open_set(session_id: int, state: State, t_ms: float) -> bool:
    """Close the open set; whether one was closed and kept."""
    open_set = open_set_of(session_id)
    if open_set is None:
        return False
    passes = stimulation.passes_done(state, t_ms)
    # A Start by mistake leaves no stray set behind; a set the client paused is kept even so:
    # the record must show that they stopped it.
    if passes == 0 and open_set.client_paused_at is None:
        _drop(open_set)
        return False
    open_set.ended_at = utcnow()
    open_set.passes = passes
    return True


def _drop(stim_set: StimSet) -> None:
    """Forget a set that ended with no pass done; the next set takes its number. A score given
    while it ran belongs to the set before it."""
    before = _latest_set_id(stim_set.therapy_session_id, below=stim_set.number)
    db.session.execute(
        sa.update(Score).where(Score.stim_set_id == stim_set.id).values(stim_set_id=before)
    )
    db.session.delete(stim_set)
    db.session.flush()


def note_client_pause(session_id: int) -> int | None:
    """Mark the open set as paused by the client (the first time counts); its number, or None
    when no set is open. The caller commits."""
    open_set = open_set_of(session_id)
    if open_set is None:
        return None
    if open_set.client_paused_at is None:
        open_set.client_paused_at = utcnow()
    return open_set.number


def latest_set_id(session_id: int) -> int | None:
    """The set a score given now follows: the latest one not struck from the record."""
    return _latest_set_id(session_id)


def _latest_set_id(session_id: int, below: int | None = None) -> int | None:
    query = sa.select(StimSet.id).where(
        StimSet.therapy_session_id == session_id, StimSet.struck_at.is_(None)
    )
    if below is not None:
        query = query.where(StimSet.number < below)
    return db.session.scalar(query.order_by(StimSet.number.desc()).limit(1))


def sets_of(session_id: int) -> list[StimSet]:
    return list(
        db.session.scalars(
            sa.select(StimSet)
            .where(StimSet.therapy_session_id == session_id)
            .order_by(StimSet.number)
        )
    )


def set_counts(session_ids: list[int]) -> dict[int, int]:
    """How many sets each of these sessions has, struck ones aside (one grouped query; absent
    means none)."""
    rows = db.session.execute(
        sa.select(StimSet.therapy_session_id, sa.func.count(StimSet.id))
        .where(StimSet.therapy_session_id.in_(session_ids), StimSet.struck_at.is_(None))
        .group_by(StimSet.therapy_session_id)
    )
    return dict(rows.tuples().all())


def struck_set_ids(session_ids: list[int]) -> set[int]:
    """The sets of these sessions struck from the record (their scores stay off the curves)."""
    return set(
        db.session.scalars(
            sa.select(StimSet.id).where(
                StimSet.therapy_session_id.in_(session_ids), StimSet.struck_at.is_not(None)
            )
        )
    )


def strike(stim_set: StimSet, reason: str) -> None:
    """Strike an ended set from the record with the therapist's reason (checked by the form);
    raises ValueError with a clear message, changing nothing, for a set that cannot be struck.
    The caller audits and commits."""
    if stim_set.ended_at is None:
        raise ValueError("This set is still running: stop it before striking it.")
    if stim_set.struck_at is not None:
        raise ValueError("This set is already struck from the record.")
    stim_set.struck_at = utcnow()
    stim_set.struck_reason = reason
