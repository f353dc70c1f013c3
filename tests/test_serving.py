"""How wsgi.py serves: on eventlet, where a database wait must not stall other sockets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.browser.harness import Server
from tests.support import PG_URL

ROOT = Path(__file__).resolve().parents[1]

# Run wsgi.py as the server does, but instead of serving, time four green threads that each
# wait 0.3 s on PostgreSQL: cooperative waits overlap (about 0.3 s), blocking ones add up (1.2 s).
PROBE = """
import runpy, sys, time
import flask_socketio

def probe(self, app, **kwargs):
    import eventlet
    import sqlalchemy as sa
    from telehealth.extensions import db

    def wait():
        with app.app_context():
            db.session.execute(sa.text("SELECT pg_sleep(0.3)"))
            db.session.remove()

    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # connect once before timing
        db.session.remove()
    start = time.perf_counter()
    pool = eventlet.GreenPool()
    for _ in range(4):
        pool.spawn(wait)
    pool.waitall()
    print(f"elapsed {time.perf_counter() - start:.3f}")

flask_socketio.SocketIO.run = probe
runpy.run_path("wsgi.py", run_name="__main__")
"""


def test_the_served_app_waits_on_postgresql_without_stalling_other_green_threads():
    env = {
        **os.environ,
        "DATABASE_URL": PG_URL,
        "SECRET_KEY": "serving-test-key-0123456789abcdef0123456789",
    }
    env.pop("PSYCOPG_WAIT_FUNC", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    elapsed = float(done.stdout.split("elapsed ")[1])
    assert elapsed < 0.9, f"four 0.3 s waits took {elapsed:.2f} s: the waits blocked the loop"


# Instead of serving, churn objects as eventlet's timers do (each lives a while, about as many
# are freed as made) and watch the youngest generation of the garbage collector.
YOUNG_PROBE = """
import collections, gc, runpy
import flask_socketio

def probe(self, app, **kwargs):
    import eventlet

    alive = collections.deque(maxlen=30_000)
    for _ in range(30_000):
        alive.append([])
    gc.collect()
    largest = 0
    for step in range(60):  # about 1.5 s, yielding as a busy server does
        for _ in range(2_000):
            alive.append([])  # a new object, and an old one freed
        largest = max(largest, len(gc.get_objects(0)))
        eventlet.sleep(0.025)
    print(f"largest {largest}")

