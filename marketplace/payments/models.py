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


class ManualPayment(db.Model):
    """A QRIS or bank-transfer payment of one order, straight to the seller: what the buyer is
    asked to pay (written when the order is placed, so a later change of the store's QRIS or
    account never changes it), the buyer's word that they paid, and the seller's confirmation
    that the money is in."""

    __tablename__ = "manual_payments"
    __table_args__ = (
        CheckConstraint("method IN ('qris', 'transfer')", name="method_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("unique_code BETWEEN 0 AND 999", name="unique_code_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    #: whole Rupiah to pay: the order's total, plus the unique code of a transfer
    amount: Mapped[Rupiah]
    #: the last three digits that tell this transfer apart in the seller's bank mutations
    unique_code: Mapped[int] = mapped_column(default=0)
    #: the dynamic QRIS of this payment (exact amount), and the merchant it pays
    qris_payload: Mapped[str | None] = mapped_column(Text)
    merchant_name: Mapped[str] = mapped_column(String(25), default="")
    bank_name: Mapped[str] = mapped_column(String(40), default="")
    account_number: Mapped[str] = mapped_column(String(30), default="")
    account_holder: Mapped[str] = mapped_column(String(120), default="")
    #: the buyer said "saya sudah bayar" (optionally with a screenshot, private to the seller)
    claimed_at: Mapped[datetime | None]
    proof_thumb: Mapped[str | None] = mapped_column(String(80))
    proof_large: Mapped[str | None] = mapped_column(String(80))
    #: the seller saw the money in their account ("uang sudah masuk")
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship()

    @property
    def transfer_note(self) -> str:
        """What the buyer writes in the transfer's note (berita)."""
        return f"PKK {self.order_id}"
