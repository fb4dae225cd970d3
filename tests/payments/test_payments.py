"""Card payments against localstripe: authorise, capture, void, refund, 3-D Secure, webhooks."""

import json
import re
import secrets
import time

import pytest
import requests
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.core.errors import DomainError
from marketplace.core.money import from_stripe_amount, to_stripe_amount
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.cart import add_to_cart
from marketplace.orders.models import Notification, OrderEvent, OrderStatus
from marketplace.payments import services
from marketplace.payments.gateway import payment_of
from marketplace.payments.models import PaymentStatus, StripeEvent
from tests.order_fixtures import submit_checkout
from tests.stripe_fixtures import commit_and_settle, settled, signed

S = OrderStatus


@pytest.mark.parametrize(
    ("rupiah", "amount"),
    [
        (0, 0),
        (1, 100),
        (500, 50000),
        (15000, 1500000),
        (10000, 1000000),
        (1250000, 125000000),
        (9_999_999_999, 999_999_999_900),
    ],
)
def test_rupiah_to_stripe_amount_table(rupiah, amount):
    # Stripe lists IDR as a two-decimal currency: Rp15.000 is amount=1500000.
    assert to_stripe_amount(rupiah) == amount
    assert from_stripe_amount(amount) == rupiah


@pytest.mark.parametrize("bad", [-1, 10_000_000_000, 1.5, True])
def test_stripe_amount_refuses_what_stripe_cannot_take(bad):
    with pytest.raises((ValueError, TypeError)):
        to_stripe_amount(bad)


def test_fractional_stripe_amounts_are_refused():
    with pytest.raises(ValueError, match="whole Rupiah"):
        from_stripe_amount(150050)


def stock(shop):
    return db.session.get(Product, shop["teh"].id).stock


def test_minimum_charge_is_refused_before_any_stripe_call(app, monkeypatch, cart, shop, checkout):
    # Given a Stripe server that does not exist: any call would fail differently
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")
    add_to_cart(cart, shop["teh"], [], 1)  # Rp4.000
    with pytest.raises(DomainError, match="minimal Rp10.000"):
        checkout(cart, shop["store"], payment_method="card")


def test_card_success_authorises_then_captures_on_acceptance(card_order, card, shop):
    order = card_order()
    assert order.status == S.AWAITING_PAYMENT
    assert order.expires_at is not None
    assert stock(shop) == 3
    result = services.pay_with_method(order, card())
    assert result["status"] == S.NEW
    payment = payment_of(order)
    assert payment.status == PaymentStatus.AUTHORIZED
    assert payment.amount == to_stripe_amount(order.total) == 2400000
    orders.accept_order(order, shop["store"].owner)
    commit_and_settle()
    assert payment.status == PaymentStatus.CAPTURED
    assert order.status == S.ACCEPTED


def test_card_declined_when_charged_cancels_and_gives_stock_back(card_order, card, shop):
    order = card_order()
    result = services.pay_with_method(order, card("4000000000000341"))
    assert result["status"] == "failed"
    assert order.status == S.CANCELLED
    assert stock(shop) == 5
    assert payment_of(order).status == PaymentStatus.FAILED


def test_declined_card_over_http_puts_the_cart_back(client, stripe_on, shop, card):
    shop["teh"].price = 12000
    db.session.flush()
    client.post("/keranjang/tambah", data={"product_id": shop["teh"].id, "jumlah": "1"})
    page = client.get(f"/keranjang/toko/{shop['store'].id}/pesan").get_data(as_text=True)
    response = submit_checkout(
        client, shop["store"].id, page, "card", kelurahan_id=shop["store"].kelurahan_id
    )
    assert "/bayar" in response.headers["Location"]
    pay_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "js.stripe.com/v3/" in pay_page
    # Stripe.js is told "declined" when it confirms the SetupIntent with card …0002
    secret = re.search(r'data-setup-secret="([^"]+)"', pay_page).group(1)
    setup_id = secret.split("_secret_")[0]
    declined = requests.post(
        f"{stripe_on}/v1/setup_intents/{setup_id}/confirm",
        data={"client_secret": secret, "payment_method": card("4000000000000002")},
        auth=("sk_test_local", ""),
        timeout=5,
    )
    assert declined.status_code == 402
    # and tells our server, which cancels the order and puts the cart back
    answer = client.post(
        response.headers["Location"], json={"declined": True, "message": "Your card was declined."}
    )
    assert answer.json["status"] == "failed"
    assert answer.json["redirect"].endswith("/keranjang")
    assert "Teh Manis" in client.get("/keranjang").get_data(as_text=True)
    assert stock(shop) == 5


