"""a kelurahan's listing walks one index: each product carries its store's kelurahan

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03 20:30:00

``products.kelurahan_id`` is a copy of its store's ``kelurahan_id`` written by the same rule
as ``listed`` (catalog.services.refresh_listed: when a product is added or hidden, when a
store's status changes and when a store moves to another kelurahan). The kelurahan page, the
kelurahan filter and the "near me" ranking read it without joining the stores, and the page
walks ``ix_products_listed_kelurahan_newest`` newest first instead of sorting every product of
the kelurahan's stores. The index is listed in marketplace/core/schema.py (migration-only).
"""
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

LISTED = {"postgresql": "listed", "sqlite": "listed = 1"}
INDEX = "ix_products_listed_kelurahan_newest"


def upgrade():
    dialect = op.get_bind().dialect.name
    # a plain ADD COLUMN: a batch rebuild of products would drop SQLite's full-text triggers
    op.execute("ALTER TABLE products ADD COLUMN kelurahan_id INTEGER")
    op.execute(
        "UPDATE products SET kelurahan_id = "
        "(SELECT stores.kelurahan_id FROM stores WHERE stores.id = products.store_id)"
    )
    op.execute(
        f"CREATE INDEX {INDEX} ON products (kelurahan_id, created_at DESC, id DESC) "
        f"WHERE {LISTED[dialect]}"
    )


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    op.execute("ALTER TABLE products DROP COLUMN kelurahan_id")
