"""Socket.IO connection: who is asking, which room they join, clock sync, the event guard."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, disconnect, emit, join_room

from . import checkpoint, lobby, logins, record, rooms, video
from .channels import link_room, lobby_name, login_room, room_name
from .direct import DirectStatement
from .extensions import db, socketio
from .models import SCORE_KINDS, JoinLink, StaffLogin, TherapySession, User
from .stimulation import StimError

log = logging.getLogger(__name__)

THERAPIST = "therapist"
CLIENT = "client"


class SessionInterface(SecureCookieSessionInterface):
    """The cookie session, not decoded again for every socket event.

    Flask-SocketIO runs each event in a request context built from the connection's environ,
    which opens the session from the cookie, and then swaps in the socket's own session (kept
    in the environ as ``saved_session`` since the socket's first event). Verifying the cookie's
    signature for nothing was a twentieth of a loaded process's CPU. Should the swap ever not
    happen, the placeholder is an empty session: nobody is logged in.
    """

    def open_session(self, app: Flask, request: Any) -> SecureCookieSession | None:
        if "saved_session" in request.environ:
            return self.session_class()
        return super().open_session(app, request)


def error(code: str, message: str) -> dict[str, Any]:
    """Send the one error shape to the sender; the same dict is the event's ack."""
    payload = {"code": code, "message": message}
    emit("error", payload)
    return {"ok": False, "error": payload}


def _therapist_session(session_id: Any) -> TherapySession | None:
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
    link_id = session.get("client_link_id")
    link = db.session.get(JoinLink, link_id) if isinstance(link_id, int) else None
    return link.therapy_session if link is not None and link.usable() else None


def identify(auth: Any) -> tuple[str, TherapySession] | None:
    """The role and session of a connecting socket, from the login or the client cookie."""
    wants = auth.get("role") if isinstance(auth, dict) else None
    if wants == THERAPIST:
        therapy_session = _therapist_session(auth.get("session_id"))
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
    if _recently_checked(session, app.config, app.extensions[QUICK_CHECK], now):
        return True
    allowed = _fully_checked(role, session_id)
    if allowed:
        session["checked_at"] = now
    return allowed


def _recently_checked(socket_session: dict, config: dict, check: QuickCheck, now: float) -> bool:
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
        return _therapist_session(session_id) is not None
    therapy_session = current_client_session()
    return therapy_session is not None and therapy_session.id == session_id


def _link_ok(link: Any, session_id: Any) -> bool:
    return (
        link is not None
        and link.therapy_session_id == session_id
        and JoinLink.is_usable(link.revoked_at, link.expires_at)
    )


