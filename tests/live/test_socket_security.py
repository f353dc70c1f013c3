"""Socket.IO doors: links and logins that end cut their sockets; floods are cut off."""

from __future__ import annotations

import gc
from collections import Counter

import pytest
from sqlalchemy.exc import OperationalError

from telehealth.live import state as room_state
from tests.support import Auth, csrf_token


def post_json(http, url):
    token = csrf_token(http.get("/therapist/clients"))
    return http.post(url, headers={"X-CSRFToken": token, "Accept": "application/json"})


def test_revoking_the_links_cuts_the_clients_socket_at_once(room):
    response = post_json(room.therapist_http, f"/therapist/sessions/{room.session.id}/links/revoke")
    assert response.get_json() == {"revoked": 1}
    assert not room.client_socket.is_connected()
    assert room.therapist_socket.is_connected()
    assert room.client_http.get("/room").status_code == 403


def test_ending_the_session_cuts_the_clients_socket(room):
    page = room.therapist_http.get("/therapist/clients")
    room.therapist_http.post(
        f"/therapist/sessions/{room.session.id}/end", data={"csrf_token": csrf_token(page)}
    )
    assert not room.client_socket.is_connected()


def test_another_therapist_cannot_revoke_the_links(room, app, make):
    other = app.test_client()
    Auth(other).login(make.user())
    assert (
        post_json(other, f"/therapist/sessions/{room.session.id}/links/revoke").status_code == 404
    )
    assert room.client_socket.is_connected()


def test_a_join_link_works_only_once(room, app):
    second = app.test_client()
    response = second.get(f"/join/{room.token}")
    assert response.status_code == 410
    assert "already been used" in response.text
    assert second.get("/room").status_code == 403


@pytest.mark.both_socket_paths
def test_a_socket_flooding_events_is_told_and_disconnected(room):
    before = room_state.read_state(room.session.id)["rev"]
    replies = []
    for i in range(200):
        if not room.client_socket.is_connected():
            break
        replies.append(room.client_socket.emit("clock:ping", {"t": i}, callback=True))
    assert not room.client_socket.is_connected()
    assert 40 < len(replies) < 100  # the burst allowance, then cut
    assert replies[-1]["error"]["code"] == "rate_limited"
    assert room_state.read_state(room.session.id)["rev"] == before
    assert room.therapist_socket.is_connected()


@pytest.mark.both_socket_paths
def test_a_person_clicking_fast_stays_within_the_budget(room):
    for speed in [1.0, 1.1, 1.2, 1.3, 1.4] * 6:  # 30 changes at once: faster than any hand
        ack = room.therapist_socket.emit("stim:update", {"speed_pps": speed}, callback=True)
        assert ack["ok"], ack
    assert room.therapist_socket.is_connected()


def test_behind_a_trusted_proxy_the_clients_address_and_https_are_used(tmp_path):
    from telehealth import create_app

    app = create_app(
        {
            "SECRET_KEY": "k",
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "TRUSTED_PROXIES": 1,
        }
    )
    seen = {}

    @app.get("/_probe")
    def probe():
        from flask import request

        seen.update(addr=request.remote_addr, scheme=request.scheme)
        return "ok"

    app.test_client().get(
        "/_probe", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    )
    assert seen == {"addr": "203.0.113.9", "scheme": "https"}


def test_a_sockets_login_check_is_cached_briefly_and_then_asked_again(app, room):
    app.config["SOCKET_RECHECK_S"] = 60
    from telehealth.extensions import db
    from telehealth.models import JoinLink, utcnow

    room.client_socket.emit("clock:ping", {"t": 1}, callback=True)  # checked: yes, cached
    link = db.session.get(JoinLink, room.link.id)
    link.revoked_at = utcnow()  # revoked behind the app's back (no cut)
    db.session.commit()
    assert room.client_socket.emit("clock:ping", {"t": 2}, callback=True)["ok"]  # cached
    app.config["SOCKET_RECHECK_S"] = 0
    reply = room.client_socket.emit("clock:ping", {"t": 3}, callback=True)
    assert reply["error"]["code"] == "ended"
    assert not room.client_socket.is_connected()


def test_a_client_socket_whose_link_expired_is_cut_at_its_next_check(room):
    from datetime import timedelta

    from telehealth.extensions import db
    from telehealth.models import JoinLink, utcnow

    assert room.client_socket.emit("clock:ping", {"t": 1}, callback=True)["ok"]
    link = db.session.get(JoinLink, room.link.id)
    link.expires_at = utcnow() - timedelta(seconds=1)  # expired while the page was open
    db.session.commit()
    reply = room.client_socket.emit("clock:ping", {"t": 2}, callback=True)
    assert reply["error"]["code"] == "ended"
    assert not room.client_socket.is_connected()


