"""Stores: where a seller sells (place), when they are open, and their verification."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.areas.models import Kelurahan
from marketplace.core.db import RatedMixin, Rupiah, TimestampMixin, utcnow
from marketplace.extensions import db


class StoreStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


#: "verified" as SQL text, not a bound parameter: a prepared statement's plan, made once without
#: its values, then still matches the partial indexes on verified (or unverified) stores
VERIFIED_SQL = literal_column(f"'{StoreStatus.VERIFIED.value}'")

#: what people read for each state of a store
STATUS_LABELS = {
    StoreStatus.PENDING: _l("Menunggu verifikasi"),
    StoreStatus.VERIFIED: _l("Terverifikasi"),
    StoreStatus.REJECTED: _l("Ditolak"),
}


class CredentialKind(StrEnum):
    NIB = "nib"
    PIRT = "pirt"
    HALAL = "halal"


store_delivery_kelurahan = Table(
    "store_delivery_kelurahan",
    db.metadata,
    Column("store_id", ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True),
    Column("kelurahan_id", ForeignKey("kelurahan.id"), primary_key=True),
)


class StoreRules:
    """Who manages a store and whether the public sees it: the same rules for the model and for
    a page's plain copy of a store (``catalog.product_page.StoreView``)."""

    owner_id: int
    assisted_by_id: int | None
    status: str
    kelurahan_id: int | None

    def is_managed_by(self, user) -> bool:
        """The owning seller manages a store; so does the KIM that opened it for a resident,
        until the resident claims it."""
        if not (user and user.is_authenticated):
            return False
        if user.id == self.owner_id:
            return True
        return (
            self.assisted_by_id is not None
            and user.is_kim_admin
            and user.kim_group_id == self.assisted_by_id
        )

    @property
    def is_public(self) -> bool:
        return self.status == StoreStatus.VERIFIED

    def can_be_verified_by(self, user) -> bool:
        return bool(
            user and user.is_authenticated and user.can_moderate_kelurahan(self.kelurahan_id)
        )

    def is_visible_to(self, user) -> bool:
        """Verified stores are public; others only to their owner and their moderators."""
        return (
            self.status == StoreStatus.VERIFIED
            or self.is_managed_by(user)
            or self.can_be_verified_by(user)
        )


class Store(StoreRules, RatedMixin, TimestampMixin, db.Model):
    __tablename__ = "stores"
    __table_args__ = (
        CheckConstraint("delivery_fee >= 0", name="delivery_fee_not_negative"),
        CheckConstraint("status IN ('pending', 'verified', 'rejected')", name="status_known"),
        CheckConstraint("offers_pickup OR offers_delivery", name="has_fulfilment"),
        CheckConstraint("daily_capacity IS NULL OR daily_capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "delivery_promo_fee IS NULL OR delivery_promo_fee >= 0", name="promo_fee_not_negative"
        ),
        # "open now" (hours.accepting_orders_clause) sets aside the few stores that cannot take
        # orders: each kind found by its own small index, not by reading every store
        Index(
            "ix_stores_unverified",
            "id",
            postgresql_where=text("status <> 'verified'"),
            sqlite_where=text("status <> 'verified'"),
        ),
        Index(
            "ix_stores_paused",
            "id",
            postgresql_where=text("is_paused"),
            sqlite_where=text("is_paused"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: a store a KIM opened for a resident who is not online yet: that KIM's admins manage it
    #: until the resident claims it (kim.assisted)
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("kim_groups.id"))
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    story: Mapped[str] = mapped_column(Text, default="")
    logo_thumb: Mapped[str | None] = mapped_column(String(80))
    logo_large: Mapped[str | None] = mapped_column(String(80))
    #: WhatsApp number normalised to 62…
    whatsapp: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(255))
    rt: Mapped[str] = mapped_column(String(3))
    rw: Mapped[str] = mapped_column(String(3))
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    #: landmark or stall note: "Blok B no. 12, dekat masjid"
    landmark: Mapped[str] = mapped_column(String(255), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    offers_pickup: Mapped[bool] = mapped_column(default=True)
    offers_delivery: Mapped[bool] = mapped_column(default=False)
    #: flat delivery fee in whole Rupiah
    delivery_fee: Mapped[Rupiah] = mapped_column(default=0)
    #: RW numbers served in the store's own kelurahan, "01,02,05"; empty means all
    delivery_rws: Mapped[str] = mapped_column(String(120), default="")
    #: above this subtotal (whole Rupiah) delivery costs ``delivery_promo_fee`` (0 = free)
    delivery_promo_min: Mapped[Rupiah | None]
    delivery_promo_fee: Mapped[Rupiah | None]
    #: payment methods the store accepts for each way of fulfilment
    cash_on_pickup: Mapped[bool] = mapped_column(default=True)
    card_on_pickup: Mapped[bool] = mapped_column(default=True)
    cash_on_delivery: Mapped[bool] = mapped_column(default=True)
    card_on_delivery: Mapped[bool] = mapped_column(default=True)
    #: the store's own static QRIS sticker (EMVCo payload, checked by payments.qris) and what it
    #: says: buyers pay the exact amount of an order to it from any bank or e-wallet app
    qris_payload: Mapped[str | None] = mapped_column(Text)
    qris_merchant_name: Mapped[str] = mapped_column(String(25), default="")
    qris_nmid: Mapped[str] = mapped_column(String(20), default="")
    qris_issuer: Mapped[str] = mapped_column(String(40), default="")
    accepts_qris: Mapped[bool] = mapped_column(default=False)
    #: the bank account buyers may transfer to (amount with a unique code)
    bank_name: Mapped[str] = mapped_column(String(40), default="")
    bank_account_number: Mapped[str] = mapped_column(String(30), default="")
    bank_account_holder: Mapped[str] = mapped_column(String(120), default="")
    accepts_transfer: Mapped[bool] = mapped_column(default=False)
    #: most orders the store takes for one day (None: no limit)
    daily_capacity: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), default=StoreStatus.PENDING, index=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None]
    is_paused: Mapped[bool] = mapped_column(default=False)
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    #: when a pause ends by itself (UTC); None means until the seller resumes
    paused_until: Mapped[datetime | None]

    owner: Mapped[User] = relationship()
    kelurahan: Mapped[Kelurahan] = relationship()
    periods: Mapped[list[OpeningPeriod]] = relationship(
        back_populates="store",
        order_by="(OpeningPeriod.weekday, OpeningPeriod.opens_at)",
        cascade="all, delete-orphan",
    )
    credentials: Mapped[list[StoreCredential]] = relationship(
        back_populates="store", order_by="StoreCredential.kind", cascade="all, delete-orphan"
    )
    delivery_kelurahan: Mapped[list[Kelurahan]] = relationship(
        secondary=store_delivery_kelurahan, order_by="Kelurahan.name"
    )
    closed_dates: Mapped[list[StoreClosedDate]] = relationship(
        back_populates="store", order_by="StoreClosedDate.day", cascade="all, delete-orphan"
    )
    verification_events: Mapped[list[StoreVerificationEvent]] = relationship(
        back_populates="store",
        order_by="StoreVerificationEvent.id",
        cascade="all, delete-orphan",
    )

    def delivery_fee_for(self, subtotal: int) -> int:
        """The delivery fee for an order of ``subtotal``: cheaper or free above the promo spend."""
        if self.delivery_promo_min is not None and subtotal >= self.delivery_promo_min:
            return min(self.delivery_promo_fee or 0, self.delivery_fee)
        return self.delivery_fee

    def accepts(self, fulfilment: str, method: str) -> bool:
        """Whether the store takes ``method`` (cash/card for the way chosen; QRIS or transfer
        for both) for ``fulfilment`` (pickup/delivery)."""
        if fulfilment == "pickup" and not self.offers_pickup:
            return False
        if fulfilment == "delivery" and not self.offers_delivery:
            return False
        if method == "qris":
            return self.takes_qris
        if method == "transfer":
            return self.takes_transfer
        return bool(getattr(self, f"{method}_on_{fulfilment}", False))

    @property
    def takes_qris(self) -> bool:
        return bool(self.accepts_qris and self.qris_payload)

    @property
    def takes_transfer(self) -> bool:
        return bool(self.accepts_transfer and self.bank_account_number)

    @property
    def delivery_rw_list(self) -> list[str]:
        return [rw for rw in self.delivery_rws.split(",") if rw]


