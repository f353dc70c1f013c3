"""The optional waiting room: with it on, a client whose join link has not been let in waits
outside the session's room (no stimulation, no call, no questions) until the therapist admits
them, one person (one link) at a time: each is let in or turned away on their own, so someone
who used a link first is not let in with the client. Admission is kept on the link, so a
reload, a dropped network or a server restart does not send an admitted client back to wait."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..extensions import db, socketio
from ..models import JoinLink, TherapySession, utcnow
from ..staff import audit
from .access import THERAPIST
from .channels import cut_sockets, link_room, lobby_room, session_room
from .guard import EventError, enabled_flag, room_event


def must_wait(therapy_session: TherapySession, link_id: int) -> bool:
    """Does a client arriving with this link wait to be let in?"""
    if not therapy_session.waiting_room:
        return False
    link = db.session.get(JoinLink, link_id)
    return link is None or link.admitted_at is None


def lobby_state(therapy_session: TherapySession) -> dict[str, Any]:
    """What the therapist's panel shows: the switch, and each person waiting (their link, since
    when, and their device in words), so each can be let in or turned away on their own."""
    waiting = db.session.scalars(
        sa.select(JoinLink)
        .where(
            JoinLink.therapy_session_id == therapy_session.id,
            JoinLink.waiting_since.is_not(None),
            JoinLink.revoked_at.is_(None),
        )
        .order_by(JoinLink.waiting_since, JoinLink.id)
    ).all()
    return {
        "enabled": therapy_session.waiting_room,
        "waiting": [
            {
                "link_id": link.id,
                "since": link.waiting_since.isoformat() + "Z",
                "device": link.device or "A browser on an unknown device",
            }
            for link in waiting
        ],
    }


def set_waiting(link: JoinLink, waiting: bool) -> None:
    """Note whether the link's page waits (kept since its first socket waited); the caller
    commits."""
    if not waiting:
        link.waiting_since = None
    elif link.waiting_since is None:
        link.waiting_since = utcnow()


def admit_all(therapy_session: TherapySession) -> list[int]:
    """Let in the clients of every used link of this session (the waiting room turned off, or
    turned on with them already inside); returns the links let in now. The caller commits."""
    now = utcnow()
    links = db.session.scalars(
        sa.select(JoinLink).where(
            JoinLink.therapy_session_id == therapy_session.id,
            JoinLink.used_at.is_not(None),
            JoinLink.admitted_at.is_(None),
            JoinLink.revoked_at.is_(None),
            JoinLink.expires_at > now,
        )
    ).all()
    for link in links:
        link.admitted_at, link.waiting_since = now, None
    return [link.id for link in links]


def waiting_link(session_id: int, event: str, payload: Any) -> JoinLink:
    """The link named by a {link_id: int} payload, which must be waiting in this session."""
    link_id = payload.get("link_id") if isinstance(payload, dict) and len(payload) == 1 else None
    if isinstance(link_id, bool) or not isinstance(link_id, int):
        raise EventError("invalid_payload", f"{event} needs {{link_id: a waiting person's link}}.")
    link = db.session.get(JoinLink, link_id)
    if (
        link is None
        or link.therapy_session_id != session_id
        or link.waiting_since is None
        or not link.usable()
    ):
        raise EventError("not_waiting", "No one is waiting with that link.")
    return link


def _tell_room(therapy_session: TherapySession) -> None:
    socketio.emit("lobby:state", lobby_state(therapy_session), to=session_room(therapy_session.id))


@socketio.on("lobby:toggle")
@room_event(THERAPIST)
def on_lobby_toggle(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: use a waiting room in this session, or not ({enabled: bool}).

    Turning it on leaves whoever has already joined inside; turning it off lets everyone in.
    """
    enabled = enabled_flag("lobby:toggle", payload)
    therapy_session = db.session.get(TherapySession, session_id)
    # Off lets every waiting person in; on (from off, when no one can be waiting) keeps whoever
    # has already come in inside; on again while on lets no one in.
    was_on, therapy_session.waiting_room = therapy_session.waiting_room, enabled
    admitted = [] if enabled and was_on else admit_all(therapy_session)
    for link_id in admitted:
        audit.log("client.admitted", detail=f"link {link_id}", session_id=session_id)
    db.session.commit()
    if admitted:  # the waiting pages hear it and come in by themselves
        socketio.emit("lobby:admitted", {}, to=lobby_room(session_id))
    _tell_room(therapy_session)
    return {"ok": True, "enabled": enabled}


@socketio.on("lobby:admit")
@room_event(THERAPIST)
def on_lobby_admit(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: let one waiting person in ({link_id}); the others go on waiting."""
    link = waiting_link(session_id, "lobby:admit", payload)
    link.admitted_at, link.waiting_since = utcnow(), None
    audit.log("client.admitted", detail=f"link {link.id}", session_id=session_id)
    db.session.commit()
    socketio.emit("lobby:admitted", {}, to=link_room(link.id))
    _tell_room(db.session.get(TherapySession, session_id))
    return {"ok": True, "link_id": link.id}


@socketio.on("lobby:refuse")
@room_event(THERAPIST)
def on_lobby_refuse(session_id: int, payload: Any = None) -> dict[str, Any]:
    """Therapist: turn one waiting person away ({link_id}): the link is revoked and its pages
    are cut (told access:ended, reason "refused")."""
    link = waiting_link(session_id, "lobby:refuse", payload)
    now = utcnow()
    link.refused_at, link.revoked_at, link.waiting_since = now, now, None
    audit.log("client.refused", detail=f"link {link.id}", session_id=session_id)
    db.session.commit()
    cut_sockets(link_room(link.id), "refused")
    _tell_room(db.session.get(TherapySession, session_id))
    return {"ok": True, "link_id": link.id}
