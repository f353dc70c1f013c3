"""A clean record: a set with no pass done is not kept (its number goes to the next set), and
the therapist strikes a set with a reason: kept in view, struck through, no longer counted."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from telehealth import stimulation
from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.models import AuditEvent, Score, StimSet
from tests.support import Auth, csrf_token

REASON = "Started before the client was ready"


def run(session_id: int, t_ms: float, seconds: float) -> float:
    """A set started at ``t_ms``, stopped ``seconds`` later and settled at the centre, all on
    the given clock; the time after it."""
    room_state.commit_change(session_id, stimulation.start, t_ms)
    room_state.commit_change(session_id, stimulation.stop, t_ms + seconds * 1000)
    done = t_ms + seconds * 1000 + 10_000
    room_state.commit_change(session_id, stimulation.settle, done)
    return done + 1000


def numbers_and_passes(session_id: int) -> list[tuple[int, int]]:
    return db.session.execute(
        sa.select(StimSet.number, StimSet.passes)
        .where(StimSet.therapy_session_id == session_id)
        .order_by(StimSet.number)
    ).all()


def test_a_set_stopped_before_its_first_pass_is_not_kept(room):
    run(room.session.id, room_state.now_ms(), seconds=0.1)
    assert numbers_and_passes(room.session.id) == []


def test_the_next_set_takes_the_number_of_one_not_kept(room):
    t = run(room.session.id, room_state.now_ms(), seconds=3)
    t = run(room.session.id, t, seconds=0.1)
    run(room.session.id, t, seconds=2)
    assert [number for number, _ in numbers_and_passes(room.session.id)] == [1, 2]
    assert all(passes > 0 for _, passes in numbers_and_passes(room.session.id))


def test_a_score_given_during_a_set_not_kept_follows_the_set_before(room):
    t = run(room.session.id, room_state.now_ms(), seconds=3)
    room_state.commit_change(room.session.id, stimulation.start, t)
    entered = {"id": "entered-during-2", "kind": "sud", "value": 4}
    assert room.therapist_socket.emit("score:enter", entered, callback=True)["ok"]
    room_state.commit_change(room.session.id, stimulation.stop, t + 100)
    room_state.commit_change(room.session.id, stimulation.settle, t + 10_000)
    (first,) = db.session.scalars(sa.select(StimSet)).all()
    score = db.session.scalar(sa.select(Score))
    assert first.number == 1 and score.stim_set_id == first.id


def test_a_set_the_client_paused_is_kept_even_before_its_first_pass(room):
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    assert room.client_socket.emit("stim:client_pause", callback=True)["ok"]
    assert room.therapist_socket.emit("stim:stop", callback=True)["ok"]
    room_state.commit_change(room.session.id, stimulation.settle, room_state.now_ms() + 10_000)
    (stim_set,) = db.session.scalars(sa.select(StimSet)).all()
    assert stim_set.passes == 0 and stim_set.client_paused_at and stim_set.ended_at


@pytest.fixture
def two_sets(room):
    """Two sets with passes; a SUD after each (3 then 2)."""
    t = room_state.now_ms()
    for n, value in ((1, 3), (2, 2)):
        t = run(room.session.id, t, seconds=3)
        entered = {"id": f"entered-after-{n}", "kind": "sud", "value": value}
        assert room.therapist_socket.emit("score:enter", entered, callback=True)["ok"]
    return room


def strike(http, session_id: int, number: int, reason, token: str | None = None):
    token = token if token is not None else csrf_token(http.get("/therapist/clients"))
    body = {"csrf_token": token}
    if reason is not None:
        body["reason"] = reason
    return http.post(f"/therapist/sessions/{session_id}/sets/{number}/strike", data=body)


def struck(session_id: int) -> list[tuple]:
    return db.session.execute(
        sa.select(StimSet.number, StimSet.struck_at.is_not(None), StimSet.struck_reason)
        .where(StimSet.therapy_session_id == session_id)
        .order_by(StimSet.number)
    ).all()


def strike_rows() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "set.struck")))


def test_the_therapist_strikes_a_set_with_a_reason_and_it_stays_in_view(two_sets):
    room, http = two_sets, two_sets.therapist_http
    response = strike(http, room.session.id, 1, f"  {REASON} ")
    assert response.status_code == 302 and response.location.endswith("/record")
    assert struck(room.session.id) == [(1, True, REASON), (2, False, None)]
    (row,) = strike_rows()
    assert (row.detail, row.therapy_session_id, row.client_id, row.user_id) == (
        "set 1",
        room.session.id,
        room.session.client_id,
        room.therapist.id,
    )
    page = http.get(f"/therapist/sessions/{room.session.id}/record").text
    assert 'class="struck" id="set-1"' in page and REASON in page
    assert 'class="struck" id="set-2"' not in page


def test_a_struck_set_and_its_scores_are_not_counted(two_sets):
    room, http = two_sets, two_sets.therapist_http
    strike(http, room.session.id, 1, REASON)
    (history,) = http.get(f"/therapist/clients/{room.session.client_id}/history.json").json[
        "sessions"
    ]
    assert history["sets"] == 1 and history["sud"] == [2]
    charts = http.get(f"/therapist/sessions/{room.session.id}/scores.json").json
    assert [s["struck"] for s in charts["sets"]] == [True, False]
    # a score given now follows the last set still counted
    entered = {"id": "entered-after-strike", "kind": "sud", "value": 1}
    strike(http, room.session.id, 2, REASON)
    assert room.therapist_socket.emit("score:enter", entered, callback=True)["ok"]
    latest = db.session.scalar(sa.select(Score).where(Score.submission_id == entered["id"]))
    assert latest.stim_set_id is None


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (None, "Give a reason for striking this set."),
        ("", "Give a reason for striking this set."),
        ("   ", "Give a reason for striking this set."),
        ("x" * 201, "Keep the reason to 200 characters or fewer."),
        ("two\nlines", "The reason must be plain text on one line."),
        ("tab\there", "The reason must be plain text on one line."),
    ],
)
def test_a_strike_without_a_good_reason_is_refused_and_changes_nothing(two_sets, reason, message):
    room = two_sets
    response = strike(room.therapist_http, room.session.id, 1, reason)
    assert response.status_code == 400 and message in response.text
    assert 'aria-invalid="true"' in response.text  # shown at the set's own form, open
    assert struck(room.session.id) == [(1, False, None), (2, False, None)]
    assert strike_rows() == []


def test_a_reason_of_200_characters_is_enough(two_sets):
    room = two_sets
    assert strike(room.therapist_http, room.session.id, 2, "x" * 200).status_code == 302
    assert struck(room.session.id)[1] == (2, True, "x" * 200)


def test_a_strike_without_the_csrf_token_is_refused(two_sets):
    room = two_sets
    response = strike(room.therapist_http, room.session.id, 1, REASON, token="")
    assert response.status_code == 400 and "The form expired" in response.text
    assert struck(room.session.id)[0] == (1, False, None) and strike_rows() == []


def test_a_set_is_struck_once(two_sets):
    room = two_sets
    strike(room.therapist_http, room.session.id, 1, REASON)
    again = strike(room.therapist_http, room.session.id, 1, "Another reason")
    assert again.status_code == 400 and "already struck" in again.text
    assert struck(room.session.id)[0] == (1, True, REASON) and len(strike_rows()) == 1


def test_a_running_set_cannot_be_struck(room):
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    response = strike(room.therapist_http, room.session.id, 1, REASON)
    assert response.status_code == 400 and "still running" in response.text
    assert struck(room.session.id) == [(1, False, None)] and strike_rows() == []


def test_a_set_that_does_not_exist_is_not_found(two_sets):
    room = two_sets
    assert strike(room.therapist_http, room.session.id, 3, REASON).status_code == 404


def test_another_therapist_cannot_strike_a_set(app, two_sets, make):
    room, other = two_sets, app.test_client()
    Auth(other).login(make.user())
    assert strike(other, room.session.id, 1, REASON).status_code == 404
    assert struck(room.session.id)[0] == (1, False, None) and strike_rows() == []
