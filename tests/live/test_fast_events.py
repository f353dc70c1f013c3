"""The frequent socket events' fast path: no Flask request context, and a therapist's speed
change written with the driver's own statement, yet the same answers, checks and record."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from telehealth import stimulation
from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.models import JoinLink, StaffLogin, StimSet, TherapySession, utcnow
from tests.support import PRESENCE, received


@pytest.fixture
def socket_recheck_s() -> float:
    return 60  # a socket's check holds for a minute: its frequent events may go fast


@pytest.fixture
def request_contexts(app, monkeypatch) -> list[str]:
    """The events handled inside a Flask request context from now on."""
    seen: list[str] = []
    real = type(app).request_context

    def counting(self, environ):
        seen.append(environ.get("PATH_INFO", ""))
        return real(self, environ)

    monkeypatch.setattr(type(app), "request_context", counting)
    return seen


def test_the_frequent_events_are_answered_without_a_request_context(room, request_contexts):
    ping = room.client_socket.emit("clock:ping", {"t": 12.5}, callback=True)
    assert ping["ok"] and ping["t"] == 12.5 and ping["server_ms"] > 0
    assert room.client_socket.emit("presence:update", PRESENCE, callback=True) == {"ok": True}
    update = room.therapist_socket.emit("stim:update", {"speed_pps": 2.0}, callback=True)
    assert update == {"ok": True, "rev": 1}
    assert room.client_socket.emit("stim:applied", {"rev": 1}, callback=True) == {"ok": True}
    # ... the first change went the guarded way (nothing remembered yet); the next ones not
    request_contexts.clear()
    update = room.therapist_socket.emit("stim:update", {"speed_pps": 2.5}, callback=True)
    assert update == {"ok": True, "rev": 2}
    assert room.client_socket.emit("stim:applied", {"rev": 2}, callback=True) == {"ok": True}
    assert request_contexts == []
    panel = room.therapist_socket.get_received()
    heard = {
        name: [m["args"][0] for m in panel if m["name"] == name]
        for name in ("presence:state", "presence:applied")
    }
    assert heard["presence:state"] == [{**PRESENCE, "connected": True}]
    assert heard["presence:applied"] == [{"rev": 1}, {"rev": 2}]
    states = received(room.client_socket, "stim:state")
    assert [s["rev"] for s in states] == [1, 2] and states[-1]["settings"]["speed_pps"] == 2.5


def test_a_refused_fast_event_gets_the_same_error_and_changes_nothing(room, request_contexts):
    room.therapist_socket.emit("stim:update", {"speed_pps": 2.0}, callback=True)
    before = room_state.read_state(room.session.id)
    request_contexts.clear()
    bad = room.therapist_socket.emit("stim:update", {"speed_pps": 99}, callback=True)
    assert bad["ok"] is False and bad["error"]["code"] == "out_of_range"
    errors = received(room.therapist_socket, "error")
    assert errors == [bad["error"]] and "speed_pps" in errors[0]["message"]
    assert room.client_socket.emit("stim:applied", {"rev": "1"}, callback=True)["ok"] is False
    assert received(room.client_socket, "error")[0]["code"] == "invalid_payload"
    assert request_contexts == []  # refused on the fast path itself
    assert room_state.read_state(room.session.id) == before


def test_a_client_cannot_change_the_stimulation_on_the_fast_path(room):
    reply = room.client_socket.emit("stim:update", {"speed_pps": 2.0}, callback=True)
    assert reply["error"]["code"] == "forbidden"
    assert room_state.read_state(room.session.id)["rev"] == 0


def test_speed_changes_mid_set_are_stored_and_the_set_is_recorded_once(room):
    """Starting and ending a set write its record; the changes between go the direct way.
    What the browsers were told is what the database holds, revision by revision."""
    say = room.therapist_socket.emit
    assert say("stim:update", {"speed_pps": 1.0}, callback=True)["ok"]
    assert say("stim:start", callback=True)["ok"]
    for speed in (1.5, 2.0, 2.5):
        assert say("stim:update", {"speed_pps": speed}, callback=True)["ok"]
        told = received(room.client_socket, "stim:state")[-1]
        stored = room_state.read_state(room.session.id)
        assert stored == {k: v for k, v in told.items() if k not in ("server_ms", "passes")}
        # the set's planned end moves with the speed, and the settler finds it where it is
        assert planned_end(room.session.id) == stimulation.ends_at_ms(stored) is not None
    (stim_set,) = db.session.scalars(
        sa.select(StimSet).where(StimSet.therapy_session_id == room.session.id)
    ).all()
    assert stim_set.ended_at is None and stim_set.settings["speed_pps"] == 1.0
    assert say("stim:stop", callback=True)["ok"]  # the target glides to the centre
    glide_ends_ms = stimulation.ends_at_ms(room_state.read_state(room.session.id))
    assert room_state.settle_due(lambda *_: None, now_ms=glide_ends_ms - 1) == 0
    assert room_state.settle_due(lambda *_: None, now_ms=glide_ends_ms + 10) == 1
    stored = room_state.read_state(room.session.id)
    assert stored["rev"] == 7 and not stored["running"]
    # stopped before its first pass: the set is not kept (test_clean_record.py)
    assert (
        db.session.scalars(
            sa.select(StimSet).where(StimSet.therapy_session_id == room.session.id)
        ).all()
        == []
    )


def planned_end(session_id: int) -> float | None:
    column = TherapySession.__table__.c.stim_ends_at_ms
    return db.session.scalar(sa.select(column).where(TherapySession.id == session_id))


def test_a_change_that_leaves_the_planned_end_keeps_it(room):
    say = room.therapist_socket.emit
    assert say("stim:update", {"speed_pps": 1.0}, callback=True)["ok"]
    assert say("stim:start", callback=True)["ok"]
    end = planned_end(room.session.id)
    assert end is not None
    assert say("stim:update", {"colour": "#aabbcc"}, callback=True)["ok"]  # the direct way
    stored = room_state.read_state(room.session.id)
    assert stored["settings"]["colour"] == "#aabbcc"
    assert planned_end(room.session.id) == end == stimulation.ends_at_ms(stored)
    db.session.rollback()
    # a pause ends no set, goes the direct way and takes the planned end away
    assert say("stim:pause", callback=True)["ok"]
    assert planned_end(room.session.id) is None
    assert room_state.settle_due(lambda *_: None) == 0


def test_a_direct_change_after_another_process_changed_the_room_is_redone_from_the_row(room):
    say = room.therapist_socket.emit
    assert say("stim:update", {"speed_pps": 2.0}, callback=True)["rev"] == 1  # remembered
    # another process stores rev 2 (its own change) behind this process's back
    row = db.session.get(TherapySession, room.session.id)
    changed = stimulation.apply_settings(row.stim_state, {"size": 0.1}, room_state.now_ms())
    row.stim_state, row.stim_rev = changed, changed["rev"]
    db.session.commit()
    # this process still remembers rev 1: its direct update matches nothing, and is redone
    assert say("stim:update", {"speed_pps": 2.5}, callback=True)["rev"] == 3
    stored = room_state.read_state(room.session.id)
    assert stored["rev"] == 3
    assert (stored["settings"]["speed_pps"], stored["settings"]["size"]) == (2.5, 0.1)
    assert received(room.client_socket, "stim:state")[-1]["rev"] == 3


def test_an_event_handed_to_the_guarded_way_costs_one_token_of_the_budget(app, room):
    app.config.update(SOCKET_EVENT_BURST=3, SOCKET_EVENTS_PER_S=0.001)
    say = room.therapist_socket.emit
    assert say("stim:update", {"speed_pps": 2.0}, callback=True)["ok"]  # nothing remembered yet
    assert say("stim:update", {"speed_pps": 2.1}, callback=True)["ok"]
    assert say("stim:update", {"speed_pps": 2.2}, callback=True)["ok"]
    over = say("stim:update", {"speed_pps": 2.3}, callback=True)
    assert over["error"]["code"] == "rate_limited"
    assert room_state.read_state(room.session.id)["rev"] == 3


# A socket whose check is due: QuickCheck reads its login or link without Flask and lets a
# frequent event go on the fast way only when it plainly sees it alive.
def test_a_due_check_that_finds_the_login_and_link_alive_stays_on_the_fast_path(
    app, room, request_contexts
):
    say = room.therapist_socket.emit
    assert say("stim:update", {"speed_pps": 2.0}, callback=True)["ok"]  # nothing remembered yet
    app.config["SOCKET_RECHECK_S"] = 0  # every event finds its check due
    request_contexts.clear()
    assert say("stim:update", {"speed_pps": 2.5}, callback=True) == {"ok": True, "rev": 2}
    assert say("clock:ping", {"t": 1}, callback=True)["ok"]
    assert room.client_socket.emit("stim:applied", {"rev": 2}, callback=True)["ok"]
    assert room.client_socket.emit("clock:ping", {"t": 1}, callback=True)["ok"]
    assert request_contexts == []
    assert room_state.read_state(room.session.id)["settings"]["speed_pps"] == 2.5


def _login(room) -> StaffLogin:
    return db.session.scalars(
        sa.select(StaffLogin).where(StaffLogin.user_id == room.therapist.id)
    ).one()


# What ends a socket's right to its room without anyone cutting it (another process's cut that
# never arrived, a clock that ran out): each must reach the full check, which refuses it.
ENDINGS = {
    "login ended": lambda room, make: setattr(_login(room), "revoked_at", utcnow()),
    "login idle too long": lambda room, make: setattr(
        _login(room), "last_seen_at", utcnow() - timedelta(minutes=31)
    ),
    "login too old": lambda room, make: setattr(
        _login(room), "created_at", utcnow() - timedelta(hours=13)
    ),
    "account disabled": lambda room, make: setattr(room.therapist, "active", False),
    "account made an admin": lambda room, make: setattr(room.therapist, "role", "admin"),
    "new password due": lambda room, make: setattr(room.therapist, "must_change_password", True),
    "session handed to another therapist": lambda room, make: setattr(
        room.session, "therapist_id", make.user().id
    ),
}


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_a_due_check_leaves_an_ended_login_to_the_full_check(app, room, make, ending):
    say = room.therapist_socket.emit
    assert say("stim:update", {"speed_pps": 2.0}, callback=True)["ok"]  # remembered: could go fast
    ENDINGS[ending](room, make)
    db.session.commit()
    app.config["SOCKET_RECHECK_S"] = 0
    reply = say("stim:update", {"speed_pps": 2.5}, callback=True)
    assert reply["error"]["code"] == "ended"
    assert not room.therapist_socket.is_connected()
    assert room_state.read_state(room.session.id)["rev"] == 1


def test_a_due_check_leaves_a_login_without_its_required_second_step_to_the_full_check(app, room):
    assert room.therapist_socket.emit("clock:ping", {"t": 1}, callback=True)["ok"]
    app.config.update(SOCKET_RECHECK_S=0, MFA_REQUIRED=True)  # this therapist has no MFA yet
    reply = room.therapist_socket.emit("clock:ping", {"t": 2}, callback=True)
    assert reply["error"]["code"] == "ended"
    assert not room.therapist_socket.is_connected()


@pytest.mark.parametrize("ending", ["revoked", "expired"])
def test_a_due_check_leaves_an_ended_link_to_the_full_check(app, room, ending):
    assert room.client_socket.emit("clock:ping", {"t": 1}, callback=True)["ok"]
    link = db.session.get(JoinLink, room.link.id)
    if ending == "revoked":
        link.revoked_at = utcnow()  # behind the app's back: nobody cut the socket
    else:
        link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    app.config["SOCKET_RECHECK_S"] = 0
    reply = room.client_socket.emit("stim:applied", {"rev": 0}, callback=True)
    assert reply["error"]["code"] == "ended"
    assert not room.client_socket.is_connected()
    assert received(room.therapist_socket, "presence:applied") == []


def test_the_therapists_own_event_on_the_fast_path_notes_the_login_in_use(
    app, room, request_contexts
):
    """A therapist at work on the panel keeps the login; the page's own pings do not."""
    _login(room).last_seen_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    app.config["SOCKET_RECHECK_S"] = 0
    request_contexts.clear()
    assert room.therapist_socket.emit("clock:ping", {"t": 1}, callback=True)["ok"]
    assert request_contexts == []  # the fast path, with its due check
    db.session.expire_all()
    assert utcnow() - _login(room).last_seen_at > timedelta(minutes=4)
    assert room.therapist_socket.emit("stim:update", {"speed_pps": 1.2}, callback=True)["ok"]
    db.session.expire_all()
    assert utcnow() - _login(room).last_seen_at < timedelta(seconds=5)
