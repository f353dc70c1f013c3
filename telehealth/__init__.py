"""The EMDR telehealth app: create_app() wires config, extensions, blueprints and sockets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Request
from werkzeug.routing import MapAdapter

from . import config as config_module
from . import jsonio
from .extensions import csrf, db, limiter, login_manager, migrate, socketio

ROOT = Path(__file__).resolve().parent.parent


SOCKETIO_PATH = "/socket.io"


class TelehealthApp(Flask):
    """Flask, except that Socket.IO events are not routed as if they were pages.

    Flask-SocketIO runs each event in a request context built from the connection's handshake,
    whose path (/socket.io/) is no page: Flask matched it against every route, failed, and kept
    the NotFound with its traceback, a reference cycle through the whole request context. Every
    event left ~50 objects for the garbage collector, whose pauses stop every socket of the
    process: at 750 rooms it ran every 0.15 s for 7 ms, and every 3 s for 40 ms. Socket
    handlers build no URLs, so they need no URL adapter.
    """

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        if request is not None and request.environ.get("PATH_INFO", "").startswith(SOCKETIO_PATH):
            return None
        return super().create_url_adapter(request)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides what the environment says (tests, wsgi.py)."""
    app = TelehealthApp(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str((config or {}).get("INSTANCE_PATH") or ROOT / "instance"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config = config or {}
    app.config.update(config_module.from_environment(app.instance_path, config))
    app.config.update(config)
    if app.config["TELEHEALTH_ENV"] == "production":
        problems = config_module.production_problems(app.config)
        if problems:
            raise RuntimeError("Refusing to start in production: " + " ".join(problems))

    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Behind nginx: the client's address (throttling, audit) and https (links, cookies,
        # the Socket.IO origin check) come from the proxy's X-Forwarded-* headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    csrf.init_app(app)
    limiter.init_app(app)
    # Socket handlers must be declared before init_app: Flask-SocketIO binds the declared ones
    # to each new server (declared after, they would bind to the first app's server only).
    from . import checkpoint, managers, rooms, sockets

    sockets.register()
    app.session_interface = sockets.SessionInterface()
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # python-socketio's manager (rooms in memory, or shared through Redis), with an index
        # of each socket's rooms: many sockets leaving at once cost each its own rooms only
        client_manager=managers.client_manager(app.config["SOCKETIO_MESSAGE_QUEUE"]),
        cors_allowed_origins=app.config["SOCKETIO_ALLOWED_ORIGINS"],
        max_http_buffer_size=app.config["SOCKETIO_MAX_MESSAGE_BYTES"],
        ping_interval=app.config["SOCKETIO_PING_INTERVAL"],
        ping_timeout=app.config["SOCKETIO_PING_TIMEOUT"],
        # A socket's events are handled one after the other, in the order it sent them, in
        # the green thread that reads it: a therapist's quick changes land in the order made
        # (handled side by side, a change waiting on the database could land after a later
        # one), and no green thread is started per event (7 % of a loaded process's CPU).
        async_handlers=False,
        json=jsonio,  # packets written and read with orjson (telehealth/jsonio.py)
    )
    with app.app_context():
        sockets.bind_fast_events(app, db.engine)
        rooms.bind_direct_writes(app, db.engine)
        checkpoint.bind(app, db.engine)

    from . import admin, auth, cli, client, errors, headers, inputs, logins, therapist

    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(therapist.bp, url_prefix="/therapist")
    app.register_blueprint(client.bp)
    errors.register(app)
    inputs.register(app)
    headers.register(app)
    cli.register(app)
    logins.register(app)
    return app
