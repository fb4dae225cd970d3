"""hoax clarifications (claim, verdict, sources), corrections (ralat) kept as history, reports
answered by a clarification

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('berita', 'acara', 'pelatihan', 'program')"
KINDS_AFTER = "kind IN ('berita', 'acara', 'pelatihan', 'program', 'klarifikasi')"
VERDICTS = (
    "verdict IS NULL OR verdict IN "
    "('hoaks', 'disinformasi', 'misinformasi', 'benar', 'belum_terbukti')"
)


def upgrade():
    with op.batch_alter_table("announcements") as batch:
        batch.drop_constraint(op.f("ck_announcements_kind_known"), type_="check")
        batch.create_check_constraint("kind_known", KINDS_AFTER)
        batch.add_column(sa.Column("claim", sa.Text(), nullable=True))
        batch.add_column(sa.Column("claim_thumb", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("claim_large", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("verdict", sa.String(length=20), nullable=True))
        batch.create_check_constraint("verdict_known", VERDICTS)
    op.create_table(
        "announcement_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=160), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_sources_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_sources")),
    )
    op.create_index(
        op.f("ix_announcement_sources_announcement_id"), "announcement_sources", ["announcement_id"]
    )
    op.create_table(
        "announcement_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("previous_summary", sa.String(length=300), nullable=False),
        sa.Column("previous_body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_corrections_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["announcement_reports.id"],
            name=op.f("fk_announcement_corrections_report_id_announcement_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_announcement_corrections_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_corrections")),
    )
    op.create_index(
        op.f("ix_announcement_corrections_announcement_id"),
        "announcement_corrections",
        ["announcement_id"],
    )
    with op.batch_alter_table("announcement_reports") as batch:
        batch.add_column(sa.Column("clarification_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_announcement_reports_clarification_id_announcements"),
            "announcements",
            ["clarification_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("announcement_reports") as batch:
        batch.drop_constraint(
            op.f("fk_announcement_reports_clarification_id_announcements"), type_="foreignkey"
        )
        batch.drop_column("clarification_id")
    op.drop_index(op.f("ix_announcement_corrections_announcement_id"), "announcement_corrections")
    op.drop_table("announcement_corrections")
    op.drop_index(op.f("ix_announcement_sources_announcement_id"), "announcement_sources")
    op.drop_table("announcement_sources")
    with op.batch_alter_table("announcements") as batch:
        batch.drop_constraint(op.f("ck_announcements_verdict_known"), type_="check")
        batch.drop_column("verdict")
        batch.drop_column("claim_large")
        batch.drop_column("claim_thumb")
        batch.drop_column("claim")
        batch.drop_constraint(op.f("ck_announcements_kind_known"), type_="check")
        batch.create_check_constraint("kind_known", KINDS_BEFORE)
