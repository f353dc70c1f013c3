"""Who is asking: the role and session of a socket, from its staff login or its join link,
checked when it connects and again on its events."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, session
from flask_login import current_user

from ..extensions import db
from ..fastpath.quickcheck import CLIENT, THERAPIST, QuickCheck
from ..models import JoinLink, TherapySession
from ..staff import logins
from .channels import cut_sockets, login_room

__all__ = ["CLIENT", "THERAPIST", "identify", "still_allowed", "current_client_session"]
QUICK_CHECK = "telehealth.quick_check"


def therapist_session(session_id: Any) -> TherapySession | None:
    """The logged-in therapist's own session ``session_id``, or None."""
    if not (current_user.is_authenticated and current_user.is_therapist):
        return None
    if logins.pending_step(current_user) is not None:
        return None
    if isinstance(session_id, bool) or not isinstance(session_id, int):
        return None
    therapy_session = db.session.get(TherapySession, session_id)
    if therapy_session is None or therapy_session.therapist_id != current_user.id:
        return None
    return therapy_session


def current_client_session() -> TherapySession | None:
    """The session the client cookie's join link opens, while the link is usable and is the
    very row the cookie was made for (its key, session and client all fit)."""
    link_id = session.get("client_link_id")
    link = db.session.get(JoinLink, link_id) if isinstance(link_id, int) else None
    if link is None or not link.usable():
        return None
    if not JoinLink.fits_cookie(session, link, current_app.config["SECRET_KEY"]):
        return None
    return link.therapy_session


def identify(auth: Any) -> tuple[str, TherapySession] | None:
    """The role and session of a connecting socket, from the login or the client cookie."""
    wants = auth.get("role") if isinstance(auth, dict) else None
    if wants == THERAPIST:
        therapy_session = therapist_session(auth.get("session_id"))
        return (THERAPIST, therapy_session) if therapy_session else None
    if wants == CLIENT:
        therapy_session = current_client_session()
        return (CLIENT, therapy_session) if therapy_session else None
    return None


def still_allowed(role: str, session_id: int) -> bool:
    """Is the socket's login or link still good? Asked on every event; the database is asked
    again once SOCKET_RECHECK_S has passed since its last yes. (Ending a login or a link cuts
    its sockets at once anyway; this bounds what a socket on another process may still do.)
    QuickCheck says yes to what it plainly sees alive; anything else is decided by the full
    check, the one a connecting socket passes (Flask-Login's, which ends a timed-out login)."""
    now, app = time.monotonic(), current_app
    if recently_checked(session, app.config, app.extensions[QUICK_CHECK], now):
        return True
    allowed = _fully_checked(role, session_id)
    if allowed:
        session["checked_at"] = now
    return allowed


def recently_checked(socket_session: dict, config: dict, check: QuickCheck, now: float) -> bool:
    """Checked within SOCKET_RECHECK_S, or found plainly alive by QuickCheck now (which starts
    the window again); False leaves the socket to the full check."""
    if now - socket_session.get("checked_at", -1e9) < config["SOCKET_RECHECK_S"]:
        return True
    if not check.confirm(socket_session):
        return False
    socket_session["checked_at"] = now
    return True


def _fully_checked(role: str, session_id: int) -> bool:
    if role == THERAPIST:
        return therapist_session(session_id) is not None
    therapy_session = current_client_session()
    return therapy_session is not None and therapy_session.id == session_id


@logins.logins_ended.connect
def _cut_ended_logins(_sender: Any, login_ids: list[str], reason: str) -> None:
    """A login that ended (logout, timeout, an admin) loses its sockets at once."""
    for login_id in login_ids:
        cut_sockets(login_room(login_id), reason)
