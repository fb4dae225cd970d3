"""A real (local) Stripe: localstripe started on 127.0.0.1 for the session, stopped after."""

from __future__ import annotations

import time

import pytest
import stripe

from marketplace.extensions import db
from tests.conftest import missing_service

WEBHOOK_SECRET = "whsec_test_pasar_kampung"  # noqa: S105 - a test secret


def running_localstripe(workdir):
    """localstripe on a free 127.0.0.1 port for as long as the generator is alive."""
    from tests.live.harness import spawn_localstripe

    process, url = spawn_localstripe(workdir)
    if not url:
        missing_service("localstripe did not start (pip install localstripe)")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    yield from running_localstripe(tmp_path_factory.mktemp("localstripe"))


@pytest.fixture
def stripe_on(app, monkeypatch, localstripe_url):
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", localstripe_url)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "STRIPE_JS_URL", f"{localstripe_url}/js.stripe.com/v3/")
    return localstripe_url


@pytest.fixture
def card(localstripe_url):
    """Create a PaymentMethod for a test card number, as Stripe.js would in the browser."""
    client = stripe.StripeClient("sk_test_local", base_addresses={"api": localstripe_url})

    def make(number: str = "4242424242424242") -> str:
        method = client.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
            }
        )
        return method.id

    return make


def commit_and_settle() -> None:
    """What a request's boundary does after a service: commit, then the after-commit work
    (capture, void or refund at Stripe)."""
    from marketplace.core.jobs import run_after_commit

    db.session.commit()
    run_after_commit()


def settled(service, *args, **kwargs):
    """Call an order service the way a route does: the service, commit, the work after commit."""
    result = service(*args, **kwargs)
    commit_and_settle()
    return result


def signed(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for ``payload`` (what Stripe sends with a webhook)."""
    import hashlib
    import hmac

    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


@pytest.fixture
def card_order(stripe_on, cart, shop, checkout):
    def make(quantity=2, token="card-1", product="teh"):  # noqa: S107 - not a secret
        from marketplace.orders.cart import add_to_cart

        add_to_cart(cart, shop[product], [], quantity)
        return checkout(cart, shop["store"], token=token, payment_method="card")

    shop["teh"].price = 12000  # above the card minimum
    shop["teh"].stock = 5
    db.session.flush()
    return make
