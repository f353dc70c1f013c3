"""The therapist's live controls: change settings, start and stop the stimulation."""

from __future__ import annotations

from typing import Any

from .. import rooms, stimulation
from ..extensions import socketio
from ..sockets import THERAPIST, publish_state, room_event


def _publish(session_id: int, state: rooms.State) -> dict[str, Any]:
    publish_state(session_id, state)
    return {"ok": True, "rev": state["rev"]}


def _no_payload(event: str, payload: Any) -> None:
    if payload is not None and payload != {}:
        raise stimulation.StimError("invalid_payload", f"{event} takes no payload.")


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
    _no_payload("stim:start", payload)
    return _publish(session_id, rooms.change_state(session_id, stimulation.start))


@socketio.on("stim:pause")
@room_event(THERAPIST)
def on_stim_pause(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: freeze the target where it is; stim:start resumes the set."""
    _no_payload("stim:pause", payload)
    return _publish(session_id, rooms.change_state(session_id, stimulation.pause))


@socketio.on("stim:stop")
@room_event(THERAPIST)
def on_stim_stop(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: stop; the target glides to the centre and rests."""
    _no_payload("stim:stop", payload)
    return _publish(session_id, rooms.change_state(session_id, stimulation.stop))
