"""The body scan (phase 6) on the panel: after installation, what scanning the body found for
the target worked on now (clear, or a sensation noticed and where), kept per session and
target on session_target."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from ..extensions import db, socketio
from ..live.access import THERAPIST
from ..live.guard import EventError, room_event
from ..models import TherapySession, session_target, utcnow
from ..models.protocol import BODY_SCAN_RESULTS, MAX_BODY_SCAN_NOTE
from ..staff import audit

CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # one line: no control characters, no new lines


def _clean(payload: Any) -> tuple[str | None, str]:
    """({result, text}) checked: a result of BODY_SCAN_RESULTS (or null to clear it) and, for
    a sensation, where and what in a short line."""
    if not isinstance(payload, dict) or set(payload) != {"result", "text"}:
        raise EventError("invalid_payload", "bodyscan:set needs {result, text}.")
    result, text = payload["result"], payload["text"]
    if result is not None and (not isinstance(result, str) or result not in BODY_SCAN_RESULTS):
        raise EventError("invalid_value", "result must be clear, sensation or null.")
    if not isinstance(text, str) or len(text) > MAX_BODY_SCAN_NOTE or CONTROL.search(text):
        raise EventError(
            "invalid_value", f"text must be one line of at most {MAX_BODY_SCAN_NOTE} characters."
        )
    text = text.strip()
    if result != "sensation" and text:
        raise EventError("invalid_value", "Only a sensation noticed has a where and what.")
    return result, text


def scan_of(session_id: int, target_id: int) -> dict[str, Any]:
    """The body scan of a target in a session: {result, result_name, text}."""
    row = db.session.execute(
        sa.select(session_target.c.body_scan, session_target.c.body_scan_note).where(
            session_target.c.therapy_session_id == session_id,
            session_target.c.target_id == target_id,
        )
    ).first()
    result, text = row if row is not None else (None, None)
    return {
        "result": result,
        "result_name": BODY_SCAN_RESULTS.get(result or ""),
        "text": text or "",
    }


def scans_of_sessions(session_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The body scans recorded in each session, by target in the order taken up:
    {session id: [{target_id, result, result_name, text, at}]}."""
    found: dict[int, list[dict[str, Any]]] = {}
    c = session_target.c
    rows = db.session.execute(
        sa.select(c.therapy_session_id, c.target_id, c.body_scan, c.body_scan_note, c.body_scan_at)
        .where(c.therapy_session_id.in_(session_ids), c.body_scan.is_not(None))
        .order_by(c.added_at, c.target_id)
    )
    for session_id, target_id, result, text, at in rows:
        found.setdefault(session_id, []).append(
            {
                "target_id": target_id,
                "result": result,
                "result_name": BODY_SCAN_RESULTS[result],
                "text": text or "",
                "at": at.isoformat() + "Z" if at else None,
            }
        )
    return found


def body_scan_words(therapy_session: TherapySession) -> tuple[str, ...]:
    """Each body scan of the session in words: "The flood: sensation noticed (tight chest)"."""
    titles = {target.id: target.title for target in therapy_session.targets}
    return tuple(
        f"{titles.get(scan['target_id'], 'Target')}: {scan['result_name'].lower()}"
        + (f" ({scan['text']})" if scan["text"] else "")
        for scan in scans_of_sessions([therapy_session.id]).get(therapy_session.id, [])
    )


@socketio.on("bodyscan:set")
@room_event(THERAPIST)
def on_bodyscan_set(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: what the body scan of the target worked on now found ({result: clear,
    sensation or null, text: where and what, for a sensation})."""
    result, text = _clean(payload)
    therapy_session = db.session.get(TherapySession, session_id)
    target_id = therapy_session.current_target_id
    if target_id is None:
        raise EventError("no_target", "Choose the target worked on first.")
    db.session.execute(
        sa.update(session_target)
        .where(
            session_target.c.therapy_session_id == session_id,
            session_target.c.target_id == target_id,
        )
        .values(body_scan=result, body_scan_note=text or None, body_scan_at=utcnow())
    )
    audit.log(
        "session.body_scan",
        detail=f"target {target_id} {result or 'none'}",
        session_id=session_id,
        client_id=therapy_session.client_id,
    )
    db.session.commit()
    return {"ok": True, "target_id": target_id, **scan_of(session_id, target_id)}
