"""Relay load benchmark: N rooms, each a therapist and a client socket doing what the real pages
do, against the app (eventlet, SQLite) and against a bare python-socketio relay (the baseline)
under the same load, in the same run. One JSON line per (rooms, mode), then a summary line.

Per line: rooms, mode, p50_ms / p99_ms (therapist emit -> client receipt of the new state),
baseline_p50_ms / baseline_p99_ms, msgs_per_s (messages the server handled), cpu_pct (server
process), rss_kb_per_room (server memory growth per room), offered_changes_per_s against
sent_changes_per_s (the load generator shares the machine's cores; when it falls short of the
offered load, the figures for that point measure the generator as much as the server),
generator_cpu_pct, and the baseline's CPU (baseline_cpu_pct, baseline_generator_cpu_pct).
With one server process, the server gets a core of its own and the generator the others; the
generator does not collect garbage while it measures (its pauses would count as latency); the
baseline is served with the app's serving settings (bench/bare_relay.py says which).
Modes: "realistic" (a change every 2 s on average per room, exponential gaps) and "fast"
(5 changes a second per room). The clients also do the pages' clock-sync bursts, presence and
per-rev acknowledgements. The baseline runs the app's Engine.IO heartbeat (a ping every 5 s);
the rooms connect spread over one heartbeat, as people arrive at different moments. The
summary has knee_rooms per mode (first room count whose p99 passes 100 ms) and the relay
latency while other users log in with the production password hash (login_*).

--scaling measures how far the room count grows with a second process: the app on PostgreSQL
and Redis (the multi-process setup of docs/deploy.md) with one process, then two; each room's
therapist and client land on the processes as a proxy with sticky sessions would spread them,
so half the rooms cross between processes. Lines carry "processes"; the summary has
scaling_knee_rooms per process count.

  python bench/relay.py                                    # the sweep (about 13 minutes)
  python bench/relay.py --rooms 100 --mode realistic --seconds 10   # one point
  python bench/relay.py --scaling                          # 1 vs 2 processes (about 15 minutes)
  python bench/relay.py --rooms 200 --processes 2          # one point on PostgreSQL + Redis
  python bench/relay.py --rooms 1000 --repeat 5            # medians of 5 runs each, in turns
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.harness import free_port  # noqa: E402

SECRET = "bench-secret-key-0123456789abcdef0123456789"
PASSWORD = "bench password for logins"
KNEE_MS = 100.0
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
HEARTBEAT_S = 5.0  # the app's SOCKETIO_PING_INTERVAL, which the baseline uses too
MODES = {"realistic": 2.0, "fast": 0.2}  # mean seconds between changes per room


class Proc:
    """A server subprocess on loopback, with its CPU and memory readings."""

    def __init__(self, args: list[str], env: dict, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **env, "PORT": str(port), "HOST": "127.0.0.1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def prepare_app_rooms(db_url: str, rooms: int) -> tuple[list[tuple[str, str, int]], str]:
    """Rooms in the app's database, with the cookies their two browsers would hold.

    Cookies are signed with the server's own key, as the app signs them after a login or a
    join; that skips thousands of HTTP round trips that are not what is measured.
    """
    from datetime import timedelta

    from werkzeug.security import generate_password_hash

    from telehealth import create_app
    from telehealth.extensions import db
    from telehealth.live import state as room_state
    from telehealth.models import Client, JoinLink, StaffLogin, TherapySession, User

    app = create_app(
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": db_url.replace("postgresql://", "postgresql+psycopg://", 1),
            "INSTANCE_PATH": tempfile.mkdtemp(),
        }
    )
    signer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        therapist = User(
            email="bench@example.org",
            role="therapist",
            password_hash=generate_password_hash(PASSWORD, "scrypt:131072:8:1"),
        )
        db.session.add(therapist)
        db.session.flush()
        login = StaffLogin(id="bench-login-0001", user_id=therapist.id)
        db.session.add(login)
        out = []
        for i in range(rooms):
            client = Client(therapist_id=therapist.id, pseudonym=f"Bench {i}")
            ts = TherapySession.open(client, room_state.now_ms())
            db.session.add(ts)
            link, _ = JoinLink.issue(ts, timedelta(hours=4))
            db.session.add(link)
            db.session.flush()
            out.append((ts.id, link))
        db.session.commit()
        staff_cookie = signer.dumps(
            {"_user_id": str(therapist.id), "_fresh": True, "login_id": login.id}
        )
        result = [(staff_cookie, signer.dumps(link.cookie(SECRET)), sid) for sid, link in out]
    return result, "bench@example.org"


class Load:
    """The sockets of N rooms and their traffic; latencies in ms."""

    def __init__(self, rooms: list, mean_gap_s: float, bare: bool):
        """rooms: (therapist cookie, client cookie, session id, therapist url, client url)."""
        self.rooms, self.gap, self.bare = rooms, mean_gap_s, bare
        self.sent: dict[tuple[int, float], float] = {}
        self.latencies: list[float] = []
        self.sent_while_measuring = 0
        self.measuring = False
        self.clients: list[socketio.AsyncClient] = []

    async def connect(
        self, url: str, cookie: str | None, auth: dict, sio=None
    ) -> socketio.AsyncClient:
        sio = sio or socketio.AsyncClient(reconnection=False)
        headers = {"Origin": url}
        if cookie:
            headers["Cookie"] = f"session={cookie}"
        await sio.connect(
            url, headers=headers, auth=auth, transports=["websocket"], wait_timeout=30
        )
        self.clients.append(sio)
        return sio

    async def client_side(self, index: int, cookie: str, url: str) -> None:
        auth = {"room": index} if self.bare else {"role": "client"}
        sio = socketio.AsyncClient(reconnection=False)

        @sio.on("stim:state")
        async def state(data):
            now = time.perf_counter()
            speed = data.get("settings", {}).get("speed_pps")
            sent = self.sent.pop((index, speed), None)
            if sent is not None and self.measuring:
                self.latencies.append((now - sent) * 1000)
            if sio.connected:
                await sio.emit("stim:applied", {"rev": data.get("rev", 0)})

        await self.connect(url, cookie, auth, sio)
        await sio.emit(
            "presence:update",
            {
                "width": 1280,
                "height": 800,
                "visible": True,
                "fullscreen": True,
                "sound": "on",
                "wake_lock": "on",
                "missing": [],
                "rtt_ms": None,
                "phase": "session",
                "layout": {
                    "stage": [0, 0, 960, 800],
                    "dock": [960, 0, 320, 800],
                    "video": None,
                    "question": None,
                    "task": None,
                },
                "tactile": [],
            },
        )
        asyncio.ensure_future(self.clock_sync(sio))

    async def clock_sync(self, sio) -> None:
        await asyncio.sleep(random.random() * 15)
        while sio.connected:
            for _ in range(8):
                try:
                    await sio.call("clock:ping", {"t": time.time() * 1000}, timeout=10)
                except Exception:  # a bench keeps going
                    break
            await asyncio.sleep(15)

    async def therapist_connect(self, index: int, room: tuple) -> socketio.AsyncClient:
        cookie, _, session_id, url, _ = room
        auth = {"room": index} if self.bare else {"role": "therapist", "session_id": session_id}
        return await self.connect(url, cookie, auth)

    async def therapist_side(self, index: int, sio, stop_at: float):
        await asyncio.sleep(random.random() * self.gap)
        while time.monotonic() < stop_at and sio.connected:
            speed = round(random.uniform(0.2, 4.0), 6)  # the schema's whole speed range
            self.sent[(index, speed)] = time.perf_counter()
            self.sent_while_measuring += self.measuring
            await sio.emit("stim:update", {"speed_pps": speed})
            await asyncio.sleep(random.expovariate(1 / self.gap))

    async def run(self, seconds: float) -> None:
        """Connect every room's client, then every therapist, then start the traffic; measure
        once the backlog of the arrivals is worked off (at 1,000 rooms, 3 s of warm-up
        sometimes left the first second of the measurement at 400-600 ms)."""
        warmup = 3.0 + len(self.rooms) / 200
        batches = range(0, len(self.rooms), 50)
        therapists = []
        for side in ("client", "therapist"):
            for batch in batches:
                rooms = list(enumerate(self.rooms[batch : batch + 50], start=batch))
                if side == "client":
                    await asyncio.gather(*(self.client_side(i, r[1], r[4]) for i, r in rooms))
                else:
                    therapists += await asyncio.gather(
                        *(self.therapist_connect(i, r) for i, r in rooms)
                    )
                # People arrive at different moments: spreading the connections over one
                # heartbeat keeps every socket's pings from firing in the same instant.
                await asyncio.sleep(HEARTBEAT_S / len(batches) / 2)
        # The generator is the measuring instrument: its own garbage collection (with thousands
        # of client objects, a full collection stalled it for 230-300 ms, a middle one for
        # ~20 ms every second) would be counted as relay latency. It collects after the run.
        gc.collect()
        gc.disable()
        stop_at = time.monotonic() + warmup + seconds + 1
        tasks = [
            asyncio.ensure_future(self.therapist_side(i, sio, stop_at))
            for i, sio in enumerate(therapists)
        ]
        await asyncio.sleep(warmup)
        self.measuring = True
        await asyncio.sleep(seconds)
        self.measuring = False
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        gc.enable()
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)


def spread_rooms(rooms: list, servers: list[Proc]) -> list:
    """Give each room's therapist and client a server, as sticky sessions would: with two
    servers, a quarter of the rooms sit on each, and half the rooms cross between them."""
    n = len(servers)
    return [
        (t, c, s, servers[i % n].url, servers[(i // n) % n].url)
        for i, (t, c, s) in enumerate(rooms)
    ]


def own_cores(servers: list[Proc]) -> set[int] | None:
    """One server process gets a core of its own and the load generator the others, so the
    two do not take turns on the same core (unpinned, the same load measured 73 % or 91 % of
    a core from one run to the next). Several processes share the cores as in production.
    Returns the generator's former cores, to restore."""
    cores = sorted(os.sched_getaffinity(0))
    if len(servers) != 1 or len(cores) < 2:
        return None
    os.sched_setaffinity(servers[0].proc.pid, {cores[0]})
    os.sched_setaffinity(0, set(cores[1:]))
    return set(cores)


