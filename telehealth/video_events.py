"""Video call signalling: offers, answers and ICE candidates relayed inside one room, between
its therapist and its client only. Media never passes through the server."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, session

from . import video
from .channels import room_name
from .extensions import db, socketio
from .models import TherapySession
from .sockets import CLIENT, THERAPIST, room_event
from .stimulation import StimError


def _video_on(session_id: int) -> None:
    if not db.session.get(TherapySession, session_id).video_enabled:
        raise StimError("video_off", "The video call is off for this session.")


@socketio.on("rtc:ice")
@room_event(THERAPIST, CLIENT)
def on_rtc_ice(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist or client: the ICE servers to call with (TURN credentials last a short while)."""
    if payload is not None and payload != {}:
        raise StimError("invalid_payload", "rtc:ice takes no payload.")
    _video_on(session_id)
    tag = f"s{session_id}{session['socket_role'][0]}"
    return {"ok": True, "ice_servers": video.ice_servers(current_app.config, tag)}


@socketio.on("rtc:signal")
@room_event(THERAPIST, CLIENT)
def on_rtc_signal(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist or client: one signalling message for the other side of this room only."""
    message = video.validate_signal(payload)
    _video_on(session_id)
    role = session["socket_role"]
    if message["kind"] in ("join", "leave"):
        therapy_session = db.session.get(TherapySession, session_id)
        setattr(therapy_session, f"{role}_in_call", message["kind"] == "join")
        db.session.commit()
    message["from"] = role
    socketio.emit("rtc:signal", message, to=room_name(session_id), skip_sid=request.sid)
    return {"ok": True}


@socketio.on("video:toggle")
@room_event(THERAPIST)
def on_video_toggle(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: use the built-in video call in this session, or not ({enabled: bool})."""
    enabled = payload.get("enabled") if isinstance(payload, dict) and len(payload) == 1 else None
    if not isinstance(enabled, bool):
        raise StimError("invalid_payload", "video:toggle needs {enabled: true or false}.")
    therapy_session = db.session.get(TherapySession, session_id)
    therapy_session.video_enabled = enabled
    if not enabled:
        therapy_session.therapist_in_call = therapy_session.client_in_call = False
    db.session.commit()
    socketio.emit("video:state", {"enabled": enabled}, to=room_name(session_id))
    return {"ok": True, "enabled": enabled}
