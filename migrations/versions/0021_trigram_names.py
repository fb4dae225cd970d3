"""typo-tolerant product search on PostgreSQL: pg_trgm and a trigram index on product names

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 10:20:00

pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. The index
serves marketplace/catalog/search.py's ``similar_ids`` (the <% operator on lower(name)).
"""
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_products_name_trgm ON products USING gin (lower(name) gin_trgm_ops)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_products_name_trgm")