def test_three_d_secure_card(card_order, card, shop, stripe_on):
    order = card_order()
    result = services.pay_with_method(order, card("4000002500003155"))
    assert result["intent_status"] == "requires_action"
    assert result["client_secret"]
    assert order.status == S.AWAITING_PAYMENT
    payment = payment_of(order)
    # The customer passes 3-D Secure in the browser (localstripe's stand-in for Stripe.js).
    requests.post(
        f"{stripe_on}/v1/payment_intents/{payment.intent_id}/_authenticate",
        data={"client_secret": result["client_secret"], "success": "true"},
        auth=("sk_test_local", ""),
        timeout=5,
    ).raise_for_status()
    services.refresh_from_stripe(order)
    assert order.status == S.NEW
    assert payment.status == PaymentStatus.AUTHORIZED


def test_rejection_voids_and_rejection_after_capture_refunds(card_order, card, shop):
    first = card_order(token="void")
    services.pay_with_method(first, card())
    orders.reject_order(first, shop["store"].owner, "Bahan habis")
    commit_and_settle()
    assert payment_of(first).status == PaymentStatus.CANCELED
    second = card_order(token="refund")
    services.pay_with_method(second, card())
    orders.accept_order(second, shop["store"].owner)
    commit_and_settle()
    orders.reject_order(second, shop["store"].owner, "Kompor rusak")
    commit_and_settle()
    assert payment_of(second).status == PaymentStatus.REFUNDED
    assert stock(shop) == 5


def test_expired_unpaid_order_cancels_its_intent(card_order, card, shop):
    from datetime import timedelta

    from marketplace.core.db import utcnow

    order = card_order()
    services.pay_with_method(order, card("4000002500003155"))  # stuck in 3-D Secure
    orders.sweep(now=utcnow() + timedelta(hours=2))
    commit_and_settle()
    assert order.status == S.CANCELLED
    assert payment_of(order).status == PaymentStatus.CANCELED
    assert stock(shop) == 5


def _event(event_id, kind, intent):
    return {
        "id": event_id,
        "type": kind,
        "created": int(time.time()),
        "data": {"object": intent},
        "object": "event",
    }


def _post(client, event, **signature):
    body = json.dumps(event).encode()
    return client.post(
        "/stripe/webhook",
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": signed(body, **signature)},
    )


def _authorised_at_stripe(order, card_id):
    """Authorise the order's card at Stripe and record the attempt, without applying the answer
    (nobody told us yet)."""
    from marketplace.payments import stripe_client
    from marketplace.payments.models import Payment

    intent = stripe_client.create_payment_intent(
        to_stripe_amount(order.total),
        "idr",
        card_id,
        f"test-{secrets.token_hex(8)}",
        {"order_id": str(order.id)},
    )
    db.session.add(
        Payment(
            order_id=order.id,
            amount=to_stripe_amount(order.total),
            intent_id=intent["id"],
            status=PaymentStatus.STARTED,
        )
    )
    db.session.flush()
    return intent


@pytest.fixture
def paid_intent(card_order, card, stripe_on):
    """An order whose PaymentIntent is authorised at Stripe, but nobody told us yet."""
    order = card_order()
    return order, _authorised_at_stripe(order, card())


