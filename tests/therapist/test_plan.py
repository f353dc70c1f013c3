"""The treatment plan: targets that belong to the client, shown by kind with their status and
latest scores, added, edited, ordered and linked by floating back; sessions that work on them,
whose sets and scores belong to them; every read and change audited, bad input refused."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telehealth.extensions import db
from telehealth.models import (
    TARGET_TEXT,
    AuditEvent,
    Client,
    Score,
    StimSet,
    Target,
    TherapySession,
    session_target,
    utcnow,
)
from tests.support import Auth, csrf_token, erase_client, examples

ADD = {"kind": "past", "title": "The flood", "status": "not_started", "floated_from": "0"}


@pytest.fixture
def therapist(app, make):
    user = make.user()
    http = app.test_client()
    Auth(http).login(user)
    http.user = user
    return http


@pytest.fixture
def client(make, therapist) -> Client:  # the therapist's client (not Flask's test client)
    return make.client(therapist.user)


def add_target(client: Client, title: str, kind: str = "past", **fields) -> Target:
    last = db.session.scalar(
        sa.select(sa.func.max(Target.position)).where(Target.client_id == client.id)
    )
    target = Target(
        client_id=client.id,
        kind=kind,
        title=title,
        position=(last if last is not None else -1) + 1,
        **fields,
    )
    db.session.add(target)
    db.session.commit()
    return target


def new_session(client: Client) -> TherapySession:
    therapy_session = TherapySession.open(client, 0)
    db.session.add(therapy_session)
    db.session.commit()
    return therapy_session


def post_form(http, url: str, data: dict):
    token = csrf_token(http.get("/therapist/clients"))
    return http.post(url, data={**data, "csrf_token": token})


def post_json(http, url: str, body):
    token = csrf_token(http.get("/therapist/clients"))
    return http.post(url, json=body, headers={"X-CSRFToken": token})


def plan_url(client: Client) -> str:
    return f"/therapist/clients/{client.id}/plan"


def targets_of(client: Client) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        sa.select(Target.title, Target.kind, Target.status, Target.position)
        .where(Target.client_id == client.id)
        .order_by(Target.position, Target.id)
    ).all()


def actions(*prefixes: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(sa.or_(*(AuditEvent.action.startswith(p) for p in prefixes)))
            .order_by(AuditEvent.id)
        )
    )


def section(page: str, kind: str) -> str:
    match = re.search(
        rf'<section class="card plan-kind"[^>]*data-kind="{kind}">(.*?)</section>', page, re.S
    )
    assert match, kind
    return match.group(1)


def score(session: TherapySession, target: Target, kind: str, value: int, set_id=None) -> None:
    db.session.add(
        Score(
            therapy_session_id=session.id,
            stim_set_id=set_id,
            target_id=target.id,
            kind=kind,
            value=value,
            source="therapist",
            submission_id=f"s-{session.id}-{kind}-{value}-{set_id}",
            answered_at=utcnow(),
        )
    )


# The plan page


def test_the_plan_lists_targets_by_kind_with_status_and_latest_scores(therapist, client, make):
    flood = add_target(client, "The flood", status="in_progress")
    add_target(client, "Crowded shops", kind="present")
    add_target(client, "Calm beach", kind="resource", status="complete")
    first, second = (new_session(client) for _ in range(2))
    struck = StimSet(
        therapy_session_id=second.id, number=1, settings={}, struck_at=utcnow(), target_id=flood.id
    )
    db.session.add(struck)
    db.session.flush()
    score(first, flood, "sud", 8)
    score(first, flood, "voc", 2)
    score(second, flood, "sud", 4)
    score(second, flood, "voc", 5)
    score(second, flood, "sud", 1, set_id=struck.id)  # after a struck set: not the latest
    db.session.commit()
    page = therapist.get(plan_url(client)).text
    past = section(page, "past")
    assert "The flood" in past and "Crowded shops" not in past
    assert 'data-status="in_progress"' in past
    assert re.search(r'data-latest="sud">4<', past) and re.search(r'data-latest="voc">5<', past)
    assert "Crowded shops" in section(page, "present")
    assert "Calm beach" in section(page, "resource") and "Complete" in section(page, "resource")
    assert "No future template" in section(page, "future")


def test_the_client_page_links_to_the_plan(therapist, client):
    page = therapist.get(f"/therapist/clients/{client.id}").text
    assert f'href="{plan_url(client)}"' in page


def test_reading_the_plan_and_a_target_is_audited_without_clinical_words(therapist, client):
    target = add_target(client, "The flood")
    therapist.get(plan_url(client))
    therapist.get(f"/therapist/targets/{target.id}")
    reads = actions("plan.viewed", "plan.target_viewed")
    assert [(e.action, e.client_id, e.detail) for e in reads] == [
        ("plan.viewed", client.id, None),
        ("plan.target_viewed", client.id, f"target {target.id}"),
    ]
    assert all(e.user_id == therapist.user.id for e in reads)


def test_adding_a_target_puts_it_last_encrypted_and_audited(therapist, client):
    add_target(client, "The flood")
    response = post_form(
        therapist,
        plan_url(client),
        {
            **ADD,
            "kind": "future",
            "title": "  Driving again  ",
            "negative_cognition": "I am weak",
            "sud": "6",
            "voc": "3",
            "image": "The wheel,\nthe road",
        },
    )
    assert response.status_code == 302
    (added,) = db.session.scalars(sa.select(Target).where(Target.kind == "future")).all()
    assert added.title == "Driving again"
    assert response.location.endswith(f"/plan#target-{added.id}")
    assert (added.kind, added.position, added.status) == ("future", 1, "not_started")
    assert (added.negative_cognition, added.sud, added.voc) == ("I am weak", 6, 3)
    assert added.image == "The wheel,\nthe road"
    stored = db.session.execute(
        sa.text("SELECT title, negative_cognition, image FROM target WHERE id = :i"),
        {"i": added.id},
    ).one()
    assert all(value.startswith("gAAAAA") for value in stored)
    (event,) = actions("plan.target_added")
    assert (event.client_id, event.detail) == (client.id, f"target {added.id}")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "  "}, "Name the target"),
        ({"title": "x" * 201}, "200 characters"),
        ({"title": "two\nlines"}, "one line"),
        ({"kind": "someday"}, "Not a valid choice"),
        ({"status": "done"}, "Not a valid choice"),
        ({"sud": "11"}, "whole number 0 to 10"),
        ({"voc": "0"}, "whole number 1 to 7"),
        ({"voc": "seven"}, "Not a valid integer"),
        ({"image": "x" * 501}, "500 characters"),
        ({"floated_from": "999999"}, "Not a valid choice"),
    ],
)
def test_a_bad_target_is_refused_with_a_reason_and_adds_nothing(therapist, client, change, message):
    response = post_form(therapist, plan_url(client), {**ADD, **change})
    assert response.status_code == 400
    assert message in response.text
    assert targets_of(client) == []
    assert actions("plan.target_added") == []


def test_a_target_cannot_be_linked_to_another_clients_target(therapist, client, make):
    elsewhere = add_target(make.client(therapist.user, "Client B"), "Their flood")
    response = post_form(therapist, plan_url(client), {**ADD, "floated_from": str(elsewhere.id)})
    assert response.status_code == 400 and targets_of(client) == []


def test_editing_a_target_saves_its_assessment_and_is_audited(therapist, client):
    target = add_target(client, "The flood")
    page = therapist.get(f"/therapist/targets/{target.id}")
    assert page.status_code == 200 and 'value="The flood"' in page.text
    fields = {
        **ADD,
        "title": "The flood, at night",
        "image": "Water at the door",
        "negative_cognition": "I am powerless",
        "positive_cognition": "I can cope",
        "voc": "2",
        "emotions": "fear",
        "sud": "8",
        "body_location": "chest",
        "status": "reevaluate",
    }
    response = post_form(therapist, f"/therapist/targets/{target.id}", fields)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Target, target.id)
    assert (saved.title, saved.image, saved.emotions, saved.body_location) == (
        "The flood, at night",
        "Water at the door",
        "fear",
        "chest",
    )
    assert (saved.sud, saved.voc, saved.status) == (8, 2, "reevaluate")
    (event,) = actions("plan.target_changed")
    assert (event.client_id, event.detail) == (client.id, f"target {target.id}")


def test_a_bad_edit_changes_nothing(therapist, client):
    target = add_target(client, "The flood", sud=7)
    response = post_form(therapist, f"/therapist/targets/{target.id}", {**ADD, "sud": "-1"})
    assert response.status_code == 400 and "whole number 0 to 10" in response.text
    db.session.expire_all()
    assert db.session.get(Target, target.id).sud == 7
    assert actions("plan.target_changed") == []


def test_floating_back_links_show_on_both_targets_and_never_loop(therapist, client):
    trigger = add_target(client, "Crowded shops", kind="present")
    memory = add_target(client, "Lost at the fair, age 6")
    response = post_form(
        therapist,
        f"/therapist/targets/{memory.id}",
        {**ADD, "title": memory.title, "floated_from": str(trigger.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Target, memory.id).floated_from_id == trigger.id
    page = therapist.get(plan_url(client)).text
    assert f'data-found-from="{trigger.id}"' in page and "Led back to" in page
    # the trigger may not be found from the memory found from it, nor from itself
    for loop in (memory.id, trigger.id):
        again = post_form(
            therapist,
            f"/therapist/targets/{trigger.id}",
            {**ADD, "kind": "present", "title": trigger.title, "floated_from": str(loop)},
        )
        assert again.status_code == 400 and "Not a valid choice" in again.text
    db.session.expire_all()
    assert db.session.get(Target, trigger.id).floated_from_id is None


def test_moving_a_target_swaps_it_with_its_neighbour_of_the_same_kind(therapist, client):
    a = add_target(client, "A")
    add_target(client, "Trigger", kind="present")
    b = add_target(client, "B")
    response = post_form(therapist, f"/therapist/targets/{b.id}/move", {"direction": "up"})
    assert response.status_code == 302 and response.location.endswith(f"#target-{b.id}")
    assert [t[0] for t in targets_of(client) if t[1] == "past"] == ["B", "A"]
    post_form(therapist, f"/therapist/targets/{b.id}/move", {"direction": "up"})  # already first
    assert [t[0] for t in targets_of(client) if t[1] == "past"] == ["B", "A"]
    refused = post_form(therapist, f"/therapist/targets/{a.id}/move", {"direction": "left"})
    assert refused.status_code == 400 and "up or down" in refused.text
    assert [t[0] for t in targets_of(client) if t[1] == "past"] == ["B", "A"]
    assert len(actions("plan.target_moved")) == 2


def test_setting_a_status_and_refusing_an_unknown_one(therapist, client):
    target = add_target(client, "The flood")
    response = post_form(
        therapist, f"/therapist/targets/{target.id}/status", {"status": "complete"}
    )
    assert response.status_code == 302
    assert targets_of(client)[0][2] == "complete"
    refused = post_form(therapist, f"/therapist/targets/{target.id}/status", {"status": "done"})
    assert refused.status_code == 400 and "Choose one of the statuses" in refused.text
    assert targets_of(client)[0][2] == "complete"
    assert [e.detail for e in actions("plan.target_status")] == [f"target {target.id}"]


def test_only_a_target_no_session_worked_on_can_be_removed(therapist, client, make):
    mistake = add_target(client, "Typo").id
    kept = add_target(client, "The flood")
    therapy_session = new_session(client)
    therapy_session.targets = [kept]
    db.session.commit()
    refused = post_form(therapist, f"/therapist/targets/{kept.id}/delete", {})
    assert refused.status_code == 409 and "stays in the plan" in refused.text
    assert post_form(therapist, f"/therapist/targets/{mistake}/delete", {}).status_code == 302
    assert [t[0] for t in targets_of(client)] == ["The flood"]
    assert [e.detail for e in actions("plan.target_removed")] == [f"target {mistake}"]


def test_another_therapists_target_is_not_found(app, make, client):
    target = add_target(client, "The flood")
    other = app.test_client()
    Auth(other).login(make.user())
    assert other.get(f"/therapist/targets/{target.id}").status_code == 404
    assert other.get(plan_url(client)).status_code == 404
    assert (
        post_json(other, f"/therapist/targets/{target.id}/fields", {"title": "x"}).status_code
        == 404
    )
    assert targets_of(client) == [("The flood", "past", "not_started", 0)]


# The session works on targets


def choose(room, body):
    return post_json(room.therapist_http, f"/therapist/sessions/{room.session.id}/targets", body)


def test_sets_and_scores_belong_to_the_target_worked_on_when_they_were_made(room):
    client = db.session.get(Client, room.session.client_id)
    flood, shops = add_target(client, "The flood"), add_target(client, "Shops", "present")
    therapist = room.therapist_socket
    therapist.emit("score:enter", {"id": "before-any", "kind": "sud", "value": 9}, callback=True)
    assert choose(room, {"target_id": flood.id}).status_code == 200
    assert therapist.emit("stim:start", callback=True)["ok"]
    therapist.emit("score:enter", {"id": "on-flood-1", "kind": "sud", "value": 6}, callback=True)
    assert therapist.emit("stim:stop", callback=True)["ok"]
    state = choose(room, {"target_id": shops.id}).get_json()
    assert state["current"] == shops.id and state["worked_on"] == [flood.id, shops.id]
    prompt = therapist.emit("score:prompt", {"kind": "voc"}, callback=True)
    room.client_socket.emit(
        "score:submit", {"prompt_id": prompt["prompt_id"], "value": 5}, callback=True
    )
    db.session.expire_all()
    assert db.session.scalars(sa.select(StimSet.target_id)).all() == [flood.id]
    assert db.session.execute(
        sa.select(Score.submission_id, Score.target_id).order_by(Score.id)
    ).all()[:2] == [("before-any", None), ("on-flood-1", flood.id)]
    assert db.session.scalar(sa.select(Score.target_id).where(Score.kind == "voc")) == shops.id
    therapy_session = db.session.get(TherapySession, room.session.id)
    assert [t.title for t in therapy_session.targets] == ["The flood", "Shops"]
    assert db.session.get(Target, flood.id).status == "in_progress"  # taken up: in progress
    assert [e.detail for e in actions("session.target_chosen")] == [
        f"target {flood.id}",
        f"target {shops.id}",
    ]


def test_choosing_no_target_leaves_the_next_sets_without_one(room):
    client = db.session.get(Client, room.session.client_id)
    flood = add_target(client, "The flood")
    choose(room, {"target_id": flood.id})
    state = choose(room, {"target_id": None}).get_json()
    assert state["current"] is None and state["worked_on"] == [flood.id]
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    db.session.expire_all()
    assert db.session.scalars(sa.select(StimSet.target_id)).all() == [None]


def test_a_new_target_made_on_the_panel_joins_the_plan_and_is_worked_on(room):
    client = db.session.get(Client, room.session.client_id)
    add_target(client, "The flood")
    state = choose(room, {"new": {"kind": "present", "title": " Loud voices "}}).get_json()
    assert [t["title"] for t in state["targets"]] == ["The flood", "Loud voices"]
    new = state["targets"][1]
    assert state["current"] == new["id"] and new["kind"] == "present"
    assert targets_of(client)[1] == ("Loud voices", "present", "in_progress", 1)
    assert [e.detail for e in actions("plan.target_added")] == [f"target {new['id']}"]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {},
        {"target_id": "1"},
        {"target_id": True},
        {"target_id": 999999},
        {"target_id": 2**70},
        {"target_id": -1},
        {"new": {"kind": ["past"], "title": "x"}},
        {"new": {"kind": {}, "title": "x"}},
        {"target_id": None, "new": {"kind": "past", "title": "x"}},
        {"new": {"kind": "someday", "title": "x"}},
        {"new": {"kind": "past", "title": " "}},
        {"new": {"kind": "past", "title": "a\nb"}},
        {"new": {"kind": "past", "title": "x" * 201}},
        {"new": {"kind": "past"}},
        {"new": "The flood"},
    ],
)
def test_a_bad_choice_is_refused_and_changes_nothing(room, body):
    client = db.session.get(Client, room.session.client_id)
    flood = add_target(client, "The flood")
    choose(room, {"target_id": flood.id})
    response = choose(room, body)
    assert response.status_code == 400 and response.get_json()["error"]["message"]
    assert targets_of(client) == [("The flood", "past", "in_progress", 0)]
    assert db.session.get(TherapySession, room.session.id).current_target_id == flood.id


def test_another_clients_target_cannot_be_worked_on(room, make):
    elsewhere = add_target(make.client(room.therapist, "Client B"), "Their flood")
    response = choose(room, {"target_id": elsewhere.id})
    assert response.status_code == 400 and "not in this client's plan" in response.text
    db.session.expire_all()
    assert db.session.get(TherapySession, room.session.id).targets == []


def test_the_panel_saves_the_words_on_the_target_and_audits_it(room):
    client = db.session.get(Client, room.session.client_id)
    flood = add_target(client, "The flood")
    state = choose(room, {"target_id": flood.id}).get_json()
    (shown,) = state["targets"]
    body = {"title": "The flood, at night", "negative_cognition": "I am powerless", "sud": 7}
    response = post_json(room.therapist_http, shown["save_url"], body)
    assert response.status_code == 200
    db.session.expire_all()
    saved = db.session.get(Target, flood.id)
    assert (saved.title, saved.negative_cognition, saved.sud) == (
        "The flood, at night",
        "I am powerless",
        7,
    )
    assert [e.detail for e in actions("plan.target_changed")] == [f"target {flood.id}"]
    page = room.therapist_http.get(f"/therapist/sessions/{room.session.id}").text
    assert 'id="work-state"' in page and "The flood, at night" in page


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        {"title": ""},
        {"title": 5},
        {"title": "x" * 201},
        {"negative_cognition": "a\nb"},
        {"image": "x" * 501},
        {"image": "nul\x00"},
        {"sud": 11},
        {"sud": True},
        {"voc": "5"},
        {"status": "complete"},
        {"client_id": 2},
    ],
)
def test_a_bad_autosave_of_a_target_is_refused_and_changes_nothing(room, body):
    client = db.session.get(Client, room.session.client_id)
    flood = add_target(client, "The flood", sud=8)
    response = post_json(room.therapist_http, f"/therapist/targets/{flood.id}/fields", body)
    assert response.status_code == 400 and response.get_json()["error"]["message"]
    db.session.expire_all()
    saved = db.session.get(Target, flood.id)
    assert (saved.title, saved.sud, saved.client_id, saved.status) == (
        "The flood",
        8,
        client.id,
        "not_started",
    )


def test_the_record_and_summary_name_the_targets_a_session_worked_on(room):
    client = db.session.get(Client, room.session.client_id)
    flood = add_target(client, "The flood", negative_cognition="I am powerless")
    choose(room, {"target_id": flood.id})
    record = room.therapist_http.get(f"/therapist/sessions/{room.session.id}/record").text
    assert "<dd>The flood</dd>" in record and "<dd>I am powerless</dd>" in record
    assert f'href="/therapist/targets/{flood.id}"' in record
    summary = room.therapist_http.get(f"/therapist/sessions/{room.session.id}/summary").text
    assert "Target: The flood" in summary
    history = room.therapist_http.get(f"/therapist/clients/{client.id}/history.json").get_json()
    assert history["sessions"][0]["target"] == "The flood"


# Erased with the client


def test_erasing_a_client_erases_the_plan_and_its_links(room, make):
    client = db.session.get(Client, room.session.client_id)
    flood = add_target(client, "The flood")
    choose(room, {"target_id": flood.id})
    room.therapist_socket.emit("stim:start", callback=True)
    keep = add_target(make.client(room.therapist, "Client B"), "Their flood")
    erased = erase_client(room.therapist_http, client.id, "Client A")
    assert erased.status_code == 302
    assert db.session.scalars(sa.select(Target.id)).all() == [keep.id]
    count = sa.select(sa.func.count()).select_from(session_target)
    assert db.session.scalar(count) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StimSet)) == 0


# Any input: never a server error, a refusal changes nothing

FUZZ = settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["past", "future", "", " " * 300, "a\nb", "x" * 201]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def bodies(names: list[str]):
    keys = st.sampled_from([*names, "client_id", "status", "x" * 50])
    return anything | st.dictionaries(keys, anything, max_size=4)


def snapshot(session_id: int) -> tuple:
    db.session.expire_all()
    return (
        db.session.execute(
            sa.select(
                *(getattr(Target, n) for n in ("title", "kind", "status", "sud", "voc"))
            ).order_by(Target.id)
        ).all(),
        db.session.get(TherapySession, session_id).current_target_id,
        db.session.scalar(sa.select(sa.func.count()).select_from(session_target)),
    )


def test_any_json_to_the_plans_endpoints_is_refused_cleanly(room):
    client = db.session.get(Client, room.session.client_id)
    flood = add_target(client, "The flood", sud=5)
    token = csrf_token(room.therapist_http.get("/therapist/clients"))
    urls = {
        f"/therapist/sessions/{room.session.id}/targets": ["target_id", "new", "kind", "title"],
        f"/therapist/targets/{flood.id}/fields": [*TARGET_TEXT, "sud", "voc"],
    }

    @FUZZ
    @given(url=st.sampled_from(list(urls)), data=st.data())
    def run(url, data):
        body = data.draw(bodies(urls[url]))
        before = snapshot(room.session.id)
        response = room.therapist_http.post(url, json=body, headers={"X-CSRFToken": token})
        assert response.status_code in (200, 400), response.status_code
        if response.status_code == 400:
            assert snapshot(room.session.id) == before

    run()


def test_any_target_form_is_refused_cleanly(therapist, client):
    token = csrf_token(therapist.get(plan_url(client)))
    text = st.text(max_size=250) | st.sampled_from(["", "past", "0", "11", "x" * 600, "\x07"])
    names = ["kind", "title", "status", "floated_from", *TARGET_TEXT, "sud", "voc"]

    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional={name: text for name in names}))
    def run(data):
        before = len(targets_of(client))
        response = therapist.post(plan_url(client), data={**data, "csrf_token": token})
        assert response.status_code in (302, 400), response.status_code
        assert len(targets_of(client)) == before + (response.status_code == 302)

    run()
