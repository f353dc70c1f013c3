"""A socket's arrival and departure, and the clock pings every page syncs with."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, request, session
from flask_socketio import ConnectionRefusedError, disconnect, emit, join_room

from ..client import screening
from ..extensions import db, socketio
from ..models import JoinLink, TherapySession
from . import lobby, scores, state, video
from .access import CLIENT, THERAPIST, identify
from .channels import link_room, lobby_room, login_room, panels_room, session_room
from .guard import EventError, error, fast_event, within_rate


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    """Anyone: join the room of one's session, or be refused."""
    who = identify(auth)
    if who is None:
        raise ConnectionRefusedError("unauthorized")
    role, therapy_session = who
    # A room per login and per join link, so ending either cuts this socket at once.
    if role == THERAPIST:
        own, most = login_room(session["login_id"]), current_app.config["SOCKETS_PER_LOGIN"]
    else:
        own, most = link_room(session["client_link_id"]), current_app.config["SOCKETS_PER_LINK"]
    if len(list(socketio.server.manager.get_participants("/", own))) >= most:
        raise ConnectionRefusedError("too many connections")
    session["socket_role"], session["socket_session_id"] = role, therapy_session.id
    session["checked_at"] = time.monotonic()
    join_room(own)
    if role == CLIENT and lobby.must_wait(therapy_session, session["client_link_id"]):
        _wait_in_lobby(therapy_session)
        return
    room = session_room(therapy_session.id)
    join_room(room)
    emit("stim:state", state.wire_state(therapy_session.stim_state))
    emit("video:state", video.video_state(therapy_session, role))
    emit("task:state", {"text": therapy_session.dual_task})
    if role == THERAPIST:  # ask the client's page to say how it is now
        join_room(panels_room(therapy_session.id))
        emit("presence:request", to=room, skip_sid=request.sid)
        emit("lobby:state", lobby.lobby_state(therapy_session))
        emit("screening:state", screening.screening_state(therapy_session))
        emit("between:state", {"ask": therapy_session.ask_after_set})
    state.arrived(therapy_session.id, role)
    db.session.commit()
    waiting = scores.open_prompt(therapy_session.id)
    if waiting is not None:  # a question asked before a reload or a drop is still open
        emit("score:asked", scores.asked_payload(waiting))


def _wait_in_lobby(therapy_session: TherapySession) -> None:
    """A client not yet let in: outside the room, in its waiting room; the therapist hears."""
    session["in_lobby"] = True
    join_room(lobby_room(therapy_session.id))
    lobby.set_waiting(db.session.get(JoinLink, session["client_link_id"]), True)
    db.session.commit()
    emit("lobby:waiting", {})
    emit("lobby:state", lobby.lobby_state(therapy_session), to=session_room(therapy_session.id))


@socketio.on("disconnect")
def on_disconnect(reason: Any = None) -> None:
    """Anyone: leaving; the therapist hears when the client's page goes away, and the
    fail-safe notes when the client's page or the therapist's last panel does."""
    session_id = session.get("socket_session_id")
    if session.get("in_lobby"):
        _left_lobby(session_id, session.get("client_link_id"))
        return
    if session.get("socket_role") == THERAPIST and not _others_in(panels_room(session_id)):
        state.left(session_id, THERAPIST)
        db.session.commit()
    if session.get("socket_role") == CLIENT:
        state.left(session_id, CLIENT)
        db.session.commit()
        emit(
            "presence:state",
            {"connected": False},
            to=session_room(session_id),
            skip_sid=request.sid,
        )


def _others_in(room: str) -> bool:
    """Is a socket other than the one leaving in ``room`` (on this process: nginx keeps one
    browser on one process)?"""
    return any(sid != request.sid for sid, _ in socketio.server.manager.get_participants("/", room))


def _left_lobby(session_id: int, link_id: int) -> None:
    """A waiting page left: its link no longer waits, unless another of its pages still does."""
    link = db.session.get(JoinLink, link_id)
    if _others_in(link_room(link_id)) or link is None or link.waiting_since is None:
        return
    lobby.set_waiting(link, False)
    db.session.commit()
    therapy_session = db.session.get(TherapySession, session_id)
    if therapy_session is not None:
        emit("lobby:state", lobby.lobby_state(therapy_session), to=session_room(session_id))


@socketio.on("*")
def on_unknown_event(event: str, *_args: Any) -> dict[str, Any]:
    """Anyone: an event outside the protocol still takes a token of the budget, and is refused."""
    if not within_rate():
        reply = error("rate_limited", "Too many messages; the connection was closed.")
        disconnect()
        return reply
    return error("unknown_event", f"There is no event called {str(event)[:40]!r}.")


@fast_event("clock:ping", THERAPIST, CLIENT, in_lobby=True, by_person=False)
def on_clock_ping(sid: str, session_id: int, payload: Any, app: Flask) -> dict[str, Any]:
    """Therapist or client: the server's time, for the browser's clock-offset estimate."""
    sent = payload.get("t") if isinstance(payload, dict) else None
    if isinstance(sent, bool) or not isinstance(sent, (int, float)):
        raise EventError("invalid_payload", "clock:ping needs {t: number}.")
    return {"ok": True, "t": sent, "server_ms": state.now_ms()}
