"""Money movements the order life cycle needs: capture on acceptance, void or refund on
rejection, cancellation and expiry. Imports no order service, so orders may call it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.books import services as books
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments import stripe_client
from marketplace.payments.models import Payment, PaymentStatus

#: how far a payment's status has come; an event never moves it backwards
RANK = {
    PaymentStatus.STARTED: 0,
    PaymentStatus.REQUIRES_ACTION: 1,
    PaymentStatus.FAILED: 2,
    PaymentStatus.AUTHORIZED: 3,
    PaymentStatus.REVIEW: 3,
    PaymentStatus.CAPTURED: 4,
    PaymentStatus.CANCELED: 5,
    PaymentStatus.REFUNDED: 6,
}

VOIDABLE = (
    PaymentStatus.STARTED,
    PaymentStatus.REQUIRES_ACTION,
    PaymentStatus.AUTHORIZED,
    PaymentStatus.REVIEW,
)


def idempotency_key(order: Order, action: str) -> str:
    """Derived from the order (id and private token): a retry of the same action is one action."""
    return f"order-{order.id}-{order.token[:12]}-{action}"


def set_status(payment: Payment, status: str) -> bool:
    """Move a payment forward (never back); money captured or refunded reaches the books once."""
    if RANK[status] < RANK[payment.status]:
        return False
    moved = payment.status != status
    payment.status = status
    if moved and status == PaymentStatus.CAPTURED:
        books.post_card_capture(payment.order)
    elif moved and status == PaymentStatus.REFUNDED:
        books.post_card_refund(payment.order)
    return True


def payment_of(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id))


def capture_for(order: Order) -> None:
    """Capture the authorised card payment when the seller accepts (manual capture)."""
    payment = payment_of(order)
    if payment is None or payment.intent_id is None:
        raise DomainError(_("Pembayaran kartu untuk pesanan ini belum ada."))
    if payment.status == PaymentStatus.CAPTURED:
        return
    if payment.status != PaymentStatus.AUTHORIZED:
        raise DomainError(_("Pembayaran kartu belum disetujui bank, pesanan belum bisa diterima."))
    try:
        stripe_client.capture_payment_intent(payment.intent_id, idempotency_key(order, "capture"))
    except stripe_client.StripeError as exc:
        raise DomainError(
            _("Pembayaran tidak dapat ditarik: %(error)s", error=exc.user_message or "Stripe")
        ) from exc
    set_status(payment, PaymentStatus.CAPTURED)
    db.session.flush()


def release_for(order: Order) -> None:
    """Void an authorisation, or refund in full what was captured (same step as the status)."""
    payment = payment_of(order)
    if payment is None or payment.intent_id is None:
        return
    try:
        if payment.status in VOIDABLE:
            stripe_client.cancel_payment_intent(payment.intent_id)
            set_status(payment, PaymentStatus.CANCELED)
        elif payment.status == PaymentStatus.CAPTURED:
            stripe_client.refund_payment_intent(payment.intent_id, idempotency_key(order, "refund"))
            set_status(payment, PaymentStatus.REFUNDED)
    except stripe_client.StripeError as exc:
        # The intent may already be gone (expired, failed): keep the order's step, note why.
        payment.last_error = str(exc)[:500]
    db.session.flush()
