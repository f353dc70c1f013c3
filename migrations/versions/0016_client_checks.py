"""The client's checks before any stimulation, done once a session: when the client finished
them and what the sound check found, so a reload goes straight back to the session; and
client_waiting_since goes (unused: who waits is join_link.waiting_since, migration 0009)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None
KEEP_IDS = {"sqlite_autoincrement": True}  # SQLite never hands out an id twice (0009)


def upgrade():
    with op.batch_alter_table("therapy_session", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("client_checked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("client_sound_check", sa.String(length=8), nullable=True))
        batch_op.drop_column("client_waiting_since")


def downgrade():
    with op.batch_alter_table("therapy_session", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("client_waiting_since", sa.DateTime(), nullable=True))
        batch_op.drop_column("client_sound_check")
        batch_op.drop_column("client_checked_at")
