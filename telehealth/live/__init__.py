"""The live session: the Socket.IO side (who is asking, the event guard, connections and
clocks, the room's stimulation state, scores, the waiting room, video signalling, the settle
loop). Importing the package registers its event handlers, as a blueprint's does."""

from __future__ import annotations

from flask import Flask

from ..extensions import db, socketio
from ..fastpath import checkpoint, jsonio, managers
from ..fastpath.quickcheck import QuickCheck
from ..fastpath.socket_requests import SessionInterface
from . import access, connection, guard, lobby, state, video  # noqa: F401 (registers handlers)


def init_app(app: Flask) -> None:
    """Bind Flask-SocketIO and the live machinery to ``app``; every handler is declared by now
    (Flask-SocketIO binds the declared ones to each new server)."""
    app.session_interface = SessionInterface()
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # rooms in memory, or shared through Redis, with an index of each socket's rooms
        client_manager=managers.client_manager(app.config["SOCKETIO_MESSAGE_QUEUE"]),
        cors_allowed_origins=app.config["SOCKETIO_ALLOWED_ORIGINS"],
        max_http_buffer_size=app.config["SOCKETIO_MAX_MESSAGE_BYTES"],
        ping_interval=app.config["SOCKETIO_PING_INTERVAL"],
        ping_timeout=app.config["SOCKETIO_PING_TIMEOUT"],
        # A socket's events are handled one after the other, in the order it sent them, in
        # the green thread that reads it: a therapist's quick changes land in the order made,
        # and no green thread is started per event.
        async_handlers=False,
        json=jsonio,
    )
    with app.app_context():
        engine = db.engine
    check = app.extensions[access.QUICK_CHECK] = QuickCheck(app.config, engine)
    guard.init_app(app, check)
    state.init_app(app, engine)
    checkpoint.init_app(app, engine)
