"""Backups made while a session runs, restored into an empty database; retention; file modes.

The backup tests run on an SQLite file whatever database the rest of the suite uses, and the
round trip runs on PostgreSQL as well, always (CI has one at conftest.PG_URL).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from telehealth import create_app
from telehealth.extensions import db
from telehealth.models import AuditEvent, Client, Score, StimSet, TherapySession, utcnow
from telehealth.staff import audit
from tests.support import PG_URL

ROOT = Path(__file__).resolve().parent.parent
CLINICAL = {
    "pseudonym": "Zephyrine-Pseudonym",
    "preferences": "PREFERS-SLOW-YELLOW",
    "target": "TARGET-CAR-ACCIDENT",
    "negative_cognition": "I-AM-POWERLESS",
    "notes": "NOTE-NIGHTMARES-AGAIN",
}
STIM_REV = list(TherapySession.__table__.columns.keys()).index("stim_rev")  # its place in a row


def engine_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def kind() -> str:
    """The database the source and target apps use; the round trip runs on both."""
    return "sqlite"


@pytest.fixture
def app_config(kind, tmp_path, request) -> dict:
    if kind == "postgresql":
        uri = engine_url(request.getfixturevalue("pg_schema"))
    else:
        uri = f"sqlite:///{tmp_path / 'source.db'}"
    return {"SQLALCHEMY_DATABASE_URI": uri}


@pytest.fixture
def target_uri(kind, tmp_path) -> Iterator[str]:
    """Where the backup is restored: another SQLite file, or another PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'target.db'}"
        return
    schema = "it_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield engine_url(f"{PG_URL}?options=-csearch_path%3D{schema}")
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def empty_app(uri: str, keys: list[str], tmp_path: Path) -> Iterator:
    """A new app on an empty database, holding the same data keys."""
    target = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "INSTANCE_PATH": str(tmp_path / "target-instance"),
            "SQLALCHEMY_DATABASE_URI": uri,
            "DATA_KEYS": keys,
            "SETTLE_INTERVAL_S": 0,
            "RATELIMIT_ENABLED": False,
        }
    )
    with target.app_context():
        db.create_all()
        yield target
        db.session.remove()
        db.engine.dispose()


