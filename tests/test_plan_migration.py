"""Migration 0013 on a database made with the schema before it: each session's target and
cognitions become targets of its client's plan, linked to the session, its sets and its
scores, nothing lost; and back down. On SQLite, or on PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from telehealth import create_app
from telehealth.extensions import db
from telehealth.models import Score, StimSet, Target, TherapySession
from telehealth.vault import current_vault
from tests.support import database_uri

# The rows as the schema of revision 0012 held them (clinical text encrypted since 0009).
USER = sa.table(
    "user",
    *(sa.column(c) for c in ("id", "email", "password_hash", "role", "active", "created_at")),
    *(sa.column(c) for c in ("must_change_password", "password_changed_at")),
)
CLIENT = sa.table(
    "client",
    *(sa.column(c) for c in ("id", "therapist_id", "pseudonym", "language")),
    *(sa.column(c) for c in ("archived", "created_at")),
)
SESSION = sa.table(
    "therapy_session",
    *(sa.column(c) for c in ("id", "client_id", "therapist_id", "started_at", "ended_at")),
    *(sa.column(c) for c in ("stim_rev", "stim_state", "phases", "record_rev")),
    *(sa.column(c) for c in ("target", "negative_cognition", "positive_cognition", "notes")),
    *(sa.column(c) for c in ("video_enabled", "therapist_in_call", "client_in_call")),
    sa.column("waiting_room"),
)
STIM_SET = sa.table(
    "stim_set",
    *(sa.column(c) for c in ("id", "therapy_session_id", "number", "started_at", "ended_at")),
    *(sa.column(c) for c in ("passes", "settings", "noticed")),
)
SCORE = sa.table(
    "score",
    *(sa.column(c) for c in ("id", "therapy_session_id", "stim_set_id", "kind", "value")),
    *(sa.column(c) for c in ("source", "submission_id", "created_at", "answered_at")),
)

# Each old session: (id, client, day of January, target, negative, positive cognition).
SESSIONS = [
    (1, 1, 5, "The car accident", "I am powerless", "I can cope"),
    (2, 1, 12, "  the car  ACCIDENT ", "I am helpless", ""),  # the same target, new wording
    (3, 1, 19, "Dog bite at age 7", "I am not safe", "I am safe now"),
    (4, 1, 26, "", "", ""),  # nothing written: no target
    (5, 1, 28, "", "I am stupid", ""),  # cognitions without a target
    (6, 2, 6, "The car accident", "I am to blame", "I did what I could"),  # another client
]
# Each old set: (id, session, number); each score: (id, session, set id, kind, value).
SETS = [(11, 1, 1), (12, 1, 2), (13, 2, 1), (14, 4, 1), (15, 6, 1)]
SCORES = [
    (21, 1, None, "sud", 8),  # the assessment, before any set
    (22, 1, None, "voc", 2),
    (23, 1, 11, "sud", 5),
    (24, 1, 12, "sud", 3),
    (25, 1, 12, "voc", None),  # a question left unanswered
    (26, 2, 13, "sud", 2),
    (27, 4, 14, "sud", 4),
    (28, 6, None, "sud", 9),
]


@pytest.fixture
def app(tmp_path) -> Iterator:
    """An app whose database is empty until the test migrates it (no create_all)."""
    uri, schema = database_uri(tmp_path)
    engine = sa.create_engine(uri.split("?")[0]) if schema else None
    if schema:
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    app = create_app(
        {"SECRET_KEY": "k" * 40, "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": uri}
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if schema:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def day(n: int, hour: int = 10) -> datetime:
    return datetime(2026, 1, n, hour)


def write_old_rows() -> None:
    """The clinic as it stood at revision 0012, written as that schema's rows."""
    secret = current_vault().encrypt
    with db.engine.begin() as conn:
        now = day(1)
        conn.execute(
            sa.insert(USER).values(
                id=1,
                email="t@example.org",
                password_hash="x",
                role="therapist",
                active=True,
                created_at=now,
                must_change_password=False,
                password_changed_at=now,
            )
        )
        for client_id in (1, 2):
            conn.execute(
                sa.insert(CLIENT).values(
                    id=client_id,
                    therapist_id=1,
                    pseudonym=secret(f"Client {client_id}"),
                    language="en",
                    archived=False,
                    created_at=now,
                )
            )
        for session_id, client_id, n, target, negative, positive in SESSIONS:
            conn.execute(
                sa.insert(SESSION).values(
                    id=session_id,
                    client_id=client_id,
                    therapist_id=1,
                    started_at=day(n),
                    ended_at=day(n, 11),
                    stim_rev=3,
                    stim_state="{}",
                    phases="[3, 4]",
                    record_rev=1,
                    target=secret(target),
                    negative_cognition=secret(negative),
                    positive_cognition=secret(positive),
                    notes=secret(f"Notes {session_id}"),
                    video_enabled=True,
                    therapist_in_call=False,
                    client_in_call=False,
                    waiting_room=False,
                )
            )
        for set_id, session_id, number in SETS:
            conn.execute(
                sa.insert(STIM_SET).values(
                    id=set_id,
                    therapy_session_id=session_id,
                    number=number,
                    started_at=now,
                    ended_at=now,
                    passes=24,
                    settings='{"speed_pps": 1.0}',
                    noticed=secret(f"Noticed in set {set_id}"),
                )
            )
        for score_id, session_id, set_id, kind, value in SCORES:
            conn.execute(
                sa.insert(SCORE).values(
                    id=score_id,
                    therapy_session_id=session_id,
                    stim_set_id=set_id,
                    kind=kind,
                    value=value,
                    source="client",
                    submission_id=f"old-{score_id}",
                    created_at=day(1, 10 + score_id % 10),
                    answered_at=None if value is None else day(1, 10 + score_id % 10),
                )
            )
        if conn.dialect.name == "postgresql":  # the rows came with their ids: so must the next
            for table in ("user", "client", "therapy_session", "stim_set", "score"):
                conn.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), 100)")
                )


