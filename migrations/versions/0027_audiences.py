"""Diskominfo → KIM → residents: who a city post is for (kelurahan targets), internal circulars
to KIM admins with read receipts, and relays of a city post by a KIM

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 13:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("announcements") as batch:
        batch.add_column(
            sa.Column("audience", sa.String(length=10), nullable=False, server_default="public")
        )
        batch.add_column(sa.Column("relayed_from_id", sa.Integer(), nullable=True))
        batch.create_check_constraint("audience_known", "audience IN ('public', 'kim')")
        batch.create_foreign_key(
            op.f("fk_announcements_relayed_from_id_announcements"),
            "announcements",
            ["relayed_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
        # a KIM relays a city post once (several relays of one post by one KIM would be noise)
        batch.create_unique_constraint(
            "uq_announcements_relay_once", ["relayed_from_id", "kim_group_id"]
        )
    op.create_table(
        "announcement_targets",
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("kelurahan_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_targets_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kelurahan_id"],
            ["kelurahan.id"],
            name=op.f("fk_announcement_targets_kelurahan_id_kelurahan"),
        ),
        sa.PrimaryKeyConstraint(
            "announcement_id", "kelurahan_id", name=op.f("pk_announcement_targets")
        ),
    )
    op.create_index(
        op.f("ix_announcement_targets_kelurahan_id"), "announcement_targets", ["kelurahan_id"]
    )
    op.create_table(
        "circular_reads",
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_circular_reads_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_circular_reads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("announcement_id", "user_id", name=op.f("pk_circular_reads")),
    )


def downgrade():
    op.drop_table("circular_reads")
    op.drop_index(op.f("ix_announcement_targets_kelurahan_id"), "announcement_targets")
    op.drop_table("announcement_targets")
    with op.batch_alter_table("announcements") as batch:
        batch.drop_constraint(op.f("uq_announcements_relay_once"), type_="unique")
        batch.drop_constraint(
            op.f("fk_announcements_relayed_from_id_announcements"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("ck_announcements_audience_known"), type_="check")
        batch.drop_column("relayed_from_id")
        batch.drop_column("audience")
