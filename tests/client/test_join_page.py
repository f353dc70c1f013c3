"""The join link's page: opening it (a link previewer, a mail scanner) does not use the link;
only the button (a POST with its CSRF token) swaps it for the client cookie."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from telehealth.client.devices import describe_device
from telehealth.extensions import db
from telehealth.models import AuditEvent, JoinLink
from tests.support import csrf_token

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def test_opening_the_link_twice_does_not_use_it_and_the_button_does(app, make):
    therapy_session = make.session()
    link, token = make.link(therapy_session)
    previewer, person = app.test_client(), app.test_client()
    for http in (previewer, person):
        page = http.get(f"/join/{token}")
        assert page.status_code == 200
        assert "Continue" in page.text and 'id="join"' in page.text
    assert db.session.get(JoinLink, link.id).used_at is None
    assert previewer.get("/room").status_code == 403
    response = person.post(
        f"/join/{token}", data={"csrf_token": csrf_token(page)}, headers={"User-Agent": IPHONE}
    )
    assert response.status_code == 302 and response.location.endswith("/room")
    assert person.get("/room").status_code == 200
    link = db.session.get(JoinLink, link.id)
    assert link.used_at is not None
    assert link.device == "Safari on iPhone"
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("link.used") == 1


def test_the_join_button_needs_its_csrf_token(app, make):
    link, token = make.link(make.session())
    http = app.test_client()
    http.get(f"/join/{token}")
    assert http.post(f"/join/{token}", data={}).status_code == 400
    assert db.session.get(JoinLink, link.id).used_at is None
    assert http.get("/room").status_code == 403


def test_a_used_link_shows_already_used_on_open_and_on_the_button(app, make):
    _, token = make.link(make.session())
    first, second = app.test_client(), app.test_client()
    page = first.get(f"/join/{token}")
    assert first.post(f"/join/{token}", data={"csrf_token": csrf_token(page)}).status_code == 302
    page = second.get(f"/join/{token}")
    assert page.status_code == 410 and "already been used" in page.text
    late = second.get("/login")
    assert second.post(f"/join/{token}", data={"csrf_token": csrf_token(late)}).status_code == 410


def test_the_join_page_keeps_the_token_to_itself(app, make):
    _, token = make.link(make.session())
    page = app.test_client().get(f"/join/{token}")
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.text.count(token) <= 1  # at most the form's own address


@pytest.mark.parametrize(
    ("user_agent", "words"),
    [
        (IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Firefox on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            "Safari on Mac",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) CriOS/124.0 Mobile/15E148 Safari/604.1",
            "Chrome on iPad",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Firefox on Linux",
        ),
        ("", "A browser on an unknown device"),
        (None, "A browser on an unknown device"),
        ("curl/8.5.0", "A browser on an unknown device"),
    ],
)
def test_a_device_is_kept_in_words(user_agent, words):
    assert describe_device(user_agent) == words
