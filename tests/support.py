"""Helpers the tests share: test clients with a fresh app context per call, a factory for
database rows, logging in over HTTP, a room of two connected sockets, reading what arrived."""

from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

from flask.testing import FlaskClient
from flask_socketio.test_client import SocketIOTestClient

from telehealth.extensions import db
from telehealth.live.state import now_ms
from telehealth.models import Client, JoinLink, TherapySession, User
from telehealth.staff.accounts import create_user

PASSWORD = "correct horse battery"
# TEST_DATABASE_URL=postgresql://... runs the suite on PostgreSQL, each test in its own schema.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
# Where tests that start real server processes make their PostgreSQL schemas.
PG_URL = os.environ.get("RESILIENCE_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")

# What a client's page reports of itself on presence:update.
PRESENCE = {
    "width": 390,
    "height": 844,
    "visible": True,
    "fullscreen": False,
    "sound": "on",
    "wake_lock": "refused",
    "missing": ["fullscreen"],
    "rtt_ms": 3.2,
    "phase": "session",
    "layout": {
        "stage": [0, 0, 390, 600],
        "dock": [0, 600, 390, 244],
        "video": [8, 608, 160, 120],
        "question": None,
        "task": None,
    },
    "tactile": ["vibration"],
}


def database_uri(tmp_path) -> tuple[str, str | None]:
    """The test database's URI, and its PostgreSQL schema when there is one."""
    if TEST_DATABASE_URL.startswith("postgres"):
        schema = "t_" + uuid.uuid4().hex[:12]
        base = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}options=-csearch_path%3D{schema}", schema
    return f"sqlite:///{tmp_path / 'test.db'}", None


class FreshContextClient(FlaskClient):
    """A test client whose every request gets its own app context, as in a real server.

    The ``app`` fixture keeps an app context open for the test's own database work; without
    this, requests would share its ``g`` (Flask-Login's user, Flask-WTF's token cache) and
    its database session, and hide bugs. After each request the test's session is expired,
    so what the test reads next comes from the database.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


class FreshContextSocket(SocketIOTestClient):
    """A Socket.IO test client whose every call runs in its own app context (see above)."""

    def _fresh(self, call, *args, **kwargs):
        with self.app.app_context():
            result = call(*args, **kwargs)
        db.session.expire_all()
        return result

    def connect(self, *args, **kwargs):
        return self._fresh(super().connect, *args, **kwargs)

    def disconnect(self, *args, **kwargs):
        return self._fresh(super().disconnect, *args, **kwargs)

    def emit(self, *args, **kwargs):
        return self._fresh(super().emit, *args, **kwargs)


def csrf_token(response) -> str:
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', response.text
    ) or re.search(r'name="csrf-token" content="([^"]+)"', response.text)
    assert match, "page has no CSRF token"
    return match.group(1)


def erase_client(http, client_id: int, pseudonym: str):
    """Erase a client as their therapist does: the client's page, then Delete with the
    pseudonym typed to confirm; the answer."""
    page = http.get(f"/therapist/clients/{client_id}")
    return http.post(
        f"/therapist/clients/{client_id}/delete",
        data={"confirm": pseudonym, "csrf_token": csrf_token(page)},
    )


def received(sock, name: str) -> list:
    """The payloads of the ``name`` events that reached ``sock`` since it was last asked."""
    return [m["args"][0] for m in sock.get_received() if m["name"] == name]


def join(http, token: str):
    """Open a join link and press its button, as a client does; the answer to the press."""
    page = http.get(f"/join/{token}")
    return http.post(f"/join/{token}", data={"csrf_token": csrf_token(page)})


class Factory:
    """Makes users, clients, sessions and join links straight in the database."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def user(self, role: str = "therapist", email: str | None = None) -> User:
        self.count += 1
        user = create_user(email or f"{role}{self.count}@example.org", PASSWORD, role)
        db.session.commit()
        return user

    def client(self, therapist: User, pseudonym: str = "Client A") -> Client:
        c = Client(therapist_id=therapist.id, pseudonym=pseudonym)
        db.session.add(c)
        db.session.commit()
        return c

    def session(self, therapist: User | None = None) -> TherapySession:
        therapist = therapist or self.user()
        ts = TherapySession.open(self.client(therapist), now_ms())
        db.session.add(ts)
        db.session.commit()
        return ts

    def link(self, therapy_session: TherapySession, hours: float = 4) -> tuple[JoinLink, str]:
        link, token = JoinLink.issue(therapy_session, timedelta(hours=hours))
        db.session.add(link)
        db.session.commit()
        return link, token


class Auth:
    """Logs a Flask test client in and out through the login form, as a person would."""

    def __init__(self, client):
        self.client = client

    def login(self, user: User, password: str = PASSWORD):
        page = self.client.get("/login")
        return self.client.post(
            "/login",
            data={"email": user.email, "password": password, "csrf_token": csrf_token(page)},
        )

    def logout(self):
        page = self.client.get("/")
        page = self.client.get(page.location) if page.status_code == 302 else page
        return self.client.post("/logout", data={"csrf_token": csrf_token(page)})


def login_form(client, email, password=PASSWORD, address="127.0.0.1"):
    """Post the login form for ``email`` from ``address``; the response."""
    env = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=env)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(page)},
        environ_base=env,
    )


class Room:
    """A session with its therapist's socket and its client's socket, both connected."""

    def __init__(self, app, make: Factory, sockets):
        self.therapist = make.user()
        self.session = make.session(self.therapist)
        self.link, self.token = make.link(self.session)
        self.therapist_http = app.test_client()
        Auth(self.therapist_http).login(self.therapist)
        self.client_http = app.test_client()
        assert join(self.client_http, self.token).status_code == 302
        self.therapist_socket = sockets(
            self.therapist_http, {"role": "therapist", "session_id": self.session.id}
        )
        self.client_socket = sockets(self.client_http, {"role": "client"})
        assert self.therapist_socket.is_connected() and self.client_socket.is_connected()
        self.therapist_socket.get_received()
        self.client_socket.get_received()


def examples(n: int) -> int:
    """A fuzz test's example count, scaled by FUZZ_SCALE (CI's second database pass runs a
    quarter of them: the payloads are the same there, only the database differs)."""
    return max(10, round(n * float(os.environ.get("FUZZ_SCALE", "1"))))
