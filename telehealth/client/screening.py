"""The photosensitivity and comfort screening a client answers once, before any stimulation:
four yes/no questions, stored encrypted on the client; a "yes" holds the session's first set
until the therapist confirms they talked it through. None of these commits: the caller does."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..live.guard import EventError
from ..models import Client, TherapySession, utcnow

# Each question's key, and what a "yes" means in the therapist's words (panel, record, export).
QUESTIONS = {
    "seizures": "Seizures or epilepsy, or a reaction to flashing lights",
    "migraine": "Migraine with aura, or headaches from moving images",
    "vestibular": "Balance or dizziness (vestibular) problems, or motion sickness",
    "eye": "Eye surgery or an eye problem in recent months",
}
SOUND_RESULTS = {
    "ok": "left and right correct",
    "swapped": "left and right swapped",
    "mono": "the same in both ears (mono)",
    "none": "no sound heard, or skipped",
}


def validate_answers(payload: Any) -> dict[str, bool]:
    """Exactly the four questions, each answered true or false."""
    if not isinstance(payload, dict) or set(payload) != set(QUESTIONS):
        raise EventError(
            "invalid_payload",
            f"screening:answer needs exactly: {', '.join(QUESTIONS)} (each true or false).",
        )
    for key in QUESTIONS:
        if not isinstance(payload[key], bool):
            raise EventError("invalid_value", f"{key} must be true or false.")
    return {key: payload[key] for key in QUESTIONS}


def answers_of(client: Client) -> dict[str, bool] | None:
    """The client's stored answers, or None before they answered."""
    if client.screening is None:
        return None
    stored = json.loads(client.screening)
    return {key: bool(stored.get(key)) for key in QUESTIONS}


def flags_of(answers: dict[str, bool] | None) -> list[str]:
    """The questions answered yes, in the questions' order."""
    return [key for key in QUESTIONS if answers and answers[key]]


def record(client_id: int, answers: dict[str, bool]) -> None:
    """Store the answers, once per client (two answers at the same moment store one)."""
    done = db.session.execute(
        sa.update(Client)
        .where(Client.id == client_id, Client.screened_at.is_(None))
        .values(screening=json.dumps(answers), screened_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise EventError("already_answered", "The safety questions were already answered.")


def screening_state(therapy_session: TherapySession) -> dict[str, Any]:
    """What the room hears: answered or not, the keys answered yes, and whether the therapist
    confirmed in this session that they talked them through."""
    answers = answers_of(therapy_session.client)
    return {
        "answered": answers is not None,
        "flags": flags_of(answers),
        "seen": therapy_session.screening_seen_at is not None,
    }


def unseen_warning(therapy_session: TherapySession) -> bool:
    """Is there a "yes" the therapist has not yet confirmed in this session?"""
    return therapy_session.screening_seen_at is None and bool(
        flags_of(answers_of(therapy_session.client))
    )


def mark_seen(therapy_session: TherapySession) -> bool:
    """The therapist talked the warnings through: True when this marks it now, False when it
    was marked already; refused when there is no warning to confirm (a later "yes" would
    otherwise find it confirmed)."""
    if not flags_of(answers_of(therapy_session.client)):
        raise EventError("no_warning", "The client's screening has no warning to confirm.")
    if therapy_session.screening_seen_at is not None:
        return False
    therapy_session.screening_seen_at = utcnow()
    return True
