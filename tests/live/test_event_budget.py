"""The event budget: every event counts (unknown ones too), it is kept per login and per
link (a reconnect does not refill it), and one login or link holds only a few sockets."""

from __future__ import annotations

import pytest

BURST = 5


@pytest.fixture
def app_config() -> dict:
    return {"SOCKET_EVENTS_PER_S": 0.001, "SOCKET_EVENT_BURST": BURST}


def test_an_unknown_event_is_refused_with_unknown_event(room):
    ack = room.client_socket.emit("nonsense:event", {"a": 1}, callback=True)
    assert ack == {
        "ok": False,
        "error": {"code": "unknown_event", "message": ack["error"]["message"]},
    }
    errors = [m["args"][0] for m in room.client_socket.get_received() if m["name"] == "error"]
    assert [e["code"] for e in errors] == ["unknown_event"]


def test_unknown_events_count_against_the_budget(room):
    codes = [
        room.client_socket.emit("nonsense:event", callback=True)["error"]["code"]
        for _ in range(BURST + 1)
    ]
    assert codes == ["unknown_event"] * BURST + ["rate_limited"]
    assert not room.client_socket.is_connected()


@pytest.mark.both_socket_paths
@pytest.mark.parametrize("who", ["client", "therapist"])
def test_a_cut_socket_does_not_come_back_with_a_fresh_budget(room, sockets, who):
    sock = room.client_socket if who == "client" else room.therapist_socket
    http = room.client_http if who == "client" else room.therapist_http
    auth = (
        {"role": "client"}
        if who == "client"
        else {"role": "therapist", "session_id": room.session.id}
    )
    for _ in range(BURST):
        assert sock.emit("clock:ping", {"t": 1}, callback=True)["ok"] is True
    assert sock.emit("clock:ping", {"t": 1}, callback=True)["error"]["code"] == "rate_limited"
    assert not sock.is_connected()
    again = sockets(http, auth)
    assert again.is_connected()
    assert again.emit("clock:ping", {"t": 1}, callback=True)["error"]["code"] == "rate_limited"


def test_one_link_holds_only_so_many_sockets(app, room, sockets):
    opened = [sockets(room.client_http, {"role": "client"}) for _ in range(5)]
    connected = [s.is_connected() for s in [room.client_socket, *opened]]
    cap = app.config["SOCKETS_PER_LINK"]
    assert connected == [True] * cap + [False] * (6 - cap)


def test_one_login_holds_only_so_many_sockets(app, room, sockets):
    auth = {"role": "therapist", "session_id": room.session.id}
    opened = [sockets(room.therapist_http, auth) for _ in range(5)]
    connected = [s.is_connected() for s in [room.therapist_socket, *opened]]
    cap = app.config["SOCKETS_PER_LOGIN"]
    assert connected == [True] * cap + [False] * (6 - cap)


def test_a_closed_socket_frees_its_place(app, room, sockets):
    opened = [sockets(room.client_http, {"role": "client"}) for _ in range(5)]
    for sock in opened:
        if sock.is_connected():
            sock.disconnect()
    assert sockets(room.client_http, {"role": "client"}).is_connected()


def test_the_clients_pause_counts_against_the_links_budget(room):
    codes = [
        room.client_socket.emit("stim:client_pause", callback=True).get("ok") for _ in range(BURST)
    ]
    assert codes == [True] * BURST
    ack = room.client_socket.emit("stim:client_pause", callback=True)
    assert ack["error"]["code"] == "rate_limited"
    assert not room.client_socket.is_connected()
