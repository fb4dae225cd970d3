"""Promotions (price and promotion): store discount codes and their redemptions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import TimestampMixin, utcnow
from marketplace.extensions import db
from marketplace.stores.models import Store


class DiscountKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class DiscountCode(TimestampMixin, db.Model):
    __tablename__ = "discount_codes"
    __table_args__ = (
        UniqueConstraint("store_id", "code", name="uq_discount_codes_store_code"),
        CheckConstraint("kind IN ('percent', 'fixed')", name="kind_known"),
        CheckConstraint(
            "(kind = 'percent' AND value BETWEEN 1 AND 100) OR (kind = 'fixed' AND value > 0)",
            name="value_range",
        ),
        CheckConstraint("min_spend >= 0", name="min_spend_not_negative"),
        CheckConstraint("max_discount IS NULL OR max_discount > 0", name="max_positive"),
        CheckConstraint("used_count >= 0", name="used_not_negative"),
        CheckConstraint(
            "total_limit IS NULL OR used_count <= total_limit", name="within_total_limit"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    #: what customers type, kept upper-case
    code: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(10))
    #: percent (1–100) or whole Rupiah off
    value: Mapped[int]
    #: whole Rupiah the subtotal must reach
    min_spend: Mapped[int] = mapped_column(default=0)
    #: cap on a percent discount, whole Rupiah
    max_discount: Mapped[int | None]
    #: valid from / until (UTC); None means no bound
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    total_limit: Mapped[int | None]
    per_customer_limit: Mapped[int | None]
    used_count: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    store: Mapped[Store] = relationship()

    def is_managed_by(self, user) -> bool:
        return self.store.is_managed_by(user)


class Redemption(db.Model):
    """A code used by an order; released (and counted back) if the order is cancelled unpaid."""

    __tablename__ = "redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("discount_codes.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    #: who used it: "u<user id>" or "p<phone>" for guests
    customer_key: Mapped[str] = mapped_column(String(40), index=True)
    #: whole Rupiah taken off the order
    amount: Mapped[int]
    released: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    code: Mapped[DiscountCode] = relationship()


class StoreFollow(db.Model):
    """A customer follows a store to see its pre-orders and news on their page."""

    __tablename__ = "store_follows"
    __table_args__ = (UniqueConstraint("user_id", "store_id", name="uq_store_follows_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship()
