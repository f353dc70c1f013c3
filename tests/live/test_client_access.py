"""A client's way in: the cookie fits only the link row it was made for, erasing a client or
an expiry cuts its sockets at once, the event budget, and the join page a previewer may open."""

from __future__ import annotations

import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import Client, JoinLink, TherapySession
from tests.support import csrf_token


def told(sock) -> list[str]:
    """The names of what a socket received, readable after the server cut it."""
    return [packet["name"] for packet in sock.queue]


def test_a_cookie_does_not_fit_a_later_link_row_that_got_the_same_id(app, room, make, sockets):
    room.client_socket.disconnect()
    link_id = room.link.id
    stranger = make.session()  # another therapist's client
    db.session.execute(sa.delete(JoinLink).where(JoinLink.id == link_id))
    db.session.commit()
    _, token = make.link(stranger)
    db.session.execute(sa.update(JoinLink).where(JoinLink.id != link_id).values(id=link_id))
    db.session.commit()
    assert db.session.get(JoinLink, link_id).therapy_session_id == stranger.id
    assert room.client_http.get("/room").status_code == 403
    assert not sockets(room.client_http, {"role": "client"}).is_connected()


def test_a_cookie_does_not_fit_a_same_id_row_of_the_same_session(app, room, sockets):
    room.client_socket.disconnect()
    db.session.execute(
        sa.update(JoinLink).where(JoinLink.id == room.link.id).values(token_hash="0" * 64)
    )
    db.session.commit()
    assert room.client_http.get("/room").status_code == 403
    assert not sockets(room.client_http, {"role": "client"}).is_connected()


def test_erasing_a_client_cuts_its_live_sockets_at_once(room):
    client, session_id = db.session.get(Client, room.session.client_id), room.session.id
    page = room.therapist_http.get(f"/therapist/clients/{client.id}")
    response = room.therapist_http.post(
        f"/therapist/clients/{client.id}/delete",
        data={"confirm": client.pseudonym, "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    assert db.session.get(TherapySession, session_id) is None
    assert not room.client_socket.is_connected()
    assert "access:ended" in told(room.client_socket)
    assert not room.therapist_socket.is_connected()
    assert "access:ended" in told(room.therapist_socket)
