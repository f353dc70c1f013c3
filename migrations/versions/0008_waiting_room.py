"""The optional waiting room: the session's switch, who waits, which links are let in

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("therapy_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("waiting_room", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("client_waiting_since", sa.DateTime(), nullable=True))
    with op.batch_alter_table("join_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admitted_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("join_link", schema=None) as batch_op:
        batch_op.drop_column("admitted_at")
    with op.batch_alter_table("therapy_session", schema=None) as batch_op:
        batch_op.drop_column("client_waiting_since")
        batch_op.drop_column("waiting_room")