# What the checks compare, and nothing else (not the session's record): plain rows.
QUICK_CHECK = "telehealth.quick_check"
_LOGIN, _USER, _SESSION = StaffLogin.__table__, User.__table__, TherapySession.__table__
_LINK = JoinLink.__table__
_CHECK_LINK = sa.select(_LINK.c.therapy_session_id, _LINK.c.revoked_at, _LINK.c.expires_at).where(
    _LINK.c.id == sa.bindparam("link_id")
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


class QuickCheck:
    """A socket's login or link check without Flask's request context, Flask-Login or the ORM
    (at 1,000 rooms those were an eighth of the process's CPU): one statement, run with the
    driver's own cursor, for the fast path and still_allowed.

    It only ever says yes: to a login or a link that it plainly sees alive by the same rules
    (load_user and _therapist_session's for a therapist, in one statement; the link's for a
    client), noting the login in use as load_user does. Anything else (a login ended or timed
    out, a step pending, an account disabled, a link revoked or expired, a row missing) is
    left to the full check, the guarded way, which refuses, ends the login or cuts the socket.
    """

    def __init__(self, config: dict, engine: sa.Engine):
        self.config, self.engine = config, engine
        self.link = DirectStatement(engine, _CHECK_LINK)
        self.therapist = DirectStatement(engine, _CONFIRM_THERAPIST)

    def confirm(self, saved: dict) -> bool:
        role, session_id = saved.get("socket_role"), saved.get("socket_session_id")
        if role == CLIENT:
            link = self.link.one_or_none({"link_id": saved.get("client_link_id")})
            return _link_ok(link, session_id)
        login_id, user_id = saved.get("login_id"), saved.get("_user_id")
        if role != THERAPIST or not isinstance(login_id, str):
            return False
        row = self.therapist.one_or_none({"login_id": login_id, "sid": session_id})
        if not (
            row is not None
            and row.revoked_at is None
            and str(row.user_id) == user_id
            and row.active
            and row.role == "therapist"
            and not logins.expired(row, self.config)
            and logins.pending_step(row, self.config) is None
        ):
            return False
        if logins.touch_due(row):
            logins.touch(self.engine, login_id)
        return True


def within_rate() -> bool:
    """A token bucket per connection (kept in the socket's own session): False when empty."""
    return _take_token(session, current_app.config, time.monotonic())


def _take_token(socket_session: dict, config: dict, now: float) -> bool:
    rate, burst = config["SOCKET_EVENTS_PER_S"], config["SOCKET_EVENT_BURST"]
    tokens, last = socket_session.get("rate_bucket", (burst, now))
    tokens = min(burst, tokens + (now - last) * rate) - 1
    socket_session["rate_bucket"] = (tokens, now)
    return tokens >= 0


def room_event(*roles: str, in_lobby: bool = False) -> Callable:
    """Guard a handler: the socket's role must be one of ``roles`` and still be allowed, and a
    client still in the waiting room may only send what is marked ``in_lobby``.

    The handler gets the session id of the socket's room; a StimError becomes an error event.
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
            try:
                return handler(session_id, *args)
            except StimError as exc:
                return error(exc.code, exc.message)

        return guarded

    return wrap


# The frequent events: a fast handler, and the guarded way it falls back to.
SLOW = object()  # a fast handler's answer: "do this one the guarded way"
FastHandler = Callable[[str, int, Any, Flask], Any]
_FAST_EVENTS: dict[str, tuple[FastHandler, frozenset[str], bool]] = {}


def fast_event(
    event: str, *roles: str, in_lobby: bool = False, full: Callable | None = None
) -> Callable[[FastHandler], FastHandler]:
    """Declare ``event`` for ``roles``, handled without Flask's request context when it can be.

    Most events are clock pings, acknowledgements and presence, and Flask's request context
    around each (built, pushed, torn down with its database session) cost as much as the work.
    The decorated handler, ``fast(sid, session_id, payload, app)``, runs straight from the
    Socket.IO server when the socket's own session says it may: its role is one of
    ``roles``, its login or link was checked within SOCKET_RECHECK_S (or QuickCheck finds it
    plainly alive now), it is within its rate and (unless ``in_lobby``) not in the waiting
    room. Anything else goes the guarded way,
    room_event around ``full`` (by default the fast handler itself, in the request context),
    which refuses, rechecks or cuts exactly as for every other event. A fast handler that
    answers SLOW is handed to ``full`` as well.
    """

    def wrap(fast: FastHandler) -> FastHandler:
        def in_context(session_id: int, payload: Any = None) -> Any:
            return fast(request.sid, session_id, payload, current_app._get_current_object())

        handler = functools.wraps(fast)(full or in_context)
        socketio.on(event)(room_event(*roles, in_lobby=in_lobby)(handler))
        _FAST_EVENTS[event] = (fast, frozenset(roles), in_lobby)
        return fast

    return wrap


def bind_fast_events(app: Flask, engine: sa.Engine) -> None:
    """Put each fast event's handler in front of its guarded one, on this app's server, and
    the app's QuickCheck where these handlers and still_allowed find it."""
    server = socketio.server
    check = app.extensions[QUICK_CHECK] = QuickCheck(app.config, engine)
    for event, (fast, roles, in_lobby) in _FAST_EVENTS.items():
        guarded = server.handlers["/"][event]  # what Flask-SocketIO bound for it
        server.on(event, _fast_or_guarded(app, server, check, fast, guarded, roles, in_lobby))


def _fast_or_guarded(app, server, check, fast, guarded, roles, in_lobby) -> Callable:
    config = app.config

    def handle(sid: str, *args: Any) -> Any:
        environ = server.get_environ(sid)
        saved = environ.get("saved_session") if environ else None  # the socket's own session
        if (
            saved is None
            or len(args) > 1
            or not _may_go_fast(saved, roles, in_lobby, config, check)
        ):
            return guarded(sid, *args)
        try:
            answer = fast(sid, saved["socket_session_id"], args[0] if args else None, app)
        except StimError as exc:
            payload = {"code": exc.code, "message": exc.message}
            server.emit("error", payload, to=sid)
            return {"ok": False, "error": payload}
        if answer is SLOW:  # the guarded way takes the event's token itself
            tokens, last = saved["rate_bucket"]
            saved["rate_bucket"] = (tokens + 1, last)
            return guarded(sid, *args)
        return answer

    return handle


def _may_go_fast(
    saved: dict, roles: frozenset[str], in_lobby: bool, config: dict, check: QuickCheck
) -> bool:
    now = time.monotonic()
    if saved.get("socket_role") not in roles or (saved.get("in_lobby") and not in_lobby):
        return False  # refused the guarded way, with its error and log line
    if not _recently_checked(saved, config, check, now):
        return False  # the full check, the guarded way
    return _take_token(saved, config, now)  # past the budget: the guarded way cuts it


def asked_payload(score) -> dict[str, Any]:
    """What a browser needs to show an open SUD/VOC question."""
    low, high = SCORE_KINDS[score.kind]
    return {"prompt_id": score.submission_id, "kind": score.kind, "low": low, "high": high}


def publish_state(session_id: int, state: rooms.State) -> None:
    """Send a room's new state to everyone in it (from a handler or a background task)."""
    socketio.emit("stim:state", rooms.wire_state(state), to=room_name(session_id))


def start_settler(app: Flask) -> None:
    """Once per process: a background loop that ends sets and stops at their planned end."""
    interval = app.config["SETTLE_INTERVAL_S"]
    if interval <= 0 or app.extensions.get("telehealth.settler"):
        return
    app.extensions["telehealth.settler"] = True
    app.extensions["telehealth.settler_task"] = socketio.start_background_task(
        _settle_loop, app, interval
    )


def stop_settler(app: Flask) -> None:
    """End the loop and wait for its current round (an app that is done, such as a test's:
    a round left running would still hold a database connection as the app goes away)."""
    app.extensions["telehealth.settler"] = False
    task = app.extensions.pop("telehealth.settler_task", None)
    if task is not None:
        task.join()


FAILSAFE_EVERY_S = 1.0  # how often the fail-safe looks (it waits CLIENT_GONE_PAUSE_S anyway)


def _settle_loop(app: Flask, interval: float) -> None:
    gone_s = app.config["CLIENT_GONE_PAUSE_S"]
    failsafe_every, failsafe_at = min(FAILSAFE_EVERY_S, gone_s / 5), -1e9
    while True:
        socketio.sleep(interval)
        if not app.extensions["telehealth.settler"]:
            return
        with app.app_context():
            try:
                checkpoint.run_if_due(app)
                rooms.settle_due(publish_state)
                if time.monotonic() - failsafe_at < failsafe_every:
                    continue
                failsafe_at = time.monotonic()
                for session_id in rooms.pause_abandoned(gone_s, publish_state):
                    socketio.emit("failsafe:paused", {"gone_s": gone_s}, to=room_name(session_id))
            except Exception:  # keep the loop alive; the next round retries
                log.exception("settling finished sets failed")
                db.session.rollback()


def register() -> None:
    """Bind the handlers (importing the modules is what registers them)."""
    from . import lobby_events, video_events  # noqa: F401
    from .client import events as client_events  # noqa: F401
    from .therapist import events as therapist_events  # noqa: F401


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    """Anyone: join the room of one's session, or be refused."""
    who = identify(auth)
    if who is None:
        raise ConnectionRefusedError("unauthorized")
    role, therapy_session = who
    session["socket_role"], session["socket_session_id"] = role, therapy_session.id
    session["checked_at"] = time.monotonic()
    # A room per login and per join link, so ending either cuts this socket at once.
    if role == THERAPIST:
        join_room(login_room(session["login_id"]))
    else:
        join_room(link_room(session["client_link_id"]))
        if lobby.must_wait(therapy_session, session["client_link_id"]):
            _wait_in_lobby(therapy_session)
            return
    join_room(therapy_session.room)
    emit("stim:state", rooms.wire_state(therapy_session.stim_state))
    emit("video:state", video.video_state(therapy_session, role))
    if role == THERAPIST:  # ask the client's page to say how it is now
        emit("presence:request", to=therapy_session.room, skip_sid=request.sid)
        emit("lobby:state", lobby.lobby_state(therapy_session))
    if role == CLIENT:
        rooms.client_arrived(therapy_session.id)
    waiting = record.open_prompt(therapy_session.id)
    if waiting is not None:  # a question asked before a reload or a drop is still open
        emit("score:asked", asked_payload(waiting))
    start_settler(current_app._get_current_object())


def _wait_in_lobby(therapy_session: TherapySession) -> None:
    """A client not yet let in: outside the room, in its waiting room; the therapist hears."""
    session["in_lobby"] = True
    join_room(lobby_name(therapy_session.id))
    lobby.set_waiting(therapy_session, True)
    emit("lobby:waiting", {})
    emit("lobby:state", lobby.lobby_state(therapy_session), to=therapy_session.room)


@socketio.on("disconnect")
def on_disconnect(reason: Any = None) -> None:
    """Anyone: leaving; the therapist hears when the client's page goes away."""
    if session.get("in_lobby"):
        therapy_session = db.session.get(TherapySession, session["socket_session_id"])
        if therapy_session is not None and therapy_session.client_waiting_since is not None:
            lobby.set_waiting(therapy_session, False)
            emit("lobby:state", lobby.lobby_state(therapy_session), to=therapy_session.room)
        return
    if session.get("socket_role") == CLIENT:
        rooms.client_left(session["socket_session_id"])
        emit(
            "presence:state",
            {"connected": False},
            to=room_name(session["socket_session_id"]),
            skip_sid=request.sid,
        )


@fast_event("clock:ping", THERAPIST, CLIENT, in_lobby=True)
def on_clock_ping(sid: str, session_id: int, payload: Any, app: Flask) -> dict[str, Any]:
    """Therapist or client: the server's time, for the browser's clock-offset estimate."""
    sent = payload.get("t") if isinstance(payload, dict) else None
    if isinstance(sent, bool) or not isinstance(sent, (int, float)):
        raise StimError("invalid_payload", "clock:ping needs {t: number}.")
    return {"ok": True, "t": sent, "server_ms": rooms.now_ms()}
