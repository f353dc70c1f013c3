"""Fixtures: an app with a fresh database per test, logged-in helpers, socket clients."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_socketio.test_client import SocketIOTestClient

from telehealth import create_app
from telehealth.extensions import db, socketio
from telehealth.live.settler import start_settler, stop_settler
from telehealth.live.state import now_ms
from telehealth.models import Client, JoinLink, TherapySession, User
from telehealth.staff.accounts import create_user

PASSWORD = "correct horse battery"
# TEST_DATABASE_URL=postgresql://... runs the suite on PostgreSQL, each test in its own schema.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _database_uri(tmp_path) -> tuple[str, str | None]:
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


PG_URL = os.environ.get("RESILIENCE_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A PostgreSQL URL on a schema of its own, for real server processes; dropped after."""
    import psycopg

    schema = "it_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def app_config() -> dict:
    """Extra configuration for the ``app`` fixture; a test module may override this fixture."""
    return {}


@pytest.fixture
def socket_recheck_s() -> float:
    """SOCKET_RECHECK_S for the app: 0, every socket event asks the database again and goes
    the guarded way (one test checks the cache). Tests marked both_socket_paths run with 60
    as well, where the frequent events take their fast path (live.guard.fast_event)."""
    return 0


def pytest_generate_tests(metafunc) -> None:
    if metafunc.definition.get_closest_marker("both_socket_paths") is None:
        return
    if "socket_recheck_s" in metafunc.fixturenames:
        metafunc.parametrize("socket_recheck_s", [0, 60], ids=["guarded", "fast"])


@pytest.fixture
def app(tmp_path, app_config, socket_recheck_s) -> Iterator:
    uri, schema = _database_uri(tmp_path)
    if schema:
        engine = sa.create_engine(uri.split("?")[0])
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": uri,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # fast in tests; production cost in config
            "RATELIMIT_ENABLED": False,
            "SETTLE_INTERVAL_S": 0,  # tests settle sets by calling room_state.settle_due
            "SOCKET_RECHECK_S": socket_recheck_s,
            "SERVER_NAME": "localhost",
            **app_config,
        }
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        start_settler(app)  # as wsgi.py does; only when the test asks for SETTLE_INTERVAL_S
        yield app
        stop_settler(app)
        db.session.remove()
        if schema:
            db.engine.dispose()
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()
        else:
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(response) -> str:
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', response.text
    ) or re.search(r'name="csrf-token" content="([^"]+)"', response.text)
    assert match, "page has no CSRF token"
    return match.group(1)


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
        from datetime import timedelta

        link, token = JoinLink.issue(therapy_session, timedelta(hours=hours))
        db.session.add(link)
        db.session.commit()
        return link, token


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


class Auth:
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


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def sockets(app):
    """Open Socket.IO test clients that share a Flask test client's cookies; closed after."""
    opened = []

    def open_socket(flask_client, auth_payload=None):
        sock = FreshContextSocket(app, socketio, flask_test_client=flask_client, auth=auth_payload)
        opened.append(sock)
        return sock

    yield open_socket
    for sock in opened:
        if sock.is_connected():
            sock.disconnect()


@pytest.fixture
def room(app, make, sockets):
    """A session with its therapist's socket and its client's socket, both connected."""

    class Room:
        pass

    r = Room()
    r.therapist = make.user()
    r.session = make.session(r.therapist)
    r.link, r.token = make.link(r.session)
    r.therapist_http = app.test_client()
    Auth(r.therapist_http).login(r.therapist)
    r.client_http = app.test_client()
    assert join(r.client_http, r.token).status_code == 302
    r.therapist_socket = sockets(
        r.therapist_http, {"role": "therapist", "session_id": r.session.id}
    )
    r.client_socket = sockets(r.client_http, {"role": "client"})
    assert r.therapist_socket.is_connected() and r.client_socket.is_connected()
    r.therapist_socket.get_received()
    r.client_socket.get_received()
    return r
