"""The therapist's live controls: stimulation settings, start, pause, stop; SUD/VOC scores."""

from __future__ import annotations

from typing import Any

from flask import Flask

from .. import record, rooms, stimulation
from ..channels import room_name
from ..extensions import socketio
from ..sockets import SLOW, THERAPIST, asked_payload, fast_event, publish_state, room_event


def _publish(session_id: int, state: rooms.State) -> dict[str, Any]:
    publish_state(session_id, state)
    return {"ok": True, "rev": state["rev"]}


def _no_payload(event: str, payload: Any) -> None:
    if payload is not None and payload != {}:
        raise stimulation.StimError("invalid_payload", f"{event} takes no payload.")


def _settings_change(payload: Any) -> rooms.Change:
    changes = stimulation.validate_changes(payload)
    return lambda old, t_ms: stimulation.apply_settings(old, changes, t_ms)


def update_settings(session_id: int, payload: Any = None) -> dict[str, Any]:
    """stim:update the guarded way (a recheck due, a set's length changed mid-set, ...)."""
    return _publish(session_id, rooms.change_state(session_id, _settings_change(payload)))


@fast_event("stim:update", THERAPIST, full=update_settings)
def on_stim_update(sid: str, session_id: int, payload: Any, app: Flask) -> Any:
    """Therapist: change some settings; the target carries on from where it is."""
    state = rooms.change_state_direct(app, session_id, _settings_change(payload))
    return SLOW if state is None else _publish(session_id, state)


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


@socketio.on("score:prompt")
@room_event(THERAPIST)
def on_score_prompt(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: ask the client for a SUD or VOC score ({kind}); the client sees a slider."""
    if not isinstance(payload, dict) or set(payload) != {"kind"}:
        raise stimulation.StimError("invalid_payload", "score:prompt needs {kind}.")
    score = record.prompt(session_id, payload["kind"])
    socketio.emit("score:asked", asked_payload(score), to=room_name(session_id))
    return {"ok": True, "prompt_id": score.submission_id}


@socketio.on("score:withdraw")
@room_event(THERAPIST)
def on_score_withdraw(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: take back an unanswered question."""
    _no_payload("score:withdraw", payload)
    if record.withdraw_prompt(session_id):
        socketio.emit("score:withdrawn", {}, to=room_name(session_id))
    return {"ok": True}


@socketio.on("score:record")
@room_event(THERAPIST)
def on_score_record(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: enter a score ({id, kind, value}); a retry with the same id is stored once."""
    score, new = record.enter(session_id, payload)
    if new:
        socketio.emit("score:recorded", score.as_dict(), to=room_name(session_id))
    return {"ok": True, "score": score.as_dict()}
