"""Phase 3 on the panel and the re-evaluation of a target: the assessment's steps in the
standard order with their words to read out, VOC and SUD asked on the client's screen filling
the target, where a target stood after its last session, the re-evaluation SUD, and the
session's closure and where to resume (encrypted, audited, exported, refused when bad)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import (
    AuditEvent,
    Client,
    Score,
    StimSet,
    Target,
    TherapySession,
    session_target,
    utcnow,
)
from telehealth.models.protocol import ASSESSMENT_STEPS
from tests.support import Auth, erase_client
from tests.therapist.test_plan import add_target, choose, post_json, score


def client_of(room) -> Client:
    return db.session.get(Client, room.session.client_id)


def actions(name: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == name).order_by(AuditEvent.id)
        )
    )


def recorded(socket) -> list[dict]:
    return [m["args"][0] for m in socket.get_received() if m["name"] == "score:recorded"]


# The assessment on the panel


def test_the_panel_shows_the_assessment_steps_in_the_standard_order_with_their_words(room):
    page = room.therapist_http.get(f"/therapist/sessions/{room.session.id}").text
    block = re.search(r'<details class="assessment-steps".*?</details>', page, re.S).group(0)
    assert re.findall(r'data-step="(\w+)"', block) == [
        "image",
        "negative_cognition",
        "positive_cognition",
        "voc",
        "emotions",
        "sud",
        "body_location",
    ]
    for words in (
        "What picture represents the worst part of the incident?",
        "what would you like to believe about yourself now?",
        "how true do those words (the PC) feel to you now on a scale of 1 to 7",
        "what emotion do you feel now?",
        "where 0 is no disturbance or neutral and 10 is the highest disturbance you can imagine",
        "Where do you feel it in your body?",
    ):
        assert words in block
    assert [s["name"] for s in ASSESSMENT_STEPS if s.get("score")] == ["voc", "sud"]
    assert 'data-assess="voc"' in block and 'data-assess="sud"' in block


def test_a_sud_asked_in_the_assessment_fills_the_targets_sud_and_is_audited(room):
    flood = add_target(client_of(room), "The flood", sud=9)
    choose(room, {"target_id": flood.id})
    ack = room.therapist_socket.emit(
        "score:prompt", {"kind": "sud", "purpose": "assessment"}, callback=True
    )
    assert ack["ok"]
    answer = room.client_socket.emit(
        "score:submit", {"prompt_id": ack["prompt_id"], "value": 7}, callback=True
    )
    assert answer["ok"] and answer["score"]["purpose"] == "assessment"
    (event,) = recorded(room.therapist_socket)
    assert (event["purpose"], event["target_id"], event["value"]) == ("assessment", flood.id, 7)
    db.session.expire_all()
    assert db.session.get(Target, flood.id).sud == 7
    (audited,) = actions("plan.target_assessed")
    assert audited.detail == f"target {flood.id} sud" and audited.address is None


def test_a_voc_entered_in_the_assessment_fills_the_targets_voc(room):
    flood = add_target(client_of(room), "The flood")
    choose(room, {"target_id": flood.id})
    payload = {"id": "assess-voc-1", "kind": "voc", "value": 2, "purpose": "assessment"}
    assert room.therapist_socket.emit("score:enter", payload, callback=True)["ok"]
    db.session.expire_all()
    assert db.session.get(Target, flood.id).voc == 2
    assert db.session.scalar(sa.select(Score.purpose)) == "assessment"


def test_a_score_of_processing_leaves_the_targets_assessment_as_it_was(room):
    flood = add_target(client_of(room), "The flood", sud=8)
    choose(room, {"target_id": flood.id})
    ack = room.therapist_socket.emit("score:prompt", {"kind": "sud"}, callback=True)
    room.client_socket.emit("score:submit", {"prompt_id": ack["prompt_id"], "value": 3})
    room.therapist_socket.emit("score:enter", {"id": "processing-1", "kind": "sud", "value": 2})
    db.session.expire_all()
    assert db.session.get(Target, flood.id).sud == 8
    assert db.session.scalars(sa.select(Score.purpose)).all() == [None, None]


@pytest.mark.parametrize(
    ("event", "payload", "code"),
    [
        ("score:prompt", {"kind": "sud", "purpose": "install"}, "invalid_value"),
        ("score:prompt", {"kind": "sud", "purpose": 1}, "invalid_value"),
        ("score:prompt", {"kind": "sud", "purpose": "assessment", "x": 1}, "invalid_payload"),
        (
            "score:enter",
            {"id": "bad-purpose", "kind": "sud", "value": 3, "purpose": []},
            "invalid_value",
        ),
        (
            "score:enter",
            {"id": "bad-extra1", "kind": "sud", "value": 3, "why": "x"},
            "invalid_payload",
        ),
    ],
)
def test_a_bad_purpose_is_refused_and_changes_nothing(room, event, payload, code):
    flood = add_target(client_of(room), "The flood", sud=8)
    choose(room, {"target_id": flood.id})
    ack = room.therapist_socket.emit(event, payload, callback=True)
    assert not ack["ok"] and ack["error"]["code"] == code
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0
    assert db.session.get(Target, flood.id).sud == 8


# Re-evaluation


def earlier_session(client: Client, target: Target, days: int = 7) -> TherapySession:
    """A session on ``target`` a week before the room's, with sets noticed and scores."""
    earlier = TherapySession.open(client, 0)
    earlier.started_at = utcnow() - timedelta(days=days)
    db.session.add(earlier)
    db.session.flush()
    db.session.execute(
        sa.insert(session_target).values(
            therapy_session_id=earlier.id, target_id=target.id, added_at=earlier.started_at
        )
    )
    for number, noticed in enumerate(["Cold water", None, "The door", "Less tight"], start=1):
        stim_set = StimSet(
            therapy_session_id=earlier.id,
            number=number,
            settings={},
            noticed=noticed,
            target_id=target.id,
        )
        db.session.add(stim_set)
        db.session.flush()
        score(earlier, target, "sud", 9 - number, stim_set.id)
    score(earlier, target, "voc", 4, stim_set.id)
    db.session.commit()
    return earlier


