"""Replaces two pieces of Flask's request machinery that socket events paid for without using
them (URL matching, decoding the cookie again); bench/relay.py shows why.

Flask-SocketIO runs each event in a request context built from the connection's handshake.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
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
