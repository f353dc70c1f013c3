"""The therapist's EMDR 2.0 tasks and what happens between sets: the dual-attention task the
client sees during a set, the therapist's own prompts, the question asked after each set and
what the client noticed in a set."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..client import dualtask
from ..extensions import db, socketio
from ..live import scores, sets
from ..live.access import THERAPIST
from ..live.channels import panels_room, session_room
from ..live.guard import EventError, room_event
from ..models import SCORE_KINDS, DualTask, Score, StimSet, TherapySession
from ..models.protocol import NEXT_STEPS
from ..staff import audit

MAX_NOTICED = 500


def task_state(therapy_session: TherapySession) -> dict[str, Any]:
    """What task:state tells the room: the task's words, or None."""
    return {"text": therapy_session.dual_task}


def between_state(therapy_session: TherapySession) -> dict[str, Any]:
    """What between:state tells the panels: the question asked after each set, or None."""
    return {"ask": therapy_session.ask_after_set}


def choices(therapist_id: int) -> dict[str, Any]:
    """What the panel's task picker offers (templates/therapist/_tasks.html)."""
    return {
        "builtin": {
            category: {key: str(text) for key, text in prompts.items()}
            for category, prompts in dualtask.BUILT_IN.items()
        },
        "own": [{"id": p.id, "text": p.text} for p in dualtask.own_prompts(therapist_id)],
        "kinds": list(dualtask.KINDS),
    }


def _record_on_open_set(session_id: int, text: str) -> None:
    """A task given during a set is recorded with it, after any it had."""
    open_set = sets.open_set_of(session_id)
    if open_set is None or open_set.task == text:
        return
    open_set.task = f"{open_set.task} → {text}" if open_set.task else text