def measure(
    servers: list[Proc], rooms: list, mode: str, seconds: float, bare: bool, pin: bool = True
) -> dict:
    rss_idle = sum(p.rss_kb() for p in servers)
    cores = own_cores(servers) if pin else None
    load = Load(spread_rooms(rooms, servers), MODES[mode], bare)
    start = {}

    def cpu_s() -> float:
        return sum(p.cpu_s() for p in servers)

    async def go():
        run = asyncio.ensure_future(load.run(seconds))
        while not load.measuring:
            if run.done():  # connecting failed: say why instead of waiting for ever
                run.result()
            await asyncio.sleep(0.05)
        start.update(
            cpu=cpu_s(),
            own=time.process_time(),
            at=time.monotonic(),
            rss=sum(p.rss_kb() for p in servers),
        )
        await run

    try:
        asyncio.run(go())
    finally:
        if cores:
            os.sched_setaffinity(0, cores)
    elapsed = time.monotonic() - start["at"]
    cpu = (cpu_s() - start["cpu"]) / elapsed * 100
    generator_cpu = (time.process_time() - start["own"]) / elapsed * 100
    lat = sorted(load.latencies) or [float("nan")]
    return {
        "p50_ms": round(statistics.median(lat), 2),
        "p99_ms": round(lat[min(len(lat) - 1, int(0.99 * len(lat)))], 2),
        # each change reaches 2 sockets and is acknowledged once; plus the clock pings
        "msgs_per_s": round(len(load.latencies) * 3 / seconds + len(rooms) * 8 / 15, 1),
        # what the rooms should send (rooms / mean gap) against what the load generator, one
        # Python process on the same cores, managed to send: below 1, the generator is the limit
        "offered_changes_per_s": round(len(rooms) / MODES[mode], 1),
        "sent_changes_per_s": round(load.sent_while_measuring / seconds, 1),
        "cpu_pct": round(cpu, 1),
        "generator_cpu_pct": round(generator_cpu, 1),
        "rss_kb_per_room": round((start["rss"] - rss_idle) / len(rooms), 1),
    }


