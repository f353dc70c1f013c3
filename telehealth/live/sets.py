"""The sets of a session as they run: one recorded when a set starts, closed when it ends."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .. import stimulation
from ..extensions import db
from ..models import StimSet, utcnow

State = dict[str, Any]


def note_state_change(session_id: int, old: State, new: State, t_ms: float) -> None:
    """Record a set when one starts and close it when the target comes to rest (same
    transaction as the state change)."""
    if _set_starts(old, new):
        _close_open_set(session_id, old, t_ms)
        number = (
            db.session.scalar(
                sa.select(sa.func.max(StimSet.number)).where(
                    StimSet.therapy_session_id == session_id
                )
            )
            or 0
        ) + 1
        db.session.add(
            StimSet(therapy_session_id=session_id, number=number, settings=dict(new["settings"]))
        )
    if _set_ends(old, new):
        _close_open_set(session_id, new, t_ms)


def starts_or_ends_set(old: State, new: State) -> bool:
    """Does going from ``old`` to ``new`` start or end a set (what note_state_change notes)?"""
    return _set_starts(old, new) or _set_ends(old, new)


def _set_starts(old: State, new: State) -> bool:
    return new["running"] and new.get("set_started_ms") != old.get("set_started_ms")


def _set_ends(old: State, new: State) -> bool:
    at_rest = not new["running"] and not new.get("paused")
    return at_rest and bool(old["running"] or old.get("paused"))


def _close_open_set(session_id: int, state: State, t_ms: float) -> None:
    open_set = db.session.scalar(
        sa.select(StimSet).where(
            StimSet.therapy_session_id == session_id, StimSet.ended_at.is_(None)
        )
    )
    if open_set is not None:
        open_set.ended_at = utcnow()
        open_set.passes = stimulation.passes_done(state, t_ms)


def note_client_pause(session_id: int) -> int | None:
    """Mark the open set as paused by the client (the first time counts); its number, or None
    when no set is open. The caller commits."""
    open_set = db.session.scalar(
        sa.select(StimSet).where(
            StimSet.therapy_session_id == session_id, StimSet.ended_at.is_(None)
        )
    )
    if open_set is None:
        return None
    if open_set.client_paused_at is None:
        open_set.client_paused_at = utcnow()
    return open_set.number


def latest_set_id(session_id: int) -> int | None:
    return db.session.scalar(
        sa.select(StimSet.id)
        .where(StimSet.therapy_session_id == session_id)
        .order_by(StimSet.number.desc())
        .limit(1)
    )


def sets_of(session_id: int) -> list[StimSet]:
    return list(
        db.session.scalars(
            sa.select(StimSet)
            .where(StimSet.therapy_session_id == session_id)
            .order_by(StimSet.number)
        )
    )


def set_counts(session_ids: list[int]) -> dict[int, int]:
    """How many sets each of these sessions has (one grouped query; absent means none)."""
    rows = db.session.execute(
        sa.select(StimSet.therapy_session_id, sa.func.count(StimSet.id))
        .where(StimSet.therapy_session_id.in_(session_ids))
        .group_by(StimSet.therapy_session_id)
    )
    return dict(rows.tuples().all())
