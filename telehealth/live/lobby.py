"""The optional waiting room: with it on, a client whose join link has not been let in waits
outside the session's room (no stimulation, no call, no questions) until the therapist admits
them. Admission is kept on the link, so a reload, a dropped network or a server restart does
not send an admitted client back to wait."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..extensions import db, socketio
from ..models import JoinLink, TherapySession, utcnow
from ..staff import audit
from .access import THERAPIST
from .channels import lobby_room, session_room
from .guard import enabled_flag, no_payload, room_event


def must_wait(therapy_session: TherapySession, link_id: int) -> bool:
    """Does a client arriving with this link wait to be let in?"""
    if not therapy_session.waiting_room:
        return False
    link = db.session.get(JoinLink, link_id)
    return link is None or link.admitted_at is None


def lobby_state(therapy_session: TherapySession) -> dict[str, Any]:
    """What the therapist's panel shows: the switch, and whether a client is waiting."""
    return {
        "enabled": therapy_session.waiting_room,
        "waiting": therapy_session.client_waiting_since is not None,
    }


def set_waiting(therapy_session: TherapySession, waiting: bool) -> None:
    """Note whether a client is waiting; the caller commits."""
    therapy_session.client_waiting_since = utcnow() if waiting else None


def admit(therapy_session: TherapySession) -> int:
    """Let in the clients of this session's links that have been used (the ones that can be
    waiting, or already in); returns how many links were let in. The caller commits."""
    now = utcnow()
    done = db.session.execute(
        sa.update(JoinLink)
        .where(
            JoinLink.therapy_session_id == therapy_session.id,
            JoinLink.used_at.is_not(None),
            JoinLink.admitted_at.is_(None),
            JoinLink.revoked_at.is_(None),
            JoinLink.expires_at > now,
        )
        .values(admitted_at=now)
    )
    therapy_session.client_waiting_since = None
    return done.rowcount


def _let_in(therapy_session: TherapySession) -> int:
    """Admit the session's used links; the waiting pages hear it and come in by themselves."""
    admitted = admit(therapy_session)
    if admitted:
        audit.log("client.admitted", session_id=therapy_session.id)
    db.session.commit()
    socketio.emit("lobby:admitted", {}, to=lobby_room(therapy_session.id))
    socketio.emit("lobby:state", lobby_state(therapy_session), to=session_room(therapy_session.id))
    return admitted


@socketio.on("lobby:toggle")
@room_event(THERAPIST)
def on_lobby_toggle(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: use a waiting room in this session, or not ({enabled: bool}).

    Turning it on leaves whoever has already joined inside; turning it off lets everyone in.
    """
    enabled = enabled_flag("lobby:toggle", payload)
    therapy_session = db.session.get(TherapySession, session_id)
    therapy_session.waiting_room = enabled
    _let_in(therapy_session)
    return {"ok": True, "enabled": enabled}


@socketio.on("lobby:admit")
@room_event(THERAPIST)
def on_lobby_admit(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: let the waiting client in."""
    no_payload("lobby:admit", payload)
    admitted = _let_in(db.session.get(TherapySession, session_id))
    return {"ok": True, "admitted": admitted}
