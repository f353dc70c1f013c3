"""Login and second-step throttling, per account and per address (Flask-Limiter)."""

from __future__ import annotations

import pytest

from tests.support import login_form


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