def test_webhook_with_bad_or_stale_signature_changes_nothing(client, paid_intent):
    order, intent = paid_intent
    event = _event("evt_bad", "payment_intent.amount_capturable_updated", intent)
    body = json.dumps(event).encode()
    for headers in (
        {},
        {"Stripe-Signature": "t=1,v1=deadbeef"},
        {"Stripe-Signature": signed(body, secret="whsec_wrong")},
        {"Stripe-Signature": signed(body, timestamp=int(time.time()) - 301)},
    ):
        response = client.post(
            "/stripe/webhook", data=body, content_type="application/json", headers=headers
        )
        assert response.status_code == 400
    assert order.status == S.AWAITING_PAYMENT
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_same_event_five_times_is_one_transition(client, paid_intent):
    order, intent = paid_intent
    event = _event("evt_once", "payment_intent.amount_capturable_updated", intent)
    answers = [_post(client, event).json["status"] for _ in range(5)]
    assert answers == ["handled"] + ["duplicate"] * 4
    assert order.status == S.NEW
    transitions = db.session.scalar(
        select(func.count())
        .select_from(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.to_status == S.NEW)
    )
    assert transitions == 1
    whatsapp = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.order_id == order.id, Notification.channel == "whatsapp")
    )
    assert whatsapp == 2  # one for "awaiting payment", one for "new": never per replay


def test_events_out_of_order(client, paid_intent):
    order, intent = paid_intent
    _post(client, _event("evt_ok", "payment_intent.amount_capturable_updated", intent))
    failed = dict(
        intent, status="requires_payment_method", last_payment_error={"message": "late failure"}
    )
    assert (
        _post(client, _event("evt_late", "payment_intent.payment_failed", failed)).status_code
        == 200
    )
    assert order.status == S.NEW
    assert payment_of(order).status == PaymentStatus.AUTHORIZED


def test_amount_mismatch_holds_the_order(client, paid_intent):
    order, intent = paid_intent
    tampered = dict(intent, amount=intent["amount"] - 100)
    _post(client, _event("evt_amount", "payment_intent.amount_capturable_updated", tampered))
    assert order.status == S.ON_HOLD
    assert payment_of(order).status == PaymentStatus.REVIEW
    other_currency = dict(intent, currency="usd")
    _post(client, _event("evt_currency", "payment_intent.succeeded", other_currency))
    assert order.status == S.ON_HOLD


def test_reconcile_brings_orders_in_line(app, paid_intent):
    order, _intent = paid_intent
    assert services.reconcile(minutes=-1) == 1
    assert order.status == S.NEW
    result = app.test_cli_runner().invoke(args=["payments", "reconcile", "--minutes", "0"])
    assert result.exit_code == 0, result.output


def test_return_page_uses_the_same_service(client, paid_intent):
    order, _intent = paid_intent
    response = client.get(f"/pesanan/{order.token}/bayar/selesai")
    assert response.status_code == 302
    assert order.status == S.NEW


def test_canceled_after_succeeded_never_downgrades_a_capture(client, paid_intent, shop):
    order, intent = paid_intent
    _post(client, _event("evt_auth", "payment_intent.amount_capturable_updated", intent))
    settled(orders.accept_order, order, shop["store"].owner)
    assert payment_of(order).status == PaymentStatus.CAPTURED
    late = dict(intent, status="canceled")
    response = _post(client, _event("evt_cancel_late", "payment_intent.canceled", late))
    assert response.status_code == 200
    assert payment_of(order).status == PaymentStatus.CAPTURED
    assert order.status == S.ACCEPTED


def test_signatures_dated_in_the_future_are_refused(client, paid_intent):
    order, intent = paid_intent
    event = _event("evt_future", "payment_intent.amount_capturable_updated", intent)
    body = json.dumps(event).encode()
    response = client.post(
        "/stripe/webhook",
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": signed(body, timestamp=int(time.time()) + 301)},
    )
    assert response.status_code == 400
    assert order.status == S.AWAITING_PAYMENT


