"""The session summary: the session in plain words on a page, the same words as text to copy
and as a PDF made on the server; the owner's only, every read audited, nothing clinical in the
log or the file name."""

from __future__ import annotations

import html
import io
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from telehealth.extensions import db
from telehealth.models import AuditEvent, Score, StimSet, utcnow
from telehealth.therapist.summary import plain_text, speed_words, summarise
from telehealth.therapist.summary_pdf import printable
from tests.support import Auth

PSEUDONYM = "Zoë Lindqvist"
TARGET = "L'accident à l'école, çà et là"
REASON = "Started before the client was ready"
NOTES = "Calmer after set 2.\nBreathing slowly; «safe place» held."


@pytest.fixture
def therapist(app, make):
    user = make.user()
    http = app.test_client()
    Auth(http).login(user)
    http.user = user
    return http


def a_score(therapy_session, stim_set, kind: str, value: int, minute: int) -> Score:
    return Score(
        therapy_session_id=therapy_session.id,
        stim_set_id=stim_set.id if stim_set else None,
        kind=kind,
        value=value,
        source="client",
        submission_id=f"{kind}-{minute}",
        answered_at=therapy_session.started_at + timedelta(minutes=minute),
    )


@pytest.fixture
def session(make, therapist):
    """A finished session: a record, three sets (the first paused by the client, the third
    struck) and SUD/VOC scores, one of them after the struck set."""
    therapy_session = make.session(therapist.user)
    therapy_session.client.pseudonym = PSEUDONYM
    therapy_session.target = TARGET
    therapy_session.negative_cognition = "I am powerless"
    therapy_session.positive_cognition = "I can cope"
    therapy_session.phases = [3, 4]
    therapy_session.notes = NOTES
    therapy_session.ended_at = therapy_session.started_at + timedelta(minutes=50)
    common = {"sound_on": True, "sound_kind": "tone", "set_unit": "passes", "set_passes": 24}
    looks = [
        {"pattern": "figure8", "speed_pps": 1.2},
        {"pattern": "horizontal", "speed_pps": 2.0, "set_unit": "seconds", "set_seconds": 30},
        {"pattern": "vertical", "speed_pps": 1.0, "sound_on": False},
    ]
    sets = [
        StimSet(
            therapy_session_id=therapy_session.id,
            number=n,
            started_at=therapy_session.started_at + timedelta(minutes=5 * n),
            ended_at=therapy_session.started_at + timedelta(minutes=5 * n + 1),
            passes=passes,
            settings={**common, **look},
        )
        for n, passes, look in zip((1, 2, 3), (12, 60, 4), looks, strict=True)
    ]
    sets[0].client_paused_at = sets[0].started_at + timedelta(seconds=10)
    sets[2].struck_at, sets[2].struck_reason = utcnow(), REASON
    db.session.add_all(sets)
    db.session.flush()
    db.session.add_all(
        [
            a_score(therapy_session, None, "sud", 7, 1),
            a_score(therapy_session, None, "voc", 3, 2),
            a_score(therapy_session, sets[0], "sud", 5, 7),
            a_score(therapy_session, sets[1], "voc", 5, 12),
            a_score(therapy_session, sets[2], "sud", 4, 17),
        ]
    )
    db.session.commit()
    return therapy_session


def summary_text(page: str) -> str:
    """The plain text the page's Copy button copies."""
    found = re.search(r'<pre id="summary-text" hidden>(.*?)</pre>', page, re.S)
    return html.unescape(found.group(1))


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_speed_is_said_in_passes_and_in_hz():
    assert speed_words(1.2) == "1.2 passes/s (0.6 Hz)"
    assert speed_words(4.0) == "4 passes/s (2 Hz)"
    assert speed_words(0.25) == "0.25 passes/s (0.12 Hz)"


def test_the_summary_page_says_the_session_in_plain_words(therapist, session):
    page = therapist.get(f"/therapist/sessions/{session.id}/summary")
    assert page.status_code == 200
    text = summary_text(page.text)
    lines = text.splitlines()
    assert f"Client: {PSEUDONYM} · session {session.id}" in lines
    assert f"Target: {TARGET}" in lines
    assert "Phases: 3. Assessment, 4. Desensitisation" in lines
    assert "Sets: 2 counted, 1 struck" in lines
    assert any(
        line.startswith("Set 1, ")
        and "Figure eight, 1.2 passes/s (0.6 Hz), sets of 24 passes, tones. 12 of 24 passes done."
        in line
        and "The client paused it at" in line
        for line in lines
    )
    assert any(
        "Left and right, 2 passes/s (1 Hz), sets of 30 seconds, tones. 60 passes done." in line
        for line in lines
    )
    assert any(line.startswith("Set 3 (struck), ") and "no sound" in line for line in lines)
    assert f"Struck from the record because: {REASON}" in lines
    assert "SUD (0–10): 7 at the start → 5 after set 1" in lines
    assert "VOC (1–7): 3 at the start → 5 after set 2" in lines
    assert "Not on the curves (after a struck set): SUD 4 after set 3" in lines
    assert NOTES in text
    # the page shows the same: the struck set struck through, with its reason
    body = html.unescape(page.text)
    assert '<tr class="struck">' in body and f"Struck from the record because: {REASON}" in body
    assert "Figure eight" in body and "12 of 24 passes done" in body


