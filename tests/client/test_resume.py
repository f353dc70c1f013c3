"""A reload after the checks: the client's checks are kept with the session (checks:done), so
the room page offers one tap back in (Welcome back) instead of the sound check and the camera
again; never before the screening is answered, and a new session asks for the checks again.
The therapist may ask for the sound check again between sets (soundcheck:ask). In a real
browser: tests/browser/test_checks.py."""

from __future__ import annotations

import pytest

from telehealth import stimulation
from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.models import TherapySession
from tests.client.test_screening import NO, answer, stored_client
from tests.support import join, received


def stored(session_id: int) -> tuple:
    db.session.expire_all()
    therapy_session = db.session.get(TherapySession, session_id)
    return therapy_session.client_checked_at, therapy_session.client_sound_check


def room_page(room) -> str:
    return room.client_http.get("/room").text


def test_the_first_visit_shows_the_checks_and_no_welcome_back(room):
    page = room_page(room)
    assert 'data-step="screening"' in page and 'data-step="sound"' in page
    assert 'data-step="resume"' not in page and 'data-checked-sound=""' in page


def test_after_the_checks_a_reload_offers_one_tap_back_in(room):
    answer(room, NO)
    ack = room.client_socket.emit("checks:done", {"sound": "swapped"}, callback=True)
    assert ack == {"ok": True}
    checked_at, sound = stored(room.session.id)
    assert checked_at is not None and sound == "swapped"
    page = room_page(room)
    assert 'data-step="resume"' in page and "Welcome back" in page
    assert 'data-checked-sound="swapped"' in page
    assert 'data-step="screening"' not in page  # answered once per client
    assert 'data-step="sound"' in page  # still there, to do again if wished


def test_the_checks_are_not_kept_before_the_screening_is_answered(room):
    ack = room.client_socket.emit("checks:done", {"sound": "ok"}, callback=True)
    assert ack["error"]["code"] == "not_screened"
    assert stored(room.session.id) == (None, None)
    assert 'data-step="resume"' not in room_page(room)


@pytest.mark.parametrize(
    "payload, code",
    [
        (None, "invalid_payload"),
        ("ok", "invalid_payload"),
        ({}, "invalid_payload"),
        ({"sound": "ok", "extra": 1}, "invalid_payload"),
        ({"sound": "loud"}, "invalid_value"),
        ({"sound": 1}, "invalid_value"),
        ({"sound": None}, "invalid_value"),
    ],
)
def test_a_bad_checks_done_is_refused_and_changes_nothing(room, payload, code):
    answer(room, NO)
    ack = room.client_socket.emit("checks:done", payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code
    assert ack["error"]["message"]
    assert stored(room.session.id) == (None, None)


def test_the_therapist_cannot_mark_the_clients_checks_done(room):
    answer(room, NO)
    ack = room.therapist_socket.emit("checks:done", {"sound": "ok"}, callback=True)
    assert ack["error"]["code"] == "forbidden"
    assert stored(room.session.id) == (None, None)


def test_a_new_session_asks_for_the_checks_again(app, room, make):
    answer(room, NO)
    room.client_socket.emit("checks:done", {"sound": "ok"}, callback=True)
    later = TherapySession.open(stored_client(room), room_state.now_ms())
    db.session.add(later)
    db.session.commit()
    http = app.test_client()
    assert join(http, make.link(later)[1]).status_code == 302
    page = http.get("/room").text
    assert 'data-step="resume"' not in page and 'data-step="sound"' in page
    assert 'data-step="screening"' not in page  # the screening stays answered
    assert stored(later.id) == (None, None)


def test_the_therapist_asks_for_the_sound_check_again_between_sets(room):
    ack = room.therapist_socket.emit("soundcheck:ask", callback=True)
    assert ack == {"ok": True}
    assert received(room.client_socket, "soundcheck:asked") == [{}]


@pytest.mark.parametrize(
    "change", [stimulation.start, stimulation.pause], ids=["running", "paused"]
)
def test_the_sound_check_is_not_asked_for_while_a_set_is_open(room, change):
    room_state.commit_change(room.session.id, stimulation.start)
    if change is stimulation.pause:
        room_state.commit_change(room.session.id, stimulation.pause)
    room.client_socket.get_received()
    ack = room.therapist_socket.emit("soundcheck:ask", callback=True)
    assert ack["error"]["code"] == "set_running" and "ask when" in ack["error"]["message"]
    assert received(room.client_socket, "soundcheck:asked") == []


def test_the_sound_check_ask_takes_no_payload_and_not_from_the_client(room):
    ack = room.therapist_socket.emit("soundcheck:ask", {"now": True}, callback=True)
    assert ack["error"]["code"] == "invalid_payload"
    ack = room.client_socket.emit("soundcheck:ask", callback=True)
    assert ack["error"]["code"] == "forbidden"
    assert received(room.client_socket, "soundcheck:asked") == []