def test_a_capture_lost_to_a_crash_is_refunded_when_the_seller_rejects(
    client, card_order, card, shop, stripe_on
):
    # Given an accepted order whose capture reached Stripe, but whose answer was lost
    order = card_order()
    services.pay_with_method(order, card())
    payment = payment_of(order)
    requests.post(
        f"{stripe_on}/v1/payment_intents/{payment.intent_id}/capture",
        auth=("sk_test_local", ""),
        timeout=5,
    ).raise_for_status()
    assert payment.status == PaymentStatus.AUTHORIZED  # we never heard
    # When the seller rejects (the void fails at Stripe: the money is captured)
    settled(orders.reject_order, order, shop["store"].owner, "Kompor rusak")
    # Then the money is refunded and the book nets to nothing
    assert payment_of(order).status == PaymentStatus.REFUNDED
    intent = services.stripe_client.retrieve_payment_intent(payment.intent_id)
    assert intent["latest_charge"]["refunded"] is True
    # and the late webhook of the capture changes nothing
    late = _event("evt_late_capture", "payment_intent.succeeded", dict(intent, status="succeeded"))
    _post(client, late)
    assert payment_of(order).status == PaymentStatus.REFUNDED
    from marketplace.books.models import CashEntry

    booked = db.session.scalar(
        select(func.coalesce(func.sum(CashEntry.amount), 0)).where(CashEntry.order_id == order.id)
    )
    assert booked == 0


def test_a_late_capture_webhook_for_a_rejected_order_never_books_income(
    client, card_order, card, shop, stripe_on, app, monkeypatch
):
    # Given an order whose capture reached Stripe, but whose answer was lost
    order = card_order()
    services.pay_with_method(order, card())
    payment = payment_of(order)
    requests.post(
        f"{stripe_on}/v1/payment_intents/{payment.intent_id}/capture",
        auth=("sk_test_local", ""),
        timeout=5,
    ).raise_for_status()
    # When the seller rejects while Stripe is unreachable (nothing can be settled yet)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")
    settled(orders.reject_order, order, shop["store"].owner, "Kompor rusak")
    assert order.status == S.REJECTED
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", stripe_on)
    # and the capture's webhook arrives 8 s late
    intent = services.stripe_client.retrieve_payment_intent(payment.intent_id)
    assert intent["status"] == "succeeded"
    _post(client, _event("evt_late_after_reject", "payment_intent.succeeded", intent))
    from marketplace.books.models import CashEntry

    def entries():
        return db.session.scalar(
            select(func.count(CashEntry.id)).where(CashEntry.order_id == order.id)
        )

    # Then the payment is known to be captured, yet no income is booked for a rejected order
    assert payment_of(order).status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
    assert entries() == 0
    # and reconcile gives the money back, still without a line in the book
    from datetime import timedelta

    from marketplace.core.db import utcnow

    services.reconcile(15, now=utcnow() + timedelta(minutes=5))
    assert payment_of(order).status == PaymentStatus.REFUNDED
    assert services.stripe_client.retrieve_payment_intent(payment.intent_id)["latest_charge"][
        "refunded"
    ]
    assert entries() == 0


def test_money_captured_before_acceptance_is_booked_when_the_seller_accepts(
    client, card_order, card, shop, stripe_on
):
    order = card_order()
    services.pay_with_method(order, card())
    payment = payment_of(order)
    requests.post(
        f"{stripe_on}/v1/payment_intents/{payment.intent_id}/capture",
        auth=("sk_test_local", ""),
        timeout=5,
    ).raise_for_status()
    intent = services.stripe_client.retrieve_payment_intent(payment.intent_id)
    _post(client, _event("evt_early_capture", "payment_intent.succeeded", intent))
    assert payment_of(order).status == PaymentStatus.CAPTURED
    from marketplace.books.models import CashEntry

    def booked():
        return db.session.scalar(
            select(func.coalesce(func.sum(CashEntry.amount), 0)).where(
                CashEntry.order_id == order.id
            )
        )

    assert booked() == 0  # not yet kept: the seller has not accepted
    settled(orders.accept_order, order, shop["store"].owner)
    assert booked() == order.total