def save_record(room, body, http=None):
    return post_json(
        http or room.therapist_http, f"/therapist/sessions/{room.session.id}/record", body
    )


def test_a_target_with_an_earlier_session_shows_where_it_stood(room):
    client = client_of(room)
    flood = add_target(client, "The flood")
    earlier = earlier_session(client, flood)
    earlier.closure, earlier.resume_note = "incomplete", "The water at the door"
    db.session.commit()
    review = choose(room, {"target_id": flood.id}).get_json()["review"]
    assert review == {
        "date": earlier.started_at.strftime("%Y-%m-%d"),
        "latest": {"sud": 5, "voc": 4},
        "closure": "incomplete",
        "closure_name": "Incomplete",
        "resume_note": "The water at the door",
        "noticed": [
            {"set": 1, "text": "Cold water"},
            {"set": 3, "text": "The door"},
            {"set": 4, "text": "Less tight"},
        ],
        "reevaluation_sud": None,
    }
    page = room.therapist_http.get(f"/therapist/sessions/{room.session.id}").text
    assert "Ask SUD for re-evaluation" in page and "The water at the door" in page  # state


def test_a_target_never_worked_on_before_has_no_review(room):
    flood = add_target(client_of(room), "The flood")
    assert choose(room, {"target_id": flood.id}).get_json()["review"] is None


def test_the_re_evaluation_sud_is_recorded_as_such_and_leaves_the_assessment(room):
    client = client_of(room)
    flood = add_target(client, "The flood", sud=9)
    earlier_session(client, flood)
    choose(room, {"target_id": flood.id})
    ack = room.therapist_socket.emit(
        "score:prompt", {"kind": "sud", "purpose": "reevaluation"}, callback=True
    )
    room.client_socket.emit("score:submit", {"prompt_id": ack["prompt_id"], "value": 3})
    (event,) = recorded(room.therapist_socket)
    assert (event["purpose"], event["target_id"]) == ("reevaluation", flood.id)
    review = choose(room, {"target_id": flood.id}).get_json()["review"]
    assert review["reevaluation_sud"] == 3 and review["latest"] == {"sud": 5, "voc": 4}
    payload = {"id": "reeval-typed", "kind": "sud", "value": 2, "purpose": "reevaluation"}
    assert room.therapist_socket.emit("score:enter", payload, callback=True)["ok"]
    assert choose(room, {"target_id": flood.id}).get_json()["review"]["reevaluation_sud"] == 2
    db.session.expire_all()
    assert db.session.get(Target, flood.id).sud == 9


