"""The client's own page when a link or the room does not open: the right status, plain
words on what happened and what to do, and no way to the staff login."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import JoinLink, utcnow
from tests.support import csrf_token, join

ASK = "ask your therapist for a new link"


def friendly(response, status: int, *words: str) -> str:
    """The page, checked: its status, its words, and nothing of the staff's pages."""
    text = response.text
    assert response.status_code == status
    assert 'data-problem="' in text
    for word in words:
        assert word.casefold() in text.casefold()
    assert 'name="password"' not in text and "/login" not in text and 'href="/"' not in text
    assert 'class="topbar"' not in text and f"<h1>{status}</h1>" not in text
    return text


def end_session(room) -> None:
    page = room.therapist_http.get("/therapist/clients")
    response = room.therapist_http.post(
        f"/therapist/sessions/{room.session.id}/end", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302


def change_link(link_id: int, **values) -> None:
    db.session.execute(sa.update(JoinLink).where(JoinLink.id == link_id).values(**values))
    db.session.commit()


def test_an_unknown_link_says_it_does_not_work(client):
    response = client.get("/join/not-a-real-token")
    friendly(response, 404, "This link does not work", "some apps cut long links", ASK)
    token = csrf_token(response)
    response = client.post("/join/not-a-real-token", data={"csrf_token": token})
    friendly(response, 404, "This link does not work")


def test_a_used_link_says_so_and_what_to_do(app, room):
    response = app.test_client().get(f"/join/{room.token}")
    friendly(
        response,
        410,
        "This link has already been used",
        "If you closed the page by mistake, ask your therapist for a new link.",
    )


def test_an_expired_link_says_it_expired(app, make):
    link, token = make.link(make.session())
    change_link(link.id, expires_at=utcnow() - timedelta(minutes=1))
    friendly(app.test_client().get(f"/join/{token}"), 404, "This link has expired", ASK)


def test_a_revoked_link_says_it_no_longer_works(app, make):
    link, token = make.link(make.session())
    change_link(link.id, revoked_at=utcnow())
    friendly(
        app.test_client().get(f"/join/{token}"),
        404,
        "This link no longer works",
        "Your therapist has closed this link.",
    )


def test_a_link_of_an_ended_session_thanks_the_client(app, room):
    end_session(room)
    text = friendly(
        app.test_client().get(f"/join/{room.token}"),
        404,
        "This session has ended",
        "Thank you. You can close this page.",
    )
    assert ASK not in text.casefold()


def test_the_room_without_a_link_says_to_open_the_link(client):
    friendly(
        client.get("/room"),
        403,
        "Open your link to join",
        "open the link your therapist sent you",
    )


def test_reloading_the_room_after_the_end_says_the_session_ended(room):
    end_session(room)
    friendly(room.client_http.get("/room"), 403, "This session has ended", "Thank you.")


def test_reloading_the_room_after_a_revoke_says_the_link_was_closed(room):
    change_link(room.link.id, revoked_at=utcnow())
    friendly(room.client_http.get("/room"), 403, "This link no longer works", ASK)


def test_reloading_the_room_after_the_link_expired_says_so(room):
    change_link(room.link.id, expires_at=utcnow() - timedelta(minutes=1))
    friendly(room.client_http.get("/room"), 403, "This link has expired", ASK)


def test_a_cookie_that_fits_no_link_tells_nothing_about_the_link(room):
    end_session(room)
    change_link(room.link.id, token_hash="0" * 64)  # the cookie no longer fits this row
    friendly(room.client_http.get("/room"), 403, "Open your link to join")


def test_a_join_button_pressed_too_late_says_to_open_the_link_again(app, make):
    link, token = make.link(make.session())
    http = app.test_client()
    http.get(f"/join/{token}")
    response = http.post(f"/join/{token}", data={"csrf_token": "expired"})
    friendly(response, 400, "This page was open too long", "Open the link from your therapist")
    assert db.session.get(JoinLink, link.id).used_at is None
    assert join(http, token).status_code == 302  # the link still works


def test_the_page_title_names_the_practice_and_never_the_client(app, room):
    end_session(room)
    text = room.client_http.get("/room").text
    assert "<title>This session has ended · EMDR Remote</title>" in text
    assert "Client A" not in text