def test_the_city_admin_releases_or_cancels_held_orders(
    client, paid_intent, shop, create_user, login
):
    order, intent = paid_intent
    tampered = dict(intent, amount=intent["amount"] - 100)
    _post(client, _event("evt_held", "payment_intent.amount_capturable_updated", tampered))
    assert order.status == S.ON_HOLD
    admin = create_user("city_admin")
    assert order in services.held_orders()
    # a held order cannot be accepted by the seller
    with pytest.raises(DomainError):
        orders.accept_order(order, shop["store"].owner)
    # The admin cancels it: stock back, the authorisation voided
    with pytest.raises(DomainError, match="alasan"):
        services.reject_held(order, admin, " ")
    settled(services.reject_held, order, admin, "Jumlah tidak cocok")
    assert order.status == S.CANCELLED
    assert payment_of(order).status == PaymentStatus.CANCELED
    assert stock(shop) == 5
    intent_now = services.stripe_client.retrieve_payment_intent(intent["id"])
    assert intent_now["status"] == "canceled"


def test_release_of_a_held_order_sends_it_to_the_seller(client, paid_intent, create_user):
    order, intent = paid_intent
    tampered = dict(intent, amount=intent["amount"] - 100)
    _post(client, _event("evt_held2", "payment_intent.amount_capturable_updated", tampered))
    settled(services.release_held, order, create_user("city_admin"))
    assert order.status == S.NEW
    assert payment_of(order).status == PaymentStatus.AUTHORIZED


def test_sweep_cancels_held_orders_whose_authorisation_lapsed(client, paid_intent, shop):
    from datetime import timedelta

    from marketplace.core.db import utcnow

    order, intent = paid_intent
    tampered = dict(intent, currency="usd")
    _post(client, _event("evt_held3", "payment_intent.amount_capturable_updated", tampered))
    assert orders.sweep(now=utcnow() + timedelta(days=6))["lapsed"] == 0
    assert settled(orders.sweep, now=utcnow() + timedelta(days=8))["lapsed"] == 1
    assert order.status == S.CANCELLED
    assert stock(shop) == 5
    assert payment_of(order).status == PaymentStatus.CANCELED


def _lose_the_create_answer(order, card_id):
    """Pay, with the create call reaching Stripe but its answer lost (a crash, a reset)."""
    from marketplace.payments import stripe_client

    real_create = stripe_client.create_payment_intent

    def lost(*args, **kwargs):
        real_create(*args, **kwargs)
        raise stripe_client.StripeError("connection reset")

    stripe_client.create_payment_intent = lost
    try:
        with pytest.raises(stripe_client.StripeError):
            services.pay_with_method(order, card_id)
    finally:
        stripe_client.create_payment_intent = real_create
    db.session.rollback()
    payment = payment_of(order)
    assert (payment.status, payment.intent_id, payment.pending_action) == (
        "started",
        None,
        "create",
    )


def test_a_retry_after_a_lost_answer_replays_the_first_attempt(card_order, card, stripe_on):
    from marketplace.payments import stripe_client

    # Given an attempt written down, whose create call reached Stripe but whose answer was lost
    order = card_order()
    _lose_the_create_answer(order, card())
    # When the customer tries again with another card
    result = services.pay_with_method(order, card())
    # Then the first attempt's intent is the payment: no second authorisation at Stripe
    assert result["status"] == S.NEW
    found = stripe_client.find_payment_intents("payment_key", payment_of(order).idempotency_key)
    assert [i["id"] for i in found] == [payment_of(order).intent_id]


