"""The settle loop: once per served process, it ends sets and stops at their planned end,
pauses a set whose client or therapist has gone (the clinical fail-safe), cuts the sockets of
links that expired and of staff logins that timed out, and asks for SQLite's log copy."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from ..extensions import db, socketio
from ..fastpath import checkpoint
from ..models import JoinLink, StaffLogin, utcnow
from ..staff import logins
from . import state
from .channels import cut_sockets, link_room, session_room

log = logging.getLogger(__name__)
RUNNING, TASK = "telehealth.settler", "telehealth.settler_task"
FAILSAFE_EVERY_S = 1.0  # how often the fail-safe looks (it waits *_GONE_PAUSE_S anyway)
EXPIRY_EVERY_S = 5.0  # how often expired links and timed-out logins are looked for and cut


def start_settler(app: Flask) -> None:
    """Start the loop (wsgi.py does, once the app is made); nothing when SETTLE_INTERVAL_S is 0."""
    interval = app.config["SETTLE_INTERVAL_S"]
    if interval <= 0 or app.extensions.get(RUNNING):
        return
    app.extensions[RUNNING] = True
    app.extensions[TASK] = socketio.start_background_task(_settle_loop, app, interval)


def stop_settler(app: Flask) -> None:
    """End the loop and wait for its current round (an app that is done, such as a test's:
    a round left running would still hold a database connection as the app goes away)."""
    app.extensions[RUNNING] = False
    task = app.extensions.pop(TASK, None)
    if task is not None:
        task.join()


def cut_expired(now: datetime, since: datetime | None = None) -> None:
    """Cut the sockets of the links that expired after ``since`` (by default two rounds ago)
    and up to ``now``, and end the staff logins idle or alive too long (their sockets are cut
    through logins_ended): a socket that sends nothing would otherwise keep hearing the room
    until its next event's check."""
    since = since or now - timedelta(seconds=2 * EXPIRY_EVERY_S)
    expired_links = db.session.scalars(
        sa.select(JoinLink.id).where(
            JoinLink.revoked_at.is_(None),
            JoinLink.expires_at <= now,
            JoinLink.expires_at > since,
        )
    ).all()
    config = current_app.config
    idle = timedelta(minutes=config["STAFF_IDLE_TIMEOUT_MIN"])
    lifetime = timedelta(hours=config["STAFF_SESSION_MAX_HOURS"])
    timed_out = db.session.scalars(
        sa.select(StaffLogin.id).where(
            StaffLogin.revoked_at.is_(None),
            sa.or_(StaffLogin.last_seen_at < now - idle, StaffLogin.created_at < now - lifetime),
        )
    ).all()
    db.session.rollback()  # only read; end_logins writes in its own transaction
    for link_id in expired_links:
        cut_sockets(link_room(link_id), "link expired")
    logins.end_logins(list(timed_out), reason="timeout")


def gone_limits(config: dict) -> dict[str, float]:
    """How long each person's page may be gone before a running set pauses, in seconds."""
    return {"client": config["CLIENT_GONE_PAUSE_S"], "therapist": config["THERAPIST_GONE_PAUSE_S"]}


def pause_for_the_gone(limits: dict[str, float], now_ms: float | None = None) -> list[int]:
    """The fail-safe: pause each running set whose client or therapist has been gone too long
    at ``now_ms`` (the clock's time unless given), and tell the room who and how long; the
    sessions paused."""
    paused = []
    for who, gone_s in limits.items():
        for session_id in state.pause_abandoned(gone_s, state.publish_state, now_ms, who):
            socketio.emit(
                "failsafe:paused", {"who": who, "gone_s": gone_s}, to=session_room(session_id)
            )
            paused.append(session_id)
    return paused


def _settle_loop(app: Flask, interval: float) -> None:
    limits = gone_limits(app.config)
    failsafe_every, failsafe_at = min(FAILSAFE_EVERY_S, min(limits.values()) / 5), -1e9
    expiry_at, expiry_since = -1e9, None
    while True:
        socketio.sleep(interval)
        if not app.extensions[RUNNING]:
            return
        with app.app_context():
            try:
                checkpoint.run_if_due(app)
                state.settle_due(state.publish_state)
                if time.monotonic() - expiry_at >= EXPIRY_EVERY_S:
                    expiry_at, now = time.monotonic(), utcnow()
                    cut_expired(now, expiry_since)
                    expiry_since = now
                if time.monotonic() - failsafe_at < failsafe_every:
                    continue
                failsafe_at = time.monotonic()
                pause_for_the_gone(limits)
            except Exception:  # keep the loop alive; the next round retries
                log.exception("settling finished sets failed")
                db.session.rollback()
