"""The one module that talks to Stripe (or to localstripe in development and tests)."""

from __future__ import annotations

import time
from typing import Any

import stripe
from flask import current_app

WEBHOOK_TOLERANCE_SECONDS = 300


def is_configured() -> bool:
    config = current_app.config
    if not config.get("CARD_PAYMENTS", True):
        return False
    return bool(config.get("STRIPE_SECRET_KEY") or config.get("STRIPE_API_BASE"))


def _client() -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE")
    if base:
        key = config.get("STRIPE_SECRET_KEY") or "sk_test_local"
        return stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=0)
    if not config.get("STRIPE_SECRET_KEY"):
        # Without a key nothing may reach Stripe (a development machine, a test)
        raise StripeError("Stripe is not configured (STRIPE_SECRET_KEY or STRIPE_API_BASE).")
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], max_network_retries=2)


def _dict(obj: Any) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def create_setup_intent() -> dict:
    """A SetupIntent the browser confirms with the card element (works on Stripe and the shim)."""
    return _dict(_client().v1.setup_intents.create(params={"payment_method_types": ["card"]}))


def create_payment_intent(
    amount: int, currency: str, payment_method: str, idempotency_key: str, metadata: dict
) -> dict:
    """Create and confirm a manual-capture PaymentIntent: the card is authorised, not charged."""
    intent = _client().v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": currency,
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "capture_method": "manual",
            "confirm": True,
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )
    return _dict(intent)


def retrieve_payment_intent(intent_id: str) -> dict:
    return _dict(_client().v1.payment_intents.retrieve(intent_id))


def capture_payment_intent(intent_id: str, idempotency_key: str) -> dict:
    return _dict(
        _client().v1.payment_intents.capture(
            intent_id, options={"idempotency_key": idempotency_key}
        )
    )


def cancel_payment_intent(intent_id: str, idempotency_key: str) -> dict:
    return _dict(
        _client().v1.payment_intents.cancel(intent_id, options={"idempotency_key": idempotency_key})
    )


def find_payment_intents(metadata_key: str, value: str) -> list[dict]:
    """PaymentIntents whose metadata ``metadata_key`` is ``value`` (Stripe's Search API)."""
    query = f"metadata['{metadata_key}']:'{value}'"
    result = _client().v1.payment_intents.search(params={"query": query})
    return [_dict(intent) for intent in result.data]


def refund_payment_intent(intent_id: str, idempotency_key: str) -> dict:
    return _dict(
        _client().v1.refunds.create(
            params={"payment_intent": intent_id}, options={"idempotency_key": idempotency_key}
        )
    )


def construct_event(payload: bytes, signature: str, secret: str) -> dict:
    """Verify the Stripe-Signature of a webhook's raw body; raise ValueError when it is bad,
    or dated more than the tolerance in the past or in the future."""
    stamp = next((p[2:] for p in signature.split(",") if p.startswith("t=")), "")
    if not stamp.isascii() or not stamp.isdigit():
        raise ValueError("no timestamp in the signature")
    if int(stamp) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise ValueError("signature dated in the future")
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as exc:
        raise ValueError(str(exc)) from exc
    return _dict(event)


StripeError = stripe.StripeError
CardError = stripe.CardError
InvalidRequestError = stripe.InvalidRequestError
