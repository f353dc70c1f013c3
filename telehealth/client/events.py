"""What the client's browser tells the room: its screen, whether it can hear, its own pause,
its answers to the checks before any stimulation."""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from ..extensions import db, socketio
from ..live import scores, sets, state
from ..live.access import CLIENT
from ..live.channels import session_room
from ..live.guard import EventError, fast_event, no_payload, room_event
from ..models import TherapySession, utcnow
from ..staff import audit
from . import screening

PRESENCE_FIELDS = {
    "width": int,
    "height": int,
    "visible": bool,
    "fullscreen": bool,
    "sound": str,
    "wake_lock": str,
    "missing": list,
    "rtt_ms": float,
    "phase": str,
    "layout": dict,
    "tactile": list,
}
# The fields that take one word of a fixed few: the page's phase, its sound, its wake lock.
CHOICES = {
    "phase": ("checks", "waiting", "session", "ended"),
    # on; off (not started, or stopped by the browser); failed (did not start in time);
    # unsupported (no Web Audio)
    "sound": ("on", "off", "failed", "unsupported"),
    # on (the screen is kept on); off; refused (asked for, the browser said no); unsupported
    "wake_lock": ("on", "off", "refused", "unsupported"),
}
# The fields that list some words of a fixed set, each once: the client's tactile channels that
# are on, and what the client's browser cannot do (no canvas, no full screen, no video call).
SUBSETS = {"tactile": ("gamepad", "vibration"), "missing": ("canvas", "fullscreen", "video")}
# Where the parts of the client's screen are, for the therapist's mirror: [x, y, width, height]
# in CSS pixels, or null when that part is not on screen.
LAYOUT_PARTS = {"stage", "dock", "video", "question", "task"}
MAX_SCREEN_PX = 20000
MAX_RTT_MS = 60000.0


def validate_presence(payload: Any) -> dict[str, Any]:
    """Exactly the presence fields, with the right types and sane values (rtt_ms may be null)."""
    if not isinstance(payload, dict) or set(payload) != set(PRESENCE_FIELDS):
        raise EventError(
            "invalid_payload", f"presence:update needs exactly: {', '.join(PRESENCE_FIELDS)}."
        )
    clean = dict(payload)
    for name, kind in PRESENCE_FIELDS.items():
        value = payload[name]
        if name in CHOICES:
            if not isinstance(value, str) or value not in CHOICES[name]:
                raise EventError(
                    "invalid_value", f"{name} must be one of: {', '.join(CHOICES[name])}."
                )
        elif name == "layout":
            clean[name] = _layout(value)
        elif name in SUBSETS:
            if (
                not isinstance(value, list)
                or not all(isinstance(v, str) and v in SUBSETS[name] for v in value)
                or len(set(value)) != len(value)
            ):
                raise EventError(
                    "invalid_value", f"{name} must list some of: {', '.join(SUBSETS[name])}."
                )
        elif kind is float:
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise EventError("invalid_value", f"{name} must be a number or null.")
            if not 0 <= value <= MAX_RTT_MS:
                raise EventError("out_of_range", f"{name} must be between 0 and {MAX_RTT_MS:g}.")
            clean[name] = round(float(value), 1)
        elif type(value) is not kind:
            raise EventError("invalid_value", f"{name} must be {kind.__name__}.")
        elif kind is int and not 1 <= value <= MAX_SCREEN_PX:
            raise EventError("out_of_range", f"{name} must be between 1 and {MAX_SCREEN_PX}.")
    return clean


def _layout(value: Any) -> dict[str, list[int] | None]:
    if not isinstance(value, dict) or set(value) != LAYOUT_PARTS:
        raise EventError(
            "invalid_value", f"layout needs exactly: {', '.join(sorted(LAYOUT_PARTS))}."
        )
    for part, rect in value.items():
        if rect is None:
            continue
        if (
            not isinstance(rect, list)
            or len(rect) != 4
            or not all(type(v) is int and 0 <= v <= MAX_SCREEN_PX for v in rect)
        ):
            raise EventError(
                "invalid_value",
                f"layout.{part} must be null or [x, y, width, height] in whole pixels"
                f" from 0 to {MAX_SCREEN_PX}.",
            )
    return dict(value)


