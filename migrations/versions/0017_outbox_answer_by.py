"""outbox delivery state on notifications, answer deadline on orders

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('status', sa.String(length=10), nullable=False, server_default='sent')
        )
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(), nullable=True))
        batch_op.alter_column('order_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index('ix_notifications_due', ['status', 'next_attempt_at'], unique=False)
    # What was recorded before the outbox was sent at once (e-mail) or offered as a link
    op.execute("UPDATE notifications SET status = 'manual' WHERE channel = 'whatsapp'")
    op.execute("UPDATE notifications SET sent_at = created_at WHERE status = 'sent'")
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_by', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_answer_by'), ['answer_by'], unique=False)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_answer_by'))
        batch_op.drop_column('answer_by')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_due')
        batch_op.drop_column('sent_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')