class OpeningPeriod(db.Model):
    """An opening period on a weekday (0 = Monday); closing ≤ opening runs past midnight."""

    __tablename__ = "opening_periods"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens_at != closes_at", name="not_empty"),
        # "open now" (listings, search) reads one weekday's periods, from the index alone on
        # PostgreSQL (it carries the closing time and the store)
        Index(
            "ix_opening_periods_weekday_opens",
            "weekday",
            "opens_at",
            postgresql_include=["closes_at", "store_id"],
        ),
        # ... and yesterday's that run past midnight, a few among every store's periods (also
        # from the index alone: without the store, a prepared statement's plan preferred
        # reading the whole weekday from the index above)
        Index(
            "ix_opening_periods_overnight",
            "weekday",
            "closes_at",
            postgresql_where=text("closes_at <= opens_at"),
            sqlite_where=text("closes_at <= opens_at"),
            postgresql_include=["store_id"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    opens_at: Mapped[time]
    closes_at: Mapped[time]

    store: Mapped[Store] = relationship(back_populates="periods")

    @property
    def crosses_midnight(self) -> bool:
        return self.closes_at <= self.opens_at


class StoreClosedDate(db.Model):
    """A day the store is closed whatever its weekly hours say (holidays, family events)."""

    __tablename__ = "store_closed_dates"
    __table_args__ = (
        UniqueConstraint("store_id", "day", name="uq_store_closed_dates_store_day"),
        # "open now" sets aside the stores closed on a date: that date's few rows, not a probe
        # per opening period
        Index("ix_store_closed_dates_day", "day", "store_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    note: Mapped[str] = mapped_column(String(120), default="")

    store: Mapped[Store] = relationship(back_populates="closed_dates")


class CredentialRules:
    """When a permit (NIB, PIRT, halal certificate) counts: for the model and for a page's plain
    copy of one (``stores.storefront``)."""

    expires_on: date | None

    def is_valid_on(self, day: date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class StoreCredential(CredentialRules, db.Model):
    __tablename__ = "store_credentials"
    __table_args__ = (
        UniqueConstraint("store_id", "kind", name="uq_store_credentials_store_kind"),
        CheckConstraint("kind IN ('nib', 'pirt', 'halal')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(60))
    expires_on: Mapped[date | None]

    store: Mapped[Store] = relationship(back_populates="credentials")


class StoreVerificationEvent(db.Model):
    """An audit row for every verification step: who, when, from, to, why."""

    __tablename__ = "store_verification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship(back_populates="verification_events")
    actor: Mapped[User | None] = relationship()
