"""The event guard: every socket event passes it (role, login or link still good, the event
budget, the waiting room), and every refusal leaves it in the one error shape."""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request, session
from flask_socketio import disconnect, emit

from ..extensions import db, socketio
from ..fastpath.quickcheck import THERAPIST, QuickCheck
from ..staff import logins
from ..stimulation import StimError
from . import budget
from .access import recently_checked, still_allowed

log = logging.getLogger(__name__)


class EventError(Exception):
    """A refused socket event: sent to the sender as {code, message} on ``error``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


REFUSED = (EventError, StimError)  # StimError: the stimulation module's own, for settings
SERVER_ERROR = {
    "code": "server_error",
    "message": "Something went wrong on our side; nothing was changed.",
}


def error(code: str, message: str) -> dict[str, Any]:
    """Send the one error shape to the sender; the same dict is the event's ack."""
    payload = {"code": code, "message": message}
    emit("error", payload)
    return {"ok": False, "error": payload}


def failed(event: str, exc: Exception) -> None:
    """Log an event that failed (a database down or full, a bug) by its name and the
    exception's type only: the exception's text and arguments may carry the statement's
    parameters, and so clinical text, and a traceback may show the payload."""
    log.error("%s failed: %s", event, type(exc).__name__)


def no_payload(event: str, payload: Any) -> None:
    """Refuse anything but no payload (or an empty object) for ``event``."""
    if payload is not None and payload != {}:
        raise EventError("invalid_payload", f"{event} takes no payload.")


def enabled_flag(event: str, payload: Any) -> bool:
    """The ``enabled`` of an {enabled: bool} payload, or a refusal."""
    enabled = payload.get("enabled") if isinstance(payload, dict) and len(payload) == 1 else None
    if not isinstance(enabled, bool):
        raise EventError("invalid_payload", f"{event} needs {{enabled: true or false}}.")
    return enabled


def within_rate() -> bool:
    """A token bucket per login or link (live.budget): False when empty."""
    app = current_app._get_current_object()
    return take_token(budget.holder(app, session), app.config, time.monotonic())


def take_token(socket_session: dict, config: dict, now: float) -> bool:
    rate, burst = config["SOCKET_EVENTS_PER_S"], config["SOCKET_EVENT_BURST"]
    tokens, last = socket_session.get("rate_bucket", (burst, now))
    tokens = min(burst, tokens + (now - last) * rate) - 1
    socket_session["rate_bucket"] = (tokens, now)
    return tokens >= 0


def note_activity(socket_session: dict, engine: Any, now: float) -> None:
    """A therapist's own action on a socket keeps the login from its idle timeout (what a page
    sends by itself, clock pings, does not); the login row is written at most every so often."""
    if socket_session.get("socket_role") != THERAPIST:
        return
    if now - socket_session.get("active_at", -1e9) < logins.TOUCH_EVERY.total_seconds():
        return
    socket_session["active_at"] = now
    logins.touch(engine, socket_session["login_id"])


