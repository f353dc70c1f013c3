"""How long `flask backup` and `flask restore` take on a practice's worth of records.

Fills a database with CLIENTS clients, SESSIONS sessions (each with a record), SETS sets and
SCORES scores, backs it up and restores it into an empty database, and prints one JSON line
per database: rows, the backup file's size, backup_s and restore_s. SQLite always; PostgreSQL
when BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/test) answers.

    .venv/bin/python bench/backup.py [--clients 200 --sessions 2000 --sets 20000 --scores 40000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telehealth import create_app
from telehealth.extensions import db
from telehealth.models import Client, Score, StimSet, TherapySession, User, utcnow
from telehealth.stimulation import initial_state
from telehealth.vault import new_key

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOTE = "The client noticed the image fading; SUD down from 7 to 3 over four sets. " * 6


def make_app(uri: str, keys: list[str], instance: Path):
    return create_app(
        {
            "SECRET_KEY": "bench-secret-key",
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": uri,
            "DATA_KEYS": keys,
            "SETTLE_INTERVAL_S": 0,
        }
    )


def fill(args) -> int:
    """The practice's records; the number of rows written."""
    therapists = [
        User(email=f"therapist{i}@example.org", password_hash="!", role="therapist")  # noqa: S106
        for i in range(10)
    ]
    db.session.add_all(therapists)
    db.session.flush()
    db.session.execute(
        sa.insert(Client),
        [
            {"therapist_id": therapists[i % 10].id, "pseudonym": f"Client {i}", "initials": "AB"}
            for i in range(args.clients)
        ],
    )
    client_rows = db.session.execute(sa.select(Client.id, Client.therapist_id)).all()
    state = initial_state(None, now_ms=0.0)
    db.session.execute(
        sa.insert(TherapySession),
        [
            {
                "client_id": client_rows[i % len(client_rows)].id,
                "therapist_id": client_rows[i % len(client_rows)].therapist_id,
                "stim_state": state,
                "target": "The accident, the moment of the impact",
                "negative_cognition": "I am powerless",
                "positive_cognition": "I survived; I can act",
                "phases": [3, 4, 5],
                "notes": NOTE,
            }
            for i in range(args.sessions)
        ],
    )
    session_ids = list(db.session.scalars(sa.select(TherapySession.id)))
    settings = state["settings"]
    db.session.execute(
        sa.insert(StimSet),
        [
            {
                "therapy_session_id": session_ids[i % len(session_ids)],
                "number": i // len(session_ids) + 1,
                "passes": 24,
                "settings": settings,
                "ended_at": utcnow(),
            }
            for i in range(args.sets)
        ],
    )
    set_rows = db.session.execute(sa.select(StimSet.id, StimSet.therapy_session_id)).all()
    db.session.execute(
        sa.insert(Score),
        [
            {
                "therapy_session_id": set_rows[i % len(set_rows)].therapy_session_id,
                "stim_set_id": set_rows[i % len(set_rows)].id,
                "kind": "sud" if i % 2 else "voc",
                "value": 3 if i % 2 else 5,
                "source": "client",
                "submission_id": uuid.uuid4().hex,
            }
            for i in range(args.scores)
        ],
    )
    db.session.commit()
    return 10 + args.clients + args.sessions + args.sets + args.scores


def round_trip(kind: str, source_uri: str, target_uri: str, work: Path, args) -> dict:
    keys = [new_key()]
    source = make_app(source_uri, keys, work / "source")
    with source.app_context():
        db.create_all()
        rows = fill(args)
        started = time.perf_counter()
        result = source.test_cli_runner().invoke(args=["backup", str(work / f"{kind}.emdrbak")])
        backup_s = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    target = make_app(target_uri, keys, work / "target")
    with target.app_context():
        db.create_all()
        started = time.perf_counter()
        result = target.test_cli_runner().invoke(args=["restore", str(work / f"{kind}.emdrbak")])
        restore_s = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        restored = db.session.scalar(sa.select(sa.func.count()).select_from(Score))
        assert restored == args.scores, restored
        db.session.remove()
        db.engine.dispose()
    return {
        "database": kind,
        "rows": rows,
        "backup_bytes": (work / f"{kind}.emdrbak").stat().st_size,
        "backup_s": round(backup_s, 2),
        "restore_s": round(restore_s, 2),
    }


@contextmanager
def pg_schemas(names: list[str]):
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for name in names:
            conn.execute(f"CREATE SCHEMA {name}")
    try:
        yield [
            f"{PG_URL.replace('postgresql://', 'postgresql+psycopg://', 1)}"
            f"?options=-csearch_path%3D{name}"
            for name in names
        ]
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for name in names:
                conn.execute(f"DROP SCHEMA {name} CASCADE")


def pg_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--sets", type=int, default=20000)
    parser.add_argument("--scores", type=int, default=40000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sqlite = (f"sqlite:///{work / 'source.db'}", f"sqlite:///{work / 'target.db'}")
        print(json.dumps(round_trip("sqlite", *sqlite, work, args)), flush=True)
        if pg_reachable():
            suffix = uuid.uuid4().hex[:8]
            with pg_schemas([f"bench_src_{suffix}", f"bench_dst_{suffix}"]) as uris:
                print(json.dumps(round_trip("postgresql", *uris, work, args)), flush=True)


if __name__ == "__main__":
    main()
