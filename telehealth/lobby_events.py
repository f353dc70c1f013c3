"""The therapist's side of the waiting room: turn it on or off, let the waiting client in."""

from __future__ import annotations

from typing import Any

from . import audit, lobby
from .channels import lobby_name, room_name
from .extensions import db, socketio
from .models import TherapySession
from .sockets import THERAPIST, room_event
from .stimulation import StimError


def _let_in(therapy_session: TherapySession) -> int:
    """Admit the session's used links; the waiting pages hear it and come in by themselves."""
    admitted = lobby.admit(therapy_session)
    if admitted:
        audit.record("client.admitted", session_id=therapy_session.id)
    db.session.commit()
    socketio.emit("lobby:admitted", {}, to=lobby_name(therapy_session.id))
    return admitted


@socketio.on("lobby:toggle")
@room_event(THERAPIST)
def on_lobby_toggle(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: use a waiting room in this session, or not ({enabled: bool}).

    Turning it on leaves whoever has already joined inside; turning it off lets everyone in.
    """
    enabled = payload.get("enabled") if isinstance(payload, dict) and len(payload) == 1 else None
    if not isinstance(enabled, bool):
        raise StimError("invalid_payload", "lobby:toggle needs {enabled: true or false}.")
    therapy_session = db.session.get(TherapySession, session_id)
    therapy_session.waiting_room = enabled
    _let_in(therapy_session)
    socketio.emit("lobby:state", lobby.lobby_state(therapy_session), to=room_name(session_id))
    return {"ok": True, "enabled": enabled}


@socketio.on("lobby:admit")
@room_event(THERAPIST)
def on_lobby_admit(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: let the waiting client in."""
    if payload is not None and payload != {}:
        raise StimError("invalid_payload", "lobby:admit takes no payload.")
    therapy_session = db.session.get(TherapySession, session_id)
    admitted = _let_in(therapy_session)
    socketio.emit("lobby:state", lobby.lobby_state(therapy_session), to=room_name(session_id))
    return {"ok": True, "admitted": admitted}