flask_socketio.SocketIO.run = probe
runpy.run_path("wsgi.py", run_name="__main__")
"""


def test_the_served_app_collects_its_youngest_objects_often(tmp_path):
    """A collection of the young generation pauses every socket for as long as it takes, and
    that grows with the generation. Python starts one only when 10,000 more objects were made
    than freed, which churn like eventlet's timers hardly ever reaches: the generation grew to
    56,000 objects at 1,000 rooms and each collection paused the loop for about 40 ms."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}",
        "SECRET_KEY": "serving-test-key-0123456789abcdef0123456789",
    }
    done = subprocess.run(
        [sys.executable, "-c", YOUNG_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    largest = int(done.stdout.split("largest ")[1])
    assert largest < 15_000, f"the young generation grew to {largest} objects"


def test_the_served_app_holds_more_than_eventlets_default_of_1024_connections(tmp_path):
    """Every open page holds a connection for as long as it is open; eventlet serves 1,024 at
    once unless told otherwise, and the next one waited unanswered (about 500 rooms)."""
    import resource
    import socket
    import urllib.request

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    server = Server(tmp_path).start()
    held = []
    try:
        for _ in range(1100):  # idle connections, as open pages between messages
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        with urllib.request.urlopen(server.url + "/static/js/motion.js", timeout=5) as reply:
            assert reply.status == 200
    finally:
        for conn in held:
            conn.close()
        server.stop()


def test_sigterm_closes_open_websockets_and_stops_at_once(tmp_path):
    """Open pages hold WebSockets for as long as they are open; eventlet's server waited for
    every one of them before it stopped, so a SIGTERM (a deploy, a restart) never finished
    until systemd killed the process. Now every socket is closed and the process exits 0."""
    import asyncio
    import concurrent.futures
    import time

    import aiohttp

    server = Server(tmp_path).start()

    async def pages():
        url = server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        async with aiohttp.ClientSession() as http:
            sockets = [
                await http.ws_connect(url, headers={"Origin": server.url}) for _ in range(20)
            ]
            for ws in sockets:
                assert (await ws.receive()).data.startswith("0{")  # Engine.IO open
            started = time.monotonic()
            server.proc.terminate()
            seen = await asyncio.gather(*(ws.receive() for ws in sockets))
            while server.proc.poll() is None and time.monotonic() - started < 10:
                await asyncio.sleep(0.05)
            return seen, time.monotonic() - started

    try:
        # In its own thread: the browser tests' Playwright keeps a loop running in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            seen, elapsed = pool.submit(lambda: asyncio.run(pages())).result()
        assert server.proc.poll() == 0, f"still running {elapsed:.1f} s after SIGTERM"
        assert elapsed < 3
        assert all(msg.data == "1" for msg in seen)  # each page was told: Engine.IO close
    finally:
        server.stop()
    assert "Server stopped" in (tmp_path / "server.log").read_text()


def test_a_therapists_quick_changes_land_in_the_order_made(tmp_path, pg_schema):
    """A slider dragged sends changes in quick succession. Each waits on the database; handled
    side by side, a later one could land first and an earlier one last, leaving the client on
    a value the therapist had moved past (or refused as busy). Served on PostgreSQL, where a
    database wait lets other events run."""
    import asyncio
    import concurrent.futures

    import socketio

    from telehealth import create_app
    from telehealth.extensions import db
    from telehealth.live import state as room_state
    from telehealth.models import Client, StaffLogin, TherapySession, User

    server = Server(tmp_path, {"DATABASE_URL": pg_schema}).start()
    app = create_app(
        {
            "SECRET_KEY": server.env["SECRET_KEY"],  # cookies as the server signs them
            "DATA_KEYS": [server.env["DATA_KEYS"]],  # text the server can read
            "SQLALCHEMY_DATABASE_URI": pg_schema.replace("postgresql://", "postgresql+psycopg://"),
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with app.app_context():
        therapist = User(email="order@example.org", role="therapist", password_hash="-")
        db.session.add(therapist)
        db.session.flush()
        db.session.add(StaffLogin(id="order-login-0001", user_id=therapist.id))
        client = Client(therapist_id=therapist.id, pseudonym="Order")
        therapy_session = TherapySession.open(client, room_state.now_ms())
        db.session.add(therapy_session)
        db.session.commit()
        session_id = therapy_session.id
        cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": str(therapist.id), "_fresh": True, "login_id": "order-login-0001"}
        )
        db.session.remove()
        db.engine.dispose()  # the server has the database from here on
    sent = [round(0.5 + 0.05 * i, 2) for i in range(30)]

    async def drag_the_slider():
        seen = []
        sio = socketio.AsyncClient(reconnection=False)
        sio.on("stim:state", lambda state: seen.append((state["rev"], state["settings"])))
        await sio.connect(
            server.url,
            headers={"Origin": server.url, "Cookie": f"session={cookie}"},
            auth={"role": "therapist", "session_id": session_id},
            transports=["websocket"],
        )
        replies = await asyncio.gather(
            *(sio.call("stim:update", {"speed_pps": speed}, timeout=10) for speed in sent)
        )
        for _ in range(100):
            if len(seen) > len(sent):
                break
            await asyncio.sleep(0.05)
        await sio.disconnect()
        return replies, seen

    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            replies, seen = pool.submit(lambda: asyncio.run(drag_the_slider())).result()
    finally:
        server.stop()
    assert all(reply["ok"] for reply in replies), [r for r in replies if not r["ok"]][:3]
    first_rev = seen[0][0]
    assert [rev for rev, _ in seen] == list(range(first_rev, first_rev + len(sent) + 1))
    assert [settings["speed_pps"] for _, settings in seen[1:]] == sent


def test_the_served_app_compresses_static_files_and_leaves_socketio_alone(tmp_path):
    """On eventlet, as served: a page's static file comes compressed and kept a year; the
    Socket.IO transport (Engine.IO's own, before Flask) is not touched by the compression."""
    import re
    import urllib.request
    import zlib

    server = Server(tmp_path).start()
    try:
        with urllib.request.urlopen(server.url + "/login", timeout=10) as reply:
            page = reply.read().decode()
        css = re.search(r'href="(/static/v/[0-9a-f]{12}/css/app\.css)"', page).group(1)
        asked = urllib.request.Request(server.url + css, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(asked, timeout=10) as reply:
            assert reply.headers["Content-Encoding"] == "gzip"
            assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            body = zlib.decompress(reply.read(), 16 + zlib.MAX_WBITS)
        assert body == (ROOT / "static/css/app.css").read_bytes()
        polling = urllib.request.Request(
            server.url + "/socket.io/?EIO=4&transport=polling",
            headers={"Accept-Encoding": "br, gzip", "Origin": server.url},
        )
        with urllib.request.urlopen(polling, timeout=10) as reply:
            assert reply.headers.get("Content-Encoding") is None
            assert reply.read().startswith(b"0{")  # Engine.IO's open packet, as sent
    finally:
        server.stop()
