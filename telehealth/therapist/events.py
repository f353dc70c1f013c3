"""The therapist's live controls: change settings, start and stop the stimulation."""

from __future__ import annotations

from typing import Any

from flask_socketio import emit

from .. import rooms, stimulation
from ..extensions import socketio
from ..models import room_name
from ..sockets import THERAPIST, room_event


def _publish(session_id: int, state: rooms.State) -> dict[str, Any]:
    emit("stim:state", rooms.wire_state(state), to=room_name(session_id))
    return {"ok": True, "rev": state["rev"]}


@socketio.on("stim:update")
@room_event(THERAPIST)
def on_stim_update(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: change some settings; the target carries on from where it is."""
    changes = stimulation.validate_changes(payload)
    state = rooms.change_state(
        session_id, lambda old, t: stimulation.apply_settings(old, changes, t)
    )
    return _publish(session_id, state)


@socketio.on("stim:start")
@room_event(THERAPIST)
def on_stim_start(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: start a set with the current settings."""
    if payload not in (None, {}):
        raise stimulation.StimError("invalid_payload", "stim:start takes no payload.")
    return _publish(session_id, rooms.change_state(session_id, stimulation.start))


@socketio.on("stim:stop")
@room_event(THERAPIST)
def on_stim_stop(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: stop; the target glides to the centre and rests."""
    if payload not in (None, {}):
        raise stimulation.StimError("invalid_payload", "stim:stop takes no payload.")
    return _publish(session_id, rooms.change_state(session_id, stimulation.stop))