@fast_event("presence:update", CLIENT)
def on_presence_update(sid: str, session_id: int, payload: Any, app: Flask) -> dict[str, Any]:
    """Client: its viewport, visibility, full screen, sound, wake lock and what its browser
    lacks; relayed to the therapist."""
    presence = validate_presence(payload)
    socketio.emit(
        "presence:state", {**presence, "connected": True}, to=session_room(session_id), skip_sid=sid
    )
    return {"ok": True}


@socketio.on("score:submit")
@room_event(CLIENT)
def on_score_submit(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Client: answer the open question ({prompt_id, value}); a retry is stored once."""
    score, new = scores.answer(session_id, payload)
    db.session.commit()
    if new:
        socketio.emit("score:recorded", score.as_dict(), to=session_room(session_id))
    return {"ok": True, "score": score.as_dict()}


@fast_event("stim:applied", CLIENT)
def on_stim_applied(sid: str, session_id: int, payload: Any, app: Flask) -> dict[str, Any]:
    """Client: it now draws state ``rev``; the therapist's panel shows what the client shows."""
    rev = payload.get("rev") if isinstance(payload, dict) and len(payload) == 1 else None
    if isinstance(rev, bool) or not isinstance(rev, int) or rev < 0:
        raise EventError("invalid_payload", "stim:applied needs {rev: whole number}.")
    socketio.emit("presence:applied", {"rev": rev}, to=session_room(session_id), skip_sid=sid)
    return {"ok": True}


@socketio.on("stim:client_pause")
@room_event(CLIENT)
def on_stim_client_pause(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Client: pause the running set at once (their own stop); only the therapist resumes."""
    no_payload("stim:client_pause", payload)
    new = state.commit_change(session_id, state.pause_running)
    if new is None:
        return {"ok": True, "paused": False}
    number = sets.note_client_pause(session_id)
    audit.log(
        "set.client_paused",
        detail=f"set {number}" if number else None,
        session_id=session_id,
        with_address=False,
    )
    db.session.commit()
    state.publish_state(session_id, new)
    socketio.emit("stim:client_paused", {"set": number}, to=session_room(session_id))
    return {"ok": True, "paused": True, "rev": new["rev"]}


@socketio.on("screening:answer")
@room_event(CLIENT)
def on_screening_answer(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Client: its answers to the four safety questions ({question: bool}), once per client."""
    answers = screening.validate_answers(payload)
    therapy_session = db.session.get(TherapySession, session_id)
    screening.record(therapy_session.client_id, answers)
    yes = len(screening.flags_of(answers))
    audit.log(  # how many yes only: the answers themselves are clinical
        "client.screened",
        detail=f"{yes} yes",
        session_id=session_id,
        client_id=therapy_session.client_id,
        with_address=False,
    )
    db.session.commit()
    announced = screening.screening_state(therapy_session)
    socketio.emit("screening:state", announced, to=session_room(session_id))
    return {"ok": True, **announced}


@socketio.on("soundcheck:result")
@room_event(CLIENT)
def on_soundcheck_result(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Client: what its left-and-right sound check found ({result}); relayed, not stored."""
    if not isinstance(payload, dict) or set(payload) != {"result"}:
        raise EventError("invalid_payload", "soundcheck:result needs {result}.")
    result = payload["result"]
    if not isinstance(result, str) or result not in screening.SOUND_RESULTS:
        raise EventError("invalid_value", f"result must be {', '.join(screening.SOUND_RESULTS)}.")
    socketio.emit(
        "soundcheck:state", {"result": result}, to=session_room(session_id), skip_sid=request.sid
    )
    return {"ok": True}


@socketio.on("checks:done")
@room_event(CLIENT)
def on_checks_done(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Client: it went through the checks before any stimulation ({sound}: what its sound
    check found), kept with the session: a reload of its page offers one tap back in."""
    if not isinstance(payload, dict) or set(payload) != {"sound"}:
        raise EventError("invalid_payload", "checks:done needs {sound}.")
    sound = payload["sound"]
    if not isinstance(sound, str) or sound not in screening.SOUND_RESULTS:
        raise EventError("invalid_value", f"sound must be {', '.join(screening.SOUND_RESULTS)}.")
    therapy_session = db.session.get(TherapySession, session_id)
    if therapy_session.client.screened_at is None:
        raise EventError("not_screened", "Answer the safety questions first.")
    therapy_session.client_checked_at = utcnow()
    therapy_session.client_sound_check = sound
    db.session.commit()
    return {"ok": True}
