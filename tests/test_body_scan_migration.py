"""Migration 0015 on a database at 0014: every session's targets keep their links, with no body
scan yet; a body scan is stored encrypted; down again, the links stay. On SQLite, or on
PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from telehealth.extensions import db
from telehealth.models import session_target
from tests.test_plan_migration import app, write_old_rows  # noqa: F401 (app: a fixture)

LINKS = sa.text("SELECT therapy_session_id, target_id FROM session_target ORDER BY 1, 2")


def columns() -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns("session_target")}


def test_the_links_are_kept_with_no_body_scan_and_a_scan_is_stored_encrypted(app):  # noqa: F811
    upgrade(revision="0012")
    write_old_rows()
    upgrade(revision="0014")
    with db.engine.connect() as conn:
        before = conn.execute(LINKS).all()
    assert before and "body_scan" not in columns()
    upgrade()
    assert {"body_scan", "body_scan_note", "body_scan_at"} <= columns()
    with db.engine.begin() as conn:
        assert conn.execute(LINKS).all() == before
        scans = conn.execute(sa.text("SELECT body_scan, body_scan_note FROM session_target"))
        assert set(scans.all()) == {(None, None)}
        session_id, target_id = before[0]
        conn.execute(
            sa.update(session_target)
            .where(
                session_target.c.therapy_session_id == session_id,
                session_target.c.target_id == target_id,
            )
            .values(body_scan="sensation", body_scan_note="Tight chest")
        )
        raw = conn.execute(
            sa.text("SELECT body_scan_note FROM session_target WHERE body_scan_note IS NOT NULL")
        ).scalar()
        assert raw.startswith("gAAAAA")
        assert (
            conn.execute(sa.select(session_target.c.body_scan_note))
            .scalars()
            .all()
            .count("Tight chest")
            == 1
        )


def test_downgrading_keeps_the_links_and_the_schema_is_the_models(app):  # noqa: F811
    upgrade(revision="0012")
    write_old_rows()
    upgrade()
    with db.engine.connect() as conn:
        before = conn.execute(LINKS).all()
    downgrade(revision="0014")
    assert "body_scan" not in columns()
    with db.engine.connect() as conn:
        assert conn.execute(LINKS).all() == before
    upgrade()
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
