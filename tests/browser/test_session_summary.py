"""The session summary in a real browser: a set struck on the record page, then the summary
(charts, the struck set in view), Copy summary (the server's text on the clipboard) and the PDF
download, with screenshots at 1440x900 and 1024x768 and no axe-core violation."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from telehealth import create_app
from telehealth.extensions import db
from telehealth.models import Score, StimSet, TherapySession

from .a11y import axe_violations
from .harness import collect_errors, open_panel

SIZES = {"1440x900": (1440, 900), "1024x768": (1024, 768)}
TARGET = "L'accident à l'école: the car coming round the bend"
REASON = "Started before the client was ready"


def fill_record(server, tmp_path, session_id: int) -> None:
    """A finished session's record, sets and scores, written into the server's own database
    (with its data key) as the panel would have left them."""
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret",
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": server.env["DATABASE_URL"],
            "DATA_KEYS": [server.env["DATA_KEYS"]],
        }
    )
    with app.app_context():
        therapy_session = db.session.get(TherapySession, session_id)
        therapy_session.target = TARGET
        therapy_session.negative_cognition = "I am going to die"
        therapy_session.positive_cognition = "I survived; it is over"
        therapy_session.phases = [3, 4, 5]
        therapy_session.notes = "Noticed tightness in the chest, then it eased.\nSafe place held."
        start = therapy_session.started_at
        therapy_session.ended_at = start + timedelta(minutes=52)
        looks = [("figure8", 1.2), ("horizontal", 2.0), ("horizontal", 3.0), ("circle", 1.5)]
        sets = []
        for n, (pattern, speed) in enumerate(looks, start=1):
            stim_set = StimSet(
                therapy_session_id=session_id,
                number=n,
                started_at=start + timedelta(minutes=6 * n),
                ended_at=start + timedelta(minutes=6 * n + 1),
                passes=24 if n != 2 else 9,
                settings={
                    "pattern": pattern,
                    "speed_pps": speed,
                    "set_unit": "passes",
                    "set_passes": 24,
                    "sound_on": True,
                    "sound_kind": "tone",
                },
                client_paused_at=start + timedelta(minutes=13) if n == 2 else None,
            )
            sets.append(stim_set)
        db.session.add_all(sets)
        db.session.flush()
        scores = [(None, "sud", 8), (None, "voc", 2), (0, "sud", 6), (1, "sud", 5), (2, "sud", 3)]
        scores += [(3, "sud", 2), (3, "voc", 5)]
        for minute, (index, kind, value) in enumerate(scores):
            db.session.add(
                Score(
                    therapy_session_id=session_id,
                    stim_set_id=sets[index].id if index is not None else None,
                    kind=kind,
                    value=value,
                    source="client",
                    submission_id=f"browser-{minute}",
                    answered_at=start + timedelta(minutes=5 + 6 * minute),
                )
            )
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="module")
def summary_page(browser, server, tmp_path_factory):
    """A therapist's session with a record, four sets and scores; the record page open."""
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = ctx.new_page()
    open_panel(page, server, "summary-therapist@example.org", "Zoë")
    session_url = page.url
    fill_record(server, tmp_path_factory.mktemp("writer"), int(session_url.rsplit("/", 1)[1]))
    page.goto(session_url + "/record")
    yield page, session_url
    ctx.close()


def test_a_set_is_struck_on_the_record_page_with_a_reason(summary_page):
    page, session_url = summary_page
    page.goto(session_url + "/record")
    page.click("#set-3 summary")
    page.click("#set-3 button[type=submit]")  # no reason yet: refused (400), the form stays open
    page.wait_for_selector("#strike-reason-3[aria-invalid=true]")
    assert "Give a reason for striking this set." in page.text_content("#set-3")
    errors = collect_errors(page)
    page.fill("#strike-reason-3", REASON)
    page.click("#set-3 button[type=submit]")
    page.wait_for_selector("#set-3.struck")
    assert REASON in page.text_content("#set-3")
    decoration = page.eval_on_selector("#set-3 td", "td => getComputedStyle(td).textDecorationLine")
    assert decoration == "line-through"
    assert not errors


@pytest.mark.parametrize("size", SIZES)
def test_the_summary_reads_well_and_passes_axe(summary_page, size, tmp_path):
    page, session_url = summary_page
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    errors = collect_errors(page)
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)  # to look at them: set it
    shots.mkdir(parents=True, exist_ok=True)
    page.goto(session_url + "/record")
    page.click("#set-4 summary")  # a strike form open, as the therapist sees it
    page.screenshot(path=str(shots / f"record-{size}.png"), full_page=True)
    assert axe_violations(page) == []
    page.click("a.button:has-text('Summary')")
    page.wait_for_url("**/summary")
    # the curves leave out the score after the struck set (SUD 3 after set 3)
    page.wait_for_selector(".sud-chart circle[data-value='2']")
    sud = page.eval_on_selector_all(".sud-chart circle", "cs => cs.map(c => c.dataset.value)")
    assert sud == ["8", "6", "5", "2"]
    struck = page.locator("tr.struck")
    assert struck.count() == 1 and REASON in struck.text_content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    page.screenshot(path=str(shots / f"summary-{size}.png"), full_page=True)
    page.screenshot(path=str(shots / f"summary-{size}-first-screen.png"))
    assert axe_violations(page) == []
    assert not errors


def test_copy_summary_puts_the_servers_text_on_the_clipboard(summary_page):
    page, session_url = summary_page
    page.goto(session_url + "/summary")
    page.click("#copy-summary")
    page.wait_for_selector("#copy-status:has-text('Copied')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.text_content("#summary-text")
    assert f"Target: {TARGET}" in copied and f"Struck from the record because: {REASON}" in copied
    assert "Set 1, " in copied and "Figure eight, 1.2 passes/s (0.6 Hz)" in copied
    assert page.evaluate("document.activeElement.id") != "copy-summary"  # Space cannot re-press


def test_download_pdf_gives_a_pdf_of_the_same_summary(summary_page):
    page, session_url = summary_page
    page.goto(session_url + "/summary")
    with page.expect_download() as download_info:
        page.click("text=Download PDF")
    download = download_info.value
    assert download.suggested_filename.startswith("session-")
    assert "Zo" not in download.suggested_filename
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert TARGET in text and REASON in text and "SUD (0–10): 8 at the start" in text


def test_the_clients_history_links_to_each_summary(summary_page):
    page, session_url = summary_page
    page.goto(session_url + "/summary")
    page.click(".crumbs a >> nth=1")  # the client's page
    page.wait_for_url("**/clients/*")
    page.click("table a[href$='/summary']")
    page.wait_for_url("**/summary")
    assert "Session summary" in page.text_content("h1")
