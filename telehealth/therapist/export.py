"""A client's whole record in one zip (GDPR Art. 15 and 20): JSON for machines, HTML for people."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, render_template

from ..client import screening
from ..extensions import db
from ..live.sets import sets_of
from ..models import EMDR_PHASES, AuditEvent, Client, Score, TherapySession, utcnow
from ..staff import audit
from . import bp
from .bodyscan import scans_of_sessions
from .targets import plan_of
from .views import get_client_or_404, therapist_only

ARCHIVE_FORMAT = "telehealth-client-archive/1"
README = """\
Everything this service holds about one client, exported on {exported_at} (UTC).

client.json   The same content for machines (GDPR Art. 20, data portability): the client's
              details and answers to the safety questions, the treatment plan (every target
              with its assessment, status and links), every session with its record
              (target, cognitions, EMDR phases, notes, the plan's targets it worked on),
              every set of bilateral stimulation with its settings, passes, times and
              target, every SUD and VOC score with its target, and the audit log's rows
              about this client (who read or changed the record, and when).
              Times are UTC, ISO 8601.
client.html   The same content to read or print (GDPR Art. 15, right of access): open it in a
              browser. It runs no scripts and loads nothing from the network.
README.txt    This file.

The archive holds clinical notes: keep it as carefully as the record itself.
"""


def _time(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def _sessions_of(client: Client) -> list[TherapySession]:
    return list(
        db.session.scalars(
            sa.select(TherapySession)
            .where(TherapySession.client_id == client.id)
            .order_by(TherapySession.started_at, TherapySession.id)
        )
    )


def _all_scores_of(session_id: int) -> list[Score]:
    """Every score of a session, questions the client left unanswered included."""
    return list(
        db.session.scalars(
            sa.select(Score)
            .where(Score.therapy_session_id == session_id)
            .order_by(Score.created_at, Score.id)
        )
    )


def _audit_rows(client_id: int, session_ids: list[int]) -> list[AuditEvent]:
    about = AuditEvent.client_id == client_id
    if session_ids:
        about = sa.or_(about, AuditEvent.therapy_session_id.in_(session_ids))
    return list(db.session.scalars(sa.select(AuditEvent).where(about).order_by(AuditEvent.id)))


def _session_data(therapy_session: TherapySession) -> dict[str, Any]:
    stim_sets = sets_of(therapy_session.id)
    set_numbers = {stim_set.id: stim_set.number for stim_set in stim_sets}
    return {
        "id": therapy_session.id,
        "started_at": _time(therapy_session.started_at),
        "ended_at": _time(therapy_session.ended_at),
        "target": therapy_session.target,
        "negative_cognition": therapy_session.negative_cognition,
        "positive_cognition": therapy_session.positive_cognition,
        "phases": [{"number": p, "name": EMDR_PHASES[p]} for p in therapy_session.phases],
        "notes": therapy_session.notes,
        "closure": therapy_session.closure,
        "resume_note": therapy_session.resume_note,
        "target_ids": [target.id for target in therapy_session.targets],
        "body_scans": scans_of_sessions([therapy_session.id]).get(therapy_session.id, []),
        "video_enabled": therapy_session.video_enabled,
        "sets": [
            {
                "id": stim_set.id,
                "number": stim_set.number,
                "started_at": _time(stim_set.started_at),
                "ended_at": _time(stim_set.ended_at),
                "passes": stim_set.passes,
                "settings": stim_set.settings,
                "client_paused_at": _time(stim_set.client_paused_at),
                "struck_at": _time(stim_set.struck_at),
                "struck_reason": stim_set.struck_reason,
                "task": stim_set.task,
                "noticed": stim_set.noticed,
                "next_step": stim_set.next_step,
                "target_id": stim_set.target_id,
            }
            for stim_set in stim_sets
        ],
        "scores": [
            {
                "id": score.id,
                "kind": score.kind,
                "value": score.value,
                "source": score.source,
                "purpose": score.purpose,
                "set_id": score.stim_set_id,
                "set_number": set_numbers.get(score.stim_set_id),
                "asked_at": _time(score.created_at),
                "answered_at": _time(score.answered_at),
                "target_id": score.target_id,
            }
            for score in _all_scores_of(therapy_session.id)
        ],
    }


def _screening_data(client: Client) -> dict[str, Any] | None:
    """The safety questions' answers (a yes: answered yes, or preferred to talk about it)."""
    answers = screening.answers_of(client)
    if answers is None:
        return None
    return {
        "answered_at": _time(client.screened_at),
        "answers": [
            {"question": key, "meaning": words, "yes": answers[key]}
            for key, words in screening.QUESTIONS.items()
        ],
    }


def _plan_data(client: Client) -> list[dict[str, Any]]:
    """The treatment plan: every target with its assessment, in the plan's order."""
    return [target.as_dict() for target in plan_of(client.id)]


def archive_data(client: Client) -> dict[str, Any]:
    """Everything held about one client, as plain JSON-ready data."""
    sessions = _sessions_of(client)
    return {
        "format": ARCHIVE_FORMAT,
        "exported_at": _time(utcnow()),
        "client": {
            "id": client.id,
            "pseudonym": client.pseudonym,
            "initials": client.initials,
            "pronouns": client.pronouns,
            "preferences": client.preferences,
            "archived": client.archived,
            "archived_at": _time(client.archived_at),
            "created_at": _time(client.created_at),
            "screening": _screening_data(client),
        },
        "plan": _plan_data(client),
        "sessions": [_session_data(therapy_session) for therapy_session in sessions],
        "audit": [
            {
                "at": _time(event.at),
                "action": event.action,
                "user_id": event.user_id,
                "session_id": event.therapy_session_id,
            }
            for event in _audit_rows(client.id, [s.id for s in sessions])
        ],
    }


def archive_zip(data: dict[str, Any]) -> bytes:
    """client.json, client.html and README.txt in one zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("client.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("client.html", render_template("therapist/archive.html", data=data))
        archive.writestr("README.txt", README.format(exported_at=data["exported_at"]))
    return out.getvalue()


@bp.route("/clients/<int:client_id>/archive.zip")
@therapist_only
def client_archive(client_id: int):
    """Download everything about one client (their right of access and to portability)."""
    client = get_client_or_404(client_id)
    audit.log("client.archive_exported", client_id=client.id)
    db.session.commit()
    return Response(
        archive_zip(archive_data(client)),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="client-{client.id}-archive.zip"'},
    )
