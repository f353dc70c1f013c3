"""The client's screen: staff display names, the client's language and screening, the
therapist's connection watched like the client's

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=80), nullable=True))
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
        batch_op.add_column(sa.Column("screening", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("screened_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("therapy_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("therapist_connected_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("therapist_left_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("screening_seen_at", sa.DateTime(), nullable=True))
        batch_op.create_index(
            "ix_therapy_session_therapist_left_at", ["therapist_left_at"], unique=False
        )
    with op.batch_alter_table("stim_set", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_paused_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("stim_set", schema=None) as batch_op:
        batch_op.drop_column("client_paused_at")
    with op.batch_alter_table("therapy_session", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_session_therapist_left_at")
        batch_op.drop_column("screening_seen_at")
        batch_op.drop_column("therapist_left_at")
        batch_op.drop_column("therapist_connected_at")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("screened_at")
        batch_op.drop_column("screening")
        batch_op.drop_column("language")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("display_name")
