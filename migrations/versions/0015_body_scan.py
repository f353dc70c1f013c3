"""The body scan (phase 6) of a target in a session: its result (clear or a sensation
noticed), where and what a sensation was (encrypted), and when it was recorded

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    # EncryptedText (telehealth/vault.py) stores its tokens as text
    with op.batch_alter_table("session_target") as batch_op:
        batch_op.add_column(sa.Column("body_scan", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("body_scan_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("body_scan_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("session_target") as batch_op:
        batch_op.drop_column("body_scan_at")
        batch_op.drop_column("body_scan_note")
        batch_op.drop_column("body_scan")
