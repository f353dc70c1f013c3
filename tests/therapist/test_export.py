"""The per-client archive (GDPR Art. 15 and 20): one zip with everything held about a client,
as JSON and as a printable HTML page; only for the client's own therapist; audited."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.live.sets import sets_of
from telehealth.models import AuditEvent, Score, StimSet, Target, TherapySession, utcnow
from telehealth.staff import audit
from tests.support import Auth

NOTES = 'Felt the wave pass.\n<script>alert("x")</script> & "quotes"'


@pytest.fixture
def therapist(app, make):
    user = make.user()
    http = app.test_client()
    Auth(http).login(user)
    http.user = user
    return http


@pytest.fixture
def record(make, therapist):
    """A client with two sessions: the first with a record, two sets and three scores."""
    first = make.session(therapist.user)
    client = first.client
    client.initials, client.pronouns, client.preferences = "R.S.", "they/them", "slow, soft tones"
    first.target = "The flood"
    first.negative_cognition = "I am powerless"
    first.positive_cognition = "I can cope"
    first.phases = [3, 4]
    first.notes = NOTES
    first.ended_at = utcnow()
    second = TherapySession.open(client, 0)
    db.session.add(second)
    db.session.flush()
    sets = [
        StimSet(
            therapy_session_id=first.id,
            number=n,
            passes=24 + n,
            ended_at=utcnow() + timedelta(seconds=30 * n),
            settings={"speed_pps": 1.5 + n, "pattern": "horizontal"},
        )
        for n in (1, 2)
    ]
    db.session.add_all(sets)
    db.session.flush()
    db.session.add_all(
        [
            Score(
                therapy_session_id=first.id,
                stim_set_id=sets[0].id,
                kind="sud",
                value=7,
                source="client",
                submission_id="s1",
                answered_at=utcnow(),
            ),
            Score(
                therapy_session_id=first.id,
                stim_set_id=sets[1].id,
                kind="sud",
                value=3,
                source="therapist",
                submission_id="s2",
                answered_at=utcnow(),
            ),
            Score(therapy_session_id=first.id, kind="voc", source="client", submission_id="s3"),
        ]
    )
    db.session.commit()
    return client, first, second


def download(http, client_id: int):
    return http.get(f"/therapist/clients/{client_id}/archive.zip")


def unzip(response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_archive_is_a_zip_attachment_of_json_html_and_readme(therapist, record):
    client, _, _ = record
    response = download(therapist, client.id)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    files = unzip(response)
    assert sorted(files) == ["README.txt", "client.html", "client.json"]
    assert "client.json" in files["README.txt"] and "client.html" in files["README.txt"]


def test_the_json_holds_every_session_set_score_and_note(therapist, record):
    client, first, second = record
    data = json.loads(unzip(download(therapist, client.id))["client.json"])
    assert data["client"]["id"] == client.id and data["client"]["pseudonym"] == "Client A"
    assert data["client"]["preferences"] == "slow, soft tones"
    assert [s["id"] for s in data["sessions"]] == [first.id, second.id]
    session = data["sessions"][0]
    assert session["notes"] == NOTES and session["target"] == "The flood"
    assert session["negative_cognition"] == "I am powerless"
    assert session["positive_cognition"] == "I can cope"
    assert [p["number"] for p in session["phases"]] == [3, 4]
    assert [(s["number"], s["passes"]) for s in session["sets"]] == [(1, 25), (2, 26)]
    assert session["sets"][1]["settings"] == {"speed_pps": 3.5, "pattern": "horizontal"}
    assert all(s["started_at"] and s["ended_at"] for s in session["sets"])
    assert [(s["kind"], s["value"], s["set_number"]) for s in session["scores"]] == [
        ("sud", 7, 1),
        ("sud", 3, 2),
        ("voc", None, None),
    ]
    assert data["sessions"][1]["sets"] == [] and data["sessions"][1]["scores"] == []


def test_the_json_holds_the_audit_rows_about_this_client_only(app, make, therapist, record):
    client, first, _ = record
    elsewhere = make.session(therapist.user)
    audit.log("session.opened", user_id=therapist.user.id, session_id=first.id)
    audit.log("client.exported", user_id=therapist.user.id, client_id=client.id)
    audit.log("session.opened", user_id=therapist.user.id, session_id=elsewhere.id)
    audit.log("client.viewed", user_id=therapist.user.id, client_id=elsewhere.client_id)
    db.session.commit()
    data = json.loads(unzip(download(therapist, client.id))["client.json"])
    assert [(e["action"], e["user_id"], e["session_id"]) for e in data["audit"]] == [
        ("session.opened", therapist.user.id, first.id),
        ("client.exported", therapist.user.id, None),
        ("client.archive_exported", therapist.user.id, None),
    ]
    assert all(e["at"] for e in data["audit"])


def test_the_html_shows_the_record_with_every_text_escaped_and_no_script(therapist, record):
    client, _, _ = record
    page = unzip(download(therapist, client.id))["client.html"]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in page
    assert "<script" not in page.lower()
    assert not re.search(r"(?:src|href)=", page)  # self-contained: nothing loaded
    for text in ("Client A", "The flood", "I am powerless", "I can cope", "Desensitisation"):
        assert text in page
    assert "client.archive_exported" in page and "speed_pps: 3.5" in page


def test_the_download_is_audited_with_the_client_and_no_clinical_words(therapist, record):
    client, _, _ = record
    download(therapist, client.id)
    (row,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "client.archive_exported")
    ).all()
    assert row.user_id == therapist.user.id and row.client_id == client.id
    assert row.therapy_session_id is None and row.detail is None


@pytest.mark.parametrize(
    ("who", "expected"), [("another therapist", 404), ("admin", 403), ("anonymous", 302)]
)
def test_only_the_clients_therapist_may_download(app, make, record, who, expected):
    client, _, _ = record
    http = app.test_client()
    if who != "anonymous":
        Auth(http).login(make.user("admin" if who == "admin" else "therapist"))
    response = download(http, client.id)
    assert response.status_code == expected
    if expected == 302:
        assert "/login" in response.location
    assert response.mimetype != "application/zip"
    assert not db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "client.archive_exported")
    ).all()


def test_the_client_page_links_to_the_archive(therapist, record):
    client, _, _ = record
    page = therapist.get(f"/therapist/clients/{client.id}").text
    assert f'href="/therapist/clients/{client.id}/archive.zip"' in page
    assert "Download everything (zip)" in page


def test_the_archive_holds_the_plan_and_which_target_each_set_and_score_belongs_to(
    therapist, record
):
    client, first, _ = record
    trigger = Target(client_id=client.id, kind="present", title="Rain on windows", position=0)
    flood = Target(
        client_id=client.id,
        kind="past",
        title="The flood",
        position=1,
        image="Water at the door",
        negative_cognition="I am powerless",
        emotions="fear",
        body_location="chest",
        sud=8,
        voc=2,
        status="in_progress",
    )
    db.session.add_all([trigger, flood])
    db.session.flush()
    flood.floated_from_id = trigger.id
    first.targets = [flood]
    for row in [*sets_of(first.id), *db.session.scalars(sa.select(Score))]:
        row.target_id = flood.id
    db.session.commit()
    files = unzip(download(therapist, client.id))
    data = json.loads(files["client.json"])
    assert [(t["id"], t["title"], t["kind"]) for t in data["plan"]] == [
        (trigger.id, "Rain on windows", "present"),
        (flood.id, "The flood", "past"),
    ]
    assessed = data["plan"][1]
    assert (assessed["image"], assessed["emotions"], assessed["body_location"]) == (
        "Water at the door",
        "fear",
        "chest",
    )
    assert (assessed["sud"], assessed["voc"], assessed["status"]) == (8, 2, "in_progress")
    assert assessed["floated_from_id"] == trigger.id
    session = data["sessions"][0]
    assert session["target_ids"] == [flood.id]
    assert {s["target_id"] for s in session["sets"]} == {flood.id}
    assert {s["target_id"] for s in session["scores"]} == {flood.id}
    page = files["client.html"]
    for text in ("Treatment plan (2 targets)", "Rain on windows", "Water at the door", "chest"):
        assert text in page
    assert f"target {trigger.id}" in page
