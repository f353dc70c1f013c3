"""The clinical record: sets recorded as they run, scores stored once, records private,
autosave checked, clients archived or erased for good, exports."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from telehealth import stimulation
from telehealth.extensions import db
from telehealth.live import scores, sets
from telehealth.live import state as room_state
from telehealth.models import Client, JoinLink, Preset, Score, StimSet, TherapySession
from tests.support import Auth, csrf_token


def post_json(http, url, body):
    token = csrf_token(http.get("/therapist/clients"))
    return http.post(url, json=body, headers={"X-CSRFToken": token})


def run_set(session_id: int, passes: int = 2) -> None:
    """Start a set of ``passes`` and let the settler end it, as the real server does."""
    room_state.commit_change(
        session_id,
        lambda s, t: stimulation.apply_settings(s, {"set_passes": passes, "speed_pps": 3.0}, t),
    )
    state = room_state.commit_change(session_id, stimulation.start)
    end = stimulation.ends_at_ms(state)
    # pretend time has passed: move the anchor back so the set is over now
    db.session.execute(
        sa.update(TherapySession)
        .where(TherapySession.id == session_id)
        .values(
            stim_state={
                **state,
                "anchor": {
                    **state["anchor"],
                    "t0_ms": state["anchor"]["t0_ms"] - (end - state["anchor"]["t0_ms"]) - 10,
                },
            },
            stim_ends_at_ms=0,
        )
    )
    db.session.commit()
    assert room_state.settle_due(lambda *_: None) == 1


def test_a_set_is_recorded_when_it_starts_and_closed_with_its_passes(room):
    run_set(room.session.id, passes=3)
    (stim_set,) = sets.sets_of(room.session.id)
    assert stim_set.number == 1 and stim_set.passes == 3 and stim_set.ended_at is not None
    assert stim_set.settings["speed_pps"] == 3.0


def test_a_stopped_set_is_closed_too(room):
    t = room_state.now_ms()
    room_state.commit_change(room.session.id, stimulation.start, t)
    room_state.commit_change(room.session.id, stimulation.stop, t + 3000)  # three passes in
    state = room_state.read_state(room.session.id)
    assert state["stopping"]
    (stim_set,) = sets.sets_of(room.session.id)
    assert stim_set.ended_at is None  # still gliding to the centre
    room_state.commit_change(room.session.id, stimulation.settle, t + 13_000)
    (stim_set,) = sets.sets_of(room.session.id)
    assert stim_set.ended_at is not None and stim_set.passes >= 2


def test_a_therapists_score_with_the_same_id_is_stored_once(room):
    payload = {"id": "entry-0001", "kind": "sud", "value": 6}
    first = room.therapist_socket.emit("score:enter", payload, callback=True)
    again = room.therapist_socket.emit("score:enter", payload, callback=True)
    assert first["ok"] and again["ok"] and first["score"]["id"] == again["score"]["id"]
    assert [s.value for s in scores.scores_of(room.session.id)] == [6]
    names = [m["name"] for m in room.client_socket.get_received()]
    assert names.count("score:recorded") == 1


@pytest.mark.parametrize("bad_id", ["entry\x000001", "entry 0001", "short", "x" * 65, 12345678])
def test_a_score_with_a_malformed_id_is_refused_and_stores_nothing(room, bad_id):
    payload = {"id": bad_id, "kind": "sud", "value": 6}
    ack = room.therapist_socket.emit("score:enter", payload, callback=True)
    assert not ack["ok"] and ack["error"]["code"] == "invalid_value"
    assert scores.scores_of(room.session.id) == []


def test_the_client_answers_a_prompt_once_even_when_the_network_retries(room):
    ack = room.therapist_socket.emit("score:prompt", {"kind": "voc"}, callback=True)
    asked = [m for m in room.client_socket.get_received() if m["name"] == "score:asked"]
    assert asked[0]["args"][0] == {
        "prompt_id": ack["prompt_id"],
        "kind": "voc",
        "low": 1,
        "high": 7,
    }
    answer = {"prompt_id": ack["prompt_id"], "value": 5}
    assert room.client_socket.emit("score:submit", answer, callback=True)["ok"]
    assert room.client_socket.emit("score:submit", answer, callback=True)["ok"]
    stored = scores.scores_of(room.session.id)
    assert [(s.kind, s.value, s.source) for s in stored] == [("voc", 5, "client")]
    recorded = [m for m in room.therapist_socket.get_received() if m["name"] == "score:recorded"]
    assert len(recorded) == 1 and recorded[0]["args"][0]["value"] == 5


def test_the_client_cannot_answer_without_a_question(room):
    ack = room.client_socket.emit(
        "score:submit", {"prompt_id": "made-up-id-123", "value": 3}, callback=True
    )
    assert ack["error"]["code"] == "no_prompt"
    assert db.session.scalar(sa.select(sa.func.count(Score.id))) == 0


def test_the_client_cannot_answer_another_sessions_question(room, make):
    other = make.session()
    foreign = scores.prompt(other.id, "sud")
    db.session.commit()
    ack = room.client_socket.emit(
        "score:submit", {"prompt_id": foreign.submission_id, "value": 3}, callback=True
    )
    assert ack["error"]["code"] == "no_prompt"
    assert db.session.get(Score, foreign.id).value is None


@pytest.mark.parametrize(
    ("kind", "value"),
    [("sud", 11), ("sud", -1), ("voc", 0), ("voc", 8), ("voc", 3.5), ("voc", True), ("sud", "5")],
)
def test_scores_out_of_range_are_refused(room, kind, value):
    ack = room.therapist_socket.emit(
        "score:enter", {"id": "entry-0002", "kind": kind, "value": value}, callback=True
    )
    assert ack["error"]["code"] in ("out_of_range", "invalid_value")
    assert scores.scores_of(room.session.id) == []


def test_a_withdrawn_question_can_no_longer_be_answered(room):
    ack = room.therapist_socket.emit("score:prompt", {"kind": "sud"}, callback=True)
    room.therapist_socket.emit("score:withdraw", callback=True)
    assert "score:withdrawn" in [m["name"] for m in room.client_socket.get_received()]
    reply = room.client_socket.emit(
        "score:submit", {"prompt_id": ack["prompt_id"], "value": 2}, callback=True
    )
    assert reply["error"]["code"] == "no_prompt"


def test_an_open_question_is_asked_again_after_the_client_reconnects(room, sockets):
    ack = room.therapist_socket.emit("score:prompt", {"kind": "sud"}, callback=True)
    room.client_socket.disconnect()
    again = sockets(room.client_http, {"role": "client"})
    asked = [m for m in again.get_received() if m["name"] == "score:asked"]
    assert asked and asked[0]["args"][0]["prompt_id"] == ack["prompt_id"]


def test_the_record_autosaves_and_counts_its_revisions(room):
    url = f"/therapist/sessions/{room.session.id}/record"
    body = {"target": "Accident", "phases": [4, 3, 4], "notes": "Calm.\nBreathing."}
    response = post_json(room.therapist_http, url, body)
    assert response.status_code == 200 and response.get_json()["record_rev"] == 1
    ts = db.session.get(TherapySession, room.session.id)
    assert (ts.target, ts.phases, ts.notes) == ("Accident", [3, 4], "Calm.\nBreathing.")


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        {"target": 5},
        {"target": "x" * 201},
        {"notes": "x" * 20001},
        {"notes": "before\x00after"},
        {"target\x00": "x"},
        {"phases": [9]},
        {"phases": "4"},
        {"phases": [True]},
        {"phases": [[4]]},
        {"phases": [{}]},
        {"stim_state": {}},
        {"therapist_id": 2},
    ],
)
def test_a_bad_autosave_is_refused_and_changes_nothing(room, body):
    url = f"/therapist/sessions/{room.session.id}/record"
    response = post_json(room.therapist_http, url, body)
    assert response.status_code == 400 and response.get_json()["error"]["message"]
    ts = db.session.get(TherapySession, room.session.id)
    assert (ts.target, ts.phases, ts.notes, ts.record_rev) == ("", [], "", 0)


def other_therapists_urls(ts: TherapySession) -> list[tuple[str, str]]:
    c, s = ts.client_id, ts.id
    return [
        ("GET", f"/therapist/clients/{c}"),
        ("POST", f"/therapist/clients/{c}"),
        ("POST", f"/therapist/clients/{c}/archive"),
        ("POST", f"/therapist/clients/{c}/delete"),
        ("GET", f"/therapist/clients/{c}/history.json"),
        ("GET", f"/therapist/clients/{c}/export.csv"),
        ("GET", f"/therapist/sessions/{s}/record"),
        ("POST", f"/therapist/sessions/{s}/record"),
        ("GET", f"/therapist/sessions/{s}/scores.json"),
        ("GET", f"/therapist/sessions/{s}/export.csv"),
    ]


def test_another_therapist_gets_404_for_every_record_url(app, room, make):
    other = app.test_client()
    Auth(other).login(make.user())
    token = csrf_token(other.get("/therapist/clients"))
    for method, url in other_therapists_urls(room.session):
        if method == "GET":
            response = other.get(url)
        else:
            response = other.post(
                url,
                data={"csrf_token": token, "confirm": "Client A", "pseudonym": "x"},
                headers={"X-CSRFToken": token},
            )
        assert response.status_code == 404, (method, url)
    assert db.session.get(Client, room.session.client_id).pseudonym == "Client A"


def test_erasing_a_client_erases_every_session_set_score_note_and_link(room, make):
    run_set(room.session.id)
    room.therapist_socket.emit(
        "score:enter", {"id": "entry-0003", "kind": "sud", "value": 4}, callback=True
    )
    post_json(
        room.therapist_http, f"/therapist/sessions/{room.session.id}/record", {"notes": "private"}
    )
    keep = make.session(room.therapist)  # another client of the same therapist stays
    page = room.therapist_http.get(f"/therapist/clients/{room.session.client_id}")
    wrong = room.therapist_http.post(
        f"/therapist/clients/{room.session.client_id}/delete",
        data={"confirm": "Client B", "csrf_token": csrf_token(page)},
    )
    assert wrong.status_code == 302 and db.session.get(Client, room.session.client_id) is not None
    room.therapist_http.post(
        f"/therapist/clients/{room.session.client_id}/delete",
        data={"confirm": "Client A", "csrf_token": csrf_token(page)},
    )
    for model in (StimSet, Score, JoinLink):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model
    assert db.session.scalars(sa.select(TherapySession.id)).all() == [keep.id]
    assert db.session.scalars(sa.select(Client.id)).all() == [keep.client_id]


def test_archiving_hides_a_client_from_the_list_and_keeps_the_records(room):
    http = room.therapist_http
    page = http.get(f"/therapist/clients/{room.session.client_id}")
    http.post(
        f"/therapist/clients/{room.session.client_id}/archive",
        data={"csrf_token": csrf_token(page)},
    )
    assert "Client A" not in http.get("/therapist/clients").text.split("Open sessions")[0]
    assert db.session.get(TherapySession, room.session.id) is not None
    http.post(
        f"/therapist/clients/{room.session.client_id}/archive",
        data={"csrf_token": csrf_token(page)},
    )
    assert "Client A" in http.get("/therapist/clients").text


def test_client_details_are_saved_and_their_preset_starts_new_sessions(room):
    preset = Preset(therapist_id=room.therapist.id, name="Slow", settings={"speed_pps": 0.4})
    db.session.add(preset)
    db.session.commit()
    http = room.therapist_http
    url = f"/therapist/clients/{room.session.client_id}"
    page = http.get(url)
    response = http.post(
        url,
        data={
            "pseudonym": "Client A",
            "initials": "C.A.",
            "pronouns": "they/them",
            "preferences": "slow, soft tones",
            "preset_id": str(preset.id),
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 302
    client = db.session.get(Client, room.session.client_id)
    assert (client.initials, client.pronouns, client.preset_id) == ("C.A.", "they/them", preset.id)
    new = TherapySession.open(client, room_state.now_ms())
    assert new.stim_state["settings"]["speed_pps"] == 0.4


def test_the_exports_hold_the_record_and_defuse_formulas(room):
    post_json(
        room.therapist_http,
        f"/therapist/sessions/{room.session.id}/record",
        {"target": '=HYPERLINK("http://x")', "notes": "Went well"},
    )
    room.therapist_socket.emit(
        "score:enter", {"id": "entry-0004", "kind": "sud", "value": 3}, callback=True
    )
    session_csv = room.therapist_http.get(f"/therapist/sessions/{room.session.id}/export.csv")
    assert session_csv.mimetype == "text/csv"
    assert "attachment" in session_csv.headers["Content-Disposition"]
    assert "'=HYPERLINK" in session_csv.text and "SUD,3" in session_csv.text
    history = room.therapist_http.get(f"/therapist/clients/{room.session.client_id}/export.csv")
    assert "Went well" in history.text and ",3," in history.text


def test_chart_data_follow_the_sets(room):
    room.therapist_socket.emit(
        "score:enter", {"id": "entry-0005", "kind": "sud", "value": 8}, callback=True
    )
    run_set(room.session.id)
    room.therapist_socket.emit(
        "score:enter", {"id": "entry-0006", "kind": "sud", "value": 5}, callback=True
    )
    data = room.therapist_http.get(f"/therapist/sessions/{room.session.id}/scores.json").get_json()
    (stim_set,) = data["sets"]
    assert [(s["value"], s["set_id"]) for s in data["scores"]] == [(8, None), (5, stim_set["id"])]
    history = room.therapist_http.get(
        f"/therapist/clients/{room.session.client_id}/history.json"
    ).get_json()
    assert history["sessions"][0]["sud"] == [8, 5]


def test_a_question_of_an_unknown_kind_is_refused(room):
    for kind in ("mood", [], {}, None, 1):
        ack = room.therapist_socket.emit("score:prompt", {"kind": kind}, callback=True)
        assert ack["error"]["code"] == "invalid_value"
    assert scores.open_prompt(room.session.id) is None


def add_sessions(client: Client, count: int, sets_each: int = 3) -> None:
    """Sessions of ``client`` with sets and a score each, straight in the database."""
    for n in range(count):
        therapy_session = TherapySession.open(client, room_state.now_ms())
        db.session.add(therapy_session)
        db.session.flush()
        for number in range(1, sets_each + 1):
            db.session.add(
                StimSet(therapy_session_id=therapy_session.id, number=number, settings={})
            )
        db.session.add(
            Score(
                therapy_session_id=therapy_session.id,
                kind="sud",
                value=5,
                source="therapist",
                submission_id=f"count-{client.id}-{n}",
            )
        )
    db.session.commit()


def statements_of(app, http, url: str) -> list[str]:
    """The SQL statements a GET of ``url`` runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert http.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_the_client_page_runs_as_many_statements_for_five_sessions_as_for_one(app, make):
    therapist = make.user()
    http = app.test_client()
    Auth(http).login(therapist)
    one, five = make.client(therapist, "One"), make.client(therapist, "Five")
    add_sessions(one, 1)
    add_sessions(five, 5)
    for page in ("/therapist/clients/{}", "/therapist/clients/{}/history.json"):
        assert len(statements_of(app, http, page.format(one.id))) == len(
            statements_of(app, http, page.format(five.id))
        )


def test_the_record_page_reads_the_sets_and_scores_once(app, room):
    add_sessions(db.session.get(Client, room.session.client_id), 1)
    run_set(room.session.id)
    url = f"/therapist/sessions/{room.session.id}/record"
    seen = statements_of(app, room.therapist_http, url)
    assert sum("FROM stim_set" in s for s in seen) == 1
    assert sum("FROM score" in s for s in seen) == 1


@pytest.mark.parametrize("huge", [2**31, 10**20])
def test_an_id_too_large_for_the_database_is_a_plain_404(app, room, huge):
    """Every <int:...> in a URL is bounded: no overflow error from the database (PostgreSQL's
    integer), just Not Found, whatever the route."""
    http = room.therapist_http
    for url in (
        f"/therapist/sessions/{huge}/record",
        f"/therapist/sessions/{huge}/scores.json",
        f"/therapist/clients/{huge}/plan",
        f"/therapist/targets/{huge}",
    ):
        assert http.get(url).status_code == 404, url
    assert http.get(f"/therapist/sessions/{room.session.id}/record").status_code == 200
