"""The checks before any stimulation, through Socket.IO and HTTP: the safety screening answered
once and stored encrypted, a "yes" holding the first set until the therapist confirms it, the
sound check relayed to the panel; the answers on the client's page, in the archive, erased
with the client."""

from __future__ import annotations

import io
import json
import logging
import zipfile

import pytest
import sqlalchemy as sa

from telehealth.client import screening
from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.models import AuditEvent, Client, StimSet, TherapySession
from tests.support import Auth, csrf_token, join, received

NO = {"seizures": False, "migraine": False, "vestibular": False, "eye": False}
TWO_YES = {**NO, "seizures": True, "eye": True}


def answer(room, answers=None) -> dict:
    return room.client_socket.emit("screening:answer", answers or TWO_YES, callback=True)


def stored_client(room) -> Client:
    db.session.expire_all()
    return db.session.get(Client, room.session.client_id)


def seen_at(session_id: int):
    db.session.expire_all()
    return db.session.get(TherapySession, session_id).screening_seen_at


def audit_rows(action: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_answers_are_stored_encrypted_and_the_room_hears_the_yes_keys(room):
    ack = answer(room)
    state = {"answered": True, "flags": ["seizures", "eye"], "seen": False}
    assert ack == {"ok": True, **state}
    assert received(room.therapist_socket, "screening:state") == [state]
    client = stored_client(room)
    assert screening.answers_of(client) == TWO_YES and client.screened_at is not None
    raw = db.session.execute(
        sa.text("SELECT screening FROM client WHERE id = :id"), {"id": client.id}
    ).scalar_one()
    assert "seizures" not in raw and "true" not in raw  # a token, not the answers


def test_a_second_answer_is_refused_and_the_first_stays(room):
    answer(room)
    first = stored_client(room).screened_at
    ack = answer(room, NO)
    assert ack["error"]["code"] == "already_answered"
    assert [m["name"] for m in room.client_socket.get_received()][-1] == "error"
    client = stored_client(room)
    assert screening.answers_of(client) == TWO_YES and client.screened_at == first
    assert len(audit_rows("client.screened")) == 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (None, "invalid_payload"),
        ([True, False, False, False], "invalid_payload"),
        ({}, "invalid_payload"),
        ({"seizures": True, "migraine": False, "vestibular": False}, "invalid_payload"),
        ({**NO, "asthma": True}, "invalid_payload"),
        ({**NO, "eye": "yes"}, "invalid_value"),
        ({**NO, "eye": 1}, "invalid_value"),
        ({**NO, "eye": None}, "invalid_value"),
    ],
)
def test_a_bad_answer_is_refused_and_stores_nothing(room, payload, code):
    ack = room.client_socket.emit("screening:answer", payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code and ack["error"]["message"]
    assert stored_client(room).screened_at is None and stored_client(room).screening is None
    assert audit_rows("client.screened") == []
    assert received(room.therapist_socket, "screening:state") == []


def test_the_audit_and_the_log_carry_only_the_count_of_yes(room, caplog):
    with caplog.at_level(logging.DEBUG):
        answer(room)
    (row,) = audit_rows("client.screened")
    assert row.detail == "2 yes" and row.address is None
    assert row.client_id == room.session.client_id and row.therapy_session_id == room.session.id
    for word in (*screening.QUESTIONS, "true", "True"):
        assert word not in caplog.text


def test_the_therapist_hears_the_screening_on_connect(app, room, sockets):
    def on_connect() -> list[dict]:
        sock = sockets(room.therapist_http, {"role": "therapist", "session_id": room.session.id})
        return received(sock, "screening:state")

    assert on_connect() == [{"answered": False, "flags": [], "seen": False}]
    answer(room, NO)
    assert on_connect() == [{"answered": True, "flags": [], "seen": False}]


def test_start_is_refused_while_a_yes_is_not_confirmed(room):
    answer(room)
    rev = room_state.read_state(room.session.id)["rev"]
    ack = room.therapist_socket.emit("stim:start", callback=True)
    assert ack["error"]["code"] == "screening_unseen"
    assert room_state.read_state(room.session.id)["rev"] == rev
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StimSet)) == 0


