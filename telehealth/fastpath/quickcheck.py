"""Replaces Flask's request context, Flask-Login and the ORM for a socket's due login or link
check with one statement run with the driver's own cursor; bench/relay.py shows why.

It only ever says yes: to a login or a link that it plainly sees alive by the same rules
(staff.logins' for a therapist, in one statement; the link's for a client). Anything else (a
login ended or timed out, a step pending, an account disabled, a link revoked or expired, a
row missing) is left to the full check in live.access, which refuses, ends the login or cuts
the socket.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..models import JoinLink, StaffLogin, TherapySession, User
from ..staff import logins
from .direct import DirectStatement

THERAPIST, CLIENT = "therapist", "client"

# What the checks compare, and nothing else (not the session's record): plain rows.
_LOGIN, _USER, _SESSION = StaffLogin.__table__, User.__table__, TherapySession.__table__
_LINK = JoinLink.__table__
_CHECK_LINK = (
    sa.select(
        _LINK.c.id,
        _LINK.c.therapy_session_id,
        _LINK.c.revoked_at,
        _LINK.c.expires_at,
        _LINK.c.token_hash,
        _SESSION.c.client_id,
    )
    .select_from(_LINK)
    .join(_SESSION, _SESSION.c.id == _LINK.c.therapy_session_id)
    .where(_LINK.c.id == sa.bindparam("link_id"))
)
_CONFIRM_THERAPIST = (
    sa.select(
        _LOGIN.c.user_id,
        _LOGIN.c.revoked_at,
        _LOGIN.c.created_at,
        _LOGIN.c.last_seen_at,
        _USER.c.role,
        _USER.c.active,
        _USER.c.must_change_password,
        _USER.c.mfa_secret.is_not(None).label("mfa_enabled"),
    )
    .select_from(_LOGIN)
    .join(_USER, _USER.c.id == _LOGIN.c.user_id)
    .join(_SESSION, _SESSION.c.therapist_id == _USER.c.id)
    .where(_LOGIN.c.id == sa.bindparam("login_id"), _SESSION.c.id == sa.bindparam("sid"))
)


def link_ok(link: Any, session_id: Any, cookie: Any, secret: str | bytes) -> bool:
    """Is the link (a JoinLink or a row of its columns) usable, for this session, and the very
    one the client cookie was made for?"""
    return (
        link is not None
        and link.therapy_session_id == session_id
        and JoinLink.is_usable(link.revoked_at, link.expires_at)
        and JoinLink.fits_cookie(cookie, link, secret)
    )


class QuickCheck:
    """A socket's login or link check, for the fast path and live.access.still_allowed."""

    def __init__(self, config: dict, engine: sa.Engine):
        self.config, self.engine = config, engine
        self.link = DirectStatement(engine, _CHECK_LINK)
        self.therapist = DirectStatement(engine, _CONFIRM_THERAPIST)

    def confirm(self, saved: dict) -> bool:
        """True when the socket's own session (``saved``) names a login or link plainly alive."""
        role, session_id = saved.get("socket_role"), saved.get("socket_session_id")
        if role == CLIENT:
            link = self.link.one_or_none({"link_id": saved.get("client_link_id")})
            return link_ok(link, session_id, saved, self.config["SECRET_KEY"])
        login_id, user_id = saved.get("login_id"), saved.get("_user_id")
        if role != THERAPIST or not isinstance(login_id, str):
            return False
        row = self.therapist.one_or_none({"login_id": login_id, "sid": session_id})
        return (
            row is not None
            and row.revoked_at is None
            and str(row.user_id) == user_id
            and row.active
            and row.role == "therapist"
            and not logins.expired(row, self.config)
            and logins.pending_step(row, self.config) is None
        )
