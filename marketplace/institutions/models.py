"""Offices that buy from local UMKM (instansi): government offices, kelurahan, schools and
companies ordering snack boxes and lunches for meetings (konsumsi rapat), split over one or
several stores of a kelurahan, paid on terms against a per-store invoice."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.areas.models import Kelurahan
from marketplace.books.models import Debt
from marketplace.core.db import Rupiah, TimestampMixin, utcnow
from marketplace.extensions import db
from marketplace.stores.models import Store


class InstitutionKind(StrEnum):
    GOVERNMENT = "pemerintah"
    KELURAHAN = "kelurahan"
    SCHOOL = "sekolah"
    COMPANY = "perusahaan"
    OTHER = "lainnya"


class Institution(TimestampMixin, db.Model):
    """An office that orders for its meetings; verified by the city or the KIM of its
    kelurahan before it may order on payment terms."""

    __tablename__ = "institutions"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('pemerintah', 'kelurahan', 'sekolah', 'perusahaan', 'lainnya')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(255))
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    #: tax number (15 or 16 digits), optional; printed on invoices when given
    npwp: Mapped[str] = mapped_column(String(16), default="")
    #: WhatsApp number of the office's contact (normalised to 62…): invoices and reminders
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    kelurahan: Mapped[Kelurahan] = relationship()
    members: Mapped[list[InstitutionMember]] = relationship(
        back_populates="institution",
        order_by="InstitutionMember.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def has_member(self, user) -> bool:
        return bool(
            user
            and getattr(user, "is_authenticated", False)
            and any(m.user_id == user.id for m in self.members)
        )

    def is_admin(self, user) -> bool:
        return bool(
            user
            and getattr(user, "is_authenticated", False)
            and any(m.user_id == user.id and m.is_admin for m in self.members)
        )


class InstitutionMember(db.Model):
    """A person allowed to order for the office (the one who registered it administers it)."""

    __tablename__ = "institution_members"
    __table_args__ = (
        UniqueConstraint("institution_id", "user_id", name="uq_institution_members_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Institution] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class BulkStatus(StrEnum):
    #: sent to the stores, waiting for their quotations
    REQUESTED = "requested"
    #: purchase order issued to every store that quoted
    ORDERED = "ordered"
    #: every share delivered (invoices issued)
    DELIVERED = "delivered"
    #: every invoice paid
    PAID = "paid"
    CANCELLED = "cancelled"


class BulkOrder(TimestampMixin, db.Model):
    """An office's order of boxes or portions for one delivery, in shares per store."""

    __tablename__ = "bulk_orders"
    __table_args__ = (
        CheckConstraint("boxes > 0", name="boxes_positive"),
        CheckConstraint("budget_per_box > 0", name="budget_positive"),
        CheckConstraint("terms_days IN (0, 7, 14, 30)", name="terms_known"),
        CheckConstraint(
            "status IN ('requested', 'ordered', 'delivered', 'paid', 'cancelled')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: what it is for: "Rapat koordinasi Musrenbang"
    title: Mapped[str] = mapped_column(String(160))
    #: delivery time (UTC) and its Asia/Jakarta day (capacity counts per day)
    deliver_at: Mapped[datetime]
    deliver_date: Mapped[date] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(String(255))
    #: the kelurahan whose stores are asked (the delivery place's)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    boxes: Mapped[int]
    #: whole Rupiah per box the office may spend
    budget_per_box: Mapped[Rupiah]
    halal: Mapped[bool] = mapped_column(default=True)
    vegetarian: Mapped[bool] = mapped_column(default=False)
    no_msg: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: days after delivery the office pays each invoice (0 = on delivery)
    terms_days: Mapped[int] = mapped_column(default=14)
    status: Mapped[str] = mapped_column(String(12), default=BulkStatus.REQUESTED, index=True)
    ordered_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    institution: Mapped[Institution] = relationship()
    kelurahan: Mapped[Kelurahan] = relationship()
    shares: Mapped[list[BulkShare]] = relationship(
        back_populates="bulk_order", order_by="BulkShare.id", cascade="all, delete-orphan"
    )

    @property
    def number(self) -> str:
        return f"PI-{self.id:05d}"

    @property
    def total(self) -> int:
        return sum(s.amount for s in self.shares if s.status not in ShareStatus.gone())


class ShareStatus(StrEnum):
    #: asked to quote
    INVITED = "invited"
    #: the store confirmed it can make its share that day, at its price per box
    QUOTED = "quoted"
    DECLINED = "declined"
    #: the office's purchase order
    ORDERED = "ordered"
    #: delivered, invoiced; the amount is the store's receivable until paid
    DELIVERED = "delivered"
    PAID = "paid"
    CANCELLED = "cancelled"

    @classmethod
    def gone(cls) -> tuple[str, ...]:
        return (cls.DECLINED, cls.CANCELLED)

    @classmethod
    def holding_capacity(cls) -> tuple[str, ...]:
        """Shares that take the store's boxes for their day."""
        return (cls.QUOTED, cls.ORDERED, cls.DELIVERED, cls.PAID)


class BulkShare(TimestampMixin, db.Model):
    """One store's part of a bulk order: its boxes, its quotation, its purchase order, its
    delivery and its invoice (a receivable in the store's books until the office pays)."""

    __tablename__ = "bulk_shares"
    __table_args__ = (
        UniqueConstraint("bulk_order_id", "store_id", name="uq_bulk_shares_store"),
        CheckConstraint("boxes > 0", name="boxes_positive"),
        CheckConstraint("price_per_box IS NULL OR price_per_box > 0", name="price_positive"),
        CheckConstraint(
            "status IN ('invited', 'quoted', 'declined', 'ordered', 'delivered', 'paid',"
            " 'cancelled')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bulk_order_id: Mapped[int] = mapped_column(
        ForeignKey("bulk_orders.id", ondelete="CASCADE"), index=True
    )
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    boxes: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default=ShareStatus.INVITED, index=True)
    #: the store's quotation: whole Rupiah per box (within the office's budget)
    price_per_box: Mapped[Rupiah | None]
    #: what the store says it can make that day, in boxes, all its office orders together
    day_capacity: Mapped[int | None]
    menu: Mapped[str] = mapped_column(Text, default="")
    decline_reason: Mapped[str | None] = mapped_column(Text)
    quoted_at: Mapped[datetime | None]
    ordered_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    #: the invoice's due day (delivery day + the order's terms) and its receivable
    due_on: Mapped[date | None]
    debt_id: Mapped[int | None] = mapped_column(ForeignKey("debts.id"), unique=True)
    #: the office says it transferred (reference, when); the store confirms the money in
    office_paid_at: Mapped[datetime | None]
    office_reference: Mapped[str] = mapped_column(String(120), default="")
    paid_at: Mapped[datetime | None]
    #: payment reminders sent for this invoice (before the due day, then overdue)
    reminders_sent: Mapped[int] = mapped_column(default=0)

    bulk_order: Mapped[BulkOrder] = relationship(back_populates="shares")
    store: Mapped[Store] = relationship()
    debt: Mapped[Debt | None] = relationship()

    @property
    def amount(self) -> int:
        return (self.price_per_box or 0) * self.boxes

    @property
    def po_number(self) -> str:
        return f"PO-{self.bulk_order_id:05d}-{self.id}"

    @property
    def invoice_number(self) -> str:
        return f"INV-{self.bulk_order_id:05d}-{self.id}"

    def is_managed_by(self, user) -> bool:
        return self.store.is_managed_by(user)
