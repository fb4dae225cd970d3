"""An order placed while the store is closed waits for the morning: the time to answer counts
from when the store next opens, not from when the order was placed."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.core.db import JAKARTA, to_utc_naive
from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.cart import add_to_cart
from marketplace.orders.models import Notification, OrderStatus
from marketplace.payments import services as payments
from marketplace.payments.gateway import payment_of
from marketplace.payments.models import PaymentStatus
from tests.stripe_fixtures import commit_and_settle

DAYTIME = tuple((day, time(7), time(21)) for day in range(7))


def at(hour: int, minute: int) -> datetime:
    """A moment on 10 December 2026 in Asia/Jakarta, as stored (UTC, naive)."""
    return to_utc_naive(datetime(2026, 12, 10, hour, minute, tzinfo=JAKARTA))


def _night_shop(create_store, create_product):
    store = create_store(periods=DAYTIME, name="Warung Pagi")
    nasi = create_product(
        store, name="Nasi Uduk Betawi", price=15000, stock_mode="counted", stock=5
    )
    return store, nasi


def test_an_order_at_half_past_one_waits_for_the_seven_oclock_opening(
    create_store, create_product, cart, checkout
):
    store, nasi = _night_shop(create_store, create_product)
    add_to_cart(cart, nasi, [], 2)
    order = checkout(cart, store, now=at(1, 30))
    # The seller has an hour from the opening at 07:00
    assert order.answer_by == at(8, 0)
    for moment in (at(2, 31), at(7, 30)):
        assert services.sweep(now=moment)["auto_rejected"] == 0
        assert order.status == OrderStatus.NEW
    # Nobody answered by 08:00: rejected, the buyer told why, the stock back
    assert services.sweep(now=at(8, 1))["auto_rejected"] == 1
    assert order.status == OrderStatus.REJECTED
    assert db.session.get(Product, nasi.id).stock == 5
    told = db.session.scalars(
        select(Notification.body).where(
            Notification.order_id == order.id, Notification.recipient == order.customer_phone
        )
    ).all()
    assert any("tidak menanggapi" in body for body in told)


def test_an_order_placed_while_open_gets_an_hour(create_store, create_product, cart, checkout):
    store, nasi = _night_shop(create_store, create_product)
    add_to_cart(cart, nasi, [], 1)
    order = checkout(cart, store, now=at(20, 45))
    assert order.answer_by == at(21, 45)


def test_a_night_card_order_left_unanswered_has_its_card_voided(
    create_store, create_product, cart, checkout, card, stripe_on
):
    store, nasi = _night_shop(create_store, create_product)
    add_to_cart(cart, nasi, [], 1)
    order = checkout(cart, store, now=at(1, 30), payment_method="card")
    payments.pay_with_method(order, card())
    assert order.status == OrderStatus.NEW
    # (paid at 01:31: the answer time again counts from the opening)
    order.answer_by = services.answer_deadline(store, at(1, 31))
    assert order.answer_by == at(8, 0)
    assert services.sweep(now=at(7, 59))["auto_rejected"] == 0
    services.sweep(now=at(8, 1))
    commit_and_settle()
    assert order.status == OrderStatus.REJECTED
    assert payment_of(order).status == PaymentStatus.CANCELED
    assert db.session.get(Product, nasi.id).stock == 5


def test_the_order_page_says_when_the_seller_will_answer(
    client, create_store, create_product, cart, checkout
):
    store, nasi = _night_shop(create_store, create_product)
    add_to_cart(cart, nasi, [], 1)
    order = checkout(cart, store, now=at(1, 30))
    db.session.commit()
    page = client.get(f"/pesanan/{order.token}").get_data(as_text=True)
    assert "Penjual menjawab paling lambat" in page
    assert "08.00" in page
    assert order.answer_by - at(1, 30) == timedelta(hours=6, minutes=30)
