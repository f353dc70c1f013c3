"""What the audit log keeps, and what it must not: the account a failed login tried, refused
bursts, accounts made from the command line; no client's IP address, no secret in a cookie,
no pseudonym in a page title."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import AuditEvent
from tests.support import PASSWORD, Auth, login_form


def rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_a_failed_login_names_the_account_tried(app, make):
    user = make.user()
    login_form(app.test_client(), user.email, "not the password at all")
    login_form(app.test_client(), "nobody@example.org", "not the password at all")
    tried, unknown = rows("login.failed")
    assert (tried.user_id, tried.detail) == (user.id, "wrong password")
    assert (unknown.user_id, unknown.detail) == (None, "no account with that email")


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2/minute"}]
)
def test_a_refused_burst_is_audited(app, make):
    user = make.user()
    statuses = [login_form(app.test_client(), user.email, "wrong!").status_code for _ in range(3)]
    assert statuses[-1] == 429
    (throttled,) = rows("throttled")
    assert throttled.detail == "POST auth.login"


def test_an_account_made_from_the_command_line_is_audited(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "cli@example.org", "--role", "therapist", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    (created,) = rows("account.created")
    assert created.detail.endswith("(therapist) by the command line")


def test_a_clients_ip_address_is_never_kept(room):
    (used,) = rows("link.used")
    assert used.address is None
    assert room.client_http.get(f"/join/{room.token}").status_code in (302, 410)
    assert all(row.address is None for row in rows("link.reused"))


def test_no_page_title_carries_a_clients_pseudonym(app, make):
    therapist = make.user()
    therapy_session = make.session(therapist)
    http = app.test_client()
    Auth(http).login(therapist)
    pseudonym = therapy_session.client.pseudonym
    for path in (
        "/therapist/clients",
        f"/therapist/clients/{therapy_session.client_id}",
        f"/therapist/sessions/{therapy_session.id}",
        f"/therapist/sessions/{therapy_session.id}/record",
        f"/therapist/sessions/{therapy_session.id}/summary",
    ):
        page = http.get(path)
        assert page.status_code == 200
        title = page.text.split("<title>")[1].split("</title>")[0]
        assert pseudonym not in title, path
