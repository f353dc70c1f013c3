"""The optional waiting room, through Socket.IO: a client not yet let in gets nothing of the
session and can do nothing in it; the therapist sees who waits and lets them in once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import AuditEvent, JoinLink, TherapySession
from tests.support import Auth, join

pytestmark = pytest.mark.both_socket_paths


def names(sock) -> list[str]:
    return [m["name"] for m in sock.get_received()]


def lobby_states(sock) -> list[dict]:
    return [m["args"][0] for m in sock.get_received() if m["name"] == "lobby:state"]


@pytest.fixture
def lobby(app, make, sockets):
    """A session with the waiting room on, its therapist connected, and a client who has
    opened the join link (its page not yet connected: ``arrive()`` connects one)."""

    class Lobby:
        pass

    r = Lobby()
    r.therapist = make.user()
    r.session = make.session(r.therapist)
    r.link, token = make.link(r.session)
    r.therapist_http = app.test_client()
    Auth(r.therapist_http).login(r.therapist)
    r.therapist_socket = sockets(
        r.therapist_http, {"role": "therapist", "session_id": r.session.id}
    )
    assert lobby_states(r.therapist_socket) == [{"enabled": False, "waiting": []}]
    ack = r.therapist_socket.emit("lobby:toggle", {"enabled": True}, callback=True)
    assert ack == {"ok": True, "enabled": True}
    assert lobby_states(r.therapist_socket) == [{"enabled": True, "waiting": []}]
    r.client_http = app.test_client()
    assert join(r.client_http, token).status_code == 302
    r.arrive = lambda: sockets(r.client_http, {"role": "client"})
    return r


def stored(session_id: int) -> TherapySession:
    db.session.expire_all()
    return db.session.get(TherapySession, session_id)


def waiting_since(link_id: int):
    db.session.expire_all()
    return db.session.get(JoinLink, link_id).waiting_since


def test_a_waiting_client_gets_nothing_of_the_session_and_can_do_nothing_in_it(lobby):
    client = lobby.arrive()
    assert client.is_connected()
    assert names(client) == ["lobby:waiting"]  # no state, no video, no question
    [shown] = lobby_states(lobby.therapist_socket)
    assert shown["enabled"] is True and [w["link_id"] for w in shown["waiting"]] == [lobby.link.id]
    rev = stored(lobby.session.id).stim_rev
    # what happens in the room does not reach the waiting room
    lobby.therapist_socket.emit("stim:update", {"speed_pps": 2.0}, callback=True)
    lobby.therapist_socket.emit("score:prompt", {"kind": "sud"}, callback=True)
    assert names(client) == []
    lobby.therapist_socket.get_received()
    for event, payload in [
        ("stim:applied", {"rev": rev + 1}),
        (
            "presence:update",
            {
                "width": 800,
                "height": 600,
                "visible": True,
                "fullscreen": False,
                "sound": "on",
                "rtt_ms": 10.0,
            },
        ),
        ("rtc:ice", None),
        ("rtc:signal", {"kind": "join"}),
        ("score:submit", {"prompt_id": "x", "value": 3}),
    ]:
        ack = client.emit(event, payload, callback=True)
        assert ack["error"]["code"] == "waiting", event
    assert [m["name"] for m in lobby.therapist_socket.get_received()] == []  # nothing relayed
    assert not stored(lobby.session.id).client_in_call
    # the clock may be set while waiting, ready for the session
    assert client.emit("clock:ping", {"t": 1.0}, callback=True)["ok"] is True


def test_the_therapist_lets_the_client_in_and_a_drop_does_not_send_them_back(lobby):
    client = lobby.arrive()
    client.get_received()
    lobby.therapist_socket.get_received()
    ack = lobby.therapist_socket.emit("lobby:admit", {"link_id": lobby.link.id}, callback=True)
    assert ack == {"ok": True, "link_id": lobby.link.id}
    assert names(client) == ["lobby:admitted"]
    assert lobby_states(lobby.therapist_socket) == [{"enabled": True, "waiting": []}]
    link = db.session.get(JoinLink, lobby.link.id)
    db.session.refresh(link)
    assert link.admitted_at is not None
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.therapy_session_id == lobby.session.id)
    ).all()
    assert "client.admitted" in actions
    # the page connects again, as client.js does on lobby:admitted: now it is in the room
    client.disconnect()
    inside = lobby.arrive()
    got = names(inside)
    assert "stim:state" in got and "lobby:waiting" not in got
    assert inside.emit("stim:applied", {"rev": 0}, callback=True) == {"ok": True}
    # a dropped network or a reload later: straight back in
    inside.disconnect()
    again = lobby.arrive()
    assert "lobby:waiting" not in names(again)
    assert waiting_since(lobby.link.id) is None


def test_turning_the_waiting_room_off_lets_the_waiting_client_in(lobby):
    client = lobby.arrive()
    client.get_received()
    ack = lobby.therapist_socket.emit("lobby:toggle", {"enabled": False}, callback=True)
    assert ack == {"ok": True, "enabled": False}
    assert names(client) == ["lobby:admitted"]
    assert lobby_states(lobby.therapist_socket)[-1] == {"enabled": False, "waiting": []}
    client.disconnect()
    assert "stim:state" in names(lobby.arrive())


def test_turning_it_on_leaves_a_client_already_inside_inside(app, room, sockets):
    ack = room.therapist_socket.emit("lobby:toggle", {"enabled": True}, callback=True)
    assert ack["ok"] is True
    room.client_socket.disconnect()  # the network drops after the switch
    back = sockets(room.client_http, {"role": "client"})
    assert "stim:state" in names(back)


def test_a_client_who_leaves_the_waiting_room_is_no_longer_shown_waiting(lobby):
    client = lobby.arrive()
    lobby.therapist_socket.get_received()
    client.disconnect()
    assert lobby_states(lobby.therapist_socket) == [{"enabled": True, "waiting": []}]
    assert waiting_since(lobby.link.id) is None


def test_a_new_link_waits_to_be_let_in_again(app, lobby, make, sockets):
    client = lobby.arrive()
    lobby.therapist_socket.emit("lobby:admit", {"link_id": lobby.link.id}, callback=True)
    client.disconnect()
    _, token = make.link(lobby.session)
    other = app.test_client()
    assert join(other, token).status_code == 302
    newcomer = sockets(other, {"role": "client"})
    assert names(newcomer) == ["lobby:waiting"]


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("lobby:toggle", None),
        ("lobby:toggle", {}),
        ("lobby:toggle", {"enabled": "no"}),
        ("lobby:toggle", {"enabled": 0}),
        ("lobby:toggle", {"enabled": False, "also": 1}),
        ("lobby:toggle", [False]),
        ("lobby:admit", None),
        ("lobby:admit", {}),
        ("lobby:admit", {"everyone": True}),
        ("lobby:admit", "now"),
        ("lobby:admit", {"link_id": "1"}),
        ("lobby:admit", {"link_id": True}),
        ("lobby:admit", {"link_id": 1.0}),
        ("lobby:admit", {"link_id": 1, "also": 1}),
        ("lobby:refuse", None),
        ("lobby:refuse", {"link_id": "1"}),
        ("lobby:refuse", [1]),
    ],
)
def test_bad_waiting_room_payloads_are_refused_and_change_nothing(lobby, event, payload):
    client = lobby.arrive()
    client.get_received()
    ack = lobby.therapist_socket.emit(event, payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_payload"
    assert ack["error"]["message"]
    session = stored(lobby.session.id)
    assert session.waiting_room is True and waiting_since(lobby.link.id) is not None
    assert names(client) == []
    link = db.session.get(JoinLink, lobby.link.id)
    assert link.admitted_at is None and link.revoked_at is None
