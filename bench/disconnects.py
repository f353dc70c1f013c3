"""Everyone leaving at once: how long python-socketio's manager and the app's indexed one
(telehealth/fastpath/managers.py) take to let go of every socket of N rooms, in the same run.

Each room has a therapist socket (in its sid room, the session's room and its login's room)
and a client socket (sid room, session room, its link's room), as the app joins them. The
time is the event loop's: while it runs, no other message moves. One JSON line per N:
rooms, plain_s, indexed_s (all sockets leaving), plain_us / indexed_us per socket.

  python bench/disconnects.py                   # 250, 500, 1,000 and 2,000 rooms
  python bench/disconnects.py --rooms 1000
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from telehealth.fastpath import managers  # noqa: E402
from telehealth.live.channels import link_room, login_room, session_room  # noqa: E402

NS = "/"


class Server:
    def __init__(self):
        counter = itertools.count()
        self.eio = type("Eio", (), {"generate_id": staticmethod(lambda: f"s{next(counter)}")})
        self.packet_class = socketio.packet.Packet


def filled(manager: socketio.Manager, rooms: int) -> list[str]:
    manager.set_server(Server())
    manager.initialize()
    sids = []
    for i in range(rooms):
        for own in (login_room(f"login-{i}"), link_room(i)):
            sid = manager.pre_connect(f"e{len(sids)}", NS)
            manager.connect(sid, NS)
            manager.enter_room(sid, NS, own)
            manager.enter_room(sid, NS, session_room(i))
            sids.append(sid)
    return sids


def all_leave(manager: socketio.Manager, rooms: int) -> float:
    sids = filled(manager, rooms)
    start = time.perf_counter()
    for sid in sids:
        manager.pre_disconnect(sid, NS)
        manager.disconnect(sid, NS)
    elapsed = time.perf_counter() - start
    assert not manager.rooms, "sockets left behind"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rooms", type=int)
    args = parser.parse_args()
    for rooms in [args.rooms] if args.rooms else [250, 500, 1000, 2000]:
        plain = all_leave(socketio.Manager(), rooms)
        indexed = all_leave(managers.Manager(), rooms)
        sockets = 2 * rooms
        print(
            json.dumps(
                {
                    "rooms": rooms,
                    "plain_s": round(plain, 3),
                    "indexed_s": round(indexed, 4),
                    "plain_us": round(plain / sockets * 1e6, 1),
                    "indexed_us": round(indexed / sockets * 1e6, 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
