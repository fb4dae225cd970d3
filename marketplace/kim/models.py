"""KIM (Kelompok Informasi Masyarakat) groups and the offices their members hold."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.areas.models import Kelurahan
from marketplace.core.db import TimestampMixin, utcnow
from marketplace.extensions import db
from marketplace.stores.models import Store


class Office(StrEnum):
    """Offices of the KIM guideline."""

    PENASEHAT = "penasehat"
    KETUA = "ketua"
    SEKRETARIS = "sekretaris"
    BENDAHARA = "bendahara"
    KOORDINATOR_PENGOLAHAN = "koordinator_pengolahan"
    KOORDINATOR_PENYEBARAN = "koordinator_penyebaran"
    ANGGOTA = "anggota"


class KimGroup(TimestampMixin, db.Model):
    __tablename__ = "kim_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    kelurahan: Mapped[Kelurahan] = relationship()
    members: Mapped[list[KimMember]] = relationship(
        back_populates="group", order_by="KimMember.id", cascade="all, delete-orphan"
    )


class KimMember(db.Model):
    __tablename__ = "kim_members"
    __table_args__ = (
        CheckConstraint(
            "office IN ('penasehat', 'ketua', 'sekretaris', 'bendahara', "
            "'koordinator_pengolahan', 'koordinator_penyebaran', 'anggota')",
            name="office_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kim_group_id: Mapped[int] = mapped_column(ForeignKey("kim_groups.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    office: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    group: Mapped[KimGroup] = relationship(back_populates="members")


class FeaturedSlot(db.Model):
    """A store shown as "UMKM unggulan" on the home page (city-wide) or its kelurahan page."""

    __tablename__ = "featured_slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("position BETWEEN 1 AND 99", name="position_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    #: None: the home page (city admin); otherwise the kelurahan page and the home page list
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    headline: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=1)
    #: UTC window; the slot disappears by itself at ``ends_at``
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    store: Mapped[Store] = relationship()
    kelurahan: Mapped[Kelurahan | None] = relationship()


class FeaturedSlotLog(db.Model):
    """Every change to featured slots: who, when, what."""

    __tablename__ = "featured_slot_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("featured_slots.id", ondelete="SET NULL")
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User] = relationship()
