"""The therapist's live controls: stimulation settings, start, pause, stop; SUD/VOC scores;
confirming the client's screening warnings; asking for the sound check again."""

from __future__ import annotations

from typing import Any

from flask import Flask

from .. import stimulation
from ..client import screening
from ..extensions import db, socketio
from ..live import scores, sets, state
from ..live.access import THERAPIST
from ..live.channels import session_room
from ..live.guard import SLOW, EventError, fast_event, no_payload, room_event
from ..models import TherapySession
from ..staff import audit


def _publish(session_id: int, new: state.State) -> dict[str, Any]:
    state.publish_state(session_id, new)
    return {"ok": True, "rev": new["rev"]}


def _settings_change(payload: Any) -> state.Change:
    changes = stimulation.validate_changes(payload)
    return lambda old, t_ms: stimulation.apply_settings(old, changes, t_ms)


def update_settings(session_id: int, payload: Any = None) -> dict[str, Any]:
    """stim:update the guarded way (a recheck due, a set's length changed mid-set, ...)."""
    return _publish(session_id, state.commit_change(session_id, _settings_change(payload)))


@fast_event("stim:update", THERAPIST, full=update_settings)
def on_stim_update(sid: str, session_id: int, payload: Any, app: Flask) -> Any:
    """Therapist: change some settings; the target carries on from where it is."""
    new = state.commit_change_direct(app, session_id, _settings_change(payload))
    return SLOW if new is None else _publish(session_id, new)


@socketio.on("stim:start")
@room_event(THERAPIST)
def on_stim_start(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: start a set with the current settings; not while a "yes" of the client's
    screening waits for screening:seen."""
    no_payload("stim:start", payload)
    if screening.unseen_warning(db.session.get(TherapySession, session_id)):
        raise EventError(
            "screening_unseen",
            "The client answered yes to a safety question: talk it through with them and "
            "confirm on the panel before the first set.",
        )
    return _publish(session_id, state.commit_change(session_id, stimulation.start))


@socketio.on("stim:pause")
@room_event(THERAPIST)
def on_stim_pause(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: freeze the target where it is; stim:start resumes the set."""
    no_payload("stim:pause", payload)
    return _publish(session_id, state.commit_change(session_id, stimulation.pause))


@socketio.on("stim:stop")
@room_event(THERAPIST)
def on_stim_stop(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: stop; the target glides to the centre and rests."""
    no_payload("stim:stop", payload)
    return _publish(session_id, state.commit_change(session_id, stimulation.stop))


@socketio.on("score:prompt")
@room_event(THERAPIST)
def on_score_prompt(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: ask the client for a SUD or VOC score ({kind}, and a purpose when asked in
    the assessment or for a re-evaluation); the client sees a slider."""
    if not isinstance(payload, dict) or not {"kind"} <= set(payload) <= {"kind", "purpose"}:
        raise EventError("invalid_payload", "score:prompt needs {kind} (and purpose).")
    if payload.get("purpose") == "back_to_target" and sets.open_set_of(session_id) is not None:
        raise EventError("set_running", "A set is running: ask the SUD when it ends.")
    score = scores.prompt(session_id, payload["kind"], payload.get("purpose"))
    db.session.commit()
    socketio.emit("score:asked", scores.asked_payload(score), to=session_room(session_id))
    return {"ok": True, "prompt_id": score.submission_id}


@socketio.on("score:withdraw")
@room_event(THERAPIST)
def on_score_withdraw(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: take back an unanswered question."""
    no_payload("score:withdraw", payload)
    withdrawn = scores.withdraw_prompt(session_id)
    db.session.commit()
    if withdrawn:
        socketio.emit("score:withdrawn", {}, to=session_room(session_id))
    return {"ok": True}


@socketio.on("score:enter")
@room_event(THERAPIST)
def on_score_enter(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: enter a score ({id, kind, value}); a retry with the same id is stored once."""
    score, new = scores.enter(session_id, payload)
    db.session.commit()
    if new:
        socketio.emit("score:recorded", score.as_dict(), to=session_room(session_id))
    return {"ok": True, "score": score.as_dict()}


@socketio.on("screening:seen")
@room_event(THERAPIST)
def on_screening_seen(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: they talked the client's screening warnings through; sets may start."""
    no_payload("screening:seen", payload)
    therapy_session = db.session.get(TherapySession, session_id)
    if screening.mark_seen(therapy_session):
        audit.log("screening.seen", session_id=session_id, client_id=therapy_session.client_id)
        db.session.commit()
    room_state = screening.screening_state(therapy_session)
    socketio.emit("screening:state", room_state, to=session_room(session_id))
    return {"ok": True, **room_state}


@socketio.on("soundcheck:ask")
@room_event(THERAPIST)
def on_soundcheck_ask(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: ask the client to do the sound check again (between sets only: its card
    covers the target); the client's page shows it and reports as the first time."""
    no_payload("soundcheck:ask", payload)
    if sets.open_set_of(session_id) is not None:
        raise EventError("set_running", "A set is running or paused: ask when it has ended.")
    socketio.emit("soundcheck:asked", {}, to=session_room(session_id))
    return {"ok": True}
