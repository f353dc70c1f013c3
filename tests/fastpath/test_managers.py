"""The client managers keep an index of each socket's rooms and otherwise hold exactly what
python-socketio's own would: the same steps on both leave the same state."""

from __future__ import annotations

import itertools
import random

import pytest
import socketio

from telehealth import create_app
from telehealth.extensions import socketio as flask_socketio
from telehealth.fastpath import managers
from telehealth.live.channels import link_room, login_room, session_room

NS = "/"


class FakeServer:
    """What a manager asks of its server: new sids, always the same sequence."""

    def __init__(self):
        counter = itertools.count()

        class Eio:
            @staticmethod
            def generate_id():
                return f"sid{next(counter)}"

        self.eio = Eio()
        self.packet_class = socketio.packet.Packet


def plain_and_indexed() -> tuple[socketio.Manager, managers.Manager]:
    plain, indexed = socketio.Manager(), managers.Manager()
    for manager in (plain, indexed):
        manager.set_server(FakeServer())
        manager.initialize()
    return plain, indexed


def snapshot(manager: socketio.Manager, sids: list[str]) -> dict:
    return {
        "rooms": {ns: {r: dict(b) for r, b in rs.items()} for ns, rs in manager.rooms.items()},
        "callbacks": sorted(manager.callbacks),
        "pending_connect": manager.pending_connect,
        "pending_disconnect": manager.pending_disconnect,
        "rooms_of": {sid: sorted(manager.get_rooms(sid, NS)) for sid in sids},
        "connected": {sid: manager.is_connected(sid, NS) for sid in sids},
    }


def random_step(rng: random.Random, manager, sids: list[str], eio: list[str]) -> tuple:
    """One step, chosen by ``rng`` from what the sids so far allow (the same for both)."""
    shared_rooms = ["room:1", "room:2", "login:a", "link:3"]
    kind = rng.choice(
        ["pre_connect", "connect", "enter", "enter", "leave", "close", "ack", "pre_dis", "dis"]
    )
    if kind == "pre_connect" or not sids:
        eio.append(f"eio{len(eio)}")
        return ("pre_connect", eio[-1])
    sid = rng.choice(sids)
    if kind in ("enter", "leave"):
        return (kind, sid, rng.choice(shared_rooms))
    if kind == "close":
        return ("close", rng.choice(shared_rooms))
    return (kind, sid)


def apply(manager, step: tuple, sids: list[str] | None = None) -> None:
    kind, *args = step
    if kind == "pre_connect":
        sid = manager.pre_connect(args[0], NS)
        if sids is not None and sid is not None:
            sids.append(sid)
    elif kind == "connect":
        if args[0] in manager.pending_connect.get(NS, ()):  # as the server: after pre_connect
            manager.connect(args[0], NS)
    elif kind == "enter":
        if manager.is_connected(args[0], NS):  # the server only lets connected sids join
            manager.enter_room(args[0], NS, args[1])
    elif kind == "leave":
        manager.leave_room(args[0], NS, args[1])
    elif kind == "close":
        manager.close_room(args[0], NS)
    elif kind == "ack":
        manager._generate_ack_id(args[0], print)
    elif kind == "pre_dis":
        if manager.is_connected(args[0], NS):
            manager.pre_disconnect(args[0], NS)
    elif kind == "dis":
        manager.disconnect(args[0], NS)


@pytest.mark.parametrize("seed", range(20))
def test_the_indexed_manager_holds_what_the_plain_one_holds(seed):
    rng = random.Random(seed)
    plain, indexed = plain_and_indexed()
    sids: list[str] = []
    eio: list[str] = []
    for _ in range(300):
        step = random_step(rng, plain, sids, eio)
        apply(plain, step, sids)
        apply(indexed, step)
        assert snapshot(indexed, sids) == snapshot(plain, sids), step
    for sid in list(sids):  # everyone leaves: nothing stays behind in the index
        apply(plain, ("dis", sid))
        apply(indexed, ("dis", sid))
    assert snapshot(indexed, sids) == snapshot(plain, sids)
    assert indexed.rooms_of == {} and indexed.rooms == {}


class NoScan(dict):
    """A namespace's rooms that fail any look through all of them."""

    def copy(self):
        raise AssertionError("looked through every room")

    def items(self):
        raise AssertionError("looked through every room")


def test_a_disconnect_touches_only_the_sockets_own_rooms():
    _, indexed = plain_and_indexed()
    sids = [indexed.pre_connect(f"eio{i}", NS) for i in range(50)]
    for i, sid in enumerate(sids):
        indexed.connect(sid, NS)
        indexed.enter_room(sid, NS, session_room(i // 2))
        indexed.enter_room(sid, NS, link_room(i))
    indexed.rooms[NS] = NoScan(indexed.rooms[NS])
    indexed.disconnect(sids[0], NS)
    assert sorted(indexed.get_rooms(sids[1], NS)) == sorted([sids[1], "room:0", "link:1"])
    assert sids[0] not in dict.get(indexed.rooms[NS], None)
    assert dict(indexed.rooms[NS][session_room(0)]) == {sids[1]: "eio1"}
    assert link_room(0) not in indexed.rooms[NS]


def test_the_app_serves_with_the_indexed_manager_and_a_leaver_leaves_every_room(room):
    manager = flask_socketio.server.manager
    assert isinstance(manager, managers.Manager)
    client_sid = manager.sid_from_eio_sid(room.client_socket.eio_sid, NS)
    assert set(manager.get_rooms(client_sid, NS)) == {
        client_sid,
        session_room(room.session.id),
        link_room(room.link.id),
    }
    room.client_socket.disconnect()
    assert (NS, client_sid) not in manager.rooms_of
    assert all(client_sid not in members for members in manager.rooms[NS].values())
    # the therapist is still in the room and still hears it
    therapist_sid = manager.sid_from_eio_sid(room.therapist_socket.eio_sid, NS)
    assert session_room(room.session.id) in manager.get_rooms(therapist_sid, NS)
    assert any(r.startswith("login:") for r in manager.get_rooms(therapist_sid, NS))
    assert login_room("x") not in manager.get_rooms(therapist_sid, NS)
    room.therapist_socket.get_received()
    flask_socketio.emit("probe", {"n": 1}, to=session_room(room.session.id))
    assert [m["name"] for m in room.therapist_socket.get_received()] == ["probe"]


def test_a_message_queue_is_shared_through_the_indexed_redis_manager():
    manager = managers.client_manager("redis://:secret@127.0.0.1:6379/0")
    assert isinstance(manager, managers.RedisManager)
    assert isinstance(manager, socketio.RedisManager)
    assert manager.channel == "flask-socketio"
    assert isinstance(managers.client_manager("rediss://127.0.0.1:6380/0"), managers.RedisManager)
    assert type(managers.client_manager(None)) is managers.Manager


@pytest.mark.parametrize("url", ["kafka://127.0.0.1:9092", "amqp://guest@localhost//", "redis"])
def test_a_message_queue_other_than_redis_stops_the_start_with_a_clear_error(url, tmp_path):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        "SOCKETIO_MESSAGE_QUEUE": url,
    }
    with pytest.raises(ValueError, match="SOCKETIO_MESSAGE_QUEUE must be a redis://"):
        create_app(config)