# Closure and where to resume


def test_closure_and_resume_note_are_saved_encrypted_audited_and_exported(room):
    response = save_record(room, {"closure": "incomplete", "resume_note": "From the door"})
    assert response.status_code == 200
    db.session.expire_all()
    therapy_session = db.session.get(TherapySession, room.session.id)
    assert (therapy_session.closure, therapy_session.resume_note) == ("incomplete", "From the door")
    raw = db.session.execute(
        sa.text("SELECT resume_note FROM therapy_session WHERE id = :i"), {"i": room.session.id}
    ).scalar()
    assert raw.startswith("gAAAAA")
    (event,) = actions("session.closure")
    assert event.detail == "closure incomplete" and "door" not in event.detail
    csv = room.therapist_http.get(f"/therapist/sessions/{room.session.id}/export.csv").text
    assert "closure,Incomplete" in csv and "resume next time from,From the door" in csv
    archive = room.therapist_http.get(f"/therapist/clients/{room.session.client_id}/archive.zip")
    data = json.loads(zipfile.ZipFile(io.BytesIO(archive.data)).read("client.json"))
    (exported,) = data["sessions"]
    assert (exported["closure"], exported["resume_note"]) == ("incomplete", "From the door")
    record = room.therapist_http.get(f"/therapist/sessions/{room.session.id}/record").text
    assert re.search(r'class="closure">Incomplete<', record) and "From the door" in record
    assert save_record(room, {"closure": None}).status_code == 200
    db.session.expire_all()
    assert db.session.get(TherapySession, room.session.id).closure is None


@pytest.mark.parametrize(
    "body",
    [
        {"closure": "finished"},
        {"closure": 1},
        {"closure": ["complete"]},
        {"resume_note": "x" * 501},
        {"resume_note": None},
        {"closure": "complete", "resume_note": 5},
    ],
)
def test_a_bad_closure_is_refused_with_a_reason_and_changes_nothing(room, body):
    response = save_record(room, body)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]
    db.session.expire_all()
    therapy_session = db.session.get(TherapySession, room.session.id)
    assert (therapy_session.closure, therapy_session.resume_note) == (None, None)
    assert actions("session.closure") == []


def test_only_the_sessions_therapist_may_save_its_closure_and_only_with_csrf(app, room, make):
    other = app.test_client()
    Auth(other).login(make.user())
    assert save_record(room, {"closure": "complete"}, http=other).status_code == 404
    token_less = room.therapist_http.post(
        f"/therapist/sessions/{room.session.id}/record", json={"closure": "complete"}
    )
    assert token_less.status_code == 400
    db.session.expire_all()
    assert db.session.get(TherapySession, room.session.id).closure is None


def test_erasing_the_client_erases_the_closure_and_resume_note(room):
    save_record(room, {"closure": "contained", "resume_note": "Safe place first"})
    client = client_of(room)
    erased = erase_client(room.therapist_http, client.id, client.pseudonym)
    assert erased.status_code == 302
    db.session.expire_all()
    count = sa.select(sa.func.count()).select_from(TherapySession)
    assert db.session.scalar(count) == 0


# Processing: the choice after a set


def run_a_set(room) -> None:
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    assert room.therapist_socket.emit("stim:stop", callback=True)["ok"]


