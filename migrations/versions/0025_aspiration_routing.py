"""Suara Warga routed: the office a KIM forwarded an aspiration to, and when

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 13:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

TARGETS = (
    "forwarded_to IS NULL OR forwarded_to IN "
    "('kelurahan', 'kecamatan', 'dinas_koperasi_ukm', 'dinas_perdagangan', 'diskominfo', 'lainnya')"
)


def upgrade():
    with op.batch_alter_table("aspirations") as batch:
        batch.add_column(sa.Column("forwarded_to", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("forwarded_at", sa.DateTime(), nullable=True))
        batch.create_check_constraint("forward_target_known", TARGETS)


def downgrade():
    with op.batch_alter_table("aspirations") as batch:
        batch.drop_constraint(op.f("ck_aspirations_forward_target_known"), type_="check")
        batch.drop_column("forwarded_at")
        batch.drop_column("forwarded_to")
