"""'open now' reads the periods of one weekday by index instead of scanning every store's week

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 18:20:00
"""

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_opening_periods_weekday_opens", "opening_periods", ["weekday", "opens_at"])


def downgrade():
    op.drop_index("ix_opening_periods_weekday_opens", table_name="opening_periods")
