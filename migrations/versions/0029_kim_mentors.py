"""members a KIM appoints as mentors (pendamping UMKM)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 13:35:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "kim_members",
        sa.Column("is_mentor", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    with op.batch_alter_table("kim_members") as batch:
        batch.drop_column("is_mentor")
