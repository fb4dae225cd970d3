"""QRIS and bank transfer: the store's static QRIS and bank account, the manual payment of an
order, and the new payment methods and sales channels

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 15:00:00
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

STORE_COLUMNS = [
    ("qris_payload", "TEXT", sa.Text(), None),
    ("qris_merchant_name", "VARCHAR(25)", sa.String(25), "''"),
    ("qris_nmid", "VARCHAR(20)", sa.String(20), "''"),
    ("qris_issuer", "VARCHAR(40)", sa.String(40), "''"),
    ("accepts_qris", "BOOLEAN", sa.Boolean(), "0"),
    ("bank_name", "VARCHAR(40)", sa.String(40), "''"),
    ("bank_account_number", "VARCHAR(30)", sa.String(30), "''"),
    ("bank_account_holder", "VARCHAR(120)", sa.String(120), "''"),
    ("accepts_transfer", "BOOLEAN", sa.Boolean(), "0"),
]
METHODS_OLD = "payment_method IN ('cash', 'card')"
METHODS_NEW = "payment_method IN ('cash', 'card', 'qris', 'transfer')"
CHANNELS_OLD = "channel IN ('online_kartu', 'online_tunai', 'di_tempat', '')"
CHANNELS_NEW = (
    "channel IN ('online_kartu', 'online_tunai', 'online_qris', 'online_transfer', 'di_tempat', '')"
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


@contextmanager
def _foreign_keys_off():
    """SQLite rebuilds a table to change a CHECK: with foreign keys on, dropping the old copy
    of ``orders`` would delete the rows that reference it (ON DELETE CASCADE)."""
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


def _checks(methods: str, channels: str, channel_length: int) -> None:
    with _foreign_keys_off():
        with op.batch_alter_table("orders") as batch:
            batch.drop_constraint(op.f("ck_orders_payment_method_known"), type_="check")
            batch.create_check_constraint("payment_method_known", methods)
        with op.batch_alter_table("cash_entries") as batch:
            batch.drop_constraint(op.f("ck_cash_entries_channel_known"), type_="check")
            batch.alter_column("channel", type_=sa.String(channel_length))
            batch.create_check_constraint("channel_known", channels)


def upgrade():
    for name, sql_type, type_, default in STORE_COLUMNS:
        if _sqlite():
            # a batch copy of ``stores`` would lose the full-text triggers of 0002
            suffix = f" NOT NULL DEFAULT {default}" if default is not None else ""
            op.execute(f"ALTER TABLE stores ADD COLUMN {name} {sql_type}{suffix}")
        else:
            server_default = None
            if default is not None:
                server_default = sa.false() if isinstance(type_, sa.Boolean) else ""
            op.add_column(
                "stores",
                sa.Column(name, type_, nullable=default is None, server_default=server_default),
            )
    _checks(METHODS_NEW, CHANNELS_NEW, 16)
    op.create_table(
        "manual_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unique_code", sa.Integer(), nullable=False),
        sa.Column("qris_payload", sa.Text(), nullable=True),
        sa.Column("merchant_name", sa.String(length=25), nullable=False),
        sa.Column("bank_name", sa.String(length=40), nullable=False),
        sa.Column("account_number", sa.String(length=30), nullable=False),
        sa.Column("account_holder", sa.String(length=120), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("proof_thumb", sa.String(length=80), nullable=True),
        sa.Column("proof_large", sa.String(length=80), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "method IN ('qris', 'transfer')", name=op.f("ck_manual_payments_method_known")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_manual_payments_amount_positive")),
        sa.CheckConstraint(
            "unique_code BETWEEN 0 AND 999", name=op.f("ck_manual_payments_unique_code_range")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_manual_payments_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_manual_payments_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["users.id"], name=op.f("fk_manual_payments_confirmed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_payments")),
        sa.UniqueConstraint("order_id", name=op.f("uq_manual_payments_order_id")),
    )
    op.create_index(op.f("ix_manual_payments_store_id"), "manual_payments", ["store_id"])


def downgrade():
    op.drop_index(op.f("ix_manual_payments_store_id"), "manual_payments")
    op.drop_table("manual_payments")
    _checks(METHODS_OLD, CHANNELS_OLD, 14)
    for name, *_rest in reversed(STORE_COLUMNS):
        if _sqlite():
            op.execute(f"ALTER TABLE stores DROP COLUMN {name}")
        else:
            op.drop_column("stores", name)
