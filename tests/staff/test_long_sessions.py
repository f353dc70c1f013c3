"""A therapist's long session: forms keep working for hours, and only what a person does holds
off the idle timeout (a page's own pings and background fetches do not)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from itsdangerous import timed

from telehealth.extensions import db
from telehealth.models import StaffLogin, utcnow
from tests.support import csrf_token

IDLE_MIN = 30.0  # the default STAFF_IDLE_TIMEOUT_MIN


def the_login(room) -> StaffLogin:
    (login,) = db.session.query(StaffLogin).filter_by(user_id=room.therapist.id).all()
    return login


def idle_for(login: StaffLogin, minutes: float) -> None:
    login.last_seen_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def seen_minutes_ago(room) -> float:
    db.session.expire_all()
    return (utcnow() - the_login(room).last_seen_at).total_seconds() / 60


def test_a_form_token_still_works_hours_after_the_page_was_opened(room, monkeypatch):
    page = room.therapist_http.get(f"/therapist/sessions/{room.session.id}")
    token = csrf_token(page)
    later = time.time() + 5 * 3600
    monkeypatch.setattr(timed.time, "time", lambda: later)
    saved = room.therapist_http.post(
        f"/therapist/sessions/{room.session.id}/record",
        json={"notes": "typed after five hours"},
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 200, saved.get_json()


@pytest.mark.both_socket_paths
def test_clock_pings_do_not_hold_off_the_idle_timeout(room):
    idle_for(the_login(room), IDLE_MIN - 1)
    for n in range(5):
        ack = room.therapist_socket.emit("clock:ping", {"t": n}, callback=True)
        assert ack["ok"]
    assert seen_minutes_ago(room) > IDLE_MIN - 1.5


def test_a_socket_of_an_idle_login_is_ended_at_its_next_check(room):
    idle_for(the_login(room), IDLE_MIN + 1)
    ack = room.therapist_socket.emit("clock:ping", {"t": 9}, callback=True)
    assert not ack["ok"] and ack["error"]["code"] == "ended"
    assert the_login(room).revoked_at is not None


@pytest.mark.both_socket_paths
def test_a_therapists_own_action_holds_off_the_idle_timeout(room):
    idle_for(the_login(room), IDLE_MIN - 1)
    ack = room.therapist_socket.emit("stim:update", {"speed_pps": 1.5}, callback=True)
    assert ack["ok"]
    assert seen_minutes_ago(room) < 0.5


def test_a_pages_background_fetch_does_not_count_and_a_keypress_report_does(room):
    idle_for(the_login(room), IDLE_MIN - 1)
    scores = f"/therapist/sessions/{room.session.id}/scores.json"
    assert room.therapist_http.get(scores, headers={"X-Background": "1"}).status_code == 200
    assert seen_minutes_ago(room) > IDLE_MIN - 1.5
    page = room.therapist_http.get("/therapist/clients")
    idle_for(the_login(room), IDLE_MIN - 1)
    told = room.therapist_http.post("/account/active", headers={"X-CSRFToken": csrf_token(page)})
    assert told.status_code == 200 and told.get_json()["idle_timeout_s"] == IDLE_MIN * 60
    assert seen_minutes_ago(room) < 0.5


def test_an_idle_staff_page_is_logged_out_with_words(room):
    idle_for(the_login(room), IDLE_MIN + 1)
    response = room.therapist_http.get("/therapist/clients", follow_redirects=True)
    assert "logged out after a while without activity" in response.text
    assert the_login(room).revoked_at is not None


@pytest.mark.parametrize(
    ("ended", "says"), [("timeout", True), ("", False), ("<script>", False), ("logout", False)]
)
def test_the_login_page_says_why_a_page_came_back_to_it(client, ended, says):
    page = client.get("/login", query_string={"ended": ended})
    assert page.status_code == 200
    assert ("logged out after a while without activity" in page.text) == says
    assert "<script>" not in page.text.split("</header>")[-1]
