"""Serve the app on eventlet: the only module that imports eventlet.

`python wsgi.py` (what `make run` does) serves on HOST:PORT (default 127.0.0.1:5000).
`flask --app wsgi ...` runs the CLI commands without eventlet.
"""

import os
import sys

SERVING = __name__ == "__main__"

if SERVING:
    import warnings

    # eventlet is in maintenance mode and says so on import; we know, and keep it at this edge.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
    # psycopg 3 does not support eventlet: its default (C) wait blocks the whole process
    # while PostgreSQL answers. Its selectors-based wait goes through eventlet's green
    # selectors instead, so other sockets run meanwhile (tests/test_serving.py).
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")

from telehealth import create_app  # noqa: E402
from telehealth.extensions import socketio  # noqa: E402


def _eventlet_config() -> dict:
    from eventlet import tpool

    return {"SOCKETIO_ASYNC_MODE": "eventlet", "RUN_BLOCKING": tpool.execute}


app = create_app(_eventlet_config() if SERVING else None)


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd, a container runtime) stops the server cleanly: the listening socket
    closes, open WebSockets drop (browsers reconnect to the next process) and the exit code is
    0. Everything a browser was told is already committed to the database."""
    import signal

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def _connection_limit() -> int:
    """How many connections the process holds at once (each WebSocket is one, for as long as
    the page is open). eventlet's own default is 1,024: the 1,025th socket waited unanswered
    in the listen queue, so one process held at most about 500 rooms however idle they were.
    Each connection is a file descriptor, so the soft descriptor limit is raised to match."""
    import resource

    wanted = int(os.environ.get("MAX_CONNECTIONS", "10000"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + 256  # the database, Redis, log files and the listening socket
    if soft != resource.RLIM_INFINITY and soft < need:
        soft = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if soft != resource.RLIM_INFINITY and soft < need:
        wanted = max(64, soft - 256)
        print(
            f"File descriptor limit {soft}: holding at most {wanted} connections", file=sys.stderr
        )
    return wanted


def _steady_gc() -> None:
    """Keep the garbage collector from pausing every socket at once.

    Measured with bench/relay.py (250 rooms): full collections walked the whole heap, the
    app's modules and metadata included, and froze the loop for 60-100 ms, which was the p99
    of the relay (112 ms). Moving what exists at start-up out of the collector's sight
    (gc.freeze) and collecting the young generation less often brought p99 to about 20 ms.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


if SERVING:
    _steady_gc()
    _stop_on_sigterm()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Serving on http://{host}:{port}", file=sys.stderr, flush=True)
    try:
        socketio.run(app, host=host, port=port, log_output=False, max_size=_connection_limit())
    finally:
        print("Server stopped", file=sys.stderr, flush=True)
