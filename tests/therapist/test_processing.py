"""Processing on the panel: back to target after a set asks the client's SUD at once (never
while a set runs), kept beside that set; the body scan (phase 6) of the target worked on, per
session (encrypted, audited, exported, in the summary, on the target's page, erased with the
client, refused when bad)."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
import sqlalchemy as sa

from telehealth import stimulation
from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.models import Score, session_target
from tests.support import erase_client, received
from tests.therapist.test_assessment import actions, client_of
from tests.therapist.test_plan import add_target, choose
from tests.therapist.test_tasks import run


def sets_ended(room, count: int = 1) -> float:
    """``count`` sets run and come to rest; the time after the last."""
    t = room_state.now_ms()
    for _ in range(count):
        t = run(room.session.id, t, 3)
    return t


def on_target(room, title: str = "The flood"):
    target = add_target(client_of(room), title, voc=2, sud=8)
    assert choose(room, {"target_id": target.id}).status_code == 200
    return target


# Back to target: the SUD asked at once


def test_back_to_target_asks_the_clients_sud_at_once_and_keeps_it_beside_that_set(room):
    flood = on_target(room)
    sets_ended(room, 2)
    room.client_socket.get_received()
    ack = room.therapist_socket.emit(
        "set:next", {"set": 2, "next": "back_to_target"}, callback=True
    )
    assert ack["ok"] and ack["next"] == "back_to_target" and ack["asked"]
    assert ack["not_asked"] is None
    (asked,) = received(room.client_socket, "score:asked")
    assert asked == {"prompt_id": ack["asked"], "kind": "sud", "low": 0, "high": 10}
    room.client_socket.emit("score:submit", {"prompt_id": asked["prompt_id"], "value": 4})
    data = room.therapist_http.get(f"/therapist/sessions/{room.session.id}/scores.json").json
    (only,) = data["scores"]
    set_two = next(s for s in data["sets"] if s["number"] == 2)
    assert (only["purpose"], only["value"], only["target_id"]) == ("back_to_target", 4, flood.id)
    assert only["set_id"] == set_two["id"]
    db.session.expire_all()
    assert db.session.get(type(flood), flood.id).sud == 8  # the assessment's SUD stays
    page = room.therapist_http.get(f"/therapist/sessions/{room.session.id}/summary").text
    assert "Then: Back to target, SUD 4" in page


def test_the_client_is_never_asked_while_a_set_runs(room):
    on_target(room)
    t = sets_ended(room)
    room_state.commit_change(room.session.id, stimulation.start, t)
    room.client_socket.get_received()
    ack = room.therapist_socket.emit(
        "set:next", {"set": 1, "next": "back_to_target"}, callback=True
    )
    assert ack["ok"] and ack["asked"] is None and "running" in ack["not_asked"]
    assert received(room.client_socket, "score:asked") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0


def test_the_back_to_target_sud_is_not_asked_again_while_a_set_runs(room):
    on_target(room)
    t = sets_ended(room)
    room_state.commit_change(room.session.id, stimulation.start, t)
    ack = room.therapist_socket.emit(
        "score:prompt", {"kind": "sud", "purpose": "back_to_target"}, callback=True
    )
    assert not ack["ok"] and ack["error"]["code"] == "set_running"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0


def test_the_next_set_withdraws_an_unanswered_question_and_a_resume_does_not(room):
    on_target(room)
    sets_ended(room)
    room.therapist_socket.emit("set:next", {"set": 1, "next": "back_to_target"}, callback=True)
    room.client_socket.get_received()
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    assert received(room.client_socket, "score:withdrawn") == [{"reason": "set_started"}]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0
    ack = room.client_socket.emit(
        "score:submit", {"prompt_id": "x" * 22, "value": 3}, callback=True
    )
    assert ack["error"]["code"] == "no_prompt"
    # A question asked during the set stays through a pause and its resume.
    asked = room.therapist_socket.emit("score:prompt", {"kind": "sud"}, callback=True)
    assert room.therapist_socket.emit("stim:pause", callback=True)["ok"]
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    assert received(room.client_socket, "score:withdrawn") == []
    ack = room.client_socket.emit(
        "score:submit", {"prompt_id": asked["prompt_id"], "value": 5}, callback=True
    )
    assert ack["ok"] and ack["score"]["value"] == 5


def test_back_to_target_after_an_earlier_set_asks_nothing(room):
    on_target(room)
    sets_ended(room, 2)
    ack = room.therapist_socket.emit(
        "set:next", {"set": 1, "next": "back_to_target"}, callback=True
    )
    assert ack["ok"] and ack["asked"] is None and "later set" in ack["not_asked"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0


def test_changing_the_choice_withdraws_the_unanswered_back_to_target_sud(room):
    on_target(room)
    sets_ended(room)
    room.therapist_socket.emit("set:next", {"set": 1, "next": "back_to_target"}, callback=True)
    room.client_socket.get_received()
    ack = room.therapist_socket.emit("set:next", {"set": 1, "next": "go_on"}, callback=True)
    assert ack == {"ok": True, "set": 1, "next": "go_on"}
    assert received(room.client_socket, "score:withdrawn") == [{}]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0


def test_the_back_to_target_sud_may_be_asked_again_by_its_purpose(room):
    on_target(room)
    sets_ended(room)
    ack = room.therapist_socket.emit(
        "score:prompt", {"kind": "sud", "purpose": "back_to_target"}, callback=True
    )
    assert ack["ok"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(Score.purpose)) == "back_to_target"


# The body scan


def scan(room, result, text=""):
    return room.therapist_socket.emit(
        "bodyscan:set", {"result": result, "text": text}, callback=True
    )


def stored_scan(room, target) -> tuple:
    db.session.expire_all()
    return db.session.execute(
        sa.select(session_target.c.body_scan, session_target.c.body_scan_note).where(
            session_target.c.therapy_session_id == room.session.id,
            session_target.c.target_id == target.id,
        )
    ).one()


def test_the_panel_shows_the_body_scan_step_with_its_words(room):
    on_target(room)
    page = room.therapist_http.get(f"/therapist/sessions/{room.session.id}").text
    step = re.search(r'<details class="body-scan-step".*?</details>', page, re.S).group(0)
    assert "scan your body from top to bottom. Tell me anything you notice." in step
    assert re.findall(r'data-body-scan="(\w+)"', step) == ["clear", "sensation"]


def test_a_body_scan_is_kept_per_session_and_target_encrypted_audited_and_shown(room):
    flood = on_target(room)
    ack = scan(room, "sensation", " Tight chest, left side ")
    assert ack == {
        "ok": True,
        "target_id": flood.id,
        "result": "sensation",
        "result_name": "Sensation noticed",
        "text": "Tight chest, left side",
    }
    assert stored_scan(room, flood) == ("sensation", "Tight chest, left side")
    raw = db.session.execute(sa.text("SELECT body_scan_note FROM session_target")).scalar()
    assert raw.startswith("gAAAAA")
    (event,) = actions("session.body_scan")
    assert event.detail == f"target {flood.id} sensation" and "chest" not in event.detail
    base = f"/therapist/sessions/{room.session.id}"
    summary = room.therapist_http.get(f"{base}/summary").text
    assert "The flood: sensation noticed (Tight chest, left side)" in summary
    text = re.search(r'<pre id="summary-text" hidden>(.*?)</pre>', summary, re.S).group(1)
    assert "Body scan: The flood: sensation noticed (Tight chest, left side)" in text
    assert room.therapist_http.get(f"{base}/summary.pdf").status_code == 200
    assert "sensation noticed (Tight chest" in room.therapist_http.get(f"{base}/record").text
    assert "Tight chest" in room.therapist_http.get(f"{base}/export.csv").text
    target_page = room.therapist_http.get(f"/therapist/targets/{flood.id}").text
    assert "Body scan: sensation noticed (Tight chest, left side)" in target_page
    panel = room.therapist_http.get(base).text
    state = json.loads(re.search(r'id="work-state">(.*?)</script>', panel, re.S).group(1))
    assert state["body_scan"]["result"] == "sensation"
    assert scan(room, "clear")["text"] == ""
    assert stored_scan(room, flood) == ("clear", None)


def test_the_body_scan_is_in_the_clients_archive(room):
    flood = on_target(room)
    scan(room, "clear")
    archive = room.therapist_http.get(f"/therapist/clients/{room.session.client_id}/archive.zip")
    data = json.loads(zipfile.ZipFile(io.BytesIO(archive.data)).read("client.json"))
    (only,) = data["sessions"][0]["body_scans"]
    assert (only["target_id"], only["result"], only["text"]) == (flood.id, "clear", "")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"result": "fine", "text": ""}, "invalid_value"),
        ({"result": 1, "text": ""}, "invalid_value"),
        ({"result": "sensation", "text": "x" * 301}, "invalid_value"),
        ({"result": "sensation", "text": "two\nlines"}, "invalid_value"),
        ({"result": "sensation", "text": 5}, "invalid_value"),
        ({"result": "clear", "text": "but a note"}, "invalid_value"),
        ({"result": "clear"}, "invalid_payload"),
        ({"result": "clear", "text": "", "x": 1}, "invalid_payload"),
        (["clear"], "invalid_payload"),
    ],
)
def test_a_bad_body_scan_is_refused_and_changes_nothing(room, payload, code):
    flood = on_target(room)
    ack = room.therapist_socket.emit("bodyscan:set", payload, callback=True)
    assert not ack["ok"] and ack["error"]["code"] == code
    assert stored_scan(room, flood) == (None, None)
    assert actions("session.body_scan") == []


def test_a_body_scan_needs_a_target_worked_on(room):
    ack = scan(room, "clear")
    assert not ack["ok"] and ack["error"]["code"] == "no_target"
    assert actions("session.body_scan") == []


def test_the_client_cannot_record_a_body_scan(room):
    flood = on_target(room)
    ack = room.client_socket.emit("bodyscan:set", {"result": "clear", "text": ""}, callback=True)
    assert not ack["ok"] and ack["error"]["code"] == "forbidden"
    assert stored_scan(room, flood) == (None, None)


def test_erasing_the_client_erases_the_body_scan(room):
    on_target(room)
    scan(room, "sensation", "Throat")
    client = client_of(room)
    erased = erase_client(room.therapist_http, client.id, client.pseudonym)
    assert erased.status_code == 302
    count = sa.select(sa.func.count()).select_from(session_target)
    assert db.session.scalar(count) == 0
