"""the listings' name and best-rated orders walk a partial index of the listed products instead
of sorting the whole catalogue

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-04 17:40:00

Migration-only objects, as the newest-first indexes of 0033 (their names are in
marketplace/core/schema.py). The best-rated expression is written as the listing writes it
(catalog.services.rating_order), or the planner cannot use the index. No index on the price: a
search filtered by price, planned once for any words and prices (a prepared statement), then
walked the price range instead of the words' matches, five times slower.
"""

from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

LISTED = {"postgresql": "listed", "sqlite": "listed = 1"}
INDEXES = {
    "ix_products_listed_name": "products (name, id)",
    "ix_products_listed_rating": (
        "products ((CASE WHEN (rating_count > 0) THEN (rating_sum * 1000) / rating_count "
        "ELSE 0 END) DESC, rating_count DESC, id)"
    ),
}


#: SQLite's reflection cannot read an index on an expression (and its catalogues are small)
POSTGRESQL_ONLY = {"ix_products_listed_rating"}


def upgrade():
    dialect = op.get_bind().dialect.name
    for name, target in INDEXES.items():
        if dialect == "postgresql" or name not in POSTGRESQL_ONLY:
            op.execute(f"CREATE INDEX {name} ON {target} WHERE {LISTED[dialect]}")


def downgrade():
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