def test_the_choice_after_a_set_is_kept_with_it_audited_and_exported(room):
    run_a_set(room)
    ack = room.therapist_socket.emit(
        "set:next", {"set": 1, "next": "back_to_target"}, callback=True
    )
    assert ack["ok"] and (ack["set"], ack["next"]) == (1, "back_to_target")
    db.session.expire_all()
    assert db.session.scalar(sa.select(StimSet.next_step)) == "back_to_target"
    (event,) = actions("set.next")
    assert event.detail == "set 1 back_to_target"
    csv = room.therapist_http.get(f"/therapist/sessions/{room.session.id}/export.csv").text
    assert "Back to target" in csv
    archive = room.therapist_http.get(f"/therapist/clients/{room.session.client_id}/archive.zip")
    data = json.loads(zipfile.ZipFile(io.BytesIO(archive.data)).read("client.json"))
    assert data["sessions"][0]["sets"][0]["next_step"] == "back_to_target"
    ack = room.therapist_socket.emit("set:next", {"set": 1, "next": None}, callback=True)
    assert ack["ok"] and ack["next"] is None
    db.session.expire_all()
    assert db.session.scalar(sa.select(StimSet.next_step)) is None


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"set": 1, "next": "stop"}, "invalid_value"),
        ({"set": 1, "next": 2}, "invalid_value"),
        ({"set": 1}, "invalid_payload"),
        ({"set": 1, "next": "close", "x": 1}, "invalid_payload"),
        ({"set": 2, "next": "close"}, "not_found"),
        ({"set": True, "next": "close"}, "not_found"),
        ({"set": 2**40, "next": "close"}, "not_found"),
    ],
)
def test_a_bad_choice_after_a_set_is_refused_and_changes_nothing(room, payload, code):
    run_a_set(room)
    ack = room.therapist_socket.emit("set:next", payload, callback=True)
    assert not ack["ok"] and ack["error"]["code"] == code
    db.session.expire_all()
    assert db.session.scalar(sa.select(StimSet.next_step)) is None
    assert actions("set.next") == []


def test_the_client_cannot_choose_what_follows_a_set(room):
    run_a_set(room)
    ack = room.client_socket.emit("set:next", {"set": 1, "next": "close"}, callback=True)
    assert not ack["ok"] and ack["error"]["code"] == "forbidden"
    db.session.expire_all()
    assert db.session.scalar(sa.select(StimSet.next_step)) is None


def test_the_panel_offers_the_protocols_presets_with_their_settings(room):
    page = room.therapist_http.get(f"/therapist/sessions/{room.session.id}").text
    item = re.search(r'<li data-protocol-preset="resource">.*?</li>', page, re.S).group(0)
    assert "Resource installation" in item and "slower, shorter sets" in item
    settings = json.loads(re.search(r"data-settings='([^']*)'", item).group(1))
    assert settings == {"speed_pps": 0.8, "set_unit": "passes", "set_passes": 8}
    processing = json.loads(
        re.search(
            r'data-protocol-preset="processing">.*?data-settings=\'([^\']*)\'', page, re.S
        ).group(1)
    )
    assert settings["speed_pps"] < processing["speed_pps"]
    assert settings["set_passes"] < processing["set_passes"]


def test_the_summary_says_how_the_session_closed_and_the_choice_after_each_set(room):
    run_a_set(room)
    room.therapist_socket.emit("set:next", {"set": 1, "next": "close"}, callback=True)
    save_record(room, {"closure": "incomplete", "resume_note": "The water at the door"})
    base = f"/therapist/sessions/{room.session.id}/summary"
    page = room.therapist_http.get(base).text
    assert "<dt>Closure</dt><dd>Incomplete</dd>" in page
    assert "The water at the door" in page and "Then: Close" in page
    text = re.search(r'<pre id="summary-text" hidden>(.*?)</pre>', page, re.S).group(1)
    assert "Closure: Incomplete" in text
    assert "Resume next time from: The water at the door" in text and "Then: Close" in text


def test_an_installation_voc_is_marked_as_such_and_leaves_the_assessment(room):
    flood = add_target(client_of(room), "The flood", voc=2)
    choose(room, {"target_id": flood.id})
    ack = room.therapist_socket.emit(
        "score:prompt", {"kind": "voc", "purpose": "installation"}, callback=True
    )
    room.client_socket.emit("score:submit", {"prompt_id": ack["prompt_id"], "value": 6})
    data = room.therapist_http.get(f"/therapist/sessions/{room.session.id}/scores.json").json
    (only,) = data["scores"]
    assert (only["purpose"], only["target_id"], only["value"]) == ("installation", flood.id, 6)
    db.session.expire_all()
    assert db.session.get(Target, flood.id).voc == 2
