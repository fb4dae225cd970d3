"""Concurrency on PostgreSQL with separate connections and real commits (no rolled-back wrapper)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role, User
from marketplace.catalog import services as catalog
from marketplace.catalog.models import DailyPortion, Product
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.cart import SessionCart, add_to_cart
from marketplace.orders.models import Order
from marketplace.stores import services as stores
from tests.conftest import build_schema, make_app
from tests.factories import add_user, build_store
from tests.stripe_fixtures import signed

THREADS = 30


@pytest.fixture
def pg_app(postgres_url, tmp_path):
    app = make_app(
        postgres_url,
        tmp_path / "uploads",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": THREADS + 5, "max_overflow": 10},
    )
    build_schema(app)
    created: dict = {}
    yield app, created
    with app.app_context():
        # Remove what this test committed, so other tests see the database as before.
        store_ids = created.get("stores", [])
        if store_ids:
            order_ids = sa.select(Order.id).where(Order.store_id.in_(store_ids))
            of_stores = "SELECT id FROM orders WHERE store_id = ANY(:s)"
            for table in ("notifications", "order_events", "order_lines"):
                db.session.execute(
                    sa.text(f"DELETE FROM {table} WHERE order_id IN ({of_stores})"),  # noqa: S608
                    {"s": store_ids},
                )
            for table in ("cash_entries", "ledger_entries"):  # what completed orders posted
                db.session.execute(
                    sa.text(f"DELETE FROM {table} WHERE store_id = ANY(:s)"),  # noqa: S608
                    {"s": store_ids},
                )
            db.session.execute(sa.delete(Order).where(Order.id.in_(order_ids)))
            product_ids = sa.select(Product.id).where(Product.store_id.in_(store_ids))
            db.session.execute(
                sa.delete(DailyPortion).where(DailyPortion.product_id.in_(product_ids))
            )
            db.session.execute(
                sa.text("DELETE FROM products WHERE store_id = ANY(:s)"), {"s": store_ids}
            )
            for table in ("store_verification_events", "opening_periods"):
                db.session.execute(
                    sa.text(f"DELETE FROM {table} WHERE store_id = ANY(:s)"), {"s": store_ids}
                )  # noqa: S608,E501
            db.session.execute(sa.text("DELETE FROM stores WHERE id = ANY(:s)"), {"s": store_ids})
        if created.get("users"):
            db.session.execute(sa.delete(User).where(User.id.in_(created["users"])))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _shop(app, created, **product_fields):
    with app.app_context():
        owner = add_user(Role.SELLER, "6281999990001")
        admin = add_user(Role.CITY_ADMIN, "6281999990002")
        store = build_store(owner, admin, "Warung Balapan", whatsapp="081999990001")
        category = catalog.categories()[0].id
        products = [
            catalog.create_product(
                store,
                catalog.ProductData(
                    name=f"Produk {n}", category_id=category, price=10000, **product_fields
                ),
            )
            for n in range(2)
        ]
        db.session.commit()
        created.setdefault("stores", []).append(store.id)
        created.setdefault("users", []).extend([owner.id, admin.id])
        return store.id, [p.id for p in products]


def _order(app, store_id, product_quantities, token, barrier=None):
    """Place one order in its own app context (own session, own connection); return the outcome."""
    with app.app_context():
        cart = SessionCart({})
        for product_id, quantity in product_quantities:
            add_to_cart(cart, db.session.get(Product, product_id), [], quantity)
        store = db.session.get(stores.Store, store_id)
        slot = services.available_slots(store, 0)[0]
        data = services.CheckoutData(
            checkout_token=token,
            name="Pembeli",
            phone="081300001111",
            fulfilment="pickup",
            fulfil_at=slot.isoformat(),
        )
        if barrier is not None:
            barrier.wait(timeout=30)
        try:
            order = services.place_order(cart, store_id, data)
            db.session.commit()
            return ("ok", order.id)
        except DomainError as error:
            db.session.rollback()
            return ("refused", error.message)
        except IntegrityError:
            db.session.rollback()
            return ("duplicate", None)
        except sa.exc.OperationalError as error:  # a deadlock would land here
            db.session.rollback()
            return ("error", str(error))
        finally:
            db.session.remove()


def _race(jobs):
    results = [None] * len(jobs)

    def run(index, job):
        results[index] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("mode", ["counted", "daily"])
def test_thirty_buyers_for_the_last_five(pg_app, mode):
    app, created = pg_app
    fields = (
        {"stock_mode": "counted", "stock": 5}
        if mode == "counted"
        else {"stock_mode": "daily", "daily_quota": 5}
    )
    store_id, (product_id, _other) = _shop(app, created, **fields)
    barrier = threading.Barrier(THREADS)
    results = _race(
        [
            (lambda n=n: _order(app, store_id, [(product_id, 1)], f"race-{mode}-{n}", barrier))
            for n in range(THREADS)
        ]
    )
    outcomes = [r[0] for r in results]
    assert outcomes.count("ok") == 5, results
    assert outcomes.count("refused") == THREADS - 5, results
    with app.app_context():
        if mode == "counted":
            assert db.session.get(Product, product_id).stock == 0
        else:
            assert (
                db.session.scalar(
                    sa.select(DailyPortion.taken).where(DailyPortion.product_id == product_id)
                )
                == 5
            )
        assert (
            db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.store_id == store_id))
            == 5
        )


def test_opposite_carts_never_deadlock(pg_app):
    app, created = pg_app
    store_id, (a, b) = _shop(app, created, stock_mode="counted", stock=1000)
    barrier = threading.Barrier(40)
    jobs = []
    for n in range(20):
        jobs.append(lambda n=n: _order(app, store_id, [(a, 1), (b, 1)], f"ab-{n}", barrier))
        jobs.append(lambda n=n: _order(app, store_id, [(b, 1), (a, 1)], f"ba-{n}", barrier))
    results = _race(jobs)
    assert [r[0] for r in results] == ["ok"] * 40, [r for r in results if r[0] != "ok"]
    with app.app_context():
        assert db.session.get(Product, a).stock == 960
        assert db.session.get(Product, b).stock == 960


def test_double_submit_creates_one_order(pg_app):
    app, created = pg_app
    store_id, (product_id, _other) = _shop(app, created, stock_mode="counted", stock=10)
    barrier = threading.Barrier(2)
    results = _race(
        [
            (lambda: _order(app, store_id, [(product_id, 1)], "double", barrier)),
            (lambda: _order(app, store_id, [(product_id, 1)], "double", barrier)),
        ]
    )
    assert sorted(r[0] for r in results) in (["duplicate", "ok"], ["ok", "ok"])
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.store_id == store_id))
            == 1
        )
        assert db.session.get(Product, product_id).stock == 9


def test_the_same_webhook_twice_at_once_is_one_transition(pg_app, localstripe_url):
    import json
    import time as clock

    from marketplace.core.money import to_stripe_amount
    from marketplace.orders.models import Notification, OrderEvent
    from marketplace.payments.models import Payment, StripeEvent

    app, created = pg_app
    app.config.update(
        STRIPE_WEBHOOK_SECRET="whsec_test_pasar_kampung", STRIPE_API_BASE=localstripe_url
    )
    store_id, (product_id, _other) = _shop(app, created, stock_mode="counted", stock=10)
    with app.app_context():
        cart = SessionCart({})
        add_to_cart(cart, db.session.get(Product, product_id), [], 2)
        store = db.session.get(stores.Store, store_id)
        slot = services.available_slots(store, 0)[0]
        order = services.place_order(
            cart,
            store_id,
            services.CheckoutData(
                checkout_token="webhook-race",
                name="Pembeli",
                phone="081300001111",
                fulfilment="pickup",
                fulfil_at=slot.isoformat(),
                payment_method="card",
            ),
        )
        amount = to_stripe_amount(order.total)
        db.session.add(Payment(order_id=order.id, amount=amount, intent_id="pi_race_test"))
        db.session.commit()
        order_id = order.id
    intent = {
        "id": "pi_race_test",
        "object": "payment_intent",
        "status": "requires_capture",
        "amount": amount,
        "currency": "idr",
    }
    body = json.dumps(
        {
            "id": "evt_race_test",
            "type": "payment_intent.amount_capturable_updated",
            "created": int(clock.time()),
            "data": {"object": intent},
        }
    ).encode()
    barrier = threading.Barrier(2)

    def deliver():
        client = app.test_client()
        barrier.wait(timeout=10)
        return client.post(
            "/stripe/webhook",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": signed(body)},
        ).json["status"]

    results = _race([deliver, deliver])
    assert sorted(results) == ["duplicate", "handled"]
    with app.app_context():
        assert db.session.get(Order, order_id).status == "new"
        events = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OrderEvent)
            .where(OrderEvent.order_id == order_id, OrderEvent.to_status == "new")
        )
        assert events == 1
        notes = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.order_id == order_id, Notification.channel == "whatsapp")
        )
        assert notes == 2  # awaiting payment, then new: once each
        db.session.execute(sa.delete(StripeEvent).where(StripeEvent.id == "evt_race_test"))
        db.session.execute(sa.delete(Payment).where(Payment.order_id == order_id))
        db.session.commit()


def test_ten_customers_race_for_the_last_use_of_a_code(pg_app):
    from marketplace.promotions import services as promos
    from marketplace.promotions.models import DiscountCode, Redemption

    app, created = pg_app
    store_id, (product_id, _other) = _shop(app, created, stock_mode="counted", stock=100)
    with app.app_context():
        store = db.session.get(stores.Store, store_id)
        promo = promos.save_code(
            store, promos.CodeData(code="TERAKHIR", kind="fixed", value=2000, total_limit=5)
        )
        promo.used_count = 4  # one use left
        db.session.commit()
        code_id = promo.id
    barrier = threading.Barrier(10)

    def buyer(n):
        with app.app_context():
            cart = SessionCart({})
            add_to_cart(cart, db.session.get(Product, product_id), [], 1)
            slot = services.available_slots(db.session.get(stores.Store, store_id), 0)[0]
            data = services.CheckoutData(
                checkout_token=f"code-race-{n}",
                name="Pembeli",
                phone=f"08130000{n:04d}",
                fulfilment="pickup",
                fulfil_at=slot.isoformat(),
                discount_code="terakhir",
            )
            barrier.wait(timeout=30)
            try:
                services.place_order(cart, store_id, data)
                db.session.commit()
                return "ok"
            except DomainError as error:
                db.session.rollback()
                return error.message
            finally:
                db.session.remove()

    results = _race([(lambda n=n: buyer(n)) for n in range(10)])
    assert results.count("ok") == 1, results
    assert all(r == "Kode sudah habis." for r in results if r != "ok"), results
    with app.app_context():
        assert db.session.get(DiscountCode, code_id).used_count == 5
        assert db.session.get(Product, product_id).stock == 99  # refused orders took nothing
        db.session.execute(sa.delete(Redemption).where(Redemption.code_id == code_id))
        db.session.execute(sa.delete(DiscountCode).where(DiscountCode.id == code_id))
        db.session.commit()


def test_daily_capacity_holds_under_a_race(pg_app):
    app, created = pg_app
    store_id, (product_id, _other) = _shop(app, created, stock_mode="counted", stock=100)
    with app.app_context():
        store = db.session.get(stores.Store, store_id)
        store.daily_capacity = 3
        db.session.commit()
        slot = services.available_slots(store, 0)[0].isoformat()
    barrier = threading.Barrier(10)

    def buyer(n):
        with app.app_context():
            cart = SessionCart({})
            add_to_cart(cart, db.session.get(Product, product_id), [], 1)
            data = services.CheckoutData(
                checkout_token=f"cap-{n}",
                name="Pembeli",
                phone="081300001111",
                fulfilment="pickup",
                fulfil_at=slot,
            )
            barrier.wait(timeout=30)
            try:
                services.place_order(cart, store_id, data)
                db.session.commit()
                return "ok"
            except DomainError:
                db.session.rollback()
                return "full"
            finally:
                db.session.remove()

    results = _race([(lambda n=n: buyer(n)) for n in range(10)])
    assert results.count("ok") == 3, results
