"""The clinical record kept as a session runs: sets as they start and end, SUD/VOC scores."""

from __future__ import annotations

import re
import secrets
from typing import Any

import sqlalchemy as sa

from . import stimulation
from .extensions import db
from .models import SCORE_KINDS, Score, StimSet, utcnow
from .stimulation import StimError

State = dict[str, Any]
SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


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


def changes_record(old: State, new: State) -> bool:
    """Does going from ``old`` to ``new`` start or end a set (what note_state_change records)?"""
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


def latest_set_id(session_id: int) -> int | None:
    return db.session.scalar(
        sa.select(StimSet.id)
        .where(StimSet.therapy_session_id == session_id)
        .order_by(StimSet.number.desc())
        .limit(1)
    )


def _check_kind(kind: Any) -> str:
    if not isinstance(kind, str) or kind not in SCORE_KINDS:
        raise StimError("invalid_value", "kind must be sud or voc.")
    return kind


def _check_value(kind: str, value: Any) -> int:
    low, high = SCORE_KINDS[kind]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise StimError(
            "out_of_range", f"A {kind.upper()} score is a whole number {low} to {high}."
        )
    return value


def _check_id(submission_id: Any) -> str:
    if not isinstance(submission_id, str) or not SUBMISSION_ID.fullmatch(submission_id):
        raise StimError("invalid_value", "id must be 8 to 64 letters, digits, '-' or '_' (a UUID).")
    return submission_id


def open_prompt(session_id: int) -> Score | None:
    return db.session.scalar(
        sa.select(Score).where(
            Score.therapy_session_id == session_id,
            Score.source == "client",
            Score.value.is_(None),
        )
    )


def prompt(session_id: int, kind: Any) -> Score:
    """Ask the client for a score; an earlier unanswered prompt is withdrawn."""
    kind = _check_kind(kind)
    db.session.execute(
        sa.delete(Score).where(
            Score.therapy_session_id == session_id,
            Score.source == "client",
            Score.value.is_(None),
        )
    )
    score = Score(
        therapy_session_id=session_id,
        stim_set_id=latest_set_id(session_id),
        kind=kind,
        source="client",
        submission_id=secrets.token_urlsafe(16),
    )
    db.session.add(score)
    db.session.commit()
    return score


def withdraw_prompt(session_id: int) -> bool:
    done = db.session.execute(
        sa.delete(Score).where(
            Score.therapy_session_id == session_id,
            Score.source == "client",
            Score.value.is_(None),
        )
    )
    db.session.commit()
    return done.rowcount > 0


def answer(session_id: int, payload: Any) -> tuple[Score, bool]:
    """The client's answer to its prompt: (score, new). A retry of an answered prompt returns
    the stored score unchanged; an answer to no prompt is refused."""
    if not isinstance(payload, dict) or set(payload) != {"prompt_id", "value"}:
        raise StimError("invalid_payload", "score:submit needs {prompt_id, value}.")
    prompt_id = _check_id(payload["prompt_id"])
    score = db.session.scalar(
        sa.select(Score).where(
            Score.submission_id == prompt_id,
            Score.therapy_session_id == session_id,
            Score.source == "client",
        )
    )
    if score is None:
        raise StimError("no_prompt", "There is no question waiting for an answer.")
    value = _check_value(score.kind, payload["value"])
    if score.value is not None:
        return score, False
    score.value = value
    score.answered_at = utcnow()
    db.session.commit()
    return score, True


def enter(session_id: int, payload: Any) -> tuple[Score, bool]:
    """A score the therapist enters: (score, new); the same id twice is stored once."""
    if not isinstance(payload, dict) or set(payload) != {"id", "kind", "value"}:
        raise StimError("invalid_payload", "score:record needs {id, kind, value}.")
    submission_id = _check_id(payload["id"])
    kind = _check_kind(payload["kind"])
    value = _check_value(kind, payload["value"])
    existing = db.session.scalar(sa.select(Score).where(Score.submission_id == submission_id))
    if existing is not None:
        if existing.therapy_session_id != session_id:
            raise StimError("invalid_value", "That id is already used.")
        return existing, False
    score = Score(
        therapy_session_id=session_id,
        stim_set_id=latest_set_id(session_id),
        kind=kind,
        value=value,
        source="therapist",
        submission_id=submission_id,
        answered_at=utcnow(),
    )
    db.session.add(score)
    db.session.commit()
    return score, True


def scores_of(session_id: int) -> list[Score]:
    return list(
        db.session.scalars(
            sa.select(Score)
            .where(Score.therapy_session_id == session_id, Score.value.is_not(None))
            .order_by(Score.answered_at, Score.id)
        )
    )


def sets_of(session_id: int) -> list[StimSet]:
    return list(
        db.session.scalars(
            sa.select(StimSet)
            .where(StimSet.therapy_session_id == session_id)
            .order_by(StimSet.number)
        )
    )
