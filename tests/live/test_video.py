"""Video call: TURN credentials as coturn checks them, signalling kept inside the room."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from telehealth.extensions import db
from telehealth.live import video
from telehealth.models import TherapySession
from tests.support import csrf_token, join

OFFER = {"kind": "offer", "n": 7, "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
CANDIDATE = {
    "kind": "candidate",
    "n": 7,
    "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}


def test_turn_credentials_follow_the_coturn_rest_api_formula():
    creds = video.turn_credentials("s3cret", 3600, "s7c", now=1_700_000_000)
    assert creds["username"] == "1700003600:s7c"
    # coturn (use-auth-secret): password = base64(hmac-sha1(static-auth-secret, username))
    expected = base64.b64encode(
        hmac.new(b"s3cret", b"1700003600:s7c", hashlib.sha1).digest()
    ).decode()
    assert creds["credential"] == expected


def test_ice_servers_come_from_configuration():
    config = {
        "STUN_URLS": ["stun:turn.example.org:3478"],
        "TURN_URLS": ["turn:turn.example.org:3478?transport=udp"],
        "TURN_SECRET": "k",
        "TURN_TTL_S": 600,
    }
    stun, turn = video.ice_servers(config, "s1t")
    assert stun == {"urls": ["stun:turn.example.org:3478"]}
    assert turn["urls"] == ["turn:turn.example.org:3478?transport=udp"]
    assert turn["username"].endswith(":s1t")
    assert video.ice_servers({**config, "TURN_SECRET": None, "STUN_URLS": []}, "x") == []


def test_the_client_gets_ice_servers_with_short_lived_turn_credentials(app, room):
    app.config.update(TURN_URLS=["turn:t.example.org"], TURN_SECRET="k", TURN_TTL_S=600)
    ack = room.client_socket.emit("rtc:ice", callback=True)
    (turn,) = ack["ice_servers"]
    assert turn["urls"] == ["turn:t.example.org"] and turn["credential"]


def test_an_offer_reaches_the_other_side_of_the_room_only(room, app, make, sockets):
    other_session = make.session()
    _, token = make.link(other_session)
    outsider_http = app.test_client()
    join(outsider_http, token)
    outsider = sockets(outsider_http, {"role": "client"})
    outsider.get_received()
    ack = room.therapist_socket.emit("rtc:signal", OFFER, callback=True)
    assert ack["ok"]
    got = [m["args"][0] for m in room.client_socket.get_received() if m["name"] == "rtc:signal"]
    assert got == [{**OFFER, "from": "therapist"}]
    assert [m for m in room.therapist_socket.get_received() if m["name"] == "rtc:signal"] == []
    assert [m for m in outsider.get_received() if m["name"] == "rtc:signal"] == []
    # and the outsider's own signals stay in its own room
    outsider.emit("rtc:signal", CANDIDATE, callback=True)
    assert [m for m in room.therapist_socket.get_received() if m["name"] == "rtc:signal"] == []


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "offer",
        {"kind": "offer"},
        {"kind": "offer", "sdp": 5},
        {"kind": "offer", "sdp": "v=0"},
        {**OFFER, "n": 0},
        {**OFFER, "n": 2**31},
        {**OFFER, "n": "7"},
        {**OFFER, "n": True},
        {**CANDIDATE, "n": None},
        {"kind": "offer", "sdp": "x" * 60001},
        {"kind": "answer", "n": 7, "sdp": "v=0", "extra": 1},
        {"kind": "candidate", "candidate": "c"},
        {**CANDIDATE, "sdpMLineIndex": -1},
        {**CANDIDATE, "sdpMLineIndex": True},
        {**CANDIDATE, "candidate": "c" * 1001},
        {"kind": "join", "sdp": "x"},
        {"kind": "hello"},
    ],
)
def test_malformed_signals_are_refused_and_not_relayed(room, payload):
    ack = room.client_socket.emit("rtc:signal", payload, callback=True)
    assert ack["error"]["code"] in ("invalid_payload", "invalid_value")
    assert [m for m in room.therapist_socket.get_received() if m["name"] == "rtc:signal"] == []


def test_with_video_off_no_signal_passes_and_the_client_is_told(room):
    ack = room.therapist_socket.emit("video:toggle", {"enabled": False}, callback=True)
    assert ack == {"ok": True, "enabled": False}
    states = [m["args"][0] for m in room.client_socket.get_received() if m["name"] == "video:state"]
    assert states == [{"enabled": False}]
    refused = room.client_socket.emit("rtc:signal", {"kind": "join"}, callback=True)
    assert refused["error"]["code"] == "video_off"
    assert room.client_socket.emit("rtc:ice", callback=True)["error"]["code"] == "video_off"


def test_joining_is_remembered_so_a_reloaded_page_rejoins(room, sockets):
    room.client_socket.emit("rtc:signal", {"kind": "join"}, callback=True)
    assert db.session.get(TherapySession, room.session.id).client_in_call
    again = sockets(room.client_http, {"role": "client"})
    states = [m["args"][0] for m in again.get_received() if m["name"] == "video:state"]
    assert states == [{"enabled": True, "rejoin": True}]
    room.client_socket.emit("rtc:signal", {"kind": "leave"}, callback=True)
    assert not db.session.get(TherapySession, room.session.id).client_in_call


def test_only_the_therapist_turns_video_off(room):
    ack = room.client_socket.emit("video:toggle", {"enabled": False}, callback=True)
    assert ack["error"]["code"] == "forbidden"
    assert db.session.get(TherapySession, room.session.id).video_enabled


def test_ending_the_session_ends_the_call_and_tells_the_client_first(room, sockets):
    for sock in (room.therapist_socket, room.client_socket):
        assert sock.emit("rtc:signal", {"kind": "join"}, callback=True)["ok"]
    stored = db.session.get(TherapySession, room.session.id)
    assert stored.therapist_in_call and stored.client_in_call
    page = room.therapist_http.get("/therapist/clients")
    ended = room.therapist_http.post(
        f"/therapist/sessions/{room.session.id}/end", data={"csrf_token": csrf_token(page)}
    )
    assert ended.status_code == 302  # to the session's summary
    assert ended.headers["Location"] == f"/therapist/sessions/{room.session.id}/summary"
    stored = db.session.get(TherapySession, room.session.id)
    assert not stored.therapist_in_call and not stored.client_in_call
    # what the client's socket got before it was cut (the test client keeps it in its queue)
    last = [p for p in room.client_socket.queue if p["name"] == "access:ended"]
    assert [p["args"] for p in last] == [[{"reason": "session ended"}]]
    assert not room.client_socket.is_connected()
    # a panel opened again does not rejoin a call that ended with the session
    panel = sockets(room.therapist_http, {"role": "therapist", "session_id": room.session.id})
    states = [m["args"][0] for m in panel.get_received() if m["name"] == "video:state"]
    assert states == [{"enabled": True, "rejoin": False}]
