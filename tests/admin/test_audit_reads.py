"""Reads of a client's record are audited (who, what, which client, when), and the admin can
find them by client id and action, on the page and in the CSV, without seeing clinical words."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import AuditEvent
from tests.support import Auth

PSEUDONYM = "Robin Secretname"
NOTES = "Dreams of the flood again"

# path (with {client} and {session}) -> the action it writes, and whether it names the session
READS = {
    "/therapist/clients/{client}": ("client.viewed", False),
    "/therapist/clients/{client}/history.json": ("client.history_read", False),
    "/therapist/clients/{client}/export.csv": ("client.exported", False),
    "/therapist/clients/{client}/archive.zip": ("client.archive_exported", False),
    "/therapist/clients/{client}/plan": ("plan.viewed", False),
    "/therapist/sessions/{session}": ("session.panel_opened", True),
    "/therapist/sessions/{session}/record": ("session.record_viewed", True),
    "/therapist/sessions/{session}/export.csv": ("session.exported", True),
    "/therapist/sessions/{session}/scores.json": ("session.scores_read", True),
    "/therapist/sessions/{session}/summary": ("session.summary_viewed", True),
    "/therapist/sessions/{session}/summary.pdf": ("session.summary_pdf", True),
}


@pytest.fixture
def therapist(app, make):
    user = make.user()
    http = app.test_client()
    Auth(http).login(user)
    http.user = user
    return http


@pytest.fixture
def admin(app, make):
    http = app.test_client()
    Auth(http).login(make.user("admin"))
    return http


@pytest.fixture
def therapy_session(make, therapist):
    therapy_session = make.session(therapist.user)
    therapy_session.client.pseudonym = PSEUDONYM
    therapy_session.notes = NOTES
    db.session.commit()
    return therapy_session


def reads() -> list[AuditEvent]:
    actions = [action for action, _ in READS.values()]
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
        )
    )


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


@pytest.mark.parametrize(("path", "expected"), READS.items(), ids=list(READS))
def test_each_read_of_a_record_writes_one_audit_row(therapist, therapy_session, path, expected):
    action, names_session = expected
    url = path.format(client=therapy_session.client_id, session=therapy_session.id)
    assert therapist.get(url).status_code == 200
    (row,) = reads()
    assert row.action == action
    assert row.user_id == therapist.user.id
    assert row.client_id == therapy_session.client_id
    assert row.therapy_session_id == (therapy_session.id if names_session else None)
    assert row.at is not None
    assert not row.detail or (PSEUDONYM not in row.detail and NOTES not in row.detail)


def test_a_refused_read_writes_no_read_row(app, make, therapy_session):
    other = app.test_client()
    Auth(other).login(make.user())
    assert other.get(f"/therapist/clients/{therapy_session.client_id}").status_code == 404
    assert reads() == []


def test_the_admin_finds_a_read_by_client_id_and_action_prefix(
    admin, make, therapist, therapy_session
):
    someone_else = make.client(therapist.user, "Another One")
    therapist.get(f"/therapist/clients/{therapy_session.client_id}")
    therapist.get(f"/therapist/clients/{someone_else.id}")
    therapist.get(f"/therapist/sessions/{therapy_session.id}/record")

    query = f"user=0&client={therapy_session.client_id}&action=client."
    page = admin.get(f"/admin/audit?{query}")
    assert page.status_code == 200
    assert page.text.count("client.viewed") == 1 and "session.record_viewed" not in page.text
    assert PSEUDONYM not in page.text and NOTES not in page.text

    listed = csv_rows(admin.get(f"/admin/audit.csv?{query}"))
    assert [(r["action"], r["client"], r["who"]) for r in listed] == [
        ("client.viewed", str(therapy_session.client_id), therapist.user.email)
    ]


def test_the_csv_has_the_client_of_every_read_and_no_clinical_words(
    admin, therapist, therapy_session
):
    therapist.get(f"/therapist/sessions/{therapy_session.id}/record")
    therapist.get(f"/therapist/sessions/{therapy_session.id}/export.csv")
    response = admin.get(f"/admin/audit.csv?user=0&client={therapy_session.client_id}")
    listed = csv_rows(response)
    assert sorted(r["action"] for r in listed) == ["session.exported", "session.record_viewed"]
    assert {(r["client"], r["session"]) for r in listed} == {
        (str(therapy_session.client_id), str(therapy_session.id))
    }
    assert PSEUDONYM not in response.text and NOTES not in response.text


@pytest.mark.parametrize("value", ["abc", "-3", "0", "1.5"])
def test_a_bad_client_filter_gets_a_clear_message(admin, value):
    response = admin.get(f"/admin/audit?user=0&client={value}")
    assert response.status_code == 400 and "not understood: Client id" in response.text
