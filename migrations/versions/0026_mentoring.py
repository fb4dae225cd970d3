"""pendampingan UMKM: the KIM's visits and advice to a store, confirmed by its seller

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 13:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

TOPICS = "topic IN ('produk', 'harga', 'tempat', 'promosi', 'pembukuan', 'perizinan')"


def upgrade():
    op.create_table(
        "mentoring_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("next_step", sa.String(length=300), nullable=False),
        sa.Column("next_step_on", sa.Date(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(TOPICS, name=op.f("ck_mentoring_visits_topic_known")),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_mentoring_visits_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["users.id"], name=op.f("fk_mentoring_visits_mentor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentoring_visits")),
    )
    op.create_index(op.f("ix_mentoring_visits_store_id"), "mentoring_visits", ["store_id"])


def downgrade():
    op.drop_index(op.f("ix_mentoring_visits_store_id"), "mentoring_visits")
    op.drop_table("mentoring_visits")
