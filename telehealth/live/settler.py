"""The settle loop: once per served process, it ends sets and stops at their planned end,
pauses a set whose client has gone (the clinical fail-safe), and asks for SQLite's log copy."""

from __future__ import annotations

import logging
import time

from flask import Flask

from ..extensions import db, socketio
from ..fastpath import checkpoint
from . import state
from .channels import session_room

log = logging.getLogger(__name__)
RUNNING, TASK = "telehealth.settler", "telehealth.settler_task"
FAILSAFE_EVERY_S = 1.0  # how often the fail-safe looks (it waits CLIENT_GONE_PAUSE_S anyway)


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


def _settle_loop(app: Flask, interval: float) -> None:
    gone_s = app.config["CLIENT_GONE_PAUSE_S"]
    failsafe_every, failsafe_at = min(FAILSAFE_EVERY_S, gone_s / 5), -1e9
    while True:
        socketio.sleep(interval)
        if not app.extensions[RUNNING]:
            return
        with app.app_context():
            try:
                checkpoint.run_if_due(app)
                state.settle_due(state.publish_state)
                if time.monotonic() - failsafe_at < failsafe_every:
                    continue
                failsafe_at = time.monotonic()
                for session_id in state.pause_abandoned(gone_s, state.publish_state):
                    socketio.emit(
                        "failsafe:paused", {"gone_s": gone_s}, to=session_room(session_id)
                    )
            except Exception:  # keep the loop alive; the next round retries
                log.exception("settling finished sets failed")
                db.session.rollback()
