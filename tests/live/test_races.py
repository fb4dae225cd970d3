"""Races and crashes over real HTTP: gunicorn (4 workers) on PostgreSQL with localstripe.

After every scenario the money is checked against the orders:
- every PaymentIntent made for an order belongs to that one order and is in the state the
  order requires (captured when kept, voided or refunded when given back);
- stock on the shelf plus units in orders still holding stock equals what was stocked;
- the store's cash book equals captured − refunded card money plus completed cash orders.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.books.models import CashEntry
from marketplace.catalog import services as catalog
from marketplace.catalog.models import Product, StockMode
from marketplace.core.db import utcnow
from marketplace.core.jobs import run_after_commit
from marketplace.extensions import db
from marketplace.orders.models import Notification, Order, OrderEvent, OrderLine, OrderStatus
from marketplace.payments.models import Payment, PaymentStatus
from marketplace.promotions import services as promos
from marketplace.promotions.models import Redemption
from tests.factories import add_user, build_store
from tests.live.harness import Shop, Visitor, at_once
from tests.stripe_fixtures import signed

pytestmark = pytest.mark.live
S = OrderStatus
_numbers = itertools.count(random.randint(1000, 8000) * 10_000)


def _phone() -> str:
    return f"62857{next(_numbers):08d}"


def open_shop(db_app, products: dict[str, tuple[int, int]]) -> Shop:
    """A verified store, open all week, taking cash and card, with counted stock."""
    with db_app.app_context():
        admin = add_user(Role.CITY_ADMIN, _phone())
        owner = add_user(Role.SELLER, _phone())
        store = build_store(
            owner, admin, f"Warung Uji {owner.phone[-5:]}", whatsapp=owner.phone, address="Jl. 1"
        )
        made = {}
        for name, (price, stock) in products.items():
            product = catalog.create_product(
                store,
                catalog.ProductData(
                    name=name,
                    category_id=catalog.categories()[0].id,
                    price=price,
                    stock_mode=StockMode.COUNTED,
                    stock=stock,
                ),
            )
            made[name] = product.id
        db.session.commit()
        return Shop(store.id, owner.phone, made, {n: s for n, (_p, s) in products.items()})


def _order(token: str) -> Order:
    return db.session.scalar(select(Order).where(Order.token == token))


def _intents_for(localstripe_url: str, order_id: int) -> list[dict]:
    answer = requests.get(
        f"{localstripe_url}/v1/payment_intents/search",
        params={"query": f"metadata['order_id']:'{order_id}'"},
        auth=("sk_test_local", ""),
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()["data"]


def _refunded(localstripe_url: str, intent: dict) -> bool:
    charge_id = intent.get("latest_charge")
    if isinstance(charge_id, dict):
        charge_id = charge_id.get("id")
    if not charge_id:
        return False
    charge = requests.get(
        f"{localstripe_url}/v1/charges/{charge_id}", auth=("sk_test_local", ""), timeout=5
    ).json()
    return bool(charge.get("refunded")) or charge.get("amount_refunded", 0) >= charge["amount"]


KEPT = (S.ACCEPTED, S.READY, S.OUT_FOR_DELIVERY, S.COMPLETED)


def check_invariants(db_app, shop: Shop, localstripe_url: str) -> None:
    with db_app.app_context():
        orders = list(db.session.scalars(select(Order).where(Order.store_id == shop.store_id)))
        # Stock on the shelf + units held by orders = what was stocked
        for name, product_id in shop.products.items():
            on_shelf = db.session.get(Product, product_id).stock
            held = db.session.scalar(
                select(func.coalesce(func.sum(OrderLine.quantity), 0))
                .join(Order)
                .where(OrderLine.product_id == product_id, Order.stock_released.is_(False))
            )
            assert on_shelf + held == shop.stock[name], (name, on_shelf, held)
        expected_book = 0
        for order in orders:
            if order.payment_method == "cash":
                if order.status == S.COMPLETED:
                    expected_book += order.total
                continue
            intents = _intents_for(localstripe_url, order.id)
            payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
            live = [i for i in intents if i["status"] != "canceled"]
            assert len(live) <= 1, (order.id, [i["id"] for i in intents])
            for intent in intents:
                assert intent["metadata"]["order_id"] == str(order.id)
            if payment is not None and payment.intent_id:
                assert payment.intent_id in {i["id"] for i in intents}
            where = (order.id, order.status, [(i["id"], i["status"]) for i in intents])
            if order.status in KEPT:
                assert [i["status"] for i in live] == ["succeeded"], where
                assert not _refunded(localstripe_url, live[0]), where
                assert payment.status == PaymentStatus.CAPTURED, where
                expected_book += order.total
            elif order.status in (S.REJECTED, S.CANCELLED):
                for intent in live:
                    assert intent["status"] == "succeeded", where
                    assert _refunded(localstripe_url, intent), where
            elif order.status == S.NEW:
                assert [i["status"] for i in live] == ["requires_capture"], where
            if order.status in (S.REJECTED, S.CANCELLED, S.AWAITING_PAYMENT, S.NEW):
                assert payment is None or payment.status != PaymentStatus.CAPTURED, where
        booked = db.session.scalar(
            select(func.coalesce(func.sum(CashEntry.amount), 0)).where(
                CashEntry.store_id == shop.store_id, CashEntry.order_id.is_not(None)
            )
        )
        assert booked == expected_book


def _status(db_app, token: str) -> str:
    with db_app.app_context():
        return _order(token).status


def _transitions(db_app, token: str, to_status: str) -> tuple[int, int]:
    """How many times the order moved to ``to_status`` and how many messages that sent."""
    with db_app.app_context():
        order = _order(token)
        events = db.session.scalars(
            select(OrderEvent.id).where(
                OrderEvent.order_id == order.id, OrderEvent.to_status == to_status
            )
        ).all()
        sent = db.session.scalar(
            select(func.count(Notification.id)).where(Notification.event_id.in_(events or [0]))
        )
        return len(events), sent


# --- one order, two people ---------------------------------------------------------------------


def _accept_and_cancel(server, shop: Shop, token: str, order_id: int):
    seller, buyer = Visitor(server.url), Visitor(server.url)
    seller.login("0" + shop.owner_phone[2:])
    seller_csrf = seller.token("/akun/masuk")
    buyer_csrf = buyer.token(f"/pesanan/{token}")
    accepted, cancelled = at_once(
        lambda: seller.http.post(
            f"{server.url}/toko-saya/pesanan/{order_id}/terima",
            data={"csrf_token": seller_csrf},
            timeout=30,
            allow_redirects=False,
        ),
        lambda: buyer.http.post(
            f"{server.url}/pesanan/{token}/batal",
            data={"csrf_token": buyer_csrf},
            timeout=30,
            allow_redirects=False,
        ),
    )
    assert accepted.status_code == 302, accepted.text[:500]
    assert cancelled.status_code == 302, cancelled.text[:500]
    # What each was told, on the page they land on
    told_seller = seller.get(accepted.headers["Location"]).text
    told_buyer = buyer.get(cancelled.headers["Location"]).text
    return told_seller, told_buyer


def _check_told(db_app, token: str, told_seller: str, told_buyer: str) -> str:
    """The winner was told it happened; the loser was told it did not."""
    status = _status(db_app, token)
    assert status in (S.ACCEPTED, S.CANCELLED)
    order_id = _id_of(db_app, token)
    assert (f"Pesanan #{order_id} diterima." in told_seller) == (status == S.ACCEPTED)
    assert ("Pesanan dibatalkan." in told_buyer) == (status == S.CANCELLED)
    return status


def _id_of(db_app, token: str) -> int:
    with db_app.app_context():
        return _order(token).id


def test_accept_and_cancel_at_once_on_cash_orders(server, db_app, localstripe_url):
    shop = open_shop(db_app, {"Nasi Uduk Betawi": (15000, 40)})
    buyer = Visitor(server.url)
    tokens = [buyer.order(shop.store_id, shop.products["Nasi Uduk Betawi"], 2) for _ in range(6)]
    for token in tokens:
        told = _accept_and_cancel(server, shop, token, _id_of(db_app, token))
        status = _check_told(db_app, token, *told)
        with db_app.app_context():
            events = db.session.scalars(
                select(OrderEvent.to_status)
                .join(Order)
                .where(Order.token == token)
                .order_by(OrderEvent.id)
            ).all()
        assert events[-1] == status
        assert events.count(S.ACCEPTED) + events.count(S.CANCELLED) == 1, events
    check_invariants(db_app, shop, localstripe_url)


def _pay(buyer: Visitor, card, token: str, number: str = "4242424242424242"):
    answer = buyer.pay(token, card(number))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_accept_and_cancel_at_once_on_card_orders_with_a_slow_capture(
    server, db_app, localstripe_url, card, stripe_delays
):
    shop = open_shop(db_app, {"Sate Maranggi": (35000, 30)})
    stripe_delays(r"/capture$", 1.0)
    stripe_delays(r"/cancel$", 0.5)
    buyer = Visitor(server.url)
    for _ in range(4):
        token = buyer.order(shop.store_id, shop.products["Sate Maranggi"], 1, payment_method="card")
        assert _pay(buyer, card, token)["status"] == S.NEW
        told = _accept_and_cancel(server, shop, token, _id_of(db_app, token))
        _check_told(db_app, token, *told)
    check_invariants(db_app, shop, localstripe_url)


# --- the browser's return and the webhook ------------------------------------------------------


def _webhook(server, intent: dict, event_id: str) -> requests.Response:
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.amount_capturable_updated",
            "created": int(time.time()),
            "data": {"object": intent},
        }
    ).encode()
    return requests.post(
        f"{server.url}/stripe/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": signed(body)},
        timeout=30,
    )


def _three_d_secure_order(server, db_app, shop, card, localstripe_url):
    """An order whose customer just passed 3-D Secure: Stripe authorised, nobody told us."""
    buyer = Visitor(server.url)
    token = buyer.order(shop.store_id, shop.products["Es Teh"], 2, payment_method="card")
    result = _pay(buyer, card, token, "4000002500003155")
    assert result["intent_status"] == "requires_action"
    with db_app.app_context():
        intent_id = db.session.scalar(
            select(Payment.intent_id).join(Order).where(Order.token == token)
        )
    requests.post(
        f"{localstripe_url}/v1/payment_intents/{intent_id}/_authenticate",
        data={"client_secret": result["client_secret"], "success": "true"},
        auth=("sk_test_local", ""),
        timeout=5,
    ).raise_for_status()
    intent = requests.get(
        f"{localstripe_url}/v1/payment_intents/{intent_id}", auth=("sk_test_local", ""), timeout=5
    ).json()
    assert intent["status"] == "requires_capture"
    return buyer, token, intent


def test_return_and_webhooks_at_once_move_the_order_once(
    server, db_app, localstripe_url, card, stripe_delays
):
    shop = open_shop(db_app, {"Es Teh": (6000, 40)})
    stripe_delays(r"/v1/payment_intents/pi_", 0.3, method="GET")  # widen the window
    for round_ in range(3):
        buyer, token, intent = _three_d_secure_order(server, db_app, shop, card, localstripe_url)
        answers = at_once(
            lambda b=buyer, t=token: b.get(f"/pesanan/{t}/bayar/selesai"),
            lambda i=intent, r=round_: _webhook(server, i, f"evt_a_{r}_{i['id']}"),
            lambda i=intent, r=round_: _webhook(server, i, f"evt_b_{r}_{i['id']}"),
        )
        for answer in answers:
            assert not isinstance(answer, Exception), answer
            assert answer.status_code < 500, answer.text[:500]
        assert _status(db_app, token) == S.NEW
        moves, messages = _transitions(db_app, token, S.NEW)
        assert moves == 1
        assert messages == 1
    check_invariants(db_app, shop, localstripe_url)


# --- a code once per customer, from ten sessions -----------------------------------------------


def test_a_once_per_customer_code_from_ten_sessions_is_used_once(server, db_app, localstripe_url):
    shop = open_shop(db_app, {"Kue Cucur": (20000, 60)})
    with db_app.app_context():
        from marketplace.stores.models import Store

        promos.save_code(
            db.session.get(Store, shop.store_id),
            promos.CodeData(code="SEKALI", kind="percent", value=10, per_customer_limit=1),
        )
        db.session.commit()
    buyers = [Visitor(server.url) for _ in range(10)]
    forms = []
    for buyer in buyers:
        buyer.add(shop.products["Kue Cucur"], 1)
        forms.append(buyer.checkout_form(shop.store_id))
    answers = at_once(
        *[
            lambda b=buyer, f=form: b.place(
                shop.store_id, f, phone="0813-5555-0101", discount_code="SEKALI"
            )
            for buyer, form in zip(buyers, forms, strict=True)
        ]
    )
    placed = [a for a in answers if a.status_code == 302]
    refused = [a for a in answers if a.status_code != 302]
    for answer in refused:
        assert answer.status_code == 400, answer.text[:300]
    with db_app.app_context():
        redeemed = db.session.scalar(
            select(func.count(Redemption.id))
            .join(Order, Order.id == Redemption.order_id)
            .where(Order.store_id == shop.store_id)
        )
        discounted = db.session.scalar(
            select(func.count(Order.id)).where(Order.store_id == shop.store_id, Order.discount > 0)
        )
    assert redeemed == 1
    assert discounted == 1
    assert len(placed) >= 1
    check_invariants(db_app, shop, localstripe_url)


# --- the last portions: the losers learn which product sold out ---------------------------------


def test_the_losers_of_a_sold_out_race_are_told_which_product(server, db_app, localstripe_url):
    shop = open_shop(db_app, {"Nasi Uduk Betawi": (15000, 3), "Kerupuk": (2000, 100)})
    buyers = [Visitor(server.url) for _ in range(8)]
    forms = []
    for buyer in buyers:
        buyer.add(shop.products["Nasi Uduk Betawi"], 1)
        buyer.add(shop.products["Kerupuk"], 2)
        forms.append(buyer.checkout_form(shop.store_id))
    answers = at_once(
        *[
            lambda b=buyer, f=form: b.place(shop.store_id, f)
            for buyer, form in zip(buyers, forms, strict=True)
        ]
    )
    winners = [b for b, a in zip(buyers, answers, strict=True) if a.status_code == 302]
    losers = [(b, a) for b, a in zip(buyers, answers, strict=True) if a.status_code != 302]
    assert len(winners) == 3
    for buyer, answer in losers:
        assert answer.status_code in (302, 400, 409)
        cart = buyer.get("/keranjang").text
        told = answer.text + cart
        flashes = re.findall(r'class="flash[^"]*"[^>]*>(.*?)<', told, re.S)
        assert re.search(r"Nasi Uduk Betawi (sedang |sudah )?habis", told), flashes
        assert "Kerupuk" in cart  # the rest of the cart is kept
    check_invariants(db_app, shop, localstripe_url)


# --- a crash between "Stripe answered" and "commit" --------------------------------------------


def test_a_worker_killed_after_stripe_authorised_loses_nothing(
    server, db_app, localstripe_url, card, stripe_delays
):
    shop = open_shop(db_app, {"Pecel Lele": (25000, 20)})
    buyer = Visitor(server.url)
    first = buyer.order(shop.store_id, shop.products["Pecel Lele"], 1, payment_method="card")
    second = buyer.order(shop.store_id, shop.products["Pecel Lele"], 1, payment_method="card")
    stripe_delays(r"^/v1/payment_intents$", 3.0, when="after", method="POST")

    for token in (first, second):
        method = card()
        page_csrf = buyer.get(f"/pesanan/{token}/bayar").text
        csrf = re.search(r'data-csrf="([^"]+)"', page_csrf).group(1)

        def pay(t=token, m=method, c=csrf):
            return buyer.http.post(
                f"{server.url}/pesanan/{t}/bayar",
                json={"payment_method": m},
                headers={"X-CSRFToken": c},
                timeout=30,
            )

        def crash(t=token):
            # Stripe has created (and authorised) the intent; its answer is on the way
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if _intents_for(localstripe_url, _id_of(db_app, t)):
                    break
                time.sleep(0.05)
            server.kill_workers()

        answers = at_once(pay, crash)
        assert isinstance(answers[0], requests.ConnectionError), answers[0]
        server.wait_ready()
        with db_app.app_context():
            payment = db.session.scalar(select(Payment).join(Order).where(Order.token == token))
            # The attempt was written down before the call: reconcile and retries can find it
            assert payment.pending_action == "create"
            assert payment.intent_id is None
            assert _order(token).status == S.AWAITING_PAYMENT
    requests.delete(f"{localstripe_url}/_test/delays", auth=("sk_test_local", ""), timeout=5)

    # The first customer retries: the same attempt is replayed, the same intent comes back
    retry = buyer.pay(first, card())
    assert retry.status_code == 200, retry.text
    assert retry.json()["status"] == S.NEW
    # Nobody retries the second: reconcile finds its intent at Stripe by the attempt's key
    with db_app.app_context():
        from marketplace.payments.services import reconcile

        reconcile(30, now=utcnow() + timedelta(minutes=5))
        run_after_commit()
    assert _status(db_app, second) == S.NEW
    for token in (first, second):
        with db_app.app_context():
            assert len(_intents_for(localstripe_url, _order(token).id)) == 1
    # The seller accepts one and rejects the other: captured once, voided once
    seller = Visitor(server.url)
    seller.login("0" + shop.owner_phone[2:])
    assert seller.post(f"/toko-saya/pesanan/{_id_of(db_app, first)}/terima").status_code == 302
    assert (
        seller.post(
            f"/toko-saya/pesanan/{_id_of(db_app, second)}/tolak", {"reason": "Habis"}
        ).status_code
        == 302
    )
    assert _status(db_app, first) == S.ACCEPTED
    assert _status(db_app, second) == S.REJECTED
    check_invariants(db_app, shop, localstripe_url)
