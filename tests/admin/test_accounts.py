"""The admin area: disable, re-enable, reset password or MFA; the last admin; re-auth."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import AuditEvent, StaffLogin, User, utcnow
from telehealth.staff import mfa
from telehealth.web import safe_next
from tests.support import PASSWORD, Auth, csrf_token, login_form


@pytest.fixture
def admin(app, make):
    user = make.user("admin")
    http = app.test_client()
    Auth(http).login(user)
    http.user = user
    return http


def act(http, user_id: int, action: str):
    token = csrf_token(http.get("/admin/users"))
    return http.post(f"/admin/users/{user_id}/{action}", data={"csrf_token": token})


def audited(action: str) -> list[str]:
    return db.session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.action == action)).all()


def test_disabling_cuts_the_therapists_socket_and_login_at_once(admin, room):
    response = act(admin, room.therapist.id, "disable")
    assert response.status_code == 302
    assert not db.session.get(User, room.therapist.id).active
    assert not room.therapist_socket.is_connected()
    assert room.therapist_http.get("/therapist/clients").status_code == 302
    assert login_form(room.therapist_http, room.therapist.email).status_code == 401
    assert audited("account.disabled") == [f"user {room.therapist.id}"]


def test_a_disabled_account_can_be_re_enabled(admin, make):
    user = make.user()
    act(admin, user.id, "disable")
    act(admin, user.id, "enable")
    assert db.session.get(User, user.id).active
    assert audited("account.enabled") == [f"user {user.id}"]


def test_the_last_active_admin_cannot_be_disabled(admin):
    response = act(admin, admin.user.id, "disable")
    assert response.status_code == 302
    assert db.session.get(User, admin.user.id).active
    assert "last active admin" in admin.get("/admin/users").text


def test_an_admin_can_be_disabled_when_another_is_active(admin, make):
    other = make.user("admin")
    act(admin, other.id, "disable")
    assert not db.session.get(User, other.id).active


def with_second_factor(user: User) -> str:
    secret = mfa.new_secret()
    mfa.enable(user, secret)
    db.session.commit()
    return secret


def temporary_password_of(response) -> str:
    return response.text.split('<p class="temp-password"><code>')[1].split("</code>")[0]


def test_a_reset_password_is_shown_once_and_opens_nothing_without_the_users_second_factor(
    admin, make, app
):
    user = make.user()
    secret = with_second_factor(user)
    temporary = temporary_password_of(act(admin, user.id, "reset-password"))
    assert len(temporary) >= 12
    assert temporary not in "".join(d or "" for d in audited("password.reset"))
    assert login_form(app.test_client(), user.email, PASSWORD).status_code == 401
    fresh = app.test_client()
    assert login_form(fresh, user.email, temporary).location.endswith("/login/code")
    assert fresh.get("/therapist/clients").status_code == 302  # not logged in yet
    page = fresh.get("/login/code")
    fresh.post(
        "/login/code",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(page)},
    )
    assert fresh.get("/therapist/clients").location.endswith("/account/password")
    assert db.session.get(User, user.id).reset_by_id is None  # its owner is back


def test_one_admin_cannot_reset_both_the_password_and_the_second_factor(admin, make, app):
    user = make.user()
    with_second_factor(user)
    act(admin, user.id, "reset-password")
    refused = act(admin, user.id, "reset-mfa")
    assert "Another admin must do the next reset" in admin.get(refused.location).text
    assert db.session.get(User, user.id).mfa_enabled
    other = app.test_client()
    Auth(other).login(make.user("admin"))
    act(other, user.id, "reset-mfa")
    assert not db.session.get(User, user.id).mfa_enabled


def test_a_therapist_without_a_second_factor_needs_two_admins_for_a_reset(admin, make, app):
    user = make.user()
    asked = act(admin, user.id, "reset-password")
    assert "Another admin must confirm" in admin.get(asked.location).text
    assert audited("password.reset_asked") == [f"user {user.id}"]
    assert login_form(app.test_client(), user.email, PASSWORD).status_code == 302  # unchanged
    again = act(admin, user.id, "reset-password")
    assert again.status_code == 302 and audited("password.reset") == []
    other = app.test_client()
    Auth(other).login(make.user("admin"))
    temporary = temporary_password_of(act(other, user.id, "reset-password"))
    assert login_form(app.test_client(), user.email, temporary).status_code == 302


def test_resetting_mfa_turns_it_off(admin, make):
    user = make.user()
    mfa.enable(user, mfa.new_secret())
    db.session.commit()
    act(admin, user.id, "reset-mfa")
    assert db.session.get(User, user.id).mfa_secret is None
    assert audited("mfa.reset") == [f"user {user.id}"]


def test_a_stale_login_must_enter_the_password_again(admin, make):
    user = make.user()
    with admin.session_transaction() as s:
        s["reauth_at"] = 0
    db.session.execute(sa.update(StaffLogin).values(created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    response = act(admin, user.id, "disable")
    assert "/admin/confirm" in response.location
    assert db.session.get(User, user.id).active  # nothing happened
    page = admin.get("/admin/confirm")
    wrong = admin.post(
        "/admin/confirm", data={"password": "not it at all", "csrf_token": csrf_token(page)}
    )
    assert wrong.status_code == 401 and audited("reauth.failed") == [None]
    right = admin.post(
        "/admin/confirm?next=//evil.example/x",
        data={"password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert right.location.endswith("/admin/users")  # never off-site
    act(admin, user.id, "disable")
    assert not db.session.get(User, user.id).active


@pytest.mark.parametrize(
    "path",
    ["/admin/users", "/admin/audit", "/admin/audit.csv", "/admin/confirm"],
)
def test_a_therapist_gets_403_on_admin_pages(app, make, path):
    http = app.test_client()
    Auth(http).login(make.user())
    assert http.get(path).status_code == 403


@pytest.mark.parametrize("action", ["disable", "enable", "reset-password", "reset-mfa"])
def test_admin_actions_need_the_csrf_token_and_a_therapist_cannot_use_them(
    app, admin, make, action
):
    user = make.user()
    assert admin.post(f"/admin/users/{user.id}/{action}").status_code == 400
    therapist = app.test_client()
    Auth(therapist).login(make.user())
    token = csrf_token(therapist.get("/therapist/clients"))
    assert (
        therapist.post(f"/admin/users/{user.id}/{action}", data={"csrf_token": token}).status_code
        == 403
    )
    refreshed = db.session.get(User, user.id)
    assert refreshed.active and not refreshed.must_change_password


def test_no_clinical_words_reach_the_admin_pages(admin, room):
    room.therapist_socket.emit(
        "score:enter", {"id": "entry-9999", "kind": "sud", "value": 9}, callback=True
    )
    for path in ("/admin/users", "/admin/audit", "/admin/audit.csv"):
        text = admin.get(path).text
        assert "Client A" not in text, path


def test_admin_and_therapist_pages_share_one_action_form():
    from telehealth.admin import views as admin_views
    from telehealth.therapist import record, views

    assert admin_views.ActionForm is views.ActionForm is record.ActionForm


@pytest.mark.parametrize(
    ("query", "lands_on"),
    [
        ("next=//evil.example/x", "/admin/users"),
        ("next=/%5Cevil.example/x", "/admin/users"),
        ("next=/%09/evil.example/x", "/admin/users"),
        ("next=/%0a/x", "/admin/users"),
        ("next=/%0d%0aSet-Cookie:x=1", "/admin/users"),
        ("next=/%E3%80%80/evil.example", "/admin/users"),
        ("next=https://evil.example/x", "/admin/users"),
        ("next=https:/evil.example", "/admin/users"),
        ("next=javascript:alert(1)", "/admin/users"),
        ("next=evil.example", "/admin/users"),
        ("next=", "/admin/users"),
        ("next=/ok/path%3Fx%3D1", "/ok/path?x=1"),
    ],
)
def test_reauth_redirects_only_to_a_path_on_this_site(admin, query, lands_on):
    page = admin.get("/admin/confirm")
    response = admin.post(
        f"/admin/confirm?{query}", data={"password": PASSWORD, "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == lands_on


@pytest.mark.parametrize(
    "target",
    ["//evil", "/\\evil", "/\t/evil", "/\n/x", "https://evil", "javascript:alert(1)", None, 3],
)
def test_safe_next_refuses_anything_but_a_path_here(target):
    assert safe_next(target, "/home") == "/home"


def test_safe_next_keeps_a_path_with_its_query():
    assert safe_next("/ok/path?x=1", "/home") == "/ok/path?x=1"


def create_account(http, email: str):
    token = csrf_token(http.get("/admin/users"))
    data = {"email": email, "role": "admin", "password": "a long new password"}
    return http.post(
        "/admin/users", data={**data, "confirm": data["password"], "csrf_token": token}
    )


def test_creating_an_account_needs_a_fresh_password_like_every_admin_action(admin):
    with admin.session_transaction() as s:
        s["reauth_at"] = 0
    db.session.execute(sa.update(StaffLogin).values(created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert admin.get("/admin/users").status_code == 200  # reading needs no password again
    response = create_account(admin, "new.admin@example.org")
    assert "/admin/confirm" in response.location
    assert db.session.scalar(sa.select(User).where(User.email == "new.admin@example.org")) is None
    with admin.session_transaction() as s:
        s["reauth_at"] = time.time()
    assert create_account(admin, "new.admin@example.org").status_code == 302
    assert db.session.scalar(sa.select(User).where(User.email == "new.admin@example.org"))
