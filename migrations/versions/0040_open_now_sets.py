"""'open now' sets aside the stores closed on a date by that date's rows, and reads yesterday's
periods that run past midnight from their index alone on PostgreSQL

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

OVERNIGHT = sa.text("closes_at <= opens_at")


def _overnight_index(**include) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no covering indexes: its index stays as it is
    op.drop_index("ix_opening_periods_overnight", table_name="opening_periods")
    op.create_index(
        "ix_opening_periods_overnight",
        "opening_periods",
        ["weekday", "closes_at"],
        postgresql_where=OVERNIGHT,
        **include,
    )


def upgrade():
    op.create_index("ix_store_closed_dates_day", "store_closed_dates", ["day", "store_id"])
    _overnight_index(postgresql_include=["store_id"])


def downgrade():
    _overnight_index()
    op.drop_index("ix_store_closed_dates_day", table_name="store_closed_dates")