def plan_of(client_id: int) -> list[Target]:
    return list(
        db.session.scalars(
            sa.select(Target).where(Target.client_id == client_id).order_by(Target.position)
        )
    )


def target_of(model, row_id: int) -> int | None:
    return db.session.scalar(sa.select(model.target_id).where(model.id == row_id))


def test_each_session_target_becomes_a_target_of_its_clients_plan(app):
    upgrade(revision="0012")
    write_old_rows()
    upgrade()
    car, dog, untitled = plan_of(1)
    assert (car.title, car.kind, car.position) == ("The car accident", "past", 0)
    # the same target in two sessions is one target; the latest wording of a cognition is
    # the plan's, an empty one leaves the earlier
    assert (car.negative_cognition, car.positive_cognition) == ("I am helpless", "I can cope")
    assert (car.sud, car.voc, car.status) == (8, 2, "in_progress")  # as first assessed
    assert (dog.title, dog.negative_cognition, dog.positive_cognition) == (
        "Dog bite at age 7",
        "I am not safe",
        "I am safe now",
    )
    assert (dog.sud, dog.voc, dog.status, dog.position) == (None, None, "not_started", 1)
    assert untitled.title == "Untitled target (session of 2026-01-28)"
    assert untitled.negative_cognition == "I am stupid" and untitled.position == 2
    assert all(t.image == t.emotions == t.body_location == "" for t in (car, dog, untitled))
    (other,) = plan_of(2)  # the same words for another client are that client's own target
    assert (other.title, other.negative_cognition, other.sud) == (
        "The car accident",
        "I am to blame",
        9,
    )