def test_the_page_and_the_copied_text_come_from_one_summary(therapist, session):
    page = therapist.get(f"/therapist/sessions/{session.id}/summary").text
    summary = summarise(
        session,
        list(db.session.scalars(sa.select(StimSet).order_by(StimSet.number))),
        list(db.session.scalars(sa.select(Score).order_by(Score.answered_at))),
    )
    assert summary_text(page) == plain_text(summary)


def download(http, session_id: int):
    return http.get(f"/therapist/sessions/{session_id}/summary.pdf")


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def test_the_pdf_holds_the_summarys_text(therapist, session):
    response = download(therapist, session.id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    in_pdf = flat(pdf_text(response))
    text = summary_text(therapist.get(f"/therapist/sessions/{session.id}/summary").text)
    for line in filter(None, (flat(line) for line in text.splitlines())):
        assert line in in_pdf, line
    assert TARGET in in_pdf and "Figure eight" in in_pdf and "SUD (0–10): 7 at the start" in in_pdf


def test_the_pdf_is_a_download_never_cached_and_its_name_has_no_pseudonym(therapist, session):
    response = download(therapist, session.id)
    assert response.headers["Cache-Control"] == "no-store"
    date = session.started_at.strftime("%Y-%m-%d")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="session-{session.id}-{date}.pdf"'
    )
    headers = str(response.headers)
    assert "Zo" not in headers and "Lindqvist" not in headers
    assert b"Lindqvist" not in PdfReader(io.BytesIO(response.data)).metadata.title.encode()


def test_each_download_is_audited_without_clinical_words(therapist, session):
    download(therapist, session.id)
    download(therapist, session.id)
    rows = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "session.summary_pdf")
    ).all()
    assert len(rows) == 2
    assert all(
        (row.user_id, row.therapy_session_id, row.client_id, row.detail)
        == (therapist.user.id, session.id, session.client_id, None)
        for row in rows
    )


def test_letters_the_font_lacks_print_as_a_mark_and_stay_out_of_the_log(therapist, session, caplog):
    session.target = "Tsunami 津波 🌊 dream"
    db.session.commit()
    caplog.set_level(logging.DEBUG)
    response = download(therapist, session.id)
    assert response.status_code == 200
    assert "Target: Tsunami \ufffd\ufffd \ufffd dream" in flat(pdf_text(response))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for clinical in ("津", "波", "🌊", "Tsunami", "Lindqvist", "accident", "powerless", "Calmer"):
        assert clinical not in logged


def test_the_pdf_keeps_accents_spaces_and_line_breaks_and_marks_what_it_cannot_print():
    assert printable("Zoë à\u00a0l'école\r\nsoft\u00adhyphen\tbell\x07 津") == (
        "Zoë à l'école \nsofthyphen bell\ufffd \ufffd"
    )


@pytest.mark.parametrize("path", ["summary", "summary.pdf"])
def test_another_therapist_gets_404_and_no_read_is_audited(app, make, session, path):
    other = app.test_client()
    Auth(other).login(make.user())
    assert other.get(f"/therapist/sessions/{session.id}/{path}").status_code == 404
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert not any(action.startswith("session.summary") for action in actions)


def test_the_summary_is_linked_from_the_record_and_the_clients_history(therapist, session):
    url = f"/therapist/sessions/{session.id}/summary"
    assert f'href="{url}"' in therapist.get(f"/therapist/sessions/{session.id}/record").text
    assert f'href="{url}"' in therapist.get(f"/therapist/clients/{session.client_id}").text


def test_an_empty_session_has_a_summary_too(therapist, make):
    empty = make.session(therapist.user)
    text = summary_text(therapist.get(f"/therapist/sessions/{empty.id}/summary").text)
    assert "Sets: none" in text and "SUD (0–10): none" in text and "(not ended)" in text
    assert download(therapist, empty.id).status_code == 200
