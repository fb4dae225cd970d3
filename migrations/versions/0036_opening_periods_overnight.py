"""'open now' finds yesterday's periods that run past midnight by a partial index

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-04 14:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

OVERNIGHT = sa.text("closes_at <= opens_at")


def upgrade():
    op.create_index(
        "ix_opening_periods_overnight",
        "opening_periods",
        ["weekday", "closes_at"],
        postgresql_where=OVERNIGHT,
        sqlite_where=OVERNIGHT,
    )


def downgrade():
    op.drop_index("ix_opening_periods_overnight", table_name="opening_periods")
