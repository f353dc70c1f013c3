"""How wsgi.py serves: on eventlet, where a database wait must not stall other sockets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("RESILIENCE_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")

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


def test_the_served_app_holds_more_than_eventlets_default_of_1024_connections(tmp_path):
    """Every open page holds a connection for as long as it is open; eventlet serves 1,024 at
    once unless told otherwise, and the next one waited unanswered (about 500 rooms)."""
    import resource
    import socket
    import urllib.request

    from tests.browser.conftest import Server

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

    from tests.browser.conftest import Server

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
