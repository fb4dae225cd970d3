"""money as bigint, payment recovery points, code uses

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 22:02:19.790354

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

#: whole-Rupiah columns (and Stripe's minor units): 64-bit. SQLite's INTEGER already is, so
#: only PostgreSQL changes (rebuilding SQLite tables would drop the search triggers).
MONEY = {
    'cart_lines': ['unit_price_seen'],
    'cash_entries': ['amount'],
    'credit_customers': ['credit_limit'],
    'debt_payments': ['amount'],
    'debts': ['amount'],
    'discount_codes': ['value', 'min_spend', 'max_discount'],
    'ledger_entries': ['amount'],
    'options': ['extra_price'],
    'order_lines': ['unit_price', 'line_total'],
    'orders': ['subtotal', 'delivery_fee', 'discount', 'total'],
    'payments': ['amount'],
    'products': ['price', 'sale_price'],
    'redemptions': ['amount'],
    'stores': ['delivery_fee', 'delivery_promo_min', 'delivery_promo_fee'],
}


def _money_type(type_):
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, columns in MONEY.items():
        for column in columns:
            op.alter_column(table, column, type_=type_)


def upgrade():
    op.create_table('code_uses',
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('customer_key', sa.String(length=40), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.CheckConstraint('used >= 0', name=op.f('ck_code_uses_used_not_negative')),
    sa.ForeignKeyConstraint(['code_id'], ['discount_codes.id'], name=op.f('fk_code_uses_code_id_discount_codes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_id', 'customer_key', name=op.f('pk_code_uses'))
    )
    # Uses so far, per code and customer, from the redemptions not given back.
    op.execute(
        "INSERT INTO code_uses (code_id, customer_key, used) "
        "SELECT code_id, customer_key, COUNT(*) FROM redemptions "
        "WHERE NOT released GROUP BY code_id, customer_key"
    )
    _money_type(sa.BigInteger())
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('payment_method_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('pending_action', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('pending_since', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_payments_idempotency_key'), ['idempotency_key'])


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_payments_idempotency_key'), type_='unique')
        batch_op.drop_column('pending_since')
        batch_op.drop_column('pending_action')
        batch_op.drop_column('payment_method_id')
        batch_op.drop_column('idempotency_key')
    _money_type(sa.Integer())
    op.drop_table('code_uses')
