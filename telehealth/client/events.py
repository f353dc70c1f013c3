"""What the client's browser tells the room: its screen and whether it can hear."""

from __future__ import annotations

from typing import Any

from flask import request

from .. import record
from ..channels import room_name
from ..extensions import socketio
from ..sockets import CLIENT, room_event
from ..stimulation import StimError

PRESENCE_FIELDS = {"width": int, "height": int, "visible": bool, "fullscreen": bool, "sound": bool}
MAX_SCREEN_PX = 20000


def validate_presence(payload: Any) -> dict[str, Any]:
    """Exactly the presence fields, with the right types and sane screen sizes."""
    if not isinstance(payload, dict) or set(payload) != set(PRESENCE_FIELDS):
        raise StimError(
            "invalid_payload", f"presence:update needs exactly: {', '.join(PRESENCE_FIELDS)}."
        )
    for name, kind in PRESENCE_FIELDS.items():
        value = payload[name]
        if type(value) is not kind:
            raise StimError("invalid_value", f"{name} must be {kind.__name__}.")
        if kind is int and not 1 <= value <= MAX_SCREEN_PX:
            raise StimError("out_of_range", f"{name} must be between 1 and {MAX_SCREEN_PX}.")
    return dict(payload)


@socketio.on("presence:update")
@room_event(CLIENT)
def on_presence_update(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Client: its viewport, tab visibility, full screen and sound; relayed to the therapist."""
    presence = validate_presence(payload)
    socketio.emit(
        "presence:state",
        {**presence, "connected": True},
        to=room_name(session_id),
        skip_sid=request.sid,
    )
    return {"ok": True}


@socketio.on("score:submit")
@room_event(CLIENT)
def on_score_submit(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Client: answer the open question ({prompt_id, value}); a retry is stored once."""
    score, new = record.answer(session_id, payload)
    if new:
        socketio.emit("score:recorded", score.as_dict(), to=room_name(session_id))
    return {"ok": True, "score": score.as_dict()}
