"""QRIS and transfer on PostgreSQL with separate connections and real commits: a payment is
confirmed (and booked) once however many taps race, and transfer orders placed at the same
moment never share a unique code."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from marketplace.books.models import CashEntry
from marketplace.catalog.models import Product
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.cart import SessionCart, add_to_cart
from marketplace.orders.models import Order
from marketplace.payments import manual
from marketplace.payments.models import ManualPayment
from marketplace.stores.models import Store
from tests.orders.test_concurrency import _race, _shop, pg_app  # noqa: F401
from tests.payments.qris_payloads import static_payload

RACERS = 8


def _paying_shop(app, created):
    store_id, products = _shop(app, created, stock_mode="counted", stock=100)
    with app.app_context():
        store = db.session.get(Store, store_id)
        manual.save_qris(store.owner, store, static_payload())
        manual.save_bank_account(store.owner, store, "BCA", "1234567890", "Siti Aminah")
        db.session.commit()
        db.session.remove()
    return store_id, products[0]


def _place(app, store_id, product_id, method, token, barrier=None):
    with app.app_context():
        cart = SessionCart({})
        add_to_cart(cart, db.session.get(Product, product_id), [], 1)
        store = db.session.get(Store, store_id)
        data = services.CheckoutData(
            checkout_token=token,
            name="Pembeli",
            phone="081300001111",
            fulfilment="pickup",
            fulfil_at=services.available_slots(store, 0)[0].isoformat(),
            payment_method=method,
        )
        if barrier is not None:
            barrier.wait(timeout=30)
        try:
            order = services.place_order(cart, store_id, data)
            db.session.commit()
            return order.id
        finally:
            db.session.remove()


def test_racing_confirmations_book_the_money_once(pg_app):  # noqa: F811
    app, created = pg_app
    store_id, product_id = _paying_shop(app, created)
    order_id = _place(app, store_id, product_id, "qris", "qris-race")
    barrier = threading.Barrier(RACERS)

    def confirm():
        with app.app_context():
            order = db.session.get(Order, order_id)
            owner = order.store.owner
            barrier.wait(timeout=30)
            try:
                manual.confirm_received(order, owner)
                db.session.commit()
                return "confirmed"
            except DomainError:
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()

    results = _race([confirm for _ in range(RACERS)])
    assert results.count("confirmed") == 1, results
    assert results.count("refused") == RACERS - 1, results
    with app.app_context():
        amounts = db.session.scalars(
            sa.select(CashEntry.amount).where(CashEntry.order_id == order_id)
        ).all()
        assert amounts == [10000]
        assert db.session.get(Order, order_id).status == "accepted"
        db.session.remove()


def test_transfer_orders_placed_at_once_get_distinct_codes(pg_app):  # noqa: F811
    app, created = pg_app
    store_id, product_id = _paying_shop(app, created)
    barrier = threading.Barrier(RACERS)
    results = _race(
        [
            (lambda n=n: _place(app, store_id, product_id, "transfer", f"tf-{n}", barrier))
            for n in range(RACERS)
        ]
    )
    assert all(isinstance(order_id, int) for order_id in results), results
    with app.app_context():
        codes = db.session.scalars(
            sa.select(ManualPayment.unique_code).where(ManualPayment.store_id == store_id)
        ).all()
        assert sorted(codes) == list(range(1, RACERS + 1))
        db.session.remove()
