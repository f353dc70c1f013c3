"""The client's own pause: it stops a running set at once, the therapist hears it and sees it
in the set log, and only the therapist resumes."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.models import AuditEvent, StimSet
from tests.support import received


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def the_set(session_id: int) -> StimSet:
    (stim_set,) = db.session.scalars(
        sa.select(StimSet).where(StimSet.therapy_session_id == session_id)
    ).all()
    return stim_set


@pytest.mark.both_socket_paths
def test_the_client_pauses_a_running_set_at_once_and_the_room_hears(room):
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    room.therapist_socket.get_received()
    room.client_socket.get_received()
    ack = room.client_socket.emit("stim:client_pause", {}, callback=True)
    state = room_state.read_state(room.session.id)
    assert ack == {"ok": True, "paused": True, "rev": state["rev"]}
    assert state["paused"] and not state["running"]
    for sock in (room.therapist_socket, room.client_socket):
        told = sock.get_received()
        published = [m["args"][0] for m in told if m["name"] == "stim:state"]
        assert [(s["rev"], s["paused"]) for s in published] == [(state["rev"], True)]
        assert [m["args"] for m in told if m["name"] == "stim:client_paused"] == [[{"set": 1}]]
    assert the_set(room.session.id).client_paused_at is not None


def test_the_clients_pause_is_audited_without_address_or_clinical_words(room):
    room.therapist_socket.emit("stim:start", callback=True)
    assert room.client_socket.emit("stim:client_pause", callback=True)["paused"] is True
    (row,) = audit_rows("set.client_paused")
    assert (row.detail, row.therapy_session_id, row.address, row.user_id) == (
        "set 1",
        room.session.id,
        None,
        None,
    )


def test_a_client_pause_with_nothing_running_changes_nothing(room):
    before = room_state.read_state(room.session.id)
    assert room.client_socket.emit("stim:client_pause", callback=True) == {
        "ok": True,
        "paused": False,
    }
    assert room_state.read_state(room.session.id) == before
    assert received(room.therapist_socket, "stim:client_paused") == []
    assert audit_rows("set.client_paused") == []


def test_a_second_pause_of_a_paused_set_changes_nothing(room):
    room.therapist_socket.emit("stim:start", callback=True)
    room.client_socket.emit("stim:client_pause", callback=True)
    first_at = the_set(room.session.id).client_paused_at
    before = room_state.read_state(room.session.id)
    assert room.client_socket.emit("stim:client_pause", callback=True)["paused"] is False
    assert room_state.read_state(room.session.id) == before
    assert the_set(room.session.id).client_paused_at == first_at
    assert len(audit_rows("set.client_paused")) == 1


def test_only_the_therapist_resumes_the_set_the_client_paused(room):
    room.therapist_socket.emit("stim:start", callback=True)
    room.client_socket.emit("stim:client_pause", callback=True)
    refused = room.client_socket.emit("stim:start", callback=True)
    assert refused["error"]["code"] == "forbidden"
    assert room_state.read_state(room.session.id)["paused"]
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    state = room_state.read_state(room.session.id)
    assert state["running"] and not state["paused"]
    stim_set = the_set(room.session.id)  # the same set resumed, still marked
    assert stim_set.number == 1 and stim_set.client_paused_at is not None


@pytest.mark.parametrize("payload", [{"set": 1}, [1], "pause", 5, True, {"": None}])
def test_a_client_pause_with_a_payload_is_refused_and_changes_nothing(room, payload):
    room.therapist_socket.emit("stim:start", callback=True)
    before = room_state.read_state(room.session.id)
    ack = room.client_socket.emit("stim:client_pause", payload, callback=True)
    assert ack["error"]["code"] == "invalid_payload"
    assert room_state.read_state(room.session.id) == before
    assert the_set(room.session.id).client_paused_at is None
    assert received(room.therapist_socket, "stim:client_paused") == []


def test_the_therapists_set_log_and_exports_show_the_clients_pause(room):
    room.therapist_socket.emit("stim:start", callback=True)
    room.client_socket.emit("stim:client_pause", callback=True)
    room.therapist_socket.emit("stim:stop", callback=True)
    room.therapist_socket.emit("stim:start", callback=True)  # set 2: not paused by the client
    http, session_id = room.therapist_http, room.session.id
    paused_at = the_set_numbered(session_id, 1).client_paused_at

    sets = http.get(f"/therapist/sessions/{session_id}/scores.json").json["sets"]
    assert [s["client_paused_at"] for s in sets] == [paused_at.isoformat() + "Z", None]

    rows = list(
        csv.reader(io.StringIO(http.get(f"/therapist/sessions/{session_id}/export.csv").text))
    )
    header = next(r for r in rows if r and r[0] == "set")
    column = header.index("client paused (UTC)")
    by_set = {r[0]: r[column] for r in rows[rows.index(header) + 1 :] if len(r) > column}
    assert by_set == {"1": paused_at.strftime("%H:%M:%S"), "2": ""}

    page = http.get(f"/therapist/sessions/{session_id}/record").text
    assert "Client paused" in page and paused_at.strftime("%H:%M:%S") in page

    archive = http.get(f"/therapist/clients/{room.session.client_id}/archive.zip").data
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        data = json.loads(opened.read("client.json"))
        html = opened.read("client.html").decode()
    (session,) = data["sessions"]
    assert [s["client_paused_at"] for s in session["sets"]] == [paused_at.isoformat() + "Z", None]
    assert "Client paused" in html and paused_at.isoformat() + "Z" in html


def the_set_numbered(session_id: int, number: int) -> StimSet:
    return db.session.scalar(
        sa.select(StimSet).where(StimSet.therapy_session_id == session_id, StimSet.number == number)
    )
