"""Card payments: start a PaymentIntent for an order, settle the money as the order moves, and
bring the order in line with Stripe — from the browser's return, from a webhook or from
reconciliation, through the same function.

Every call to Stripe follows recovery points: what is about to be done is written and
committed first (the payment row with its idempotency key, or ``pending_action``), then Stripe
is called, then its answer is committed. A crash between two steps leaves a row that says what
was under way, and ``reconcile`` finishes it. These functions therefore own their transactions.
Locks are always taken order row first, then payment row.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError
from marketplace.core.jobs import periodic, task
from marketplace.core.money import STRIPE_CURRENCY, to_stripe_amount
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from marketplace.payments import stripe_client
from marketplace.payments.gateway import (
    GIVE_BACK,
    KEEP,
    UNCAPTURED,
    action_for,
    book,
    idempotency_key,
    lock_payment,
    payment_of,
    set_status,
)
from marketplace.payments.models import Payment, PaymentStatus, StripeEvent

STRIPE = "stripe"
#: a call written down longer ago than this was lost (a crash): reconciliation takes it over
STALE_CALL = timedelta(minutes=2)
PAYMENT_METHOD_RE = re.compile(r"^pm_[A-Za-z0-9_]{1,250}$")


def _lock_order(order_id: int) -> Order:
    return orders.lock_order(order_id)


def payment_page_secret(order: Order) -> str:
    """A SetupIntent client secret for the pay page's card form."""
    if order.status != OrderStatus.AWAITING_PAYMENT or order.payment_method != PaymentMethod.CARD:
        raise DomainError(_("Pesanan ini tidak menunggu pembayaran kartu."))
    return stripe_client.create_setup_intent()["client_secret"]


def _card_declined(payment: Payment, error: stripe_client.CardError) -> dict:
    """Record a decline (payment failed, order cancelled, stock back) under the locks."""
    order = _lock_order(payment.order_id)
    payment = lock_payment(order.id)
    payment.pending_action = None
    payment.last_error = _("Kartu ditolak bank.")
    intent_id = getattr(getattr(error, "error", None), "payment_intent", None)
    if payment.intent_id is None and isinstance(intent_id, dict | str):
        payment.intent_id = intent_id["id"] if isinstance(intent_id, dict) else intent_id
    set_status(payment, PaymentStatus.FAILED)
    if order.status == OrderStatus.AWAITING_PAYMENT:
        orders.cancel_unpaid(order, payment.last_error, STRIPE)
    db.session.commit()
    return {"status": "failed", "message": payment.last_error}


def pay_with_method(order: Order, payment_method_id: str) -> dict:
    """Authorise the order's total on the card (manual capture); one PaymentIntent per order.

    The payment row, its idempotency key and the card are committed before Stripe is called: a
    retry (or reconciliation) replays the same request, so a lost answer never makes a second
    intent, and a retry with another card still gets the first attempt's result.
    """
    if not isinstance(payment_method_id, str) or not PAYMENT_METHOD_RE.match(payment_method_id):
        raise DomainError(_("Data kartu tidak lengkap. Coba lagi."))
    order = _lock_order(order.id)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        db.session.commit()
        return {"status": order.status}
    payment = lock_payment(order.id)
    if payment is None:
        key = f"pay-{order.id}-{secrets.token_urlsafe(12)}"
        payment = Payment(
            order_id=order.id,
            amount=to_stripe_amount(order.total),
            currency=STRIPE_CURRENCY,
            status=PaymentStatus.STARTED,
            idempotency_key=key,
            payment_method_id=payment_method_id,
            pending_action="create",
            pending_since=utcnow(),
        )
        db.session.add(payment)
    db.session.commit()  # recovery point: the attempt is on record before Stripe hears of it
    if payment.intent_id:
        intent = stripe_client.retrieve_payment_intent(payment.intent_id)
    elif payment.status != PaymentStatus.STARTED:
        return {"status": "failed", "message": payment.last_error or _("Pembayaran gagal.")}
    else:
        try:
            intent = stripe_client.create_payment_intent(
                payment.amount,
                payment.currency,
                payment.payment_method_id,
                idempotency_key=payment.idempotency_key,
                metadata={"order_id": str(order.id), "payment_key": payment.idempotency_key},
            )
        except stripe_client.CardError as error:
            return _card_declined(payment, error)
    apply_intent(order.id, intent)
    db.session.commit()
    result = {"status": order.status, "intent_status": intent.get("status")}
    if intent.get("status") == "requires_action":
        result["client_secret"] = intent["client_secret"]
    return result


def record_decline(order: Order) -> bool:
    """The bank declined the card in the browser (Stripe.js): cancel the unpaid order."""
    order = _lock_order(order.id)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return False
    orders.cancel_unpaid(order, _("Kartu ditolak bank."), STRIPE)
    return True


