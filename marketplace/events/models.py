"""Events (bazaar and exhibitions): a place, days and opening times; stores apply for a booth."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.areas.models import Kelurahan
from marketplace.core.db import TimestampMixin, utcnow
from marketplace.extensions import db
from marketplace.stores.models import Store


class BoothStatus(StrEnum):
    PENDING = "pending"
    WAITLISTED = "waitlisted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: applications that hold (or wait for) one of the quota's booths
HOLDING = (BoothStatus.PENDING, BoothStatus.ACCEPTED)


class Event(TimestampMixin, db.Model):
    """A bazaar or exhibition organised by a KIM (or the city)."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("closes_at > opens_at", name="closes_after_open"),
        CheckConstraint("booth_quota BETWEEN 1 AND 500", name="quota_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organising KIM; None when the city organises it
    kim_group_id: Mapped[int | None] = mapped_column(ForeignKey("kim_groups.id"), index=True)
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    #: where the booths stand: the pickup point of the event's pre-orders
    place: Mapped[str] = mapped_column(String(200))
    #: days in Asia/Jakarta, and the daily opening times (Asia/Jakarta wall clock)
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date] = mapped_column(index=True)
    opens_at: Mapped[time]
    closes_at: Mapped[time]
    booth_quota: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    kelurahan: Mapped[Kelurahan | None] = relationship()
    applications: Mapped[list[BoothApplication]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="BoothApplication.id"
    )

    def is_managed_by(self, user) -> bool:
        return bool(user and user.is_authenticated and user.acts_for_group(self.kim_group_id))

    def is_over(self, today: date) -> bool:
        return today > self.ends_on


class BoothApplication(db.Model):
    """A store's request for a booth: pending, waitlisted (quota full), accepted, ..."""

    __tablename__ = "booth_applications"
    __table_args__ = (
        UniqueConstraint("event_id", "store_id", name="uq_booth_applications_store"),
        CheckConstraint(
            "status IN ('pending', 'waitlisted', 'accepted', 'rejected', 'withdrawn')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    #: why the KIM turned it down, shown to the seller
    note: Mapped[str] = mapped_column(Text, default="")
    #: when it (last) entered the queue: the waitlist moves up in this order
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship(back_populates="applications")
    store: Mapped[Store] = relationship()

    def is_managed_by(self, user) -> bool:
        """The store's seller manages the application (to withdraw it)."""
        return self.store.is_managed_by(user)
