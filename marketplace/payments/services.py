"""Card payments: start a PaymentIntent for an order, and bring the order in line with Stripe —
from the browser's return, from a webhook or from reconciliation, through the same function."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError
from marketplace.core.money import STRIPE_CURRENCY, to_stripe_amount
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from marketplace.payments import stripe_client
from marketplace.payments.gateway import idempotency_key, payment_of, set_status
from marketplace.payments.models import Payment, PaymentStatus, StripeEvent

STRIPE = "stripe"


def _lock(order: Order) -> Order:
    return db.session.scalar(select(Order).where(Order.id == order.id).with_for_update())


def payment_page_secret(order: Order) -> str:
    """A SetupIntent client secret for the pay page's card form."""
    if order.status != OrderStatus.AWAITING_PAYMENT or order.payment_method != PaymentMethod.CARD:
        raise DomainError(_("Pesanan ini tidak menunggu pembayaran kartu."))
    return stripe_client.create_setup_intent()["client_secret"]


def pay_with_method(order: Order, payment_method_id: str) -> dict:
    """Authorise the order's total on the card (manual capture); one PaymentIntent per order."""
    order = _lock(order)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return {"status": order.status}
    if not payment_method_id or len(payment_method_id) > 255:
        raise DomainError(_("Data kartu tidak lengkap. Coba lagi."))
    payment = payment_of(order)
    if payment is None:
        payment = Payment(
            order_id=order.id,
            amount=to_stripe_amount(order.total),
            currency=STRIPE_CURRENCY,
            status=PaymentStatus.STARTED,
        )
        db.session.add(payment)
        db.session.flush()
    if payment.intent_id:
        intent = stripe_client.retrieve_payment_intent(payment.intent_id)
    else:
        try:
            intent = stripe_client.create_payment_intent(
                payment.amount,
                payment.currency,
                payment_method_id,
                idempotency_key=idempotency_key(order, "payment-intent"),
                metadata={"order_id": str(order.id)},
            )
        except stripe_client.CardError as error:
            payment.last_error = (error.user_message or str(error))[:500]
            set_status(payment, PaymentStatus.FAILED)
            orders.cancel_unpaid(order, _("Kartu ditolak: %(why)s", why=payment.last_error), STRIPE)
            return {"status": "failed", "message": payment.last_error}
        payment.intent_id = intent["id"]
    sync_intent(payment, intent)
    result = {"status": order.status, "intent_status": intent.get("status")}
    if intent.get("status") == "requires_action":
        result["client_secret"] = intent["client_secret"]
    return result


def record_decline(order: Order, message: str) -> bool:
    """The bank declined the card in the browser (Stripe.js): cancel the unpaid order."""
    order = _lock(order)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return False
    reason = _("Kartu ditolak: %(why)s", why=(message or _("ditolak bank"))[:200])
    orders.cancel_unpaid(order, reason, STRIPE)
    return True


def sync_intent(payment: Payment, intent: dict) -> None:
    """Apply what Stripe says of the PaymentIntent to the payment and its order (idempotent)."""
    order = payment.order
    status = intent.get("status")
    if status in ("requires_capture", "succeeded"):
        if intent.get("amount") != payment.amount or intent.get("currency") != payment.currency:
            payment.last_error = _(
                "Jumlah dari Stripe (%(got)s %(cur)s) tidak sama dengan pesanan (%(want)s).",
                got=intent.get("amount"),
                cur=intent.get("currency"),
                want=payment.amount,
            )
            set_status(payment, PaymentStatus.REVIEW)
            if order.status == OrderStatus.AWAITING_PAYMENT:
                orders.hold_for_review(order, payment.last_error, STRIPE)
            return
        new = PaymentStatus.CAPTURED if status == "succeeded" else PaymentStatus.AUTHORIZED
        set_status(payment, new)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            orders.mark_paid(order, STRIPE)
    elif status == "requires_action":
        set_status(payment, PaymentStatus.REQUIRES_ACTION)
    elif status in ("requires_payment_method", "canceled"):
        failed = set_status(
            payment, PaymentStatus.FAILED if status != "canceled" else PaymentStatus.CANCELED
        )
        if failed and order.status == OrderStatus.AWAITING_PAYMENT:
            error = (intent.get("last_payment_error") or {}).get("message") or status
            orders.cancel_unpaid(order, _("Pembayaran gagal: %(why)s", why=error), STRIPE)
    db.session.flush()


def refresh_from_stripe(order: Order) -> None:
    """The browser came back from paying: ask Stripe, never trust the redirect alone."""
    payment = payment_of(order)
    if payment is None or payment.intent_id is None:
        return
    sync_intent(payment, stripe_client.retrieve_payment_intent(payment.intent_id))


def _intent_event(obj: dict) -> None:
    payment = db.session.scalar(select(Payment).where(Payment.intent_id == obj.get("id")))
    if payment is not None:  # events for other intents (other systems, tests) are ignored
        sync_intent(payment, obj)


def _refund_event(obj: dict) -> None:
    payment = db.session.scalar(
        select(Payment).where(Payment.intent_id == obj.get("payment_intent"))
    )
    if payment is not None and obj.get("refunded"):
        set_status(payment, PaymentStatus.REFUNDED)


HANDLERS = {
    "payment_intent.succeeded": _intent_event,
    "payment_intent.amount_capturable_updated": _intent_event,
    "payment_intent.payment_failed": _intent_event,
    "payment_intent.canceled": _intent_event,
    "payment_intent.requires_action": _intent_event,
    "charge.refunded": _refund_event,
}


def handle_event(event: dict) -> bool:
    """Record the event id and apply it, in one transaction; False for an unknown type.

    A replayed event fails on the event table's primary key and the caller rolls back, so a
    duplicate changes nothing, even when two arrive at once.
    """
    db.session.add(StripeEvent(id=event["id"], type=event.get("type", "")))
    db.session.flush()
    handler = HANDLERS.get(event.get("type", ""))
    if handler is None:
        return False
    handler(event["data"]["object"])
    return True


def reconcile(minutes: int) -> int:
    """For orders waiting on payment longer than ``minutes``, ask Stripe (lost webhooks)."""
    cutoff = utcnow() - timedelta(minutes=minutes)
    waiting = db.session.scalars(
        select(Payment)
        .join(Order)
        .where(
            Order.status == OrderStatus.AWAITING_PAYMENT,
            Order.created_at <= cutoff,
            Payment.intent_id.is_not(None),
        )
    )
    count = 0
    for payment in list(waiting):
        sync_intent(payment, stripe_client.retrieve_payment_intent(payment.intent_id))
        count += 1
    return count
