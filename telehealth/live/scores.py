"""SUD/VOC scores as a session runs: the client's question and answer, the therapist's entry.
None of these commits: the event handler that calls them does."""

from __future__ import annotations

import re
import secrets
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import SCORE_KINDS, Score, Target, TherapySession, utcnow
from ..models.protocol import SCORE_PURPOSES
from ..staff import audit
from .guard import EventError
from .sets import latest_set_id

SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _check_kind(kind: Any) -> str:
    if not isinstance(kind, str) or kind not in SCORE_KINDS:
        raise EventError("invalid_value", "kind must be sud or voc.")
    return kind


def _check_value(kind: str, value: Any) -> int:
    low, high = SCORE_KINDS[kind]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise EventError(
            "out_of_range", f"A {kind.upper()} score is a whole number {low} to {high}."
        )
    return value


def _check_id(submission_id: Any) -> str:
    if not isinstance(submission_id, str) or not SUBMISSION_ID.fullmatch(submission_id):
        raise EventError(
            "invalid_value", "id must be 8 to 64 letters, digits, '-' or '_' (a UUID)."
        )
    return submission_id


def check_purpose(purpose: Any) -> str | None:
    if purpose is not None and (not isinstance(purpose, str) or purpose not in SCORE_PURPOSES):
        raise EventError("invalid_value", f"purpose must be {', '.join(SCORE_PURPOSES)} or null.")
    return purpose


def fill_assessment(score: Score) -> None:
    """An assessment's answer is the target's VOC or SUD as assessed (phase 3)."""
    if score.purpose == "assessment" and score.target_id is not None and score.value is not None:
        target = db.session.get(Target, score.target_id)
        if target is not None:
            setattr(target, score.kind, score.value)
            audit.log(
                "plan.target_assessed",
                detail=f"target {target.id} {score.kind}",
                session_id=score.therapy_session_id,
                client_id=target.client_id,
                with_address=score.source == "therapist",
            )


def _target_now(session_id: int) -> int | None:
    """The plan's target the session works on now: a score given now belongs to it."""
    return db.session.scalar(
        sa.select(TherapySession.current_target_id).where(TherapySession.id == session_id)
    )


def open_prompt(session_id: int) -> Score | None:
    return db.session.scalar(
        sa.select(Score).where(
            Score.therapy_session_id == session_id,
            Score.source == "client",
            Score.value.is_(None),
        )
    )


def prompt(session_id: int, kind: Any, purpose: Any = None) -> Score:
    """Ask the client for a score (for a purpose of SCORE_PURPOSES, or None: in processing);
    an earlier unanswered prompt is withdrawn."""
    kind, purpose = _check_kind(kind), check_purpose(purpose)
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
        target_id=_target_now(session_id),
        kind=kind,
        purpose=purpose,
        source="client",
        submission_id=secrets.token_urlsafe(16),
    )
    db.session.add(score)
    db.session.flush()
    return score


def ask_after_set(session_id: int) -> Score | None:
    """The question the session asks after each set (its ask_after_set switch), opened now;
    None when it asks none. The caller commits."""
    kind = db.session.get(TherapySession, session_id).ask_after_set
    return prompt(session_id, kind) if kind else None


def withdraw_prompt(session_id: int) -> bool:
    done = db.session.execute(
        sa.delete(Score).where(
            Score.therapy_session_id == session_id,
            Score.source == "client",
            Score.value.is_(None),
        )
    )
    return done.rowcount > 0


def answer(session_id: int, payload: Any) -> tuple[Score, bool]:
    """The client's answer to its prompt: (score, new). A retry of an answered prompt returns
    the stored score unchanged; an answer to no prompt is refused."""
    if not isinstance(payload, dict) or set(payload) != {"prompt_id", "value"}:
        raise EventError("invalid_payload", "score:submit needs {prompt_id, value}.")
    prompt_id = _check_id(payload["prompt_id"])
    score = db.session.scalar(
        sa.select(Score).where(
            Score.submission_id == prompt_id,
            Score.therapy_session_id == session_id,
            Score.source == "client",
        )
    )
    if score is None:
        raise EventError("no_prompt", "There is no question waiting for an answer.")
    value = _check_value(score.kind, payload["value"])
    if score.value is not None:
        return score, False
    score.value = value
    score.answered_at = utcnow()
    fill_assessment(score)
    return score, True


def enter(session_id: int, payload: Any) -> tuple[Score, bool]:
    """A score the therapist enters: (score, new); the same id twice is stored once."""
    if not isinstance(payload, dict) or not (
        {"id", "kind", "value"} <= set(payload) <= {"id", "kind", "value", "purpose"}
    ):
        raise EventError("invalid_payload", "score:enter needs {id, kind, value} (and purpose).")
    submission_id = _check_id(payload["id"])
    purpose = check_purpose(payload.get("purpose"))
    kind = _check_kind(payload["kind"])
    value = _check_value(kind, payload["value"])
    existing = db.session.scalar(sa.select(Score).where(Score.submission_id == submission_id))
    if existing is not None:
        if existing.therapy_session_id != session_id:
            raise EventError("invalid_value", "That id is already used.")
        return existing, False
    score = Score(
        therapy_session_id=session_id,
        stim_set_id=latest_set_id(session_id),
        target_id=_target_now(session_id),
        kind=kind,
        value=value,
        purpose=purpose,
        source="therapist",
        submission_id=submission_id,
        answered_at=utcnow(),
    )
    db.session.add(score)
    db.session.flush()
    fill_assessment(score)
    return score, True


def scores_of(session_id: int) -> list[Score]:
    return scores_of_sessions([session_id]).get(session_id, [])


def scores_of_sessions(session_ids: list[int]) -> dict[int, list[Score]]:
    """The answered scores of each of these sessions in the order given (one query)."""
    found: dict[int, list[Score]] = {}
    for score in db.session.scalars(
        sa.select(Score)
        .where(Score.therapy_session_id.in_(session_ids), Score.value.is_not(None))
        .order_by(Score.answered_at, Score.id)
    ):
        found.setdefault(score.therapy_session_id, []).append(score)
    return found


def asked_payload(score: Score) -> dict[str, Any]:
    """What a browser needs to show an open SUD/VOC question."""
    low, high = SCORE_KINDS[score.kind]
    return {"prompt_id": score.submission_id, "kind": score.kind, "low": low, "high": high}