@contextlib.contextmanager
def pg_schema():
    """A fresh PostgreSQL schema for one measurement, dropped after."""
    import psycopg

    schema = f"bench_{os.getpid()}_{int(time.time() * 1000)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def start_app(
    tmp: Path, rooms: int, processes: int = 1, db_url: str | None = None
) -> tuple[list[Proc], list]:
    """The app on SQLite, or with db_url (PostgreSQL) on ``processes`` processes behind Redis."""
    shared = db_url is not None
    db_url = db_url or f"sqlite:///{tmp / f'bench-{rooms}.db'}"
    env = {
        "DATABASE_URL": db_url,
        **({"SOCKETIO_MESSAGE_QUEUE": REDIS_URL} if shared else {}),
        "SECRET_KEY": SECRET,
        "SOCKET_EVENTS_PER_S": "1000",
        "SOCKET_EVENT_BURST": "1000",
        "LOGIN_RATE_LIMIT": "100000 per minute",  # many logins from one address, on purpose
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    room_list, _ = prepare_app_rooms(db_url, rooms)
    servers = [Proc([sys.executable, "wsgi.py"], env, free_port()) for _ in range(processes)]
    return servers, room_list


def point(rooms: int, mode: str, seconds: float, processes: int = 0, repeat: int = 1) -> dict:
    """One measurement; processes=0: one process on SQLite, else that many on PostgreSQL+Redis.

    With repeat > 1, the app and the baseline are measured that many times, taking turns, and
    each figure is the median of its runs (the runs' p99s are listed too): on a shared 2-core
    machine one run's p99 at 1,000 rooms went from 17 to 102 ms for the same bare relay."""
    app_runs, bare_runs = [], []
    for _ in range(repeat):
        app_runs.append(app_once(rooms, mode, seconds, processes))
        bare_runs.append(bare_once(rooms, mode, seconds))
    figures, base = medians(app_runs), medians(bare_runs)
    return {
        "rooms": rooms,
        "mode": mode,
        **({"processes": processes, "backend": "postgresql+redis"} if processes else {}),
        **figures,
        "baseline_p50_ms": base["p50_ms"],
        "baseline_p99_ms": base["p99_ms"],
        "baseline_cpu_pct": base["cpu_pct"],
        "baseline_generator_cpu_pct": base["generator_cpu_pct"],
        **(
            {
                "repeat": repeat,
                "p99_ms_runs": [r["p99_ms"] for r in app_runs],
                "baseline_p99_ms_runs": [r["p99_ms"] for r in bare_runs],
                "cpu_pct_runs": [r["cpu_pct"] for r in app_runs],
                "baseline_cpu_pct_runs": [r["cpu_pct"] for r in bare_runs],
            }
            if repeat > 1
            else {}
        ),
    }


def app_once(rooms: int, mode: str, seconds: float, processes: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        db_url = stack.enter_context(pg_schema()) if processes else None
        servers, room_list = start_app(Path(tmp), rooms, processes or 1, db_url)
        try:
            return measure(servers, room_list, mode, seconds, bare=False)
        finally:
            for server in servers:
                server.stop()


def bare_once(rooms: int, mode: str, seconds: float) -> dict:
    bare = Proc([sys.executable, "bench/bare_relay.py"], {}, free_port())
    try:
        return measure([bare], [("", "", i) for i in range(rooms)], mode, seconds, bare=True)
    finally:
        bare.stop()


def medians(runs: list[dict]) -> dict:
    return {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]}


def login_loop(url: str, stop: threading.Event, times: list[float]) -> None:
    """Log in again and again with the production hash (what must not stall the relay)."""
    while not stop.is_set():
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(url + "/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"email": "bench@example.org", "password": PASSWORD, "csrf_token": token}
        ).encode()
        start = time.perf_counter()
        with contextlib.suppress(urllib.error.HTTPError):
            opener.open(url + "/login", body, timeout=30)
        times.append((time.perf_counter() - start) * 1000)


def with_logins(rooms: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        (app,), room_list = start_app(Path(tmp), rooms)
        try:
            # Not pinned: the password hashes run on the server's thread pool, which a server
            # held to one core would share with its event loop.
            quiet = measure([app], room_list, "realistic", seconds, bare=False, pin=False)
            stop, times = threading.Event(), []
            thread = threading.Thread(target=login_loop, args=(app.url, stop, times), daemon=True)
            thread.start()
            busy = measure([app], room_list, "realistic", seconds, bare=False, pin=False)
            stop.set()
            thread.join(40)
        finally:
            app.stop()
    return {
        "login_rooms": rooms,
        "login_count": len(times),
        "login_ms_p50": round(statistics.median(times), 1) if times else None,
        "relay_p99_ms_without_logins": quiet["p99_ms"],
        "relay_p99_ms_during_logins": busy["p99_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rooms", type=int)
    parser.add_argument("--mode", choices=sorted(MODES))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--processes", type=int, default=0, help="app processes on PostgreSQL + Redis (0: SQLite)"
    )
    parser.add_argument("--scaling", action="store_true", help="1 vs 2 processes, PostgreSQL")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per point, app and baseline taking turns"
    )
    args = parser.parse_args()
    if args.rooms:
        result = point(
            args.rooms, args.mode or "realistic", args.seconds, args.processes, args.repeat
        )
        print(json.dumps(result), flush=True)
        return
    if args.scaling:
        knee = {
            str(n): find_knee("realistic", [100, 200, 400, 600, 800, 1000], args.seconds, n)
            for n in (1, 2)
        }
        print(json.dumps({"scaling_knee_rooms": knee, "mode": "realistic"}), flush=True)
        return
    knee = {
        "realistic": find_knee("realistic", [50, 250, 500, 750, 1000], args.seconds),
        "fast": find_knee("fast", [10, 50, 150, 300], args.seconds),
    }
    print(json.dumps({"knee_rooms": knee, **with_logins(50, args.seconds)}), flush=True)


def find_knee(mode: str, counts: list[int], seconds: float, processes: int = 0) -> int | str:
    """Print a point per room count until p99 passes KNEE_MS; that count is the knee."""
    for rooms in counts:
        result = point(rooms, mode, seconds, processes)
        print(json.dumps(result), flush=True)
        if result["p99_ms"] > KNEE_MS:
            return rooms
    return f">{counts[-1]}"


if __name__ == "__main__":
    main()
