"""The name clients see: a staff member sets it on their account page (an admin may give it
with a new account); 1 to 80 plain characters, blank for none, audited without the name."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import AuditEvent, User
from tests.support import Auth, csrf_token

BAD_NAMES = [
    "x" * 81,
    "Ana\nRuiz",
    "Ana\tRuiz",
    "Ana\rRuiz",
    "Ana\x07Ruiz",
    "Ana\u202eziuR",  # a right-to-left override: the name would read differently
    "Ana\u200bRuiz",  # a zero-width space
    "Ana\u2028Ruiz",  # a line separator
]


@pytest.fixture
def therapist(app, make):
    user = make.user()
    http = app.test_client()
    Auth(http).login(user)
    http.user = user
    return http


def save(http, name: str):
    page = http.get("/account")
    return http.post("/account", data={"csrf_token": csrf_token(page), "display_name": name})


def audited() -> list[tuple[str, str | None]]:
    return db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.detail).where(
            AuditEvent.action == "account.display_name"
        )
    ).all()


def test_the_account_page_offers_the_name_clients_see(therapist):
    page = therapist.get("/account")
    assert page.status_code == 200
    assert "Display name shown to clients" in page.text
    assert therapist.user.email in page.text
    assert 'href="/account/password"' in page.text


def test_a_display_name_is_saved_stripped_and_audited_without_the_name(therapist):
    response = save(therapist, "  Dr. Ana Ruiz  ")
    assert response.status_code == 302 and response.location.endswith("/account")
    assert db.session.get(User, therapist.user.id).display_name == "Dr. Ana Ruiz"
    assert audited() == [("account.display_name", "set")]
    assert 'value="Dr. Ana Ruiz"' in therapist.get("/account").text


@pytest.mark.parametrize("name", ["  ", ""])
def test_a_blank_display_name_clears_it(therapist, name):
    save(therapist, "Sam")
    assert save(therapist, name).status_code == 302
    assert db.session.get(User, therapist.user.id).display_name is None
    assert audited() == [("account.display_name", "set"), ("account.display_name", "cleared")]


@pytest.mark.parametrize("name", ["Ana", "x" * 80, "José Ñúñez-Lüdenscheidt", "山田 花子", "A"])
def test_a_display_name_of_1_to_80_plain_characters_is_kept(therapist, name):
    assert save(therapist, name).status_code == 302
    assert db.session.get(User, therapist.user.id).display_name == name


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_bad_display_name_is_refused_and_changes_nothing(therapist, name):
    save(therapist, "Dr. Ana Ruiz")
    response = save(therapist, name)
    assert response.status_code == 400
    assert (
        "Letters, digits, spaces and punctuation only." in response.text
        or "At most 80 characters." in response.text
    )
    assert db.session.get(User, therapist.user.id).display_name == "Dr. Ana Ruiz"
    assert audited() == [("account.display_name", "set")]


def test_saving_the_same_name_again_is_not_audited_again(therapist):
    save(therapist, "Sam")
    save(therapist, "Sam ")
    assert audited() == [("account.display_name", "set")]


def test_the_header_leads_staff_to_their_account_page(therapist):
    page = therapist.get("/therapist/clients")
    assert 'class="who" href="/account"' in page.text


def test_an_admin_may_give_a_new_account_its_display_name(app, make):
    http = app.test_client()
    Auth(http).login(make.user("admin"))
    page = http.get("/admin/users")
    body = {
        "csrf_token": csrf_token(page),
        "email": "new.therapist@example.org",
        "role": "therapist",
        "password": "a long and fine password",
        "confirm": "a long and fine password",
    }
    refused = http.post("/admin/users", data={**body, "display_name": "Dr.\nNew"})
    assert refused.status_code == 400 and "Letters, digits, spaces" in refused.text
    assert db.session.scalar(sa.select(User).where(User.email == body["email"])) is None
    assert http.post("/admin/users", data={**body, "display_name": " Dr. New "}).status_code == 302
    created = db.session.scalar(sa.select(User).where(User.email == body["email"]))
    assert created.display_name == "Dr. New"
