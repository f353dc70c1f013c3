"""The record protected: clinical text encrypted, ids never re-used, the audit log chained,
per-person waiting room, retention, resets by a second admin, no secret in the cookie

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Tables with integer ids, which SQLite must never hand out twice (AUTOINCREMENT).
ID_TABLES = [
    "user", "recovery_code", "preset", "client", "therapy_session", "join_link", "stim_set",
    "score", "audit_event",
]
ENCRYPTED = {
    "client": ["pseudonym", "initials", "pronouns", "preferences"],
    "therapy_session": ["target", "negative_cognition", "positive_cognition", "notes"],
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if _sqlite():
        # Re-made tables must not set off ON DELETE CASCADE as the old ones are dropped.
        op.execute("PRAGMA foreign_keys=OFF")
    for table in ID_TABLES:
        with op.batch_alter_table(
            table,
            recreate="always" if _sqlite() else "auto",
            table_kwargs={"sqlite_autoincrement": True},
        ) as batch_op:
            if table == "user":
                batch_op.add_column(sa.Column("reset_by_id", sa.Integer(), nullable=True))
                batch_op.create_foreign_key(
                    "fk_user_reset_by_id_user", "user", ["reset_by_id"], ["id"]
                )
            if table == "client":
                batch_op.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))
            if table == "join_link":
                batch_op.add_column(sa.Column("refused_at", sa.DateTime(), nullable=True))
                batch_op.add_column(sa.Column("waiting_since", sa.DateTime(), nullable=True))
                batch_op.add_column(sa.Column("device", sa.String(length=80), nullable=True))
            if table == "audit_event":
                batch_op.add_column(sa.Column("client_id", sa.Integer(), nullable=True))
                batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
                batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
                batch_op.create_index("ix_audit_event_client_id", ["client_id"], unique=False)
            for column in ENCRYPTED.get(table, []):
                batch_op.alter_column(column, type_=sa.Text(), existing_nullable=column in (
                    "initials", "pronouns", "preferences"
                ))
    with op.batch_alter_table("staff_login", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mfa_pending_secret", sa.Text(), nullable=True))
    if _sqlite():
        op.execute("PRAGMA foreign_keys=ON")
    _encrypt_existing_text()
    _chain_existing_audit_rows()


def _encrypt_existing_text():
    from telehealth.vault import current_vault

    vault = current_vault()
    bind = op.get_bind()
    for table, columns in ENCRYPTED.items():
        cols = [sa.column(c, sa.Text) for c in columns]
        t = sa.table(table, sa.column("id", sa.Integer), *cols)
        for row in bind.execute(sa.select(t)).mappings().all():
            values = {c: vault.encrypt(row[c]) for c in columns if row[c] is not None}
            if values:
                bind.execute(sa.update(t).where(t.c.id == row["id"]).values(values))


def _chain_existing_audit_rows():
    from telehealth.staff.audit import row_digest

    bind = op.get_bind()
    t = sa.table(
        "audit_event",
        sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
        sa.column("user_id", sa.Integer), sa.column("action", sa.String),
        sa.column("address", sa.String), sa.column("therapy_session_id", sa.Integer),
        sa.column("client_id", sa.Integer), sa.column("detail", sa.String),
        sa.column("prev_hash", sa.String), sa.column("row_hash", sa.String),
    )
    previous = None
    for row in bind.execute(sa.select(t).order_by(t.c.id)).all():
        digest = row_digest(previous, row)
        bind.execute(
            sa.update(t).where(t.c.id == row.id).values(prev_hash=previous, row_hash=digest)
        )
        previous = digest


def downgrade():
    raise RuntimeError(
        "0009 encrypts the clinical record: restore the backup made before upgrading instead."
    )
