"""a kelurahan's page reads its verified stores by name from one index

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-06 07:30:00

A migration-only object, as the other listing indexes (its name is in
marketplace/core/schema.py). A kelurahan's page lists its verified stores by name
(stores.refs._in_kelurahan_statement): they were found by ix_stores_kelurahan_id, read from
the table (a block each) and sorted, 0.26 ms for the 44 stores of Uwung Jaya at 5,000 stores;
walked in order from this index, with the slug beside the name (PostgreSQL reads no table
block), 0.09 ms.
"""

from alembic import op

revision = "0050"
down_revision = "0049"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite has no INCLUDE: it reads the slug from the table, a few rows
    slug = " INCLUDE (slug)" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(
        "CREATE INDEX ix_stores_verified_kelurahan_name ON stores (kelurahan_id, name, id)"
        f"{slug} WHERE status = 'verified'"
    )


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_stores_verified_kelurahan_name")
