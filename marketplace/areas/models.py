"""Kota Tangerang's kecamatan and kelurahan."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db


class Kecamatan(db.Model):
    __tablename__ = "kecamatan"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: Kemendagri area code, e.g. 36.71.09
    code: Mapped[str | None] = mapped_column(String(20))

    kelurahan: Mapped[list[Kelurahan]] = relationship(
        back_populates="kecamatan", order_by="Kelurahan.name"
    )


class Kelurahan(db.Model):
    __tablename__ = "kelurahan"

    id: Mapped[int] = mapped_column(primary_key=True)
    kecamatan_id: Mapped[int] = mapped_column(ForeignKey("kecamatan.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    postal_code: Mapped[str | None] = mapped_column(String(5))
    #: Kemendagri area code, e.g. 36.71.09.1005
    code: Mapped[str | None] = mapped_column(String(20), unique=True)

    kecamatan: Mapped[Kecamatan] = relationship(back_populates="kelurahan")

    @property
    def label(self) -> str:
        return f"{self.name}, {self.kecamatan.name}"
