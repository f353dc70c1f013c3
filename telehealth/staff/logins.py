"""Staff logins: one row per browser login, ended by logout, timeout or an admin.

The cookie carries the login's id; every request and every socket event loads the user
through it, so ending a login takes effect at once everywhere, sockets included.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import db, login_manager
from ..models import StaffLogin, User, utcnow

TOUCH_EVERY = timedelta(seconds=30)  # how stale last_seen_at may get before it is written
# Sent with ``login_ids`` and ``reason`` once logins are ended: the live side cuts their sockets.
logins_ended = Namespace().signal("logins-ended")


def start(user: User) -> StaffLogin:
    """Log ``user`` in with a fresh session (new id, nothing carried over); caller commits."""
    session.clear()
    staff_login = StaffLogin(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        address=(request.remote_addr or "")[:64],
    )
    db.session.add(staff_login)
    session["login_id"] = staff_login.id
    session.permanent = False
    login_user(user)
    return staff_login


def current_login() -> StaffLogin | None:
    """This browser's login row (None when nobody is logged in here)."""
    login_id = session.get("login_id")
    return db.session.get(StaffLogin, login_id) if isinstance(login_id, str) else None


def expired(staff_login: Any, config: Mapping[str, Any] | None = None) -> bool:
    """Has the login (a StaffLogin, or a row with its created_at and last_seen_at) been idle
    too long, or lived too long?"""
    config = config or current_app.config
    now = utcnow()
    idle = timedelta(minutes=config["STAFF_IDLE_TIMEOUT_MIN"])
    lifetime = timedelta(hours=config["STAFF_SESSION_MAX_HOURS"])
    return now - staff_login.last_seen_at > idle or now - staff_login.created_at > lifetime


def touch_due(staff_login: Any) -> bool:
    return utcnow() - staff_login.last_seen_at > TOUCH_EVERY


BACKGROUND_HEADER = "X-Background"  # a page's own request, made with nobody at the keyboard


def by_a_person() -> bool:
    """Does this request count as the staff member doing something (the idle timeout)?
    Socket events decide for themselves (live.guard); a page's background fetches do not."""
    return getattr(request, "sid", None) is None and BACKGROUND_HEADER not in request.headers


def touch(engine: sa.Engine, login_id: str) -> None:
    """Note that the login is in use, on a connection of its own (so a request's own
    transaction is not committed early)."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(StaffLogin).where(StaffLogin.id == login_id).values(last_seen_at=utcnow())
        )


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of this request's login, if that login is still alive (else anonymous)."""
    login_id = session.get("login_id")
    if not isinstance(login_id, str) or not user_id.isdigit():
        return None
    staff_login = db.session.get(StaffLogin, login_id)
    if staff_login is None or staff_login.revoked_at is not None:
        return None
    if staff_login.user_id != int(user_id):
        return None
    if expired(staff_login):
        end_logins([staff_login.id], reason="timeout")
        if getattr(request, "sid", None) is None:
            flash("You were logged out after a while without activity. Please log in again.")
        return None
    user = db.session.get(User, staff_login.user_id)
    if user is None or not user.active:
        return None
    if touch_due(staff_login) and by_a_person():
        touch(db.engine, staff_login.id)
    return user


def end(reason: str = "logout") -> None:
    """End this browser's login (logout): its sockets are cut too."""
    login_id = session.get("login_id")
    if isinstance(login_id, str):
        end_logins([login_id], reason=reason)
    logout_user()
    session.clear()


def end_all_for(user_id: int, reason: str, keep: str | None = None) -> None:
    """End every login of a user (disable, password change or reset), except ``keep``."""
    ids = db.session.scalars(
        sa.select(StaffLogin.id).where(
            StaffLogin.user_id == user_id, StaffLogin.revoked_at.is_(None)
        )
    ).all()
    end_logins([i for i in ids if i != keep], reason=reason)


def end_logins(login_ids: list[str], reason: str) -> None:
    """Mark logins ended (own transaction); their sockets are cut at once (logins_ended)."""
    if not login_ids:
        return
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(StaffLogin)
            .where(StaffLogin.id.in_(login_ids), StaffLogin.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    logins_ended.send(None, login_ids=login_ids, reason=reason)


# Pages a staff member may open before finishing a forced step (new password, MFA setup).
_ALWAYS_OPEN = {"auth.logout", "static", "auth.index"}


def pending_step(user: Any, config: Mapping[str, Any] | None = None) -> str | None:
    """The endpoint a logged-in user (a User, or a row with its must_change_password and
    mfa_enabled) must finish first, or None when nothing is pending."""
    if user.must_change_password:
        return "auth.change_password"
    if (config or current_app.config)["MFA_REQUIRED"] and not user.mfa_enabled:
        return "auth.mfa_setup"
    return None


def finish_pending_steps():
    """Before every request: a staff member with a step pending is sent to it first."""
    if request.endpoint in _ALWAYS_OPEN or not current_user.is_authenticated:
        return None
    step = pending_step(current_user)
    if step is None or request.endpoint == step:
        return None
    if step == "auth.change_password":
        flash("Please choose a new password before you go on.")
    else:
        flash("Please turn on two-step login before you go on.")
    return redirect(url_for(step))
