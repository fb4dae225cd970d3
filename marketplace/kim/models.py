"""KIM (Kelompok Informasi Masyarakat) groups and the offices their members hold."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.areas.models import Kelurahan
from marketplace.core.db import TimestampMixin
from marketplace.extensions import db


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