def every_row(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every table's rows as stored (tokens, not text), ordered by primary key."""
    tables = {}
    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            raw = sa.table(table.name, *(sa.column(column.name) for column in table.columns))
            key = [raw.c[column.name] for column in table.primary_key.columns]
            tables[table.name] = [
                tuple(r) for r in connection.execute(sa.select(raw).order_by(*key))
            ]
    return tables


def clinical_session(room) -> TherapySession:
    """The room's session with a client's particulars, a record, a running set, two scores
    and audit rows."""
    therapy_session = db.session.get(TherapySession, room.session.id)
    client = therapy_session.client
    client.pseudonym, client.preferences = CLINICAL["pseudonym"], CLINICAL["preferences"]
    therapy_session.target = CLINICAL["target"]
    therapy_session.negative_cognition = CLINICAL["negative_cognition"]
    therapy_session.notes = CLINICAL["notes"]
    audit.log("record.read", user_id=room.therapist.id, session_id=therapy_session.id)
    db.session.commit()
    assert room.therapist_socket.emit("stim:start", callback=True)["ok"]
    for score_kind, value in (("sud", 7), ("voc", 3)):
        entered = {"id": f"entered-{score_kind}-1", "kind": score_kind, "value": value}
        assert room.therapist_socket.emit("score:enter", entered, callback=True)["ok"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StimSet)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 2
    return therapy_session


class KeepChanging(threading.Thread):
    """The therapist changing the speed over and over, noting every table after each change
    (by the session's stim_rev, which each change bumps). The changes come at half the
    socket's event budget, so a slow backup never runs the budget dry."""

    def __init__(self, app, room):
        super().__init__(daemon=True)
        self.app, self.room, self.engine = app, room, db.engine
        self.stop, self.failed = threading.Event(), None
        self.seen: dict[int, dict[str, list[tuple]]] = {}
        self.pause = 2 / app.config["SOCKET_EVENTS_PER_S"]

    def note(self) -> None:
        tables = every_row(self.engine)
        (session_row,) = tables[TherapySession.__tablename__]
        self.seen[session_row[STIM_REV]] = tables

    def run(self) -> None:
        # The sockets' test client expects an app context around each call, as the test has.
        with self.app.app_context():
            try:
                self.note()
                i = 0
                while not self.stop.is_set():
                    update = {"speed_pps": 1 + (i % 20) / 10}
                    ack = self.room.therapist_socket.emit("stim:update", update, callback=True)
                    assert ack["ok"], ack
                    self.note()
                    i += 1
                    self.stop.wait(self.pause)
            except Exception as exc:  # reported by the test's thread
                self.failed = exc

    def wait_for(self, changes: int) -> None:
        goal = len(self.seen) + changes
        deadline = time.monotonic() + 30
        while len(self.seen) < goal and time.monotonic() < deadline and self.failed is None:
            time.sleep(0.01)
        assert len(self.seen) >= goal, self.failed


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_backup_made_mid_session_restores_every_table_row_by_row(
    app, room, kind, target_uri, tmp_path
):
    session_id = clinical_session(room).id
    backup = tmp_path / "mid-session.emdrbak"
    changing = KeepChanging(app, room)
    changing.start()
    try:
        changing.wait_for(3)
        made = app.test_cli_runner().invoke(args=["backup", str(backup)])
        changing.wait_for(3)  # still changing after the backup: it was made while live
    finally:
        changing.stop.set()
        changing.join()
    assert changing.failed is None, changing.failed
    assert made.exit_code == 0, made.output
    assert "Backed up" in made.output
    source = every_row(db.engine)
    room.therapist_socket.disconnect()  # before the next app binds Socket.IO
    room.client_socket.disconnect()

    with empty_app(target_uri, app.config["DATA_KEYS"], tmp_path) as target:
        restored = target.test_cli_runner().invoke(args=["restore", str(backup)])
        assert restored.exit_code == 0, restored.output
        copy = every_row(db.engine)
        assert audit.verify() == []
        assert db.session.get(TherapySession, session_id).notes == CLINICAL["notes"]

    # The copy is the database as it stood after one of the changes, table by table, row
    # by row; the audit log as it was, then the restore's own row.
    (session_row,) = copy[TherapySession.__tablename__]
    rev = session_row[STIM_REV]
    assert rev in changing.seen and rev > min(changing.seen)
    at_backup = changing.seen[rev]
    for table in db.metadata.sorted_tables:
        if table.name != AuditEvent.__tablename__:
            assert copy[table.name] == at_backup[table.name], table.name
    actions = list(AuditEvent.__table__.columns.keys()).index("action")  # its place in a row
    audit_rows, source_audit = copy[AuditEvent.__tablename__], source[AuditEvent.__tablename__]
    assert source_audit[-1][actions] == "backup.made"
    assert audit_rows[-1][actions] == "backup.restored"
    assert audit_rows[:-1] == source_audit[:-1]


@pytest.fixture
def backup_file(app, make, tmp_path) -> Path:
    therapist = make.user()
    client = make.client(therapist, CLINICAL["pseudonym"])
    client.preferences = CLINICAL["preferences"]
    therapy_session = TherapySession.open(client, 0.0)
    therapy_session.target, therapy_session.notes = CLINICAL["target"], CLINICAL["notes"]
    db.session.add(therapy_session)
    db.session.commit()
    path = tmp_path / "clinic.emdrbak"
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_a_backup_file_reveals_no_stored_data_and_is_readable_by_its_owner_only(app, backup_file):
    content = backup_file.read_bytes()
    assert content.startswith(b"EMDRBACKUP1 sqlite\n")
    for secret in [*CLINICAL.values(), "example.org", "SQLite format 3", "CREATE TABLE"]:
        assert secret.encode() not in content, secret
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    made = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "backup.made"))
    assert [event.detail for event in made] == ["sqlite"]  # no path, no content


def test_restore_refuses_a_database_that_holds_data_without_force(app, backup_file):
    before = every_row(db.engine)
    refused = app.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert refused.exit_code == 1
    assert "holds data" in refused.output and "--force" in refused.output
    assert every_row(db.engine) == before


def test_restore_with_force_replaces_a_database_that_holds_data(app, backup_file, make):
    make.client(make.user(), "Added after the backup")
    forced = app.test_cli_runner().invoke(args=["restore", "--force", str(backup_file)])
    assert forced.exit_code == 0, forced.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 1


