"""EMDR 2.0 tasks and between sets: the task the client reads during a set (task:set), the
therapist's own prompts, the question asked after each set, and what the client noticed."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from telehealth import stimulation
from telehealth.client import dualtask
from telehealth.extensions import db
from telehealth.live import state as room_state
from telehealth.models import AuditEvent, Client, DualTask, Score, StimSet, TherapySession
from tests.support import received


def run(session_id: int, t_ms: float, seconds: float, change=stimulation.stop) -> float:
    """A set started at ``t_ms``, ended by ``change`` ``seconds`` later and settled."""
    room_state.commit_change(session_id, stimulation.start, t_ms)
    room_state.commit_change(session_id, change, t_ms + seconds * 1000)
    done = t_ms + seconds * 1000 + 10_000
    room_state.commit_change(session_id, stimulation.settle, done)
    return done + 1000


def room_task(session_id: int) -> str | None:
    db.session.expire_all()
    return db.session.get(TherapySession, session_id).dual_task


def sets_of(session_id: int) -> list[StimSet]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(StimSet)
            .where(StimSet.therapy_session_id == session_id)
            .order_by(StimSet.number)
        )
    )


def test_there_are_fifteen_built_in_prompts_in_five_categories():
    assert len(dualtask.BUILT_IN) == 5
    assert all(len(prompts) >= 3 for prompts in dualtask.BUILT_IN.values())
    assert len(dualtask.BUILT_IN_KEYS) >= 15


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        (
            {"kind": "count_down", "start": 100, "step": 7},
            "Count backwards from 100 in steps of 7.",
        ),
        ({"kind": "count_up", "start": 0}, "Count up from 0."),
        ({"kind": "spell_back", "word": "window"}, "Spell “window” backwards."),
        ({"kind": "category", "category": "animals"}, "Name as many animals as you can."),
        ({"kind": "builtin", "key": "sequences.2"}, "Say the days of the week backwards."),
    ],
)
def test_the_task_is_made_on_the_server_and_sent_to_the_room(room, payload, text):
    ack = room.therapist_socket.emit("task:set", payload, callback=True)
    assert ack == {"ok": True, "text": text}
    assert received(room.client_socket, "task:state") == [{"text": text}]
    assert room_task(room.session.id) == text


def test_sums_are_new_sums_each_time(room):
    ack = room.therapist_socket.emit("task:set", {"kind": "sums"}, callback=True)
    assert ack["text"].startswith("Work these out: ") and ack["text"].count("+") == 3


def test_the_task_is_in_the_clients_language(room):
    db.session.get(Client, room.session.client_id).language = "de"
    db.session.commit()
    payload = {"kind": "count_down", "start": 100, "step": 7}
    ack = room.therapist_socket.emit("task:set", payload, callback=True)
    assert ack["text"] == "Zähle von 100 in Schritten von 7 rückwärts."


def test_a_null_kind_clears_the_task(room):
    room.therapist_socket.emit("task:set", {"kind": "sums"}, callback=True)
    room.client_socket.get_received()
    assert room.therapist_socket.emit("task:set", {"kind": None}, callback=True)["ok"]
    assert received(room.client_socket, "task:state") == [{"text": None}]
    assert room_task(room.session.id) is None


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (None, "invalid_payload"),
        ("sums", "invalid_payload"),
        ({}, "invalid_payload"),
        ({"kind": "juggle"}, "invalid_value"),
        ({"kind": None, "start": 1}, "invalid_value"),
        ({"kind": "count_up"}, "invalid_payload"),
        ({"kind": "count_up", "start": 1, "step": 2}, "invalid_payload"),
        ({"kind": "count_up", "start": -1}, "out_of_range"),
        ({"kind": "count_up", "start": True}, "out_of_range"),
        ({"kind": "count_down", "start": 100, "step": 10}, "out_of_range"),
        ({"kind": "count_down", "start": 100, "step": 0}, "out_of_range"),
        ({"kind": "spell_back", "word": "two words"}, "invalid_value"),
        ({"kind": "spell_back", "word": "x" * 31}, "invalid_value"),
        ({"kind": "spell_back", "word": 7}, "invalid_value"),
        ({"kind": "category", "category": ""}, "invalid_value"),
        ({"kind": "category", "category": "a\nb"}, "invalid_value"),
        ({"kind": "builtin", "key": "counting.99"}, "invalid_value"),
        ({"kind": "own", "id": 12345}, "not_found"),
        ({"kind": "own", "id": "1"}, "not_found"),
    ],
)
def test_a_bad_task_is_refused_and_changes_nothing(room, payload, code):
    room.therapist_socket.emit("task:set", {"kind": "count_up", "start": 5}, callback=True)
    room.client_socket.get_received()
    ack = room.therapist_socket.emit("task:set", payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code and ack["error"]["message"]
    assert room_task(room.session.id) == "Count up from 5."
    assert received(room.client_socket, "task:state") == []


def test_a_client_cannot_set_the_task(room):
    ack = room.client_socket.emit("task:set", {"kind": "sums"}, callback=True)
    assert ack["error"]["code"] == "forbidden"
    assert room_task(room.session.id) is None


def test_a_set_records_the_task_shown_and_a_change_during_it(room):
    room.therapist_socket.emit("task:set", {"kind": "count_up", "start": 1}, callback=True)
    t = room_state.now_ms()
    room_state.commit_change(room.session.id, stimulation.start, t)
    room.therapist_socket.emit("task:set", {"kind": "builtin", "key": "naming.2"}, callback=True)
    room_state.commit_change(room.session.id, stimulation.stop, t + 3000)
    room_state.commit_change(room.session.id, stimulation.settle, t + 13_000)
    (stim_set,) = sets_of(room.session.id)
    assert stim_set.task == "Count up from 1. → Name as many countries as you can."


def test_a_set_with_no_task_records_none(room):
    run(room.session.id, room_state.now_ms(), seconds=3)
    assert [s.task for s in sets_of(room.session.id)] == [None]


def test_the_task_is_sent_to_a_connecting_socket(room, sockets):
    room.therapist_socket.emit("task:set", {"kind": "count_up", "start": 3}, callback=True)
    again = sockets(room.client_http, {"role": "client"})
    assert received(again, "task:state") == [{"text": "Count up from 3."}]


def test_own_prompts_are_added_used_and_removed_with_an_audit(room):
    ack = room.therapist_socket.emit("taskprompt:add", {"text": "Hum a tune"}, callback=True)
    prompt_id = ack["prompt"]["id"]
    assert ack == {"ok": True, "prompt": {"id": prompt_id, "text": "Hum a tune"}}
    use = room.therapist_socket.emit("task:set", {"kind": "own", "id": prompt_id}, callback=True)
    assert use["text"] == "Hum a tune"
    gone = room.therapist_socket.emit("taskprompt:remove", {"id": prompt_id}, callback=True)
    assert gone == {"ok": True, "id": prompt_id}
    assert db.session.scalars(sa.select(DualTask)).all() == []
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert {"task_prompt.added", "task_prompt.removed", "task.set"} <= set(actions)


def test_a_prompt_is_kept_encrypted(room):
    room.therapist_socket.emit("taskprompt:add", {"text": "Hum a tune"}, callback=True)
    stored = db.session.execute(sa.text("SELECT text FROM dual_task")).scalar_one()
    assert "Hum" not in stored


def test_another_therapists_prompt_cannot_be_used_or_removed(room, make):
    other = make.user()
    prompt = DualTask(therapist_id=other.id, text="Theirs")
    db.session.add(prompt)
    db.session.commit()
    use = room.therapist_socket.emit("task:set", {"kind": "own", "id": prompt.id}, callback=True)
    assert use["error"]["code"] == "not_found"
    gone = room.therapist_socket.emit("taskprompt:remove", {"id": prompt.id}, callback=True)
    assert gone["error"]["code"] == "not_found"
    assert db.session.scalars(sa.select(DualTask.text)).all() == ["Theirs"]


@pytest.mark.parametrize(
    ("event", "payload", "code"),
    [
        ("taskprompt:add", None, "invalid_payload"),
        ("taskprompt:add", {"text": ""}, "invalid_value"),
        ("taskprompt:add", {"text": "x" * 201}, "invalid_value"),
        ("taskprompt:add", {"text": "ok", "more": 1}, "invalid_payload"),
        ("taskprompt:remove", None, "invalid_payload"),
        ("taskprompt:remove", {"id": True}, "not_found"),
    ],
)
def test_bad_prompt_payloads_are_refused_and_change_nothing(room, event, payload, code):
    ack = room.therapist_socket.emit(event, payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code and ack["error"]["message"]
    assert db.session.scalars(sa.select(DualTask)).all() == []


def test_the_client_cannot_add_prompts(room):
    ack = room.client_socket.emit("taskprompt:add", {"text": "mine"}, callback=True)
    assert ack["error"]["code"] == "forbidden"
    assert db.session.scalars(sa.select(DualTask)).all() == []


def test_the_session_asks_sud_after_each_set_when_switched_on(room):
    ack = room.therapist_socket.emit("between:set", {"ask": "sud"}, callback=True)
    assert ack == {"ok": True, "ask": "sud"}
    assert received(room.therapist_socket, "between:state") == [{"ask": "sud"}]
    room.client_socket.get_received()
    run(room.session.id, room_state.now_ms(), seconds=3)
    (asked,) = received(room.client_socket, "score:asked")
    assert asked["kind"] == "sud"
    (stim_set,) = sets_of(room.session.id)
    score = db.session.scalar(sa.select(Score).where(Score.submission_id == asked["prompt_id"]))
    assert score.stim_set_id == stim_set.id and score.value is None


def test_a_set_that_settles_at_its_planned_end_asks_too(room):
    room.therapist_socket.emit("between:set", {"ask": "voc"}, callback=True)
    two_passes = {"set_unit": "passes", "set_passes": 2}
    room.therapist_socket.emit("stim:update", two_passes, callback=True)
    t = room_state.now_ms()
    room_state.commit_change(room.session.id, stimulation.start, t)
    room.client_socket.get_received()
    room_state.settle_due(room_state.publish_state, t + 60_000)
    assert [a["kind"] for a in received(room.client_socket, "score:asked")] == ["voc"]


def test_no_question_after_a_set_when_switched_off_or_not_kept(room):
    run(room.session.id, room_state.now_ms(), seconds=3)
    assert received(room.client_socket, "score:asked") == []
    room.therapist_socket.emit("between:set", {"ask": "sud"}, callback=True)
    room.therapist_socket.emit("between:set", {"ask": None}, callback=True)
    run(room.session.id, room_state.now_ms() + 60_000, seconds=3)
    assert received(room.client_socket, "score:asked") == []
    room.therapist_socket.emit("between:set", {"ask": "sud"}, callback=True)
    run(room.session.id, room_state.now_ms() + 120_000, seconds=0.05)  # no pass: not kept
    assert received(room.client_socket, "score:asked") == []


@pytest.mark.parametrize(
    "payload", [None, {}, {"ask": "both"}, {"ask": 1}, {"ask": "sud", "x": 1}, ["sud"]]
)
def test_a_bad_between_switch_is_refused(room, payload):
    ack = room.therapist_socket.emit("between:set", payload, callback=True)
    assert ack["error"]["code"] == "invalid_payload"
    db.session.expire_all()
    assert db.session.get(TherapySession, room.session.id).ask_after_set is None


def test_the_client_cannot_switch_the_after_set_question(room):
    ack = room.client_socket.emit("between:set", {"ask": "sud"}, callback=True)
    assert ack["error"]["code"] == "forbidden"


def test_what_the_client_noticed_is_kept_with_the_set_encrypted_and_audited(room):
    run(room.session.id, room_state.now_ms(), seconds=3)
    ack = room.therapist_socket.emit(
        "set:notice", {"set": 1, "text": " Tension in the chest "}, callback=True
    )
    assert ack == {"ok": True, "set": 1, "noticed": "Tension in the chest"}
    assert [s.noticed for s in sets_of(room.session.id)] == ["Tension in the chest"]
    stored = db.session.execute(sa.text("SELECT noticed FROM stim_set")).scalar_one()
    assert "chest" not in stored
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "set.noticed"))
    assert [a.detail for a in audit] == ["set 1"]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (None, "invalid_payload"),
        ({"set": 1}, "invalid_payload"),
        ({"set": 1, "text": "a", "x": 1}, "invalid_payload"),
        ({"set": 1, "text": "x" * 501}, "invalid_value"),
        ({"set": 1, "text": 5}, "invalid_value"),
        ({"set": 2, "text": "a"}, "not_found"),
        ({"set": True, "text": "a"}, "not_found"),
        ({"set": "1", "text": "a"}, "not_found"),
    ],
)
def test_a_bad_notice_is_refused_and_changes_nothing(room, payload, code):
    run(room.session.id, room_state.now_ms(), seconds=3)
    ack = room.therapist_socket.emit("set:notice", payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code and ack["error"]["message"]
    assert [s.noticed for s in sets_of(room.session.id)] == [None]


def test_the_client_cannot_note_what_was_noticed(room):
    run(room.session.id, room_state.now_ms(), seconds=3)
    ack = room.client_socket.emit("set:notice", {"set": 1, "text": "x"}, callback=True)
    assert ack["error"]["code"] == "forbidden"


def test_the_record_and_the_summary_show_the_task_and_what_was_noticed(room):
    room.therapist_socket.emit("task:set", {"kind": "count_up", "start": 7}, callback=True)
    run(room.session.id, room_state.now_ms(), seconds=3)
    room.therapist_socket.emit("set:notice", {"set": 1, "text": "Calmer now"}, callback=True)
    base = f"/therapist/sessions/{room.session.id}"
    record = room.therapist_http.get(f"{base}/record").get_data(as_text=True)
    assert "Count up from 7." in record and "Calmer now" in record
    summary = room.therapist_http.get(f"{base}/summary").get_data(as_text=True)
    assert "Task: Count up from 7." in summary and "The client noticed: Calmer now" in summary


def test_the_exports_carry_the_task_and_what_was_noticed(room):
    room.therapist_socket.emit("task:set", {"kind": "count_up", "start": 7}, callback=True)
    run(room.session.id, room_state.now_ms(), seconds=3)
    room.therapist_socket.emit("set:notice", {"set": 1, "text": "Calmer now"}, callback=True)
    rows = list(
        csv.reader(
            io.StringIO(
                room.therapist_http.get(f"/therapist/sessions/{room.session.id}/export.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    header = next(row for row in rows if row and row[0] == "set")
    line = rows[rows.index(header) + 1]
    assert line[header.index("task")] == "Count up from 7."
    assert line[header.index("noticed")] == "Calmer now"