@socketio.on("task:set")
@room_event(THERAPIST)
def on_task_set(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: the dual-attention task for the next or running set ({kind, ...}), or none
    ({kind: null}); the client sees its words while a set runs."""
    therapy_session = db.session.get(TherapySession, session_id)
    language = therapy_session.client.language
    text = dualtask.task_text(payload, therapy_session.therapist_id, language)
    therapy_session.dual_task = text
    if text is not None:
        _record_on_open_set(session_id, text)
    audit.log("task.set", detail=payload["kind"], session_id=session_id)
    db.session.commit()
    socketio.emit("task:state", task_state(therapy_session), to=session_room(session_id))
    return {"ok": True, "text": text}


@socketio.on("between:set")
@room_event(THERAPIST)
def on_between_set(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: ask the client a SUD or VOC score after each set ({ask: "sud"|"voc"|null})."""
    ask = payload.get("ask", "") if isinstance(payload, dict) and len(payload) == 1 else ""
    if ask is not None and (not isinstance(ask, str) or ask not in SCORE_KINDS):
        raise EventError("invalid_payload", "between:set needs {ask: sud, voc or null}.")
    therapy_session = db.session.get(TherapySession, session_id)
    therapy_session.ask_after_set = ask
    db.session.commit()
    answer = between_state(therapy_session)
    socketio.emit("between:state", answer, to=panels_room(session_id))
    return {"ok": True, **answer}


def _set_of(session_id: int, number: Any) -> StimSet:
    """The session's set of that number; raises not_found."""
    stim_set = None
    if isinstance(number, int) and not isinstance(number, bool) and 0 < number < 2**31:
        stim_set = db.session.scalar(
            sa.select(StimSet).where(
                StimSet.therapy_session_id == session_id, StimSet.number == number
            )
        )
    if stim_set is None:
        raise EventError("not_found", "This session has no set with that number.")
    return stim_set


@socketio.on("set:notice")
@room_event(THERAPIST)
def on_set_notice(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: what the client noticed in set ``set`` ({set, text}; empty text clears it)."""
    if not isinstance(payload, dict) or set(payload) != {"set", "text"}:
        raise EventError("invalid_payload", "set:notice needs {set, text}.")
    number, text = payload["set"], payload["text"]
    if not isinstance(text, str) or len(text) > MAX_NOTICED:
        raise EventError("invalid_value", f"text must be at most {MAX_NOTICED} characters.")
    stim_set = _set_of(session_id, number)
    stim_set.noticed = text.strip() or None
    audit.log("set.noticed", detail=f"set {number}", session_id=session_id)
    db.session.commit()
    return {"ok": True, "set": number, "noticed": stim_set.noticed}


def _ask_back_to_target(session_id: int, stim_set: StimSet) -> tuple[Score | None, str | None]:
    """Back to target after the latest set: the client's SUD, asked now on their screen
    (purpose back_to_target, beside that set); never while a set runs. (prompt, why not)."""
    if sets.open_set_of(session_id) is not None:
        return None, "A set is running: ask the SUD when it ends."
    if stim_set.id != sets.latest_set_id(session_id):
        return None, "A later set was run: the SUD is not asked for an earlier one."
    return scores.prompt(session_id, "sud", "back_to_target"), None


def _withdraw_back_to_target(session_id: int) -> bool:
    """The back-to-target SUD still waiting, taken back when the choice changes."""
    waiting = scores.open_prompt(session_id)
    if waiting is None or waiting.purpose != "back_to_target":
        return False
    db.session.delete(waiting)
    return True


@socketio.on("set:next")
@room_event(THERAPIST)
def on_set_next(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: the choice after set ``set`` ({set, next}: go on, back to target, close, or
    null to clear it), kept with the set; back to target asks the client's SUD at once."""
    if not isinstance(payload, dict) or set(payload) != {"set", "next"}:
        raise EventError("invalid_payload", "set:next needs {set, next}.")
    number, choice = payload["set"], payload["next"]
    if choice is not None and (not isinstance(choice, str) or choice not in NEXT_STEPS):
        raise EventError("invalid_value", "next must be go_on, back_to_target, close or null.")
    stim_set = _set_of(session_id, number)
    stim_set.next_step = choice
    asked, why_not, withdrawn = None, None, False
    if choice == "back_to_target":
        asked, why_not = _ask_back_to_target(session_id, stim_set)
    else:
        withdrawn = _withdraw_back_to_target(session_id)
    audit.log("set.next", detail=f"set {number} {choice or 'none'}", session_id=session_id)
    db.session.commit()
    room = session_room(session_id)
    if asked is not None:
        socketio.emit("score:asked", scores.asked_payload(asked), to=room)
    if withdrawn:
        socketio.emit("score:withdrawn", {}, to=room)
    answer = {"ok": True, "set": number, "next": choice}
    if choice == "back_to_target":
        answer["asked"] = asked.submission_id if asked else None
        answer["not_asked"] = why_not
    return answer


@socketio.on("taskprompt:add")
@room_event(THERAPIST)
def on_taskprompt_add(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: keep a prompt of their own ({text}) for the tasks of any session."""
    text = dualtask.prompt_text(payload)
    therapist_id = db.session.get(TherapySession, session_id).therapist_id
    prompt = DualTask(therapist_id=therapist_id, text=text)
    db.session.add(prompt)
    db.session.flush()
    audit.log("task_prompt.added", detail=f"prompt {prompt.id}", session_id=session_id)
    db.session.commit()
    return {"ok": True, "prompt": {"id": prompt.id, "text": prompt.text}}


@socketio.on("taskprompt:remove")
@room_event(THERAPIST)
def on_taskprompt_remove(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: delete a prompt of their own ({id})."""
    if not isinstance(payload, dict) or set(payload) != {"id"}:
        raise EventError("invalid_payload", "taskprompt:remove needs {id}.")
    therapist_id = db.session.get(TherapySession, session_id).therapist_id
    prompt = dualtask.own_prompt(therapist_id, payload["id"])
    if prompt is None:
        raise EventError("not_found", "There is no prompt of yours with that id.")
    audit.log("task_prompt.removed", detail=f"prompt {prompt.id}", session_id=session_id)
    db.session.delete(prompt)
    db.session.commit()
    return {"ok": True, "id": payload["id"]}
