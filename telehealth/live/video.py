"""The video call: ICE servers with short-lived TURN credentials (the TURN REST API scheme coturn
implements with `use-auth-secret`), and signalling (offers, answers, ICE candidates) relayed
inside one room, between its therapist and its client only. Media never passes through here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from flask import current_app, request, session

from ..extensions import db, socketio
from ..models import TherapySession
from .access import CLIENT, THERAPIST
from .channels import session_room
from .guard import EventError, enabled_flag, no_payload, room_event

MAX_NEGOTIATION = 2**31 - 1
MAX_SDP = 60000
MAX_CANDIDATE = 1000


def turn_credentials(secret: str, ttl_s: int, tag: str, now: float | None = None) -> dict[str, str]:
    """username = '<expiry unix time>:<tag>', credential = base64(HMAC-SHA1(secret, username))."""
    expiry = int((time.time() if now is None else now) + ttl_s)
    username = f"{expiry}:{tag}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return {"username": username, "credential": base64.b64encode(digest).decode()}


def ice_servers(config: dict, tag: str) -> list[dict[str, Any]]:
    """The RTCPeerConnection iceServers for one person; empty when none are configured."""
    servers: list[dict[str, Any]] = []
    if config["STUN_URLS"]:
        servers.append({"urls": config["STUN_URLS"]})
    if config["TURN_URLS"] and config["TURN_SECRET"]:
        creds = turn_credentials(config["TURN_SECRET"], int(config["TURN_TTL_S"]), tag)
        servers.append({"urls": config["TURN_URLS"], **creds})
    return servers


def _text(value: Any, limit: int, name: str) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise EventError("invalid_value", f"{name} must be text of at most {limit} characters.")
    return value


def _negotiation(payload: dict[str, Any]) -> int:
    n = payload.get("n")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_NEGOTIATION:
        raise EventError("invalid_value", f"n must be a whole number 1 to {MAX_NEGOTIATION}.")
    return n


def validate_signal(payload: Any) -> dict[str, Any]:
    """One signalling message: {kind: join|leave}, {kind: offer|answer, n, sdp}, or
    {kind: candidate, n, candidate, sdpMid, sdpMLineIndex}. Nothing else passes.

    n numbers the therapist's offers: an answer or candidate names the offer it belongs
    to, so a message from an older negotiation is recognised and dropped by the pages."""
    if not isinstance(payload, dict):
        raise EventError("invalid_payload", "rtc:signal needs an object.")
    kind = payload.get("kind")
    if kind in ("join", "leave"):
        if set(payload) != {"kind"}:
            raise EventError("invalid_payload", f"A {kind} signal carries nothing else.")
        return {"kind": kind}
    if kind in ("offer", "answer"):
        if set(payload) != {"kind", "n", "sdp"}:
            raise EventError("invalid_payload", f"An {kind} carries exactly n and its sdp.")
        n = _negotiation(payload)
        return {"kind": kind, "n": n, "sdp": _text(payload["sdp"], MAX_SDP, "sdp")}
    if kind == "candidate":
        if set(payload) != {"kind", "n", "candidate", "sdpMid", "sdpMLineIndex"}:
            raise EventError(
                "invalid_payload", "A candidate carries n, candidate, sdpMid and sdpMLineIndex."
            )
        n = _negotiation(payload)
        mid, index = payload["sdpMid"], payload["sdpMLineIndex"]
        if mid is not None:
            _text(mid, 64, "sdpMid")
        if index is not None and (
            isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 64
        ):
            raise EventError("invalid_value", "sdpMLineIndex must be a small whole number.")
        return {
            "kind": kind,
            "n": n,
            "candidate": _text(payload["candidate"], MAX_CANDIDATE, "candidate"),
            "sdpMid": mid,
            "sdpMLineIndex": index,
        }
    raise EventError("invalid_value", "kind must be join, leave, offer, answer or candidate.")


def video_state(therapy_session: TherapySession, role: str) -> dict[str, Any]:
    """What a connecting page needs: is video on, and was this person in the call."""
    return {
        "enabled": therapy_session.video_enabled,
        "rejoin": getattr(therapy_session, f"{role}_in_call"),
    }


def _video_on(session_id: int) -> None:
    if not db.session.get(TherapySession, session_id).video_enabled:
        raise EventError("video_off", "The video call is off for this session.")


@socketio.on("rtc:ice")
@room_event(THERAPIST, CLIENT)
def on_rtc_ice(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist or client: the ICE servers to call with (TURN credentials last a short while)."""
    no_payload("rtc:ice", payload)
    _video_on(session_id)
    tag = f"s{session_id}{session['socket_role'][0]}"
    return {"ok": True, "ice_servers": ice_servers(current_app.config, tag)}


@socketio.on("rtc:signal")
@room_event(THERAPIST, CLIENT)
def on_rtc_signal(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist or client: one signalling message for the other side of this room only."""
    message = validate_signal(payload)
    _video_on(session_id)
    role = session["socket_role"]
    if message["kind"] in ("join", "leave"):
        therapy_session = db.session.get(TherapySession, session_id)
        setattr(therapy_session, f"{role}_in_call", message["kind"] == "join")
        db.session.commit()
    message["from"] = role
    socketio.emit("rtc:signal", message, to=session_room(session_id), skip_sid=request.sid)
    return {"ok": True}


@socketio.on("video:toggle")
@room_event(THERAPIST)
def on_video_toggle(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: use the built-in video call in this session, or not ({enabled: bool})."""
    enabled = enabled_flag("video:toggle", payload)
    therapy_session = db.session.get(TherapySession, session_id)
    therapy_session.video_enabled = enabled
    if not enabled:
        therapy_session.therapist_in_call = therapy_session.client_in_call = False
    db.session.commit()
    socketio.emit("video:state", {"enabled": enabled}, to=session_room(session_id))
    return {"ok": True, "enabled": enabled}
