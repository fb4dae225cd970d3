"""listing indexes in the pages' sort order; stored search vectors on PostgreSQL

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 10:10:00

The newest-first listings (home, all products, a category) walk an index in their sort order and
stop after a page instead of sorting every product. On PostgreSQL the search documents become
stored generated columns: ranking reads the stored tsvector instead of building it again for every
match. The names are listed in marketplace/core/schema.py (migration-only objects), and
marketplace/catalog/search.py reads the columns.
"""
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

#: the same words as the queries (SQLAlchemy's ``is_(False)``), or the planner cannot prove that
#: a partial index covers them
VISIBLE = {"postgresql": "is_hidden IS false", "sqlite": "is_hidden IS 0"}
LISTING_INDEXES = {
    "ix_products_newest": "products (created_at DESC, id DESC)",
    "ix_products_category_newest": "products (category_id, created_at DESC, id DESC)",
    "ix_products_store_newest": "products (store_id, created_at DESC, id DESC)",
}
VECTORS = {
    "products": (
        "setweight(to_tsvector('indonesian', coalesce(name, '')), 'A') || "
        "setweight(to_tsvector('indonesian', coalesce(description, '')), 'B')"
    ),
    "stores": (
        "setweight(to_tsvector('indonesian', coalesce(name, '')), 'A') || "
        "setweight(to_tsvector('indonesian', coalesce(story, '')), 'B')"
    ),
}


def upgrade():
    dialect = op.get_bind().dialect.name
    for name, target in LISTING_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target} WHERE {VISIBLE[dialect]}")
    if dialect == "postgresql":
        for table, expression in VECTORS.items():
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                f"GENERATED ALWAYS AS ({expression}) STORED"
            )
            op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table, expression in VECTORS.items():
            op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (({expression}))")
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
    for name in LISTING_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
