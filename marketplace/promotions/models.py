"""Promotions (price and promotion): discount codes, their redemptions, campaigns, followers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.areas.models import Kelurahan
from marketplace.core.db import Rupiah, TimestampMixin, utcnow
from marketplace.extensions import db
from marketplace.stores.models import Store


class DiscountKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class DiscountCode(TimestampMixin, db.Model):
    __tablename__ = "discount_codes"
    __table_args__ = (
        UniqueConstraint("store_id", "code", name="uq_discount_codes_store_code"),
        UniqueConstraint("campaign_id", "code", name="uq_discount_codes_campaign_code"),
        CheckConstraint("(store_id IS NULL) <> (campaign_id IS NULL)", name="store_or_campaign"),
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
    #: a store's own code; None for a campaign code
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), index=True
    )
    #: a campaign code, valid at every store that joined the campaign
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    #: what customers type, kept upper-case
    code: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(10))
    #: percent (1–100) or whole Rupiah off
    value: Mapped[Rupiah]
    #: whole Rupiah the subtotal must reach
    min_spend: Mapped[Rupiah] = mapped_column(default=0)
    #: cap on a percent discount, whole Rupiah
    max_discount: Mapped[Rupiah | None]
    #: valid from / until (UTC); None means no bound
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    total_limit: Mapped[int | None]
    per_customer_limit: Mapped[int | None]
    used_count: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    store: Mapped[Store | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship(back_populates="codes")

    @property
    def is_used_up(self) -> bool:
        return self.total_limit is not None and self.used_count >= self.total_limit

    def is_managed_by(self, user) -> bool:
        if self.campaign is not None:
            return self.campaign.is_managed_by(user)
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
    amount: Mapped[Rupiah]
    released: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    code: Mapped[DiscountCode] = relationship()


class CodeUse(db.Model):
    """How often one customer (a WhatsApp number, or an account) used a code: raised by one
    guarded statement under the per-customer limit, so concurrent checkouts cannot pass it."""

    __tablename__ = "code_uses"
    __table_args__ = (CheckConstraint("used >= 0", name="used_not_negative"),)

    code_id: Mapped[int] = mapped_column(
        ForeignKey("discount_codes.id", ondelete="CASCADE"), primary_key=True
    )
    #: "p<phone>" or "u<user id>"
    customer_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    used: Mapped[int] = mapped_column(default=0)


class StoreFollow(db.Model):
    """A customer follows a store to see its pre-orders and news on their page."""

    __tablename__ = "store_follows"
    __table_args__ = (UniqueConstraint("user_id", "store_id", name="uq_store_follows_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship()


class Campaign(TimestampMixin, db.Model):
    """A promotion run by a KIM or the city ("Festival Kuliner Uwung Jaya"): stores join it."""

    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organising KIM; None when the city runs it
    kim_group_id: Mapped[int | None] = mapped_column(ForeignKey("kim_groups.id"), index=True)
    #: stores of this kelurahan may join; None means the whole city
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    #: UTC window of the campaign
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    kelurahan: Mapped[Kelurahan | None] = relationship()
    members: Mapped[list[CampaignStore]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignStore.id"
    )
    codes: Mapped[list[DiscountCode]] = relationship(
        back_populates="campaign", order_by="DiscountCode.id"
    )

    def is_managed_by(self, user) -> bool:
        return bool(user and user.is_authenticated and user.acts_for_group(self.kim_group_id))

    def is_running(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


class CampaignStore(db.Model):
    """A store taking part in a campaign."""

    __tablename__ = "campaign_stores"
    __table_args__ = (UniqueConstraint("campaign_id", "store_id", name="uq_campaign_stores_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="members")
    store: Mapped[Store] = relationship()
