"""Sets struck from the record by the therapist, with their reason

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stim_set", schema=None) as batch_op:
        batch_op.add_column(sa.Column("struck_at", sa.DateTime(), nullable=True))
        # EncryptedText (telehealth/vault.py) stores its tokens as text
        batch_op.add_column(sa.Column("struck_reason", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("stim_set", schema=None) as batch_op:
        batch_op.drop_column("struck_reason")
        batch_op.drop_column("struck_at")
