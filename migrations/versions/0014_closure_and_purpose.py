"""Closure of a session (complete, incomplete, contained) and where to resume an incomplete
target; a score's purpose (asked in the assessment or for a re-evaluation); the therapist's
choice after a set (go on, back to target, close)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None
KEEP_IDS = {"sqlite_autoincrement": True}  # SQLite never hands out an id twice (0009)


def upgrade():
    # EncryptedText (telehealth/vault.py) stores its tokens as text
    with op.batch_alter_table("therapy_session", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("closure", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("resume_note", sa.Text(), nullable=True))
    with op.batch_alter_table("score", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=16), nullable=True))
    with op.batch_alter_table("stim_set", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("next_step", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("stim_set", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column("next_step")
    with op.batch_alter_table("score", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column("purpose")
    with op.batch_alter_table("therapy_session", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column("resume_note")
        batch_op.drop_column("closure")
