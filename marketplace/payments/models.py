"""Payments: one Stripe PaymentIntent per card order, and every webhook event seen once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Rupiah, TimestampMixin, utcnow
from marketplace.extensions import db
from marketplace.orders.models import Order


class PaymentStatus(StrEnum):
    STARTED = "started"
    REQUIRES_ACTION = "requires_action"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    FAILED = "failed"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    REVIEW = "review"


class Payment(TimestampMixin, db.Model):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(20), default="stripe")
    #: Stripe PaymentIntent id (pi_…)
    intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.STARTED)
    #: Stripe's amount in minor units (Rupiah × 100) and currency
    amount: Mapped[Rupiah]
    currency: Mapped[str] = mapped_column(String(3), default="idr")
    last_error: Mapped[str | None] = mapped_column(Text)
    #: the key of the PaymentIntent's create call, committed before the call is made: a retry
    #: replays it, and reconciliation searches Stripe for the intent by it
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: the card (PaymentMethod) of that call, so that a replay sends the same request
    payment_method_id: Mapped[str | None] = mapped_column(String(255))
    #: a call to Stripe under way ("create", "capture", "cancel", "refund"), written and
    #: committed before the call; cleared with its answer. Left behind by a crash, it is
    #: finished by reconciliation.
    pending_action: Mapped[str | None] = mapped_column(String(20))
    pending_since: Mapped[datetime | None]

    order: Mapped[Order] = relationship()


class StripeEvent(db.Model):
    """A webhook event already handled: stored in the same transaction as its effects."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
