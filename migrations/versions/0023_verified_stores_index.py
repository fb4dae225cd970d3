"""the newest verified stores (home page) walk an index instead of sorting every store

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 12:40:00
"""
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "CREATE INDEX ix_stores_verified_newest ON stores (verified_at DESC, id DESC) "
        "WHERE status = 'verified'"
    )


def downgrade():
    op.execute("DROP INDEX ix_stores_verified_newest")