def test_once_the_therapist_confirms_start_works(room):
    answer(room)
    room.client_socket.get_received()
    ack = room.therapist_socket.emit("screening:seen", callback=True)
    state = {"answered": True, "flags": ["seizures", "eye"], "seen": True}
    assert ack == {"ok": True, **state}
    assert received(room.client_socket, "screening:state") == [state]  # the whole room hears
    assert seen_at(room.session.id) is not None
    (row,) = audit_rows("screening.seen")
    assert row.user_id == room.therapist.id and row.therapy_session_id == room.session.id
    assert row.detail is None
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"] is True
    again = room.therapist_socket.emit("screening:seen", callback=True)
    assert again["ok"] is True and len(audit_rows("screening.seen")) == 1


@pytest.mark.parametrize("answers", [None, NO], ids=["not answered", "all no"])
def test_start_works_when_there_is_no_yes(room, answers):
    if answers:
        answer(room, answers)
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"] is True


def test_confirming_without_a_yes_is_refused_so_a_later_yes_still_holds_start(room):
    ack = room.therapist_socket.emit("screening:seen", callback=True)
    assert ack["error"]["code"] == "no_warning"
    assert seen_at(room.session.id) is None
    answer(room)
    assert room.therapist_socket.emit("stim:start", callback=True)["error"]["code"] == (
        "screening_unseen"
    )


def test_screening_seen_takes_no_payload(room):
    answer(room)
    ack = room.therapist_socket.emit("screening:seen", {"seen": True}, callback=True)
    assert ack["error"]["code"] == "invalid_payload"
    assert seen_at(room.session.id) is None


def test_the_client_cannot_confirm_its_own_warning(room):
    answer(room)
    ack = room.client_socket.emit("screening:seen", callback=True)
    assert ack["error"]["code"] == "forbidden"
    assert seen_at(room.session.id) is None


def test_another_therapist_cannot_confirm_it(app, make, room, sockets):
    answer(room)
    other = make.user()
    http = app.test_client()
    Auth(http).login(other)
    intruder = sockets(http, {"role": "therapist", "session_id": room.session.id})
    assert not intruder.is_connected()
    own = sockets(http, {"role": "therapist", "session_id": make.session(other).id})
    assert own.emit("screening:seen", callback=True)["error"]["code"] == "no_warning"
    assert seen_at(room.session.id) is None
    assert room.therapist_socket.emit("stim:start", callback=True)["error"]["code"] == (
        "screening_unseen"
    )


def test_each_new_session_needs_its_own_confirmation(app, make, room, sockets):
    answer(room)
    room.therapist_socket.emit("screening:seen", callback=True)
    client = stored_client(room)
    later = TherapySession.open(client, room_state.now_ms())
    db.session.add(later)
    db.session.commit()
    sock = sockets(room.therapist_http, {"role": "therapist", "session_id": later.id})
    assert received(sock, "screening:state")[0]["seen"] is False
    assert sock.emit("stim:start", callback=True)["error"]["code"] == "screening_unseen"


def test_a_client_still_waiting_cannot_answer(app, make, sockets):
    therapy_session = make.session()
    therapy_session.waiting_room = True
    db.session.commit()
    http = app.test_client()
    join(http, make.link(therapy_session)[1])
    waiting = sockets(http, {"role": "client"})
    ack = waiting.emit("screening:answer", NO, callback=True)
    assert ack["error"]["code"] == "waiting"
    db.session.expire_all()
    assert db.session.get(Client, therapy_session.client_id).screened_at is None


