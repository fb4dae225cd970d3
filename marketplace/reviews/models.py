"""Reviews: only the customer of a completed order speaks, once; sellers reply; KIM moderates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.stores.models import Store

REPORT_REASONS = ("hinaan", "spam", "data_pribadi")


class Review(db.Model):
    """A rating of the store (1–5) for one completed order, with optional text and photo."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: the first name shown with the review (never the phone or the order's contents)
    author_name: Mapped[str] = mapped_column(String(60))
    #: the Asia/Jakarta day the order was placed, shown beside "pembeli terverifikasi"
    ordered_on: Mapped[date]
    rating: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    photo_thumb: Mapped[str | None] = mapped_column(String(80))
    photo_large: Mapped[str | None] = mapped_column(String(80))
    #: hidden by moderation: not shown and not counted in the averages
    hidden: Mapped[bool] = mapped_column(default=False, index=True)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    store: Mapped[Store] = relationship()
    products: Mapped[list[ProductRating]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ProductRating.id"
    )

    def can_be_moderated_by(self, user) -> bool:
        return bool(
            user and user.is_authenticated and user.can_moderate_kelurahan(self.store.kelurahan_id)
        )

    def is_managed_by(self, user) -> bool:
        """The store's seller may reply."""
        return self.store.is_managed_by(user)


class ProductRating(db.Model):
    """The rating of one product of the reviewed order."""

    __tablename__ = "product_ratings"
    __table_args__ = (
        UniqueConstraint("review_id", "product_id", name="uq_product_ratings_product"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int]

    review: Mapped[Review] = relationship(back_populates="products")
    product: Mapped[Product] = relationship()


class ReviewReport(db.Model):
    """A resident's report of a review (insult, spam, personal data) for the KIM's queue."""

    __tablename__ = "review_reports"
    __table_args__ = (
        CheckConstraint("reason IN ('hinaan', 'spam', 'data_pribadi')", name="reason_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    #: set when a moderator hides or keeps the review
    handled: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[Review] = relationship()


class ReviewModeration(db.Model):
    """Each hide or restore of a review: who, when, why."""

    __tablename__ = "review_moderations"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: "hide" or "restore"
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User] = relationship()