def test_a_sockets_login_check_asks_the_database_once(app, room, monkeypatch):
    """The check reads what it compares (the login, its user and the session, or the client's
    link) in one statement, with the driver's own cursor: it runs for every socket every
    SOCKET_RECHECK_S, so its cost is per room."""
    import sqlalchemy as sa

    from telehealth.extensions import db
    from telehealth.fastpath.direct import DirectStatement

    through_sqlalchemy, direct = [], []
    real = DirectStatement.one_or_none

    def counting(self, values):
        direct.append(self.sql)
        return real(self, values)

    def count(conn, cursor, statement, *args):
        through_sqlalchemy.append(statement)

    monkeypatch.setattr(DirectStatement, "one_or_none", counting)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for sock in (room.therapist_socket, room.client_socket):
            through_sqlalchemy.clear(), direct.clear()
            assert sock.emit("clock:ping", {"t": 1}, callback=True)["ok"]
            assert (len(direct), through_sqlalchemy) == (1, [])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_socket_events_do_not_verify_the_cookie_again(app, room, monkeypatch):
    """Each event runs with the socket's own session; decoding the cookie again for every
    event was wasted work (a twentieth of a loaded process's CPU)."""
    from flask.sessions import SecureCookieSessionInterface

    opened = []
    real = SecureCookieSessionInterface.open_session

    def counting(self, app_, request):
        opened.append(request.path)
        return real(self, app_, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counting)
    for t in range(3):
        assert room.client_socket.emit("clock:ping", {"t": t}, callback=True)["ok"]
        assert room.therapist_socket.emit("clock:ping", {"t": t}, callback=True)["ok"]
    assert opened == []
    assert room.therapist_http.get("/therapist/clients").status_code == 200  # pages still do
    assert opened


@pytest.mark.both_socket_paths
def test_socket_events_leave_no_garbage_cycles(room):
    """Each event's objects are freed as it ends, not left for the garbage collector: a
    collection pauses every socket of the process (at 750 rooms, events left ~50 objects each
    in cycles, and the collector paused the loop for 7 ms every 0.15 s and 40 ms every 3 s).
    Counted: the request contexts, frames and tracebacks in what the collector finds (other
    tests' leftovers, such as their apps' compiled SQL, may be found too, and are not ours)."""
    room.client_socket.emit("clock:ping", {"t": 0}, callback=True)  # first-use caches filled
    room.therapist_socket.emit("stim:update", {"speed_pps": 1.0}, callback=True)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # keep what a collection finds, to look at it
    try:
        for t in range(1, 21):
            assert room.client_socket.emit("clock:ping", {"t": t}, callback=True)["ok"]
            update = {"speed_pps": 1 + t / 100}
            assert room.therapist_socket.emit("stim:update", update, callback=True)["ok"]
            assert room.client_socket.emit("stim:applied", {"rev": t}, callback=True)["ok"]
        gc.collect()
        kinds = Counter(type(thing).__name__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    ours = {kind: kinds[kind] for kind in ("RequestContext", "AppContext", "frame", "traceback")}
    assert sum(ours.values()) == 0, f"left in cycles after 60 events: {ours}"


@pytest.mark.both_socket_paths
@pytest.mark.parametrize(
    ("event", "payload"), [("stim:update", {"speed_pps": 2.0}), ("stim:start", None)]
)
def test_a_failing_database_answers_with_the_one_error_shape_and_logs_no_payload(
    room, monkeypatch, caplog, event, payload
):
    def disk_full(*_args, **_kwargs):
        raise OperationalError("UPDATE therapy_session SET notes=?", ["SECRET NOTE TEXT"], "full")

    monkeypatch.setattr(room_state, "commit_change_direct", disk_full)
    ack = room.therapist_socket.emit(event, *([payload] if payload else []), callback=True)
    server_error = {
        "code": "server_error",
        "message": "Something went wrong on our side; nothing was changed.",
    }
    assert ack == {"ok": False, "error": server_error}
    errors = [m["args"][0] for m in room.therapist_socket.get_received() if m["name"] == "error"]
    assert errors == [server_error]
    assert "OperationalError" in caplog.text and event in caplog.text
    assert "SECRET NOTE TEXT" not in caplog.text and "UPDATE" not in caplog.text
    assert "Traceback" not in caplog.text and "2.0" not in caplog.text
