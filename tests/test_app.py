"""The app around the features: CLI, migrations, configuration, headers, first-run setup."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from telehealth import create_app
from telehealth.config import from_environment
from telehealth.extensions import db
from telehealth.models import User
from tests.support import PASSWORD, Auth, csrf_token


def test_create_user_reads_the_password_from_stdin(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "New@Example.org", "--role", "therapist", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert user.role == "therapist" and user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["a@example.org", "--role", "therapist", "--password-stdin"], "short\n", "12 characters"),
        (["a@example.org", "--role", "boss", "--password-stdin"], PASSWORD + "\n", "boss"),
    ],
)
def test_create_user_refuses_bad_input(app, args, stdin, message):
    result = app.test_cli_runner().invoke(args=["create-user", *args], input=stdin)
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_migrations_build_exactly_the_models_schema(tmp_path):
    app = create_app(
        {
            "SECRET_KEY": "k",
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.db'}",
        }
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert diff == []


def test_the_first_visit_leads_to_setup_until_an_account_exists(client):
    assert client.get("/").location.endswith("/setup")
    page = client.get("/setup")
    response = client.post(
        "/setup",
        data={
            "email": "admin@example.org",
            "role": "admin",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_token(page),
        },
    )
    assert response.location.endswith("/login")
    assert db.session.scalar(sa.select(User.role)) == "admin"
    assert client.get("/setup").status_code == 404
    assert client.get("/").location.endswith("/login")


def test_a_secret_key_is_made_once_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = from_environment(str(tmp_path), {})["SECRET_KEY"]
    assert len(first) == 64 and from_environment(str(tmp_path), {})["SECRET_KEY"] == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


PAGES = ["/login", "/therapist/clients", "/admin/users", "/account", "/account/password", "/room"]


def test_every_page_has_strict_security_headers_and_no_inline_script(app, make, room):
    admin = app.test_client()
    Auth(admin).login(make.user("admin"))
    clients = {"/admin/users": admin, "/room": room.client_http, "/login": app.test_client()}
    session_pages = [f"/therapist/sessions/{room.session.id}{page}" for page in ("", "/summary")]
    for path in [*PAGES, *session_pages]:
        response = clients.get(path, room.therapist_http).get(path)
        assert response.status_code == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        scripts = re.findall(
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", response.text
        )
        assert scripts == [], path


def test_no_page_loads_anything_from_another_host(app, room):
    page = room.therapist_http.get(f"/therapist/sessions/{room.session.id}").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith(("/", "#", "data:")) for s in sources), sources


def test_a_server_database_gets_a_pool_sized_for_green_threads(monkeypatch):
    from telehealth.config import _engine_options

    monkeypatch.setenv("DB_POOL_SIZE", "7")
    from telehealth.fastpath import jsonio

    assert _engine_options("postgresql+psycopg://db/x") == {
        "json_serializer": jsonio.dumps,
        "hide_parameters": True,
        "pool_pre_ping": True,
        "pool_size": 7,
        "max_overflow": 10,
    }
    # a file in this process: nothing to ping
    assert _engine_options("sqlite:///x.db") == {
        "json_serializer": jsonio.dumps,
        "hide_parameters": True,
    }


def test_a_broken_database_gives_the_500_page_with_no_sql_and_the_security_headers(
    app, make, client, caplog
):
    email = make.user().email
    page = client.get("/login")
    db.session.execute(sa.text('ALTER TABLE "user" RENAME TO user_gone'))
    db.session.commit()
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    db.session.execute(sa.text('ALTER TABLE user_gone RENAME TO "user"'))
    db.session.commit()
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "Something went wrong on our side." in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    for leak in ("Traceback", "SELECT", email):
        assert leak not in response.text and leak not in caplog.text
    assert re.search(r"POST auth.login failed: (Operational|Programming)Error", caplog.text)


def break_updates_of_sessions() -> None:
    """Every UPDATE of a session fails in the database, as on a full or read-only disk."""
    if db.engine.dialect.name == "sqlite":
        statements = [
            "CREATE TRIGGER broken BEFORE UPDATE ON therapy_session "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        ]
    else:
        statements = [
            "CREATE FUNCTION broken() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER broken BEFORE UPDATE ON therapy_session "
            "FOR EACH ROW EXECUTE FUNCTION broken()",
        ]
    for statement in statements:
        db.session.execute(sa.text(statement))
    db.session.commit()


def mend_updates_of_sessions() -> None:
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text("DROP TRIGGER broken"))
    else:
        db.session.execute(sa.text("DROP TRIGGER broken ON therapy_session"))
        db.session.execute(sa.text("DROP FUNCTION broken()"))
    db.session.commit()


def test_a_failed_autosave_leaves_no_note_text_in_the_log_or_the_answer(room, caplog):
    break_updates_of_sessions()
    token = csrf_token(room.therapist_http.get("/therapist/clients"))
    response = room.therapist_http.post(
        f"/therapist/sessions/{room.session.id}/record",
        json={"notes": "SECRET NOTE TEXT"},
        headers={"X-CSRFToken": token},
    )
    mend_updates_of_sessions()
    assert response.status_code == 500
    assert response.get_json()["error"]["message"] == "Something went wrong on our side."
    assert "UPDATE" not in response.text and "SECRET NOTE TEXT" not in response.text
    assert all("SECRET NOTE TEXT" not in r.getMessage() for r in caplog.records)
    assert "SECRET NOTE TEXT" not in caplog.text and "Traceback" not in caplog.text


def test_every_database_hides_statement_parameters_from_its_errors(app):
    assert db.engine.hide_parameters


@pytest.mark.parametrize("proxies", [0, 1])
def test_every_request_passes_through_the_trusted_proxies_only(proxies):
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from telehealth import web

    app = Flask(__name__)
    app.config["TRUSTED_PROXIES"] = proxies
    web.init_app(app)
    assert isinstance(app.wsgi_app, ProxyFix) == bool(proxies)