def apply_intent(order_id: int, intent: dict) -> None:
    """Lock the order and its payment, then apply what Stripe says of the intent."""
    _lock_order(order_id)
    payment = lock_payment(order_id)
    if payment is None:
        return
    if payment.intent_id is None:
        payment.intent_id = intent["id"]
    if payment.intent_id != intent.get("id"):
        return  # another attempt's intent: reconciliation voids such orphans
    if payment.pending_action == "create":
        payment.pending_action = None
    sync_intent(payment, intent)


def sync_intent(payment: Payment, intent: dict) -> None:
    """Apply what Stripe says of the PaymentIntent to the payment and its order (idempotent).
    The caller holds the order's and the payment's row locks."""
    order = payment.order
    status = intent.get("status")
    if status in ("requires_capture", "succeeded"):
        if intent.get("amount") != payment.amount or intent.get("currency") != payment.currency:
            if set_status(payment, PaymentStatus.REVIEW):
                payment.last_error = _(
                    "Jumlah dari Stripe (%(got)s %(cur)s) tidak sama dengan pesanan (%(want)s).",
                    got=intent.get("amount"),
                    cur=intent.get("currency"),
                    want=payment.amount,
                )
            if order.status == OrderStatus.AWAITING_PAYMENT:
                orders.hold_for_review(order, payment.last_error or "", STRIPE)
            db.session.flush()
            return
        if payment.status != PaymentStatus.REVIEW or status == "succeeded":
            set_status(
                payment,
                PaymentStatus.CAPTURED if status == "succeeded" else PaymentStatus.AUTHORIZED,
            )
        if order.status == OrderStatus.AWAITING_PAYMENT:
            orders.mark_paid(order, STRIPE)
    elif status == "requires_action":
        set_status(payment, PaymentStatus.REQUIRES_ACTION)
    elif status in ("requires_payment_method", "canceled"):
        moved = set_status(
            payment, PaymentStatus.CANCELED if status == "canceled" else PaymentStatus.FAILED
        )
        if moved and order.status == OrderStatus.AWAITING_PAYMENT:
            error = (intent.get("last_payment_error") or {}).get("message") or status
            payment.last_error = str(error)[:500]
            orders.cancel_unpaid(order, _("Pembayaran kartu gagal."), STRIPE)
    db.session.flush()


def refresh_from_stripe(order: Order) -> None:
    """The browser came back from paying: ask Stripe, never trust the redirect alone."""
    payment = payment_of(order)
    if payment is None or payment.intent_id is None:
        return
    apply_intent(order.id, stripe_client.retrieve_payment_intent(payment.intent_id))


# --- settling the money as the order moves -------------------------------------------------


def _call(action: str, payment: Payment) -> dict:
    """Make one settling call; answer with the intent as Stripe now has it."""
    key = idempotency_key(payment, action)
    if action == "capture":
        return stripe_client.capture_payment_intent(payment.intent_id, key)
    if action == "cancel":
        return stripe_client.cancel_payment_intent(payment.intent_id, key)
    stripe_client.refund_payment_intent(payment.intent_id, key)
    return {"id": payment.intent_id, "status": "refunded"}


def _record_settlement(order_id: int, action: str, intent: dict) -> None:
    order = _lock_order(order_id)
    payment = lock_payment(order.id)
    payment.pending_action = None
    payment.pending_since = None
    if intent.get("status") == "refunded":
        set_status(payment, PaymentStatus.REFUNDED)
    elif payment.status == PaymentStatus.REVIEW and intent.get("status") == "requires_capture":
        pass  # still held for review: the city admin decides
    else:
        sync_intent(payment, intent)
    db.session.commit()


@task("payments.settle")
def settle(order_id: int) -> None:
    """Bring the card money in line with the order: capture what the seller accepted, void or
    refund what was rejected or cancelled. Each call is written down and committed before it
    is made and its answer committed after; a call already under way elsewhere is left to it
    (it looks at the order again when it is done)."""
    for _round in range(4):
        payment = lock_payment(order_id)
        if payment is None:
            db.session.commit()
            return
        status = db.session.scalar(select(Order.status).where(Order.id == order_id))
        action = action_for(status, payment)
        busy = payment.pending_action and payment.pending_since > utcnow() - STALE_CALL
        if action is None or busy:
            book(status, payment)  # money captured before the seller accepted
            db.session.commit()
            return
        payment.pending_action, payment.pending_since = action, utcnow()
        db.session.commit()  # recovery point: the call is on record before it is made
        try:
            intent = _call(action, payment)
        except stripe_client.InvalidRequestError:
            # The intent is not where we thought (captured by a lost call, already void):
            # take Stripe's word for it and look again.
            intent = stripe_client.retrieve_payment_intent(payment.intent_id)
        except stripe_client.StripeError as error:
            payment = lock_payment(order_id)
            payment.pending_action, payment.pending_since = None, None
            payment.last_error = str(error)[:500]
            db.session.commit()
            current_app.logger.warning("Settling order %s failed: %s", order_id, error)
            return
        _record_settlement(order_id, action, intent)


# --- held for review -------------------------------------------------------------------------


