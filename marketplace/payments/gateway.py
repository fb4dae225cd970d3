"""The payment's own state machine, and the money each order state calls for. Imports no
order service, so orders may call it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.books import services as books
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from marketplace.payments.models import Payment
from marketplace.payments.models import PaymentStatus as P

#: how a payment may move; anything else (a late or replayed event) leaves it as it is. A
#: captured payment is never downgraded by a later "canceled" or "failed" event.
MOVES: dict[str, set[str]] = {
    P.STARTED: {P.REQUIRES_ACTION, P.AUTHORIZED, P.CAPTURED, P.FAILED, P.CANCELED, P.REVIEW},
    P.REQUIRES_ACTION: {P.AUTHORIZED, P.CAPTURED, P.FAILED, P.CANCELED, P.REVIEW},
    P.FAILED: {P.CANCELED},
    P.AUTHORIZED: {P.CAPTURED, P.CANCELED},
    P.REVIEW: {P.AUTHORIZED, P.CAPTURED, P.CANCELED},
    P.CAPTURED: {P.REFUNDED},
    P.CANCELED: set(),
    P.REFUNDED: set(),
}

#: order states whose money is taken (the seller accepted) …
KEEP = (
    OrderStatus.ACCEPTED,
    OrderStatus.READY,
    OrderStatus.OUT_FOR_DELIVERY,
    OrderStatus.COMPLETED,
)
#: … and those whose money goes back
GIVE_BACK = (OrderStatus.REJECTED, OrderStatus.CANCELLED)

#: payment states in which Stripe may still hold an authorisation
UNCAPTURED = (P.STARTED, P.REQUIRES_ACTION, P.AUTHORIZED, P.REVIEW)


def set_status(payment: Payment, status: str) -> bool:
    """Move a payment along ``MOVES``; money captured or refunded reaches the books once.
    False when the move is not allowed (nothing changes)."""
    if status == payment.status:
        return True
    if status not in MOVES[payment.status]:
        return False
    payment.status = status
    book(payment.order.status, payment)
    return True


def book(order_status: str, payment: Payment) -> None:
    """Card money enters the books when it is captured *and* the order keeps it, and leaves
    them when refunded; an order rejected or cancelled never shows card income (posting is once
    per source, so calling again is harmless). The caller holds the payment's row lock."""
    if payment.status == P.CAPTURED and order_status in KEEP:
        books.post_card_capture(payment.order)
    elif payment.status == P.REFUNDED:
        books.post_card_refund(payment.order)


def action_for(order_status: str, payment: Payment) -> str | None:
    """The Stripe call that brings the money in line with the order, or None."""
    if payment.intent_id is None:
        return None
    if order_status in KEEP and payment.status == P.AUTHORIZED:
        return "capture"
    if order_status in GIVE_BACK:
        if payment.status in UNCAPTURED:
            return "cancel"
        if payment.status == P.CAPTURED:
            return "refund"
    return None


def idempotency_key(payment: Payment, action: str) -> str:
    """One key per intent and action: a retried call is the same call at Stripe."""
    return f"{payment.intent_id}-{action}"


def payment_of(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id))


def lock_payment(order_id: int) -> Payment | None:
    """The order's payment, row-locked and fresh. Lock order: the order row first, then this."""
    return db.session.scalar(
        select(Payment)
        .where(Payment.order_id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def check_capturable(order: Order) -> None:
    """A card order can be accepted once its payment is authorised (checked under the lock)."""
    if order.payment_method != PaymentMethod.CARD:
        return
    payment = lock_payment(order.id)
    if payment is None or payment.status not in (P.AUTHORIZED, P.CAPTURED):
        raise DomainError(_("Pembayaran kartu belum disetujui bank, pesanan belum bisa diterima."))
