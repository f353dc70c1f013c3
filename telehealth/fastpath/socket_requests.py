"""Replaces pieces of Flask's request machinery that socket events and static files paid for
without using them (URL matching, decoding the cookie again; the cookie on a static file);
bench/relay.py and bench/client.py show why.

Flask-SocketIO runs each event in a request context built from the connection's handshake.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.routing import MapAdapter

SOCKETIO_PATH = "/socket.io"


class TelehealthApp(Flask):
    """Flask, except that Socket.IO events are not routed as if they were pages.

    The handshake's path (/socket.io/) is no page: Flask matched it against every route,
    failed, and kept the NotFound with its traceback, a reference cycle through the whole
    request context, left for the garbage collector, whose pauses stop every socket of the
    process. Socket handlers build no URLs, so they need no URL adapter.
    """

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        if request is not None and request.environ.get("PATH_INFO", "").startswith(SOCKETIO_PATH):
            return None
        return super().create_url_adapter(request)


class SessionInterface(SecureCookieSessionInterface):
    """The cookie session, not decoded again for every socket event.

    Flask-SocketIO opens the session from the cookie for each event's request context, and
    then swaps in the socket's own session (kept in the environ as ``saved_session`` since the
    socket's first event): the cookie's signature was verified for nothing. Should the swap
    ever not happen, the placeholder is an empty session: nobody is logged in.
    """

    def open_session(self, app: Flask, request: Any) -> SecureCookieSession | None:
        if "saved_session" in request.environ:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        """A static file leaves the cookie alone: Flask-Login looks into the session after
        every request, and Flask then answers ``Vary: Cookie``, so a browser's copy of a file
        kept for a year no longer served once the cookie changed (the welcome page's
        stylesheet, on the room's page), and a shared cache must never keep a cookie."""
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)
