"""assisted onboarding: a store a KIM opened for a resident, and the single-use link that hands
it over

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 13:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # a batch copy of the table would lose the full-text triggers of 0002: SQLite adds the
        # column (and its reference) in place
        op.execute(
            "ALTER TABLE stores ADD COLUMN assisted_by_id INTEGER "
            "CONSTRAINT fk_stores_assisted_by_id_kim_groups REFERENCES kim_groups (id)"
        )
    else:
        with op.batch_alter_table("stores") as batch:
            batch.add_column(sa.Column("assisted_by_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                op.f("fk_stores_assisted_by_id_kim_groups"),
                "kim_groups",
                ["assisted_by_id"],
                ["id"],
            )
    op.create_table(
        "store_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_store_claims_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_store_claims_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_claims")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_store_claims_token_hash")),
    )
    op.create_index(op.f("ix_store_claims_store_id"), "store_claims", ["store_id"])


def downgrade():
    op.drop_index(op.f("ix_store_claims_store_id"), "store_claims")
    op.drop_table("store_claims")
    with op.batch_alter_table("stores") as batch:
        batch.drop_constraint(op.f("fk_stores_assisted_by_id_kim_groups"), type_="foreignkey")
        batch.drop_column("assisted_by_id")
