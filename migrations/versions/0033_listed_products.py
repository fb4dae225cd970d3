"""listed products: the public listings read one flag through partial indexes instead of
joining every product to its store

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03 18:00:00

``products.listed`` is true for a product that is not hidden and whose store is verified
(catalog.services.refresh_listed keeps it so). The newest-first indexes of the listings cover
only listed products, so a page of /produk or a category walks its index and stops after a page
without a look at the stores. The names are listed in marketplace/core/schema.py
(migration-only objects).
"""
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

#: the same words as the queries (SQLAlchemy renders a bare boolean column so), or the planner
#: cannot prove that a partial index covers them
LISTED = {"postgresql": "listed", "sqlite": "listed = 1"}
VISIBLE = {"postgresql": "is_hidden IS false", "sqlite": "is_hidden IS 0"}
NEW_INDEXES = {
    "ix_products_listed_newest": "products (created_at DESC, id DESC)",
    "ix_products_listed_category_newest": "products (category_id, created_at DESC, id DESC)",
}
OLD_INDEXES = {
    "ix_products_newest": "products (created_at DESC, id DESC)",
    "ix_products_category_newest": "products (category_id, created_at DESC, id DESC)",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    false = "false" if dialect == "postgresql" else "0"
    # a plain ADD COLUMN: a batch rebuild of products would drop SQLite's full-text triggers
    op.execute(f"ALTER TABLE products ADD COLUMN listed BOOLEAN NOT NULL DEFAULT {false}")
    op.execute(
        f"UPDATE products SET listed = ({VISIBLE[dialect]} AND EXISTS (SELECT 1 FROM stores "
        "WHERE stores.id = products.store_id AND stores.status = 'verified'))"
    )
    for name, target in NEW_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target} WHERE {LISTED[dialect]}")
    for name in OLD_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade():
    dialect = op.get_bind().dialect.name
    for name, target in OLD_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target} WHERE {VISIBLE[dialect]}")
    for name in NEW_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("ALTER TABLE products DROP COLUMN listed")
