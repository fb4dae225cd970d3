"""'open now' sets aside the stores that cannot take orders by two small partial indexes, and
reads a weekday's opening periods from their index alone on PostgreSQL

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-04 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

UNVERIFIED = sa.text("status <> 'verified'")
PAUSED = sa.text("is_paused")


def _periods_index(**include) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no covering indexes: its index stays as it is
    op.drop_index("ix_opening_periods_weekday_opens", table_name="opening_periods")
    op.create_index(
        "ix_opening_periods_weekday_opens", "opening_periods", ["weekday", "opens_at"], **include
    )


def upgrade():
    for name, where in (("ix_stores_unverified", UNVERIFIED), ("ix_stores_paused", PAUSED)):
        op.create_index(name, "stores", ["id"], postgresql_where=where, sqlite_where=where)
    _periods_index(postgresql_include=["closes_at", "store_id"])


def downgrade():
    _periods_index()
    op.drop_index("ix_stores_paused", table_name="stores")
    op.drop_index("ix_stores_unverified", table_name="stores")