def held_orders() -> list[Order]:
    """Card orders held because Stripe's amount or currency did not match: the review queue."""
    return list(
        db.session.scalars(
            select(Order).where(Order.status == OrderStatus.ON_HOLD).order_by(Order.created_at)
        )
    )


def release_held(order: Order, admin, intent: dict | None = None) -> None:
    """The city admin checked a held payment and lets the order through to the seller."""
    payment = payment_of(order)
    if order.status != OrderStatus.ON_HOLD or payment is None or not payment.intent_id:
        raise DomainError(_("Pesanan ini tidak sedang ditahan."))
    intent = intent or stripe_client.retrieve_payment_intent(payment.intent_id)
    order = _lock_order(order.id)
    payment = lock_payment(order.id)
    if order.status != OrderStatus.ON_HOLD:  # checked again under the lock
        raise DomainError(_("Pesanan ini tidak sedang ditahan."))
    if intent.get("status") not in ("requires_capture", "succeeded"):
        raise DomainError(_("Otorisasi kartu sudah tidak berlaku. Tolak pesanan ini."))
    set_status(
        payment,
        PaymentStatus.CAPTURED if intent["status"] == "succeeded" else PaymentStatus.AUTHORIZED,
    )
    orders.release_hold(order, admin)


def reject_held(order: Order, admin, reason: str) -> None:
    """The city admin refuses a held payment: the order is cancelled, the card voided or
    refunded after commit."""
    orders.cancel_held(order, admin, reason)


# --- webhooks and reconciliation -------------------------------------------------------------


def _intent_event(obj: dict) -> None:
    payment = db.session.scalar(select(Payment).where(Payment.intent_id == obj.get("id")))
    if payment is not None:  # events for other intents (other systems, tests) are ignored
        apply_intent(payment.order_id, obj)
        orders.settle_after_commit(payment.order)


def _refund_event(obj: dict) -> None:
    payment = db.session.scalar(
        select(Payment).where(Payment.intent_id == obj.get("payment_intent"))
    )
    if payment is not None and obj.get("refunded"):
        _lock_order(payment.order_id)
        set_status(lock_payment(payment.order_id), PaymentStatus.REFUNDED)


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


def _find_lost_intent(payment: Payment, now: datetime) -> None:
    """A create call whose answer was lost: find its intent at Stripe by the payment's key."""
    found = stripe_client.find_payment_intents("payment_key", payment.idempotency_key)
    if found:
        apply_intent(payment.order_id, found[0])
        db.session.commit()
        return
    if payment.pending_since < now - timedelta(minutes=10):
        # Nothing reached Stripe and nobody retried: the attempt is over (the sweep expires
        # the order when its time is up).
        locked = lock_payment(payment.order_id)
        locked.pending_action, locked.pending_since = None, None
        locked.last_error = _("Pembayaran tidak sampai ke Stripe.")
        set_status(locked, PaymentStatus.FAILED)
        db.session.commit()


def reconcile(minutes: int, now: datetime | None = None) -> int:
    """Finish what crashes and lost webhooks left behind; return how many payments were looked at.

    - create calls whose answer was lost are found at Stripe by their key;
    - orders still waiting on payment after ``minutes`` ask Stripe (lost webhooks);
    - money out of line with its order (accepted but not captured, rejected or cancelled but
      not voided or refunded, a settling call left by a crash) is settled.
    """
    now = now or utcnow()
    stale = now - STALE_CALL
    count = 0
    lost = list(
        db.session.scalars(
            select(Payment).where(
                Payment.intent_id.is_(None),
                Payment.pending_action == "create",
                Payment.pending_since <= stale,
            )
        )
    )
    for payment in lost:
        _find_lost_intent(payment, now)
        count += 1
    cutoff = now - timedelta(minutes=minutes)
    waiting = list(
        db.session.scalars(
            select(Payment)
            .join(Order)
            .where(
                Order.status == OrderStatus.AWAITING_PAYMENT,
                Order.created_at <= cutoff,
                Payment.intent_id.is_not(None),
            )
        )
    )
    for payment in waiting:
        apply_intent(payment.order_id, stripe_client.retrieve_payment_intent(payment.intent_id))
        db.session.commit()
        count += 1
    owed = list(
        db.session.scalars(
            select(Payment.order_id)
            .join(Order)
            .where(
                Payment.intent_id.is_not(None),
                or_(Payment.pending_action.is_(None), Payment.pending_since <= stale),
                or_(
                    and_(Order.status.in_(KEEP), Payment.status == PaymentStatus.AUTHORIZED),
                    and_(
                        Order.status.in_(GIVE_BACK),
                        Payment.status.in_((*UNCAPTURED, PaymentStatus.CAPTURED)),
                    ),
                ),
            )
        )
    )
    db.session.commit()
    for order_id in owed:
        settle(order_id)
        count += 1
    return count


@periodic("payments.reconcile", "RECONCILE_SECONDS")
def reconcile_due() -> int:
    """Beat's reconciliation: orders waiting on payment for more than 15 minutes, lost
    create calls and unsettled money."""
    return reconcile(15)
