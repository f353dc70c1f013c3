"""The waiting room admits each person on their own: two people waiting (the client, and
someone who used another link of the session) are shown apart and let in or turned away
one at a time."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import AuditEvent, JoinLink
from tests.support import Auth, join

pytestmark = pytest.mark.both_socket_paths
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)


def received(sock, name: str) -> list:
    return [m["args"][0] if m["args"] else None for m in sock.get_received() if m["name"] == name]


@pytest.fixture
def two_waiting(app, make, sockets):
    """A session with the waiting room on and two people waiting, each by their own link."""

    class Two:
        pass

    r = Two()
    r.therapist = make.user()
    r.session = make.session(r.therapist)
    therapist_http = app.test_client()
    Auth(therapist_http).login(r.therapist)
    r.therapist_socket = sockets(therapist_http, {"role": "therapist", "session_id": r.session.id})
    r.therapist_socket.emit("lobby:toggle", {"enabled": True}, callback=True)
    r.links, r.pages = [], []
    for _ in range(2):
        link, token = make.link(r.session)
        http = app.test_client()
        http.environ_base["HTTP_USER_AGENT"] = ANDROID
        assert join(http, token).status_code == 302
        r.links.append(link.id)
        r.pages.append(sockets(http, {"role": "client"}))
    for page in r.pages:
        assert received(page, "lobby:waiting") == [{}]
    r.therapist_socket.get_received()
    return r


def waiting_ids(state: dict) -> list[int]:
    return [w["link_id"] for w in state["waiting"]]


def test_the_panel_is_told_each_person_waiting_with_device_and_time(two_waiting):
    ack = two_waiting.therapist_socket.emit("lobby:toggle", {"enabled": True}, callback=True)
    assert ack["ok"] is True
    [state] = received(two_waiting.therapist_socket, "lobby:state")
    assert waiting_ids(state) == two_waiting.links
    for person in state["waiting"]:
        assert person["device"] == "Chrome on Android"
        assert person["since"].endswith("Z")


def test_admitting_one_leaves_the_other_waiting(two_waiting):
    first, second = two_waiting.links
    ack = two_waiting.therapist_socket.emit("lobby:admit", {"link_id": first}, callback=True)
    assert ack == {"ok": True, "link_id": first}
    assert received(two_waiting.pages[0], "lobby:admitted") == [{}]
    assert received(two_waiting.pages[1], "lobby:admitted") == []
    [state] = received(two_waiting.therapist_socket, "lobby:state")
    assert waiting_ids(state) == [second]
    assert db.session.get(JoinLink, second).admitted_at is None
    details = db.session.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.action == "client.admitted")
    ).all()
    assert details == [f"link {first}"]


def test_refusing_one_revokes_its_link_and_cuts_it(two_waiting, sockets):
    first, second = two_waiting.links
    ack = two_waiting.therapist_socket.emit("lobby:refuse", {"link_id": second}, callback=True)
    assert ack == {"ok": True, "link_id": second}
    refused = two_waiting.pages[1]
    assert not refused.is_connected()
    assert {"name": "access:ended", "args": [{"reason": "refused"}], "namespace": "/"} in (
        refused.queue
    )
    link = db.session.get(JoinLink, second)
    assert link.revoked_at is not None and link.refused_at is not None
    assert two_waiting.pages[0].is_connected()
    [state] = received(two_waiting.therapist_socket, "lobby:state")
    assert waiting_ids(state) == [first]
    actions = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.detail).where(AuditEvent.action == "client.refused")
    ).all()
    assert [tuple(a) for a in actions] == [("client.refused", f"link {second}")]


def test_a_link_of_another_session_is_refused_with_an_error(two_waiting, make, app, sockets):
    other = make.session()
    link, token = make.link(other)
    http = app.test_client()
    join(http, token)
    for event in ("lobby:admit", "lobby:refuse"):
        ack = two_waiting.therapist_socket.emit(event, {"link_id": link.id}, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "not_waiting"
    link = db.session.get(JoinLink, link.id)
    assert link.admitted_at is None and link.revoked_at is None


def test_a_link_not_waiting_is_refused_with_an_error(two_waiting, make):
    idle, _ = make.link(two_waiting.session)
    ack = two_waiting.therapist_socket.emit("lobby:admit", {"link_id": idle.id}, callback=True)
    assert ack["error"]["code"] == "not_waiting"
    assert db.session.get(JoinLink, idle.id).admitted_at is None


def test_turning_the_waiting_room_off_lets_every_waiting_person_in(two_waiting):
    two_waiting.therapist_socket.emit("lobby:toggle", {"enabled": False}, callback=True)
    for page in two_waiting.pages:
        assert received(page, "lobby:admitted") == [{}]
    for link_id in two_waiting.links:
        assert db.session.get(JoinLink, link_id).admitted_at is not None
