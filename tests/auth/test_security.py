"""Doors and locks of the staff side: logins that end, password changes, MFA, config."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from flask import request
from werkzeug.exceptions import BadRequest

from telehealth import create_app
from telehealth.config import production_problems
from telehealth.extensions import db
from telehealth.models import AuditEvent, StaffLogin, User, utcnow
from telehealth.staff import mfa
from telehealth.web import holds_nul
from tests.support import PASSWORD, Auth, csrf_token, login_form


def code_form(client, code):
    page = client.get("/login/code")
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(page)})


def test_login_starts_a_fresh_session(app, make, client):
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    login_form(client, make.user().email)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s.get("login_id")


def test_session_cookie_flags(app, make, client):
    response = login_form(client, make.user().email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_disconnects_that_users_sockets_at_once(room):
    Auth(room.therapist_http).logout()
    assert not room.therapist_socket.is_connected()
    assert room.client_socket.is_connected()


def test_a_logged_out_login_cannot_be_reused_by_a_copied_cookie(app, make):
    user = make.user()
    client = app.test_client()
    login_form(client, user.email)
    stolen = client.get_cookie("session").value
    Auth(client).logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="localhost")
    assert thief.get("/therapist/clients").status_code == 302


def test_changing_the_password_logs_out_other_browsers_and_cuts_their_sockets(room, app):
    other = app.test_client()
    Auth(other).login(room.therapist)
    page = other.get("/account/password")
    response = other.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 302
    assert not room.therapist_socket.is_connected()
    assert room.therapist_http.get("/therapist/clients").status_code == 302  # to the login page
    assert other.get("/therapist/clients").status_code == 200  # the browser that changed it


def test_an_idle_login_times_out(app, make, client):
    user = make.user()
    login_form(client, user.email)
    assert client.get("/therapist/clients").status_code == 200
    db.session.execute(sa.update(StaffLogin).values(last_seen_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert client.get("/therapist/clients").status_code == 302
    assert db.session.scalar(sa.select(StaffLogin.revoked_at)) is not None


def test_a_login_has_an_absolute_lifetime(app, make, client):
    login_form(client, make.user().email)
    db.session.execute(sa.update(StaffLogin).values(created_at=utcnow() - timedelta(hours=13)))
    db.session.commit()
    assert client.get("/therapist/clients").status_code == 302


def enable_mfa(user) -> str:
    secret = mfa.new_secret()
    codes = mfa.enable(user, secret)
    db.session.commit()
    return secret, codes


def test_mfa_login_needs_a_valid_code_and_a_code_works_once(app, make, client):
    user = make.user()
    secret, _ = enable_mfa(user)
    assert login_form(client, user.email).location.endswith("/login/code")
    assert client.get("/therapist/clients").status_code == 302  # not logged in yet
    assert code_form(client, "000000").status_code == 401
    code = pyotp.TOTP(secret).now()
    assert code_form(client, code).status_code == 302
    assert client.get("/therapist/clients").status_code == 200
    replay = app.test_client()
    login_form(replay, user.email)
    assert code_form(replay, code).status_code == 401  # the same code again is refused


def test_a_recovery_code_logs_in_once(app, make):
    user = make.user()
    _, codes = enable_mfa(user)
    first = app.test_client()
    login_form(first, user.email)
    assert code_form(first, codes[0].upper()).status_code == 302
    second = app.test_client()
    login_form(second, user.email)
    assert code_form(second, codes[0]).status_code == 401


def test_mfa_setup_turns_on_with_a_confirmed_code_and_shows_recovery_codes(app, make, client):
    user = make.user()
    login_form(client, user.email)
    page = client.get("/account/mfa")
    assert 'src="data:image/svg+xml' in page.text  # QR made locally, no third party
    secret = db.session.scalar(sa.select(StaffLogin.mfa_pending_secret))
    assert secret and secret not in str(dict(client.get_cookie("session").__dict__))
    with client.session_transaction() as s:
        assert secret not in str(dict(s))  # the signed cookie is readable: never in it
    bad = client.post("/account/mfa", data={"code": "123456", "csrf_token": csrf_token(page)})
    assert bad.status_code == 400
    good = client.post(
        "/account/mfa",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(page)},
    )
    assert good.status_code == 200 and good.text.count("<code>") == 10
    assert db.session.get(User, user.id).mfa_secret == secret


def test_required_mfa_sends_staff_without_it_to_the_setup_page(app, make, client):
    app.config["MFA_REQUIRED"] = True
    login_form(client, make.user().email)
    response = client.get("/therapist/clients")
    assert response.status_code == 302 and response.location.endswith("/account/mfa")


def test_required_mfa_keeps_staff_without_it_off_the_sockets(app, make, sockets):
    app.config["MFA_REQUIRED"] = True
    therapist = make.user()
    ts = make.session(therapist)
    http = app.test_client()
    login_form(http, therapist.email)
    sock = sockets(http, {"role": "therapist", "session_id": ts.id})
    assert not sock.is_connected()


def test_a_reset_password_must_be_changed_at_next_login(app, make, client):
    user = make.user()
    user.must_change_password = True
    db.session.commit()
    login_form(client, user.email)
    response = client.get("/therapist/clients")
    assert response.location.endswith("/account/password")


def test_the_audit_log_is_append_only(app, make, client):
    login_form(client, make.user().email)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "login"))
    event.detail = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()


RANDOM_KEY = "9f2c4e7a1b3d5f60a8c2e4b6d8f0a1c3e5b7d9f1a2c4e6b8"
SAFE_PRODUCTION = {
    "SECRET_KEY": RANDOM_KEY,
    "SESSION_COOKIE_SECURE": True,
    "DEBUG": False,
    "SOCKETIO_ALLOWED_ORIGINS": None,
    "RATELIMIT_ENABLED": True,
    "MFA_REQUIRED": True,
    "PASSWORD_HASH_METHOD": "scrypt:131072:8:1",
}


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "dev"}, "SECRET_KEY"),
        ({"SECRET_KEY": "a" * 40}, "SECRET_KEY"),
        ({"SECRET_KEY": "secret" * 8}, "SECRET_KEY"),
        ({"SECRET_KEY": "0123456789abcdef" * 3}, "SECRET_KEY"),
        ({"DEBUG": True}, "DEBUG"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"SOCKETIO_ALLOWED_ORIGINS": ["*"]}, "SOCKETIO_ALLOWED_ORIGINS"),
        ({"SOCKETIO_ALLOWED_ORIGINS": "*"}, "SOCKETIO_ALLOWED_ORIGINS"),
        ({"RATELIMIT_ENABLED": False}, "RATELIMIT_ENABLED"),
        ({"MFA_REQUIRED": False}, "MFA_REQUIRED"),
        ({"PASSWORD_HASH_METHOD": "scrypt:16384:8:1"}, "PASSWORD_HASH_METHOD"),
        ({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:260000"}, "PASSWORD_HASH_METHOD"),
        ({"PASSWORD_HASH_METHOD": "pbkdf2:sha1:1000000"}, "PASSWORD_HASH_METHOD"),
        ({"PASSWORD_HASH_METHOD": "md5"}, "PASSWORD_HASH_METHOD"),
        ({"PASSWORD_HASH_METHOD": "scrypt:lots"}, "PASSWORD_HASH_METHOD"),
        ({"ALLOW_UNSAFE_PRODUCTION": ["DEBUG"]}, "ALLOW_UNSAFE_PRODUCTION"),
    ],
)
def test_production_refuses_to_start_unsafe(tmp_path, monkeypatch, config, problem):
    monkeypatch.setenv("TELEHEALTH_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert production_problems(SAFE_PRODUCTION) == []
    with pytest.raises(RuntimeError, match=problem):
        create_app(
            {
                **SAFE_PRODUCTION,
                **config,
                "INSTANCE_PATH": str(tmp_path),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
            }
        )


@pytest.mark.parametrize(
    "method",
    ["scrypt", "scrypt:32768:8:1", "pbkdf2", "pbkdf2:sha256:600000", "pbkdf2:sha512:1000000"],
)
def test_production_accepts_a_strong_password_hash(method):
    assert production_problems({**SAFE_PRODUCTION, "PASSWORD_HASH_METHOD": method}) == []


def test_production_skips_only_the_checks_named_in_the_override():
    unsafe = {**SAFE_PRODUCTION, "RATELIMIT_ENABLED": False, "MFA_REQUIRED": False}
    allowed = {**unsafe, "ALLOW_UNSAFE_PRODUCTION": ["RATELIMIT_ENABLED"]}
    assert [p for p in production_problems(allowed) if "MFA_REQUIRED" in p]
    allowed["ALLOW_UNSAFE_PRODUCTION"] = ["RATELIMIT_ENABLED", "MFA_REQUIRED"]
    assert production_problems(allowed) == []


def test_production_defaults_are_strict(tmp_path, monkeypatch):
    monkeypatch.setenv("TELEHEALTH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", RANDOM_KEY)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MFA_REQUIRED"] is True
    assert not (tmp_path / "secret_key").exists()  # production never makes its own key


def test_mfa_pending_step_expires(app, make, client):
    user = make.user()
    secret, _ = enable_mfa(user)
    login_form(client, user.email)
    with client.session_transaction() as s:
        s["mfa_started"] = time.time() - 600
    assert client.get("/login/code").location.endswith("/login")
    with client.session_transaction() as s:
        assert "mfa_user_id" not in s


@pytest.mark.parametrize("email", ["\x00", "therapist1@example.org\x00"])
def test_a_nul_character_in_a_form_gets_a_clear_400_and_logs_nobody_in(app, make, client, email):
    make.user(email="therapist1@example.org")
    response = login_form(client, email)
    assert response.status_code == 400 and b"NUL character" in response.data
    assert client.get("/therapist/clients").status_code == 302  # still logged out
    assert db.session.scalar(sa.select(sa.func.count(StaffLogin.id))) == 0


def test_a_nul_character_in_a_query_string_gets_a_clear_400(app, client):
    response = client.get("/login?next=%00", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "NUL character" in response.get_json()["error"]["message"]


def test_loading_the_config_refuses_an_unsafe_production(tmp_path, monkeypatch):
    from flask import Flask

    from telehealth import config

    monkeypatch.setenv("TELEHEALTH_ENV", "production")
    app = Flask(__name__, instance_path=str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.load(app, {"SECRET_KEY": "dev", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("body", [[1], "x", {"email": ["a@example.org"], "password": PASSWORD}])
def test_a_json_body_to_a_form_page_gets_a_clear_400(app, client, body):
    token = csrf_token(client.get("/login"))
    response = client.post("/login", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert "form fields, not JSON" in response.get_json()["error"]["message"]


def test_the_code_that_confirmed_mfa_setup_cannot_log_in_again(app, make, client):
    user = make.user()
    login_form(client, user.email)
    page = client.get("/account/mfa")
    secret = db.session.scalar(sa.select(StaffLogin.mfa_pending_secret))
    code = pyotp.TOTP(secret).now()
    client.post("/account/mfa", data={"code": code, "csrf_token": csrf_token(page)})
    assert db.session.get(User, user.id).mfa_enabled
    replay = app.test_client()
    assert login_form(replay, user.email).location.endswith("/login/code")
    assert code_form(replay, code).status_code == 401


DEEP_JSON = "[" * 100_000 + "]" * 100_000


def test_a_deeply_nested_json_body_gets_a_400_without_a_traceback(app, client, caplog):
    token = csrf_token(client.get("/login"))
    response = client.post(
        "/login", data=DEEP_JSON, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text


def test_a_deeply_nested_json_body_is_malformed_json_where_json_is_read(app):
    body = {"data": DEEP_JSON, "content_type": "application/json", "method": "POST"}
    with app.test_request_context("/", **body):
        assert request.get_json(silent=True) is None
        with pytest.raises(BadRequest, match="nested too deeply"):
            request.get_json()


def test_the_nul_guard_walks_any_depth():
    deep: list = ["\x00"]
    for _ in range(100_000):
        deep = [deep]
    assert holds_nul(deep) and not holds_nul([[[["fine"]]]])
