"""Replaces python-socketio's client managers with ones that keep an index of each socket's
rooms; bench/disconnects.py shows why: python-socketio finds a leaving socket's rooms by
looking through every room of the process, so many sockets leaving at once (a clinic's
network going down, a proxy reloading, a shutdown) cost the square of the room count.

The index follows python-socketio's own two entry points (``basic_enter_room`` and
``basic_leave_room``, through which every join, leave and close goes); a disconnect then
does what python-socketio's does, from the index. tests/fastpath/test_managers.py drives the
indexed and the plain manager with the same steps and compares everything they hold.
"""

from __future__ import annotations

from typing import Any

import socketio


class RoomIndex:
    """Mixin for a python-socketio manager: ``(namespace, sid) -> rooms`` kept alongside
    ``self.rooms``, for the disconnect and ``get_rooms``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rooms_of: dict[tuple[str, str], set[Any]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self.rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        joined = self.rooms_of.get((namespace, sid))
        if joined is not None:
            joined.discard(room)
            if not joined:
                del self.rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        if namespace not in self.rooms:
            return
        for room in list(self.rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        # the rest as python-socketio's BaseManager.basic_disconnect does it
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [room for room in self.rooms_of.get((namespace, sid), ()) if room is not None]


class Manager(RoomIndex, socketio.Manager):
    """One process: rooms in memory."""


class RedisManager(RoomIndex, socketio.RedisManager):
    """Several processes: rooms shared through Redis."""


def client_manager(message_queue: str | None) -> socketio.Manager:
    """The manager for SOCKETIO_MESSAGE_QUEUE: none, or a redis:// or rediss:// URL."""
    if not message_queue:
        return Manager()
    if message_queue.startswith(("redis://", "rediss://")):
        # Flask-SocketIO's own channel name, so processes of an earlier release still hear
        return RedisManager(message_queue, channel="flask-socketio")
    raise ValueError("SOCKETIO_MESSAGE_QUEUE must be a redis:// or rediss:// URL.")
