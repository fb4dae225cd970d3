"""the listings sorted by price walk a partial index of the listed products instead of sorting
the whole catalogue

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-05 10:40:00

A migration-only object, as the other listing indexes (its name is in
marketplace/core/schema.py). Migration 0038 left the price out: a listing filtered by price in
another order, planned once for any prices (a prepared statement), walked the price range
instead of its own order's index. Such a listing is now planned for each request's prices
(catalog.services._Shape.planned_with_values).
"""

from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

LISTED = {"postgresql": "listed", "sqlite": "listed = 1"}


def upgrade():
    dialect = op.get_bind().dialect.name
    op.execute(
        f"CREATE INDEX ix_products_listed_price ON products (price, id) WHERE {LISTED[dialect]}"
    )


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_products_listed_price")