def test_a_tampered_backup_fails_with_a_clear_error_and_changes_nothing(app, backup_file):
    content = bytearray(backup_file.read_bytes())
    content[len(content) // 2] ^= 0x01
    backup_file.write_bytes(bytes(content))
    before = every_row(db.engine)
    refused = app.test_cli_runner().invoke(args=["restore", "--force", str(backup_file)])
    assert refused.exit_code == 1
    assert "altered or damaged" in refused.output and "Nothing was changed" in refused.output
    assert every_row(db.engine) == before


def test_a_backup_made_under_other_data_keys_is_refused(app, backup_file, tmp_path):
    from telehealth.vault import new_key

    with empty_app(f"sqlite:///{tmp_path / 'other.db'}", [new_key()], tmp_path) as other:
        refused = other.test_cli_runner().invoke(args=["restore", str(backup_file)])
        assert refused.exit_code == 1 and "DATA_KEYS" in refused.output


# Retention


def ended_client(make, therapist, days_ago: float | None, session_days_ago: float) -> Client:
    """A client archived ``days_ago`` (None: still in treatment) whose one session was
    ``session_days_ago``, with a set, a score and a join link."""
    client = make.client(therapist)
    then = utcnow() - timedelta(days=session_days_ago)
    therapy_session = TherapySession.open(client, 0.0)
    therapy_session.started_at = therapy_session.ended_at = then
    db.session.add(therapy_session)
    db.session.flush()
    stim_set = StimSet(therapy_session_id=therapy_session.id, number=1, settings={})
    db.session.add(stim_set)
    db.session.flush()
    db.session.add(
        Score(
            therapy_session_id=therapy_session.id,
            stim_set_id=stim_set.id,
            kind="sud",
            value=2,
            source="therapist",
            submission_id=uuid.uuid4().hex,
        )
    )
    make.link(therapy_session)
    if days_ago is not None:
        client.archived, client.archived_at = True, utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return client


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_purge_expired_purges_nothing_by_default(app, make):
    ended_client(make, make.user(), days_ago=5000, session_days_ago=5000)
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0 and "nothing purged" in result.output
    assert count(Client) == 1 and count(TherapySession) == 1


def test_retention_days_is_read_from_the_environment(monkeypatch, tmp_path):
    from telehealth.config import from_environment

    monkeypatch.setenv("RETENTION_DAYS", "3650")
    assert from_environment(str(tmp_path), {"SECRET_KEY": "k"})["RETENTION_DAYS"] == 3650


def test_a_client_archived_past_the_period_is_purged_with_their_records_and_audited(app, make):
    therapist = make.user()
    expired = ended_client(make, therapist, days_ago=400, session_days_ago=420)
    recently = ended_client(make, therapist, days_ago=30, session_days_ago=400)
    in_treatment = ended_client(make, therapist, days_ago=None, session_days_ago=400)
    returned = ended_client(make, therapist, days_ago=400, session_days_ago=10)
    app.config["RETENTION_DAYS"] = 365

    result = app.test_cli_runner().invoke(args=["purge-expired"])

    assert result.exit_code == 0, result.output
    assert "Purged 1 client(s)" in result.output
    kept = set(db.session.scalars(sa.select(Client.id)))
    assert kept == {recently.id, in_treatment.id, returned.id}
    assert count(TherapySession) == 3 and count(StimSet) == 3 and count(Score) == 3
    (purged,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "client.purged")
    )
    assert (purged.client_id, purged.detail) == (expired.id, f"client {expired.id}")
    assert audit.verify() == []


def test_purge_expired_dry_run_changes_nothing(app, make):
    expired = ended_client(make, make.user(), days_ago=400, session_days_ago=420)
    app.config["RETENTION_DAYS"] = 365
    before = every_row(db.engine)
    result = app.test_cli_runner().invoke(args=["purge-expired", "--dry-run"])
    assert result.exit_code == 0 and "Would purge 1 client(s)" in result.output
    assert str(expired.id) in result.output
    assert every_row(db.engine) == before


# File modes


def test_what_the_app_writes_under_its_instance_folder_is_readable_by_its_owner_only(tmp_path):
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_KEYS", "TEST_DATABASE_URL")}
    env |= {
        "DATABASE_URL": f"sqlite:///{instance / 'telehealth.db'}",
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(instance),
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    written = list(instance.iterdir())
    assert {"telehealth.db", "data_keys"} <= {path.name for path in written}
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
