"""Login and second-step throttling, per account and per address (Flask-Limiter)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import StaffLogin
from telehealth.staff import mfa
from tests.support import PASSWORD, Auth, csrf_token, login_form


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}


def test_login_is_throttled_per_account_with_the_same_message_for_unknown_accounts(app, make):
    user = make.user()
    # from four different addresses: the account's own limit is what stops the fourth try
    statuses = [
        login_form(app.test_client(), user.email, "wrong password!", f"10.0.0.{i}").status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    # the right password is refused too while the account is throttled
    assert login_form(app.test_client(), user.email, address="10.0.1.1").status_code == 429
    unknown = [
        login_form(app.test_client(), "nobody@example.org", "wrong password!", f"10.0.2.{i}")
        for i in range(3)
    ]
    assert {r.status_code for r in unknown} == {401}
    wrong = login_form(app.test_client(), make.user().email, "wrong password!", "10.0.3.1")
    assert (
        wrong.text.count("Email or password is wrong.")
        == unknown[0].text.count("Email or password is wrong.")
        == 1
    )


def test_login_is_throttled_per_address_across_accounts(app, make):
    client = app.test_client()
    statuses = [
        login_form(client, f"guess{i}@example.org", "wrong password!").status_code for i in range(4)
    ]
    assert statuses[-1] == 429


def test_a_json_login_cannot_step_around_a_throttled_account(app, make):
    user = make.user()
    for i in range(3):
        login_form(app.test_client(), user.email, "wrong password!", f"10.0.4.{i}")
    client = app.test_client()
    env = {"REMOTE_ADDR": "10.0.5.1"}
    token = csrf_token(client.get("/login", environ_base=env))
    response = client.post(
        "/login",
        json={"email": user.email, "password": PASSWORD},
        headers={"X-CSRFToken": token},
        environ_base=env,
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(StaffLogin.id))) == 0


def test_the_second_step_is_throttled_per_pending_account_whatever_fields_come(app, make):
    user = make.user()
    mfa.enable(user, mfa.new_secret())
    db.session.commit()
    client = app.test_client()
    assert login_form(client, user.email, address="10.0.6.1").location.endswith("/login/code")
    statuses = []
    for i in range(4):
        env = {"REMOTE_ADDR": f"10.0.7.{i}"}
        token = csrf_token(client.get("/login/code", environ_base=env))
        data = {"code": "000000", "email": f"other{i}@example.org", "csrf_token": token}
        statuses.append(client.post("/login/code", data=data, environ_base=env).status_code)
    assert statuses == [401, 401, 401, 429]


def wrong_passwords(client, path: str, field: str, tries: int = 4) -> list[int]:
    """POSTs a wrong password to ``path`` from a new address each time."""
    statuses = []
    for i in range(tries):
        env = {"REMOTE_ADDR": f"10.0.8.{i}"}
        token = csrf_token(client.get(path, environ_base=env))
        data = {field: "not my password at all", "csrf_token": token}
        if field == "current":
            data |= {"password": "a long new password", "confirm": "a long new password"}
        statuses.append(client.post(path, data=data, environ_base=env).status_code)
    return statuses


def test_changing_the_password_is_throttled_per_account(app, make):
    client = app.test_client()
    Auth(client).login(make.user())
    assert wrong_passwords(client, "/account/password", "current") == [400, 400, 400, 429]


def test_the_admin_password_check_is_throttled_per_account(app, make):
    client = app.test_client()
    Auth(client).login(make.user("admin"))
    assert wrong_passwords(client, "/admin/confirm", "password") == [401, 401, 401, 429]


def test_the_admin_password_check_is_throttled_per_address(app, make):
    statuses = []
    for i in range(4):
        client = app.test_client()
        login_form(client, make.user("admin").email, address=f"10.0.9.{i}")
        statuses += wrong_passwords(client, "/admin/confirm", "password", tries=1)
    assert statuses == [401, 401, 401, 429]
