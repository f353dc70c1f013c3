"""The EMDR telehealth app: create_app() wires config, extensions, blueprints and sockets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from . import config as config_module
from .extensions import csrf, db, limiter, login_manager, migrate
from .fastpath.socket_requests import TelehealthApp

ROOT = Path(__file__).resolve().parent.parent


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in a URL: an id the database can hold (PostgreSQL's integer), so a longer
    number is a plain 404 rather than an overflow error from the database."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (Werkzeug's own parameter name)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides what the environment says (tests, wsgi.py)."""
    app = TelehealthApp(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(
            (config or {}).get("INSTANCE_PATH")
            or os.environ.get("INSTANCE_PATH")
            or ROOT / "instance"
        ),
    )
    config_module.load(app, config or {})
    app.url_map.converters["int"] = RowIdConverter  # before any route is declared

    # Importing the blueprints and the live package declares their socket handlers, which
    # must come before live.init_app binds Flask-SocketIO.
    from . import (
        admin,
        assets,
        auth,
        backup,
        cli,
        client,
        i18n,
        live,
        retention,
        staff,
        therapist,
        vault,
        web,
    )

    vault.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    web.init_app(app)  # before live: the Socket.IO middleware wraps what web put in place
    assets.init_app(app)
    live.init_app(app)
    staff.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(therapist.bp, url_prefix="/therapist")
    app.register_blueprint(client.bp)
    cli.init_app(app)
    backup.init_app(app)
    retention.init_app(app)
    return app
