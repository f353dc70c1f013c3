"""The baseline for bench/relay.py: a bare python-socketio relay on eventlet (no auth, no
database, no Flask) that does what the app's room does on the wire, and nothing else.

It is served as wsgi.py serves the app (the same heartbeat, connection limit, event handling
in order per socket, JSON module for packets and garbage-collector settings), so the
difference between the two is what the app's own code costs, not a setting either could
change."""

import gc
import os
import time

import eventlet

eventlet.monkey_patch()

import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

import socketio  # noqa: E402

# The app's JSON module for packets, loaded from its file (importing the package would bring
# Flask along): the same encoding and decoding work on both sides.
_spec = importlib.util.spec_from_file_location(
    "jsonio", Path(__file__).resolve().parents[1] / "telehealth" / "fastpath" / "jsonio.py"
)
jsonio = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(jsonio)

# The same Engine.IO heartbeat as the app (telehealth/config.py): the same load on the wire.
sio = socketio.Server(
    async_mode="eventlet",
    cors_allowed_origins="*",
    ping_interval=float(os.environ.get("SOCKETIO_PING_INTERVAL", "5")),
    ping_timeout=float(os.environ.get("SOCKETIO_PING_TIMEOUT", "5")),
    async_handlers=False,  # as telehealth/__init__.py
    json=jsonio,  # as telehealth/__init__.py
)
app = socketio.WSGIApp(sio)
revs: dict[str, int] = {}


@sio.event
def connect(sid, environ, auth):
    room = str((auth or {}).get("room"))
    sio.save_session(sid, {"room": room})
    sio.enter_room(sid, room)
    sio.emit("stim:state", {"rev": revs.get(room, 0), "settings": {}}, to=sid)


@sio.on("stim:update")
def update(sid, data):
    room = sio.get_session(sid)["room"]
    revs[room] = revs.get(room, 0) + 1
    sio.emit("stim:state", {"rev": revs[room], "settings": data}, to=room)
    return {"ok": True, "rev": revs[room]}


@sio.on("clock:ping")
def ping(sid, data):
    return {"ok": True, "t": data.get("t"), "server_ms": time.time() * 1000}


@sio.on("presence:update")
def presence(sid, data):
    sio.emit("presence:state", data, to=sio.get_session(sid)["room"], skip_sid=sid)
    return {"ok": True}


@sio.on("stim:applied")
def applied(sid, data):
    sio.emit("presence:applied", data, to=sio.get_session(sid)["room"], skip_sid=sid)
    return {"ok": True}


def young_collector():
    while True:
        eventlet.sleep(0.05)
        gc.collect(0)


if __name__ == "__main__":
    gc.collect()  # as wsgi.py's _steady_gc
    gc.freeze()
    gc.set_threshold(10_000, 1_000, 10)
    eventlet.spawn(young_collector)
    eventlet.wsgi.server(
        eventlet.listen(("127.0.0.1", int(os.environ["PORT"]))),
        app,
        log_output=False,
        max_size=10000,  # as wsgi.py: eventlet's default of 1,024 connections is ~500 rooms
    )