def test_sessions_sets_and_scores_are_linked_to_their_target_and_nothing_is_lost(app):
    upgrade(revision="0012")
    write_old_rows()
    upgrade()
    (car, dog, untitled), (other,) = plan_of(1), plan_of(2)
    worked_on = {1: car, 2: car, 3: dog, 5: untitled, 6: other}
    for session_id, *_ in SESSIONS:
        therapy_session = db.session.get(TherapySession, session_id)
        expected = worked_on.get(session_id)
        assert therapy_session.targets == ([expected] if expected else [])
        assert therapy_session.current_target_id == (expected.id if expected else None)
    for set_id, session_id, _ in SETS:
        assert target_of(StimSet, set_id) == (worked_on[session_id].id if session_id != 4 else None)
    for score_id, session_id, *_ in SCORES:
        assert target_of(Score, score_id) == (worked_on[session_id].id if session_id != 4 else None)
    # the sessions keep their own words, the sets and scores all they held
    for session_id, _, _, target, negative, positive in SESSIONS:
        therapy_session = db.session.get(TherapySession, session_id)
        assert (
            therapy_session.target,
            therapy_session.negative_cognition,
            therapy_session.positive_cognition,
            therapy_session.notes,
        ) == (target, negative, positive, f"Notes {session_id}")
    stim_sets = db.session.scalars(sa.select(StimSet).order_by(StimSet.id))
    assert [(s.id, s.number, s.noticed) for s in stim_sets] == [
        (set_id, number, f"Noticed in set {set_id}") for set_id, _, number in SETS
    ]
    assert (
        db.session.execute(
            sa.select(
                Score.id, Score.therapy_session_id, Score.stim_set_id, Score.kind, Score.value
            ).order_by(Score.id)
        ).all()
        == SCORES
    )


def test_the_targets_text_is_stored_encrypted(app):
    upgrade(revision="0012")
    write_old_rows()
    upgrade()
    stored = db.session.execute(
        sa.text("SELECT title, negative_cognition, image FROM target")
    ).all()
    assert stored and all(v.startswith("gAAAAA") for row in stored for v in row)


def test_tables_remade_for_the_new_keys_still_never_reuse_ids(app):
    """SQLite hands a deleted row's id out again unless the table says AUTOINCREMENT;
    PostgreSQL's ids come from a sequence, which never goes back."""
    upgrade()
    tables = ("therapy_session", "stim_set", "score", "target")
    if db.engine.dialect.name == "sqlite":
        made = dict(db.session.execute(sa.text("SELECT name, sql FROM sqlite_master")).all())
        for table in tables:
            assert "AUTOINCREMENT" in made[table], table
    else:
        for table in tables:
            sequence = sa.text("SELECT pg_get_serial_sequence(:table, 'id')")
            assert db.session.execute(sequence, {"table": table}).scalar(), table


def test_downgrading_keeps_every_sessions_words(app):
    upgrade(revision="0012")
    write_old_rows()
    upgrade()
    (car, dog, _), _ = plan_of(1), plan_of(2)
    # a session after the upgrade writes its target on the plan only
    fresh = TherapySession.open(db.session.get(TherapySession, 1).client, 0.0)
    fresh.targets = [car, dog]
    dog.positive_cognition = "I am safe now, as an adult"
    db.session.add(fresh)
    db.session.commit()
    fresh_id = fresh.id
    db.session.remove()
    downgrade(revision="0012")
    with db.engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        assert "target" not in tables and "session_target" not in tables
        rows = conn.execute(
            sa.text(
                "SELECT id, target, negative_cognition, positive_cognition FROM therapy_session"
            )
        ).all()
        counts = [
            conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar()
            for name in ("stim_set", "score")
        ]
    plain = {row[0]: tuple(current_vault().decrypt(v) for v in row[1:]) for row in rows}
    for session_id, _, _, target, negative, positive in SESSIONS:
        assert plain[session_id] == (target, negative, positive)
    assert plain[fresh_id] == (
        "The car accident; Dog bite at age 7",
        "I am helpless; I am not safe",
        "I can cope; I am safe now, as an adult",
    )
    assert counts == [len(SETS), len(SCORES)]
    upgrade()  # and up again: the plan is made anew from the sessions' words
    assert sorted(t.title for t in plan_of(1)) == [
        "Dog bite at age 7",
        "The car accident",
        "The car accident; Dog bite at age 7",
        "Untitled target (session of 2026-01-28)",
    ]


def test_the_migrated_schema_is_the_models_schema_on_this_database(app):
    upgrade()
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