def test_an_order_expired_after_a_lost_create_has_its_authorisation_voided(
    card_order, card, shop, stripe_on
):
    from datetime import timedelta

    from marketplace.core.db import utcnow
    from marketplace.payments import stripe_client

    order = card_order()
    _lose_the_create_answer(order, card())
    key = payment_of(order).idempotency_key
    # Nobody retries; the sweep expires the unpaid order and gives the stock back
    later = utcnow() + timedelta(hours=2)
    settled(orders.sweep, now=later)
    assert order.status == S.CANCELLED
    assert stock(shop) == 5
    # Reconcile finds the authorisation Stripe made, and voids it
    settled(services.reconcile, 15, now=later)
    [intent] = stripe_client.find_payment_intents("payment_key", key)
    assert intent["status"] == "canceled"
    assert payment_of(order).status == PaymentStatus.CANCELED
    assert payment_of(order).intent_id == intent["id"]


def test_the_review_queue_page_releases_and_rejects_over_http(
    client, paid_intent, card_order, card, shop, create_user, login
):
    from marketplace.payments import stripe_client

    order, intent = paid_intent
    _post(
        client,
        _event(
            "evt_q1",
            "payment_intent.amount_capturable_updated",
            dict(intent, amount=intent["amount"] - 100),
        ),
    )
    second = card_order(quantity=1, token="card-2")
    second_intent = _authorised_at_stripe(second, card())
    db.session.commit()
    _post(
        client,
        _event(
            "evt_q2",
            "payment_intent.amount_capturable_updated",
            dict(second_intent, currency="usd"),
        ),
    )
    assert {order.status, second.status} == {S.ON_HOLD}

    login(shop["store"].owner)
    assert client.get("/admin/pembayaran-ditahan").status_code == 403
    assert client.post(f"/admin/pembayaran-ditahan/{order.id}/teruskan").status_code == 403
    client.post("/akun/keluar")

    login(create_user("city_admin"))
    page = client.get("/admin/pembayaran-ditahan").get_data(as_text=True)
    assert f"Pesanan #{order.id}" in page
    assert f"Pesanan #{second.id}" in page
    # A reject without a reason changes nothing
    client.post(f"/admin/pembayaran-ditahan/{second.id}/tolak", data={"reason": "  "})
    db.session.expire_all()
    assert second.status == S.ON_HOLD
    response = client.post(f"/admin/pembayaran-ditahan/{order.id}/teruskan")
    assert response.status_code == 302
    response = client.post(
        f"/admin/pembayaran-ditahan/{second.id}/tolak", data={"reason": "Mata uang salah"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert order.status == S.NEW
    assert second.status == S.CANCELLED
    assert stripe_client.retrieve_payment_intent(second_intent["id"])["status"] == "canceled"
    # Releasing again is refused with a message, not a 500
    response = client.post(f"/admin/pembayaran-ditahan/{order.id}/teruskan", follow_redirects=True)
    assert "tidak sedang ditahan" in response.get_data(as_text=True)
    assert "Tidak ada pembayaran yang ditahan" in response.get_data(as_text=True)


def test_the_pay_page_carries_card_errors_in_the_customers_language(client, card_order):
    import html

    order = card_order()
    db.session.commit()
    page = client.get(f"/pesanan/{order.token}/bayar").get_data(as_text=True)
    found = re.search(r'data-errors="([^"]+)"', page)
    messages = json.loads(html.unescape(found.group(1)))
    assert messages["card_declined"].startswith("Kartu ditolak bank")
    assert messages["insufficient_funds"] == "Saldo atau limit kartu tidak cukup."
    assert "Your card" not in page
    client.post("/bahasa", data={"lang": "en"})
    english = client.get(f"/pesanan/{order.token}/bayar").get_data(as_text=True)
    found = re.search(r'data-errors="([^"]+)"', english)
    assert json.loads(html.unescape(found.group(1)))["expired_card"] == "The card has expired."
