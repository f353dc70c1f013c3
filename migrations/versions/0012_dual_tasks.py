"""EMDR 2.0 dual-attention tasks (the therapist's own prompts, the task of the room and of each
set), the after-set question and what the client noticed in a set

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # EncryptedText (telehealth/vault.py) stores its tokens as text
    op.create_table(
        "dual_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["therapist_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dual_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dual_task_therapist_id"), ["therapist_id"])
    with op.batch_alter_table("therapy_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dual_task", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("ask_after_set", sa.String(length=3), nullable=True))
    with op.batch_alter_table("stim_set", schema=None) as batch_op:
        batch_op.add_column(sa.Column("task", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("noticed", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("stim_set", schema=None) as batch_op:
        batch_op.drop_column("noticed")
        batch_op.drop_column("task")
    with op.batch_alter_table("therapy_session", schema=None) as batch_op:
        batch_op.drop_column("ask_after_set")
        batch_op.drop_column("dual_task")
    with op.batch_alter_table("dual_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dual_task_therapist_id"))
    op.drop_table("dual_task")
