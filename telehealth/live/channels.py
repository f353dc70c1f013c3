"""Names of the Socket.IO rooms, and cutting every socket in one of them."""

from __future__ import annotations

import logging

from ..extensions import socketio

log = logging.getLogger(__name__)


def session_room(session_id: int) -> str:
    """The room of a therapy session: its therapist's and its client's sockets."""
    return f"room:{session_id}"


def panels_room(session_id: int) -> str:
    """The therapist's panels of a therapy session (one login may have several open)."""
    return f"panels:{session_id}"


def lobby_room(session_id: int) -> str:
    """The waiting room of a therapy session: client sockets not yet let in."""
    return f"lobby:{session_id}"


def login_room(login_id: str) -> str:
    """Every socket of one staff login."""
    return f"login:{login_id}"


def link_room(link_id: int) -> str:
    """Every socket that came in through one join link."""
    return f"link:{link_id}"


def cut_sockets(room: str, reason: str) -> None:
    """Tell every socket in ``room`` its access ended, and disconnect those of this process.

    Sockets on other processes get the event through the message queue; every event they
    send after that is refused by the per-event check, and the page leaves on the event.
    """
    socketio.emit("access:ended", {"reason": reason}, to=room)
    server = socketio.server
    if server is None:
        return
    participants = list(server.manager.get_participants("/", room))
    for sid, *_ in participants:
        server.disconnect(sid, namespace="/")
    if participants:
        log.info("cut %d socket(s) (%s)", len(participants), reason)