def room_event(*roles: str, in_lobby: bool = False, by_person: bool = True) -> Callable:
    """Guard a handler: the socket's role must be one of ``roles`` and still be allowed, and a
    client still in the waiting room may only send what is marked ``in_lobby``. An event sent
    ``by_person`` counts as the therapist's activity.

    The handler gets the session id of the socket's room; a refusal becomes an error event.
    """

    def wrap(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def guarded(*args: Any) -> Any:
            role, session_id = session.get("socket_role"), session.get("socket_session_id")
            if not within_rate():
                log.warning("disconnected a %s socket sending too many events", role)
                reply = error("rate_limited", "Too many messages; the connection was closed.")
                disconnect()
                return reply
            if role not in roles:
                log.info("refused %s from a %s socket", handler.__name__, role or "unknown")
                return error("forbidden", "You may not do that in this room.")
            if not still_allowed(role, session_id):
                reply = error("ended", "Your login or link has ended. Please reload the page.")
                disconnect()
                return reply
            if session.get("in_lobby") and not in_lobby:
                return error("waiting", "Your therapist has not let you in yet.")
            if by_person:
                note_activity(session, db.engine, time.monotonic())
            try:
                return handler(session_id, *args)
            except REFUSED as exc:
                return error(exc.code, exc.message)
            except Exception as exc:  # every event gets an answer, in the one error shape
                with contextlib.suppress(Exception):  # the database may be gone altogether
                    db.session.rollback()
                failed(getattr(request, "event", {}).get("message", handler.__name__), exc)
                return error(**SERVER_ERROR)

        return guarded

    return wrap


# The frequent events: a fast handler, and the guarded way it falls back to.
SLOW = object()  # a fast handler's answer: "do this one the guarded way"
FastHandler = Callable[[str, int, Any, Flask], Any]
_FAST_EVENTS: dict[str, tuple[FastHandler, frozenset[str], bool, bool]] = {}


def fast_event(
    event: str,
    *roles: str,
    in_lobby: bool = False,
    by_person: bool = True,
    full: Callable | None = None,
) -> Callable[[FastHandler], FastHandler]:
    """Declare ``event`` for ``roles``, handled without Flask's request context when it can be
    (most events are clock pings, acknowledgements and presence; bench/relay.py measures it).

    The decorated handler, ``fast(sid, session_id, payload, app)``, runs straight from the
    Socket.IO server when the socket's own session says it may: its role is one of
    ``roles``, its login or link was checked within SOCKET_RECHECK_S (or QuickCheck finds it
    plainly alive now), it is within its rate and (unless ``in_lobby``) not in the waiting
    room. Anything else goes the guarded way, room_event around ``full`` (by default the fast
    handler itself, in the request context), which refuses, rechecks or cuts exactly as for
    every other event. A fast handler that answers SLOW is handed to ``full`` as well.
    """

    def wrap(fast: FastHandler) -> FastHandler:
        def in_context(session_id: int, payload: Any = None) -> Any:
            return fast(request.sid, session_id, payload, current_app._get_current_object())

        handler = functools.wraps(fast)(full or in_context)
        guarded = room_event(*roles, in_lobby=in_lobby, by_person=by_person)(handler)
        socketio.on(event)(guarded)
        _FAST_EVENTS[event] = (fast, frozenset(roles), in_lobby, by_person)
        return fast

    return wrap


def init_app(app: Flask, check: QuickCheck) -> None:
    """Put each fast event's handler in front of its guarded one, on this app's server."""
    server = socketio.server
    for event, (fast, roles, in_lobby, by_person) in _FAST_EVENTS.items():
        guarded = server.handlers["/"][event]  # what Flask-SocketIO bound for it
        handle = _fast_or_guarded(
            app, server, check, fast, guarded, roles, (in_lobby, by_person, event)
        )
        server.on(event, handle)


def _fast_or_guarded(app, server, check, fast, guarded, roles, flags) -> Callable:
    in_lobby, by_person, event = flags

    def handle(sid: str, *args: Any) -> Any:
        environ = server.get_environ(sid)
        saved = environ.get("saved_session") if environ else None  # the socket's own session
        if saved is None or len(args) > 1 or not _may_go_fast(app, saved, roles, in_lobby, check):
            return guarded(sid, *args)
        if by_person:
            note_activity(saved, check.engine, time.monotonic())
        try:
            answer = fast(sid, saved["socket_session_id"], args[0] if args else None, app)
        except REFUSED as exc:
            payload = {"code": exc.code, "message": exc.message}
            server.emit("error", payload, to=sid)
            return {"ok": False, "error": payload}
        except Exception as exc:  # as room_event; direct writes roll back their own transaction
            failed(event, exc)
            server.emit("error", SERVER_ERROR, to=sid)
            return {"ok": False, "error": SERVER_ERROR}
        if answer is SLOW:  # the guarded way takes the event's token itself
            bucket = budget.holder(app, saved)
            tokens, last = bucket["rate_bucket"]
            bucket["rate_bucket"] = (tokens + 1, last)
            return guarded(sid, *args)
        return answer

    return handle


def _may_go_fast(
    app: Flask, saved: dict, roles: frozenset[str], in_lobby: bool, check: QuickCheck
) -> bool:
    now, config = time.monotonic(), app.config
    if saved.get("socket_role") not in roles or (saved.get("in_lobby") and not in_lobby):
        return False  # refused the guarded way, with its error and log line
    if not recently_checked(saved, config, check, now):
        return False  # the full check, the guarded way
    # past the budget: the guarded way cuts it
    return take_token(budget.holder(app, saved), config, now)
