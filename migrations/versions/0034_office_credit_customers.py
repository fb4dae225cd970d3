"""an office's invoices are its own receivable: credit customers of a store are a person (by
phone) or an office (by institution), never one row for both

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03 20:00:00

Before, a delivered office order opened (or reused) the store's kasbon customer with the office's
phone: a person whose number the office gave took its invoices on their own kasbon, renamed and
with a raised limit. Rows whose every debt is an office invoice become that office's row; a row
that mixes both stays the person's (its past invoices keep their debts and payments), and the
office's next invoice opens the office's own row.
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

PERSON = "institution_id IS NULL"
OFFICE = "institution_id IS NOT NULL"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


@contextmanager
def _foreign_keys_off():
    """SQLite rebuilds the table to drop its unique constraint: with foreign keys on, dropping
    the old copy would delete the debts that reference it (ON DELETE CASCADE)."""
    if not _sqlite():
        yield
        return
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")


def _where(condition: str) -> dict:
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def upgrade():
    with _foreign_keys_off():
        with op.batch_alter_table("credit_customers") as batch:
            batch.add_column(sa.Column("institution_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                op.f("fk_credit_customers_institution_id_institutions"),
                "institutions",
                ["institution_id"],
                ["id"],
            )
            batch.drop_constraint("uq_credit_customers_phone", type_="unique")
    # rows that only ever held office invoices belong to that office
    op.execute(
        """
        UPDATE credit_customers SET institution_id = (
            SELECT MIN(bulk_orders.institution_id)
            FROM debts
            JOIN bulk_shares ON bulk_shares.debt_id = debts.id
            JOIN bulk_orders ON bulk_orders.id = bulk_shares.bulk_order_id
            WHERE debts.customer_id = credit_customers.id
        )
        WHERE EXISTS (
            SELECT 1 FROM debts JOIN bulk_shares ON bulk_shares.debt_id = debts.id
            WHERE debts.customer_id = credit_customers.id
        )
        AND NOT EXISTS (
            SELECT 1 FROM debts
            WHERE debts.customer_id = credit_customers.id
            AND NOT EXISTS (SELECT 1 FROM bulk_shares WHERE bulk_shares.debt_id = debts.id)
        )
        """
    )
    op.create_index(
        "uq_credit_customers_phone",
        "credit_customers",
        ["store_id", "phone"],
        unique=True,
        **_where(PERSON),
    )
    op.create_index(
        "uq_credit_customers_institution",
        "credit_customers",
        ["store_id", "institution_id"],
        unique=True,
        **_where(OFFICE),
    )


def downgrade():
    op.drop_index("uq_credit_customers_institution", table_name="credit_customers")
    op.drop_index("uq_credit_customers_phone", table_name="credit_customers")
    with _foreign_keys_off():
        with op.batch_alter_table("credit_customers") as batch:
            batch.drop_constraint(
                op.f("fk_credit_customers_institution_id_institutions"), type_="foreignkey"
            )
            batch.drop_column("institution_id")
            # a person and an office with the same phone cannot both stay: the downgrade
            # refuses rather than merge their books
            batch.create_unique_constraint("uq_credit_customers_phone", ["store_id", "phone"])
