"""Orders: one order belongs to exactly one store; lines keep what was bought at that moment."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.areas.models import Kelurahan
from marketplace.core.db import Rupiah, TimestampMixin, utcnow
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.stores.models import Store


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    ON_HOLD = "on_hold"
    NEW = "new"
    ACCEPTED = "accepted"
    READY = "ready"
    OUT_FOR_DELIVERY = "out_for_delivery"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Fulfilment(StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    #: to the store's own QRIS, the exact amount, confirmed by the seller
    QRIS = "qris"
    #: to the store's bank account, the amount with a unique code, confirmed by the seller
    TRANSFER = "transfer"


#: methods the seller confirms by hand when the money is in (payments.manual)
MANUAL_METHODS = (PaymentMethod.QRIS, PaymentMethod.TRANSFER)


OPEN_STATUSES = (
    OrderStatus.AWAITING_PAYMENT,
    OrderStatus.ON_HOLD,
    OrderStatus.NEW,
    OrderStatus.ACCEPTED,
    OrderStatus.READY,
    OrderStatus.OUT_FOR_DELIVERY,
)


class Order(TimestampMixin, db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("subtotal >= 0", name="subtotal_not_negative"),
        CheckConstraint("delivery_fee >= 0", name="delivery_fee_not_negative"),
        CheckConstraint("discount >= 0", name="discount_not_negative"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("total = subtotal + delivery_fee - discount", name="total_adds_up"),
        CheckConstraint("fulfilment IN ('pickup', 'delivery')", name="fulfilment_known"),
        CheckConstraint(
            "payment_method IN ('cash', 'card', 'qris', 'transfer')", name="payment_method_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the private, unguessable part of the order's link
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: the checkout token that placed this order: a second submission finds it instead
    checkout_token: Mapped[str] = mapped_column(String(64), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    customer_name: Mapped[str] = mapped_column(String(120))
    #: WhatsApp number normalised to 62…
    customer_phone: Mapped[str] = mapped_column(String(20))
    customer_email: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str] = mapped_column(Text, default="")
    fulfilment: Mapped[str] = mapped_column(String(10))
    #: pickup or delivery time (UTC)
    fulfil_at: Mapped[datetime]
    #: the Asia/Jakarta day of ``fulfil_at``: daily portions and capacity count on it
    fulfil_date: Mapped[date] = mapped_column(index=True)
    #: a pre-order picked up at the store's booth of this event (bazaar)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    delivery_address: Mapped[str] = mapped_column(String(255), default="")
    delivery_rt: Mapped[str] = mapped_column(String(3), default="")
    delivery_rw: Mapped[str] = mapped_column(String(3), default="")
    delivery_kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"))
    delivery_landmark: Mapped[str] = mapped_column(String(255), default="")
    payment_method: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), index=True)
    #: whole Rupiah, computed by the server from the database
    subtotal: Mapped[Rupiah]
    delivery_fee: Mapped[Rupiah] = mapped_column(default=0)
    discount: Mapped[Rupiah] = mapped_column(default=0)
    total: Mapped[Rupiah]
    #: an unpaid card, QRIS or transfer order expires at this time (UTC)
    expires_at: Mapped[datetime | None]
    #: (UTC) a new order left unanswered until then is rejected by the sweep: the answer time
    #: counts from when the store is next open, not from when the order was placed
    answer_by: Mapped[datetime | None] = mapped_column(index=True)
    #: reminders sent to the seller's phone while the order waits for an answer (5, 15 min)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    #: set once the taken stock has been given back, so it never happens twice
    stock_released: Mapped[bool] = mapped_column(default=False)
    reject_reason: Mapped[str | None] = mapped_column(Text)

    store: Mapped[Store] = relationship()
    customer: Mapped[User | None] = relationship()
    delivery_kelurahan: Mapped[Kelurahan | None] = relationship()
    event: Mapped[Event | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )
    notifications: Mapped[list[Notification]] = relationship(
        back_populates="order", order_by="Notification.id", cascade="all, delete-orphan"
    )

    def is_managed_by(self, user) -> bool:
        """The store's seller manages its orders."""
        return self.store.is_managed_by(user)

    def is_owned_by(self, user) -> bool:
        return bool(
            user
            and user.is_authenticated
            and self.customer_id is not None
            and self.customer_id == user.id
        )

    def quantities(self) -> dict[int, int]:
        """Units per product (lines of one product summed), for stock."""
        summed: dict[int, int] = {}
        for line in self.lines:
            if line.product_id is not None:
                summed[line.product_id] = summed.get(line.product_id, 0) + line.quantity
        return summed


class OrderLine(db.Model):
    """What was bought, copied at the time of the order: later edits never change it."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    product_name: Mapped[str] = mapped_column(String(120))
    #: the option ids chosen ("3,7"), to put the line back in a cart
    option_ids: Mapped[str] = mapped_column(String(200), default="")
    #: the options chosen, as shown: "Level 2, Tambah telur (+Rp3.000)"
    options_text: Mapped[str] = mapped_column(String(500), default="")
    #: price of one unit with its options, whole Rupiah
    unit_price: Mapped[Rupiah]
    quantity: Mapped[int]
    line_total: Mapped[Rupiah]

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderEvent(db.Model):
    """One row per status change: who, when, from, to, why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: who acted when there is no account: "pembeli", "sistem", "stripe"
    actor_label: Mapped[str] = mapped_column(String(40), default="")
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # in the outbox, to be delivered (again) by a task
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; the city admin may send it again
    MANUAL = "manual"  # a click-to-chat link the seller sends by hand: nothing to deliver


class Notification(db.Model):
    """The outbox: every message about an order (and account messages such as reset links),
    written in the transaction of the change that causes it and delivered after commit by a
    task, retried with backoff, once per row (the row is the delivery key)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    #: "email", or "whatsapp" (a click-to-chat link offered on the page)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    #: the event that caused it; one notification per event, channel and recipient
    event_id: Mapped[int | None] = mapped_column(ForeignKey("order_events.id"))
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: when a pending message is due (None: now)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order | None] = relationship(back_populates="notifications")

    @property
    def delivery_key(self) -> str:
        """One key per message and channel: a receiver that sees it twice drops the second."""
        return f"pkk-{self.id}-{self.channel}"


class CartLine(db.Model):
    """A signed-in customer's cart line (guests keep theirs in the session)."""

    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id", "option_ids", name="uq_cart_lines_item"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    #: chosen option ids, sorted, comma-separated ("" for none)
    option_ids: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[int]
    #: the unit price (with options) the customer saw when adding, to flag repricing
    unit_price_seen: Mapped[Rupiah]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
