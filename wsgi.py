"""Serve the app on eventlet: the only module that imports eventlet.

`python wsgi.py` (what `make run` does) serves on HOST:PORT (default 127.0.0.1:5000).
`flask --app wsgi ...` runs the CLI commands without eventlet.
"""

import os
import sys

# Everything the app writes (the SQLite database, keys, backups) is its owner's alone.
os.umask(0o077)

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
from telehealth.live.settler import start_settler  # noqa: E402


def _eventlet_config() -> dict:
    from eventlet import tpool

    return {"SOCKETIO_ASYNC_MODE": "eventlet", "RUN_BLOCKING": tpool.execute}


app = create_app(_eventlet_config() if SERVING else None)


STOP_GRACE_S = 3.0  # how long a stop waits for open connections to close


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd, a container runtime) stops the server cleanly: every open socket is
    closed (browsers reconnect at once, to the next process or to this one once it is back),
    the listening socket closes and the exit code is 0. Everything a browser was told is
    already committed to the database.

    eventlet's server waits for every open connection before it returns, and a page's
    WebSocket stays open for as long as the page does, so the sockets are closed first; and
    the stop is delivered to the main green thread, whichever one the signal interrupted.
    """
    import signal

    import eventlet
    import eventlet.hubs
    import eventlet.patcher
    import greenlet

    main = greenlet.getcurrent()

    def close_and_exit() -> None:
        # A page answers the close at once; one that does not is not waited for long.
        eventlet.spawn_after(STOP_GRACE_S, give_up)
        socketio.server.eio.disconnect()  # every Engine.IO socket of this process
        eventlet.kill(main, SystemExit(0))

    def give_up() -> None:
        print("Server stopped (connections left open)", file=sys.stderr, flush=True)
        os._exit(0)

    # The signal only wakes the event loop if something it watches becomes ready: a pipe.
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)

    def on_signal() -> None:
        eventlet.hubs.trampoline(wake_r, read=True)
        close_and_exit()

    eventlet.spawn(on_signal)
    raw_write = eventlet.patcher.original("os").write  # the handler runs inside the loop
    signal.signal(signal.SIGTERM, lambda signum, frame: raw_write(wake_w, b"x"))


def _connection_limit() -> int:
    """How many connections the process holds at once (each WebSocket is one, for as long as
    the page is open). Past eventlet's own default (1,024), a socket waits unanswered in the
    listen queue however idle the rooms are (bench/relay.py with many rooms shows it). Each
    connection is a file descriptor, so the soft descriptor limit is raised to match."""
    import resource

    wanted = int(os.environ.get("MAX_CONNECTIONS", "10000"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + 256  # the database, Redis, log files and the listening socket
    if soft != resource.RLIM_INFINITY and soft < need:
        soft = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        if soft < need:  # the hard limit is lower: hold what fits
            wanted = max(64, soft - 256)
            print(f"File descriptor limit {soft}: holding {wanted} connections", file=sys.stderr)
    return wanted


YOUNG_GC_S = 0.05  # how often the youngest objects are collected


def _steady_gc() -> None:
    """Keep the garbage collector from pausing every socket at once (bench/relay.py shows
    its pauses as relay latency).

    A full collection walks the whole heap, the app's modules and metadata included, so what
    exists at start-up is moved out of the collector's sight (gc.freeze). Python collects
    the young generation once enough more objects were made than freed, but eventlet makes
    and frees timers all the time, so that count hardly grows while the generation does and
    each collection is long: it is collected every YOUNG_GC_S instead, and the older
    generations rarely (the app's events leave no garbage cycles).
    """
    import gc

    import eventlet

    def collect_young() -> None:
        while True:
            eventlet.sleep(YOUNG_GC_S)
            gc.collect(0)

    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 1_000, 10)
    eventlet.spawn(collect_young)


if SERVING:
    _steady_gc()
    _stop_on_sigterm()
    start_settler(app)
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Serving on http://{host}:{port}", file=sys.stderr, flush=True)
    try:
        socketio.run(app, host=host, port=port, log_output=False, max_size=_connection_limit())
    finally:
        print("Server stopped", file=sys.stderr, flush=True)