def test_the_sound_check_is_relayed_to_the_panel_and_stored_nowhere(room):
    def stored() -> tuple:
        db.session.expire_all()
        rows = db.session.execute(sa.select(TherapySession.__table__)).all()
        return rows, db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))

    before = stored()
    ack = room.client_socket.emit("soundcheck:result", {"result": "swapped"}, callback=True)
    assert ack == {"ok": True}
    assert received(room.therapist_socket, "soundcheck:state") == [{"result": "swapped"}]
    assert received(room.client_socket, "soundcheck:state") == []
    assert stored() == before


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (None, "invalid_payload"),
        ("ok", "invalid_payload"),
        ({}, "invalid_payload"),
        ({"result": "ok", "extra": 1}, "invalid_payload"),
        ({"result": "stereo"}, "invalid_value"),
        ({"result": ["ok"]}, "invalid_value"),
        ({"result": True}, "invalid_value"),
    ],
)
def test_a_bad_sound_check_is_refused_and_relayed_to_no_one(room, payload, code):
    ack = room.client_socket.emit("soundcheck:result", payload, callback=True)
    assert ack["error"]["code"] == code and ack["error"]["message"]
    assert received(room.therapist_socket, "soundcheck:state") == []


def test_the_therapist_cannot_send_a_sound_check(room):
    ack = room.therapist_socket.emit("soundcheck:result", {"result": "ok"}, callback=True)
    assert ack["error"]["code"] == "forbidden"
    assert received(room.client_socket, "soundcheck:state") == []


def checks_section(http) -> str:
    page = http.get("/room").text
    start = page.index('<section id="checks"')
    return page[start : page.index("</section>", start)]


def test_the_room_page_asks_the_screening_until_it_is_answered(room):
    section = checks_section(room.client_http)
    assert 'data-screening-needed="true"' in section and 'data-step="screening"' in section
    answer(room, NO)
    section = checks_section(room.client_http)
    assert 'data-screening-needed="false"' in section and 'data-step="screening"' not in section
    assert 'data-step="sound"' in section


@pytest.mark.parametrize("video", [True, False])
def test_the_camera_step_is_there_only_when_the_session_uses_video(room, video):
    db.session.get(TherapySession, room.session.id).video_enabled = video
    db.session.commit()
    section = checks_section(room.client_http)
    assert (f'data-video-enabled="{str(video).lower()}"') in section
    assert ('data-step="camera"' in section) is video


def test_the_answers_show_on_the_clients_page_and_in_the_archive(room):
    url = f"/therapist/clients/{room.session.client_id}"
    assert 'data-screening="pending"' in room.therapist_http.get(url).text
    answer(room)
    page = room.therapist_http.get(url).text
    assert 'data-screening="seizures" data-answer="yes"' in page
    assert 'data-screening="migraine" data-answer="no"' in page
    assert screening.QUESTIONS["eye"] in page
    archive = room.therapist_http.get(url + "/archive.zip")
    with zipfile.ZipFile(io.BytesIO(archive.data)) as files:
        data = json.loads(files.read("client.json"))
        html = files.read("client.html").decode()
    answers = data["client"]["screening"]["answers"]
    assert [(a["question"], a["yes"]) for a in answers] == list(TWO_YES.items())
    assert data["client"]["screening"]["answered_at"].endswith("Z")
    assert screening.QUESTIONS["seizures"] in html


def test_the_answers_are_erased_with_the_client(room):
    answer(room)
    client_id = room.session.client_id
    url = f"/therapist/clients/{client_id}"
    token = csrf_token(room.therapist_http.get(url))
    room.therapist_http.post(url + "/delete", data={"confirm": "Client A", "csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 0
    leftovers = db.session.execute(sa.text("SELECT screening, screened_at FROM client")).all()
    assert leftovers == []


def test_the_checks_speak_the_clients_language(room):
    db.session.get(Client, room.session.client_id).language = "de"
    db.session.commit()
    section = checks_section(room.client_http)
    assert "Bevor wir beginnen: Ihre Sicherheit" in section and "Schritt 1 von 3" in section
    assert "Before we start" not in section
