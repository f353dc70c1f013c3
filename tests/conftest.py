"""Fixtures: an app with a fresh database per test, logged-in helpers, socket clients."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from telehealth import create_app
from telehealth.extensions import db, socketio
from telehealth.live.settler import start_settler, stop_settler
from tests.support import (
    PG_URL,
    Auth,
    Factory,
    FreshContextClient,
    FreshContextSocket,
    Room,
    database_uri,
)


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
    uri, schema = database_uri(tmp_path)
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


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


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
    return Room(app, make, sockets)
