from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.catalog import services as catalog
from marketplace.catalog.models import DailyPortion, Product
from marketplace.core.db import JAKARTA, to_jakarta
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.cart import DbCart, add_to_cart, merge_into, view_cart
from marketplace.orders.models import Notification, Order, OrderStatus
from marketplace.orders.services import available_slots
from tests.factories import PASSWORD, kelurahan
from tests.order_fixtures import options
from tests.stripe_fixtures import commit_and_settle


def test_cart_prices_options_and_groups_by_store(cart, shop, create_store, create_product):
    add_to_cart(cart, shop["uduk"], options(shop["uduk"], "Telur", "Tempe", "Pedas"), 2)
    add_to_cart(cart, shop["teh"], [], 1)
    other = create_product(create_store(name="Dapur Lain"), name="Klepon", price=10000)
    add_to_cart(cart, other, [], 3)
    groups = view_cart(cart)
    assert [g.store.name for g in groups] == ["Warung Bu Siti", "Dapur Lain"]
    first = groups[0]
    assert [r.unit_price for r in first.rows] == [20000, 4000]
    assert first.subtotal == 2 * 20000 + 4000
    assert groups[1].subtotal == 30000
    assert first.can_check_out


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ((), "Pilih Level"),
        (("Pedas", "Tidak pedas"), "Pilih satu saja"),
    ],
)
def test_option_rules(cart, shop, chosen, message):
    with pytest.raises(DomainError, match=message):
        add_to_cart(cart, shop["uduk"], options(shop["uduk"], *chosen), 1)
    assert cart.items() == []


def test_unknown_option_and_quantity_are_refused(cart, shop):
    with pytest.raises(DomainError):
        add_to_cart(cart, shop["teh"], [999999], 1)
    for quantity in (0, 100, -1):
        with pytest.raises(DomainError, match="antara 1 dan 99"):
            add_to_cart(cart, shop["teh"], [], quantity)


def test_changes_since_adding_are_flagged_never_silent(cart, shop):
    add_to_cart(cart, shop["teh"], [], 1)
    add_to_cart(cart, shop["uduk"], options(shop["uduk"], "Pedas"), 1)
    shop["teh"].price = 5000
    catalog.set_sold_out(shop["uduk"], True)
    group = view_cart(cart)[0]
    rows = {r.product.name: r for r in group.rows}
    assert rows["Teh Manis"].repriced_from == 4000
    assert rows["Teh Manis"].unit_price == 5000
    assert "habis" in rows["Nasi Uduk"].problem
    assert not group.can_check_out
    catalog.set_hidden(shop["teh"], True)
    assert "tidak tersedia" in view_cart(cart)[0].rows[0].problem


def test_guest_cart_merges_into_saved_cart_at_login(client, shop, create_user):
    user = create_user()
    client.post("/keranjang/tambah", data={"product_id": shop["teh"].id, "jumlah": "2"})
    client.post("/akun/masuk", data={"login": user.phone, "password": PASSWORD})
    items = DbCart(user).items()
    assert [(i.product_id, i.quantity) for i in items] == [(shop["teh"].id, 2)]
    client.post("/keranjang/tambah", data={"product_id": shop["teh"].id, "jumlah": "1"})
    assert DbCart(user).items()[0].quantity == 3


def test_merge_adds_quantities(create_user, shop):
    user = create_user()
    saved = DbCart(user)
    add_to_cart(saved, shop["teh"], [], 1)
    from marketplace.orders.cart import SessionCart

    guest = SessionCart({})
    add_to_cart(guest, shop["teh"], [], 2)
    merge_into(saved, guest.items())
    assert saved.items()[0].quantity == 3


def test_place_order_computes_amounts_takes_stock_and_empties_the_store_part(
    cart, shop, checkout, create_store, create_product
):
    add_to_cart(cart, shop["uduk"], options(shop["uduk"], "Telur", "Pedas"), 2)
    add_to_cart(cart, shop["uduk"], options(shop["uduk"], "Tidak pedas"), 1)
    add_to_cart(cart, shop["teh"], [], 2)
    other = create_product(create_store(), name="Klepon")
    add_to_cart(cart, other, [], 1)
    order = checkout(
        cart,
        shop["store"],
        fulfilment="delivery",
        address="Jl. Mawar 1",
        rt="1",
        rw="2",
        kelurahan_id=shop["store"].kelurahan_id,
    )
    assert order.status == OrderStatus.NEW
    assert order.subtotal == 2 * 18000 + 15000 + 2 * 4000
    assert order.delivery_fee == 5000
    assert order.total == order.subtotal + 5000
    assert [(line.product_name, line.options_text, line.quantity) for line in order.lines] == [
        ("Nasi Uduk", "Telur (+Rp3.000), Pedas", 2),
        ("Nasi Uduk", "Tidak pedas", 1),
        ("Teh Manis", "", 2),
    ]
    assert db.session.get(Product, shop["teh"].id).stock == 3
    portions = db.session.scalar(
        select(DailyPortion.taken).where(DailyPortion.product_id == shop["uduk"].id)
    )
    assert portions == 3  # the two lines of one product were summed
    assert [i.product_id for i in cart.items()] == [other.id]
    assert [e.to_status for e in order.events] == ["new"]
    assert order.notifications  # recorded


def test_order_lines_keep_the_price_of_their_time(cart, shop, checkout):
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(cart, shop["store"])
    shop["teh"].price, shop["teh"].name = 9000, "Teh Tarik"
    db.session.flush()
    db.session.refresh(order)
    assert (order.lines[0].product_name, order.lines[0].unit_price) == ("Teh Manis", 4000)


def test_same_checkout_token_returns_the_same_order(cart, shop, checkout):
    add_to_cart(cart, shop["teh"], [], 1)
    first = checkout(cart, shop["store"], token="same")
    add_to_cart(cart, shop["teh"], [], 1)
    assert checkout(cart, shop["store"], token="same") == first
    assert db.session.scalar(select(db.func.count(Order.id))) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"phone": "123"}, "Nomor WhatsApp tidak valid"),
        ({"name": " "}, "Nama pemesan"),
        ({"fulfil_at": "2020-01-01T08:00:00+07:00"}, "tidak tersedia lagi"),
        ({"fulfil_at": "kapan-kapan"}, "Pilih waktu"),
        ({"fulfilment": "drone"}, "Pilih ambil"),
        ({"payment_method": "bitcoin"}, "cara bayar"),
        ({"fulfilment": "delivery", "address": "", "rt": "1", "rw": "1"}, "alamat antar"),
        (
            {
                "fulfilment": "delivery",
                "address": "Jl. X",
                "rt": "1",
                "rw": "1",
                "kelurahan_id": 999999,
            },
            "Pilih kelurahan",
        ),
    ],
)
def test_bad_checkout_input_changes_nothing(cart, shop, checkout, fields, message):
    add_to_cart(cart, shop["teh"], [], 2)
    attempt = db.session.begin_nested()  # what a route does: roll back the refused request
    with pytest.raises(DomainError, match=message):
        checkout(cart, shop["store"], **fields)
    attempt.rollback()
    assert db.session.get(Product, shop["teh"].id).stock == 5
    assert len(cart.items()) == 1


def test_delivery_outside_the_area_is_refused(cart, shop, checkout, create_store):
    add_to_cart(cart, shop["teh"], [], 1)
    with pytest.raises(DomainError, match="di luar daerah antar"):
        checkout(
            cart,
            shop["store"],
            fulfilment="delivery",
            address="Jl. Jauh",
            rt="1",
            rw="1",
            kelurahan_id=kelurahan("Paninggilan").id,
        )


def test_sold_out_during_checkout_leaves_cart_and_stock(cart, shop, checkout):
    add_to_cart(cart, shop["teh"], [], 5)
    shop["teh"].stock = 2
    db.session.flush()
    with pytest.raises(DomainError):
        checkout(cart, shop["store"])
    assert len(cart.items()) == 1


def test_lead_time_moves_the_first_slot(shop, create_product):
    from datetime import timedelta

    from marketplace.core.db import jakarta_today
    from marketplace.orders.services import available_slots

    slots = available_slots(shop["store"], 2)
    assert slots[0].date() == jakarta_today() + timedelta(days=2)


def test_daily_capacity_closes_a_day(cart, shop, checkout):
    from marketplace.orders.services import available_slots

    shop["store"].daily_capacity = 1
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(cart, shop["store"])
    remaining = available_slots(shop["store"], 0)
    assert all(slot.date() != order.fulfil_date for slot in remaining)


def test_notifications_e_mail_the_customer_and_the_seller(cart, shop, checkout, caplog):
    import logging

    shop["store"].owner.email = "penjual@example.id"
    add_to_cart(cart, shop["teh"], [], 1)

    with caplog.at_level(logging.WARNING):
        order = checkout(cart, shop["store"], email="dewi@example.id")
        commit_and_settle()  # the outbox delivers after commit
    channels = sorted((n.channel, n.recipient) for n in order.notifications)
    assert ("email", "dewi@example.id") in channels
    assert ("email", "penjual@example.id") in channels
    assert ("whatsapp", order.customer_phone) in channels
    assert "dewi@example.id" in caplog.text
    assert {n.status for n in order.notifications} == {"sent", "manual"}
    assert db.session.scalar(select(db.func.count(Notification.id))) == len(order.notifications)


def test_a_sold_out_product_is_named_and_the_cart_kept(cart, shop, checkout):
    # Given a cart with tea and the last portions of nasi uduk
    add_to_cart(cart, shop["teh"], [], 1)
    add_to_cart(cart, shop["uduk"], options(shop["uduk"], "Pedas"), 1)
    # When someone else buys the last tea first
    shop["teh"].stock = 0
    db.session.flush()
    # Then the checkout says which product ran out, and the cart still holds both lines
    with pytest.raises(DomainError) as refused:
        checkout(cart, shop["store"])
    assert refused.value.message == "Teh Manis sedang habis."
    assert len(cart.items()) == 2


def test_an_order_above_the_maximum_total_is_refused(app, cart, shop, checkout, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_ORDER_TOTAL", 10000)
    add_to_cart(cart, shop["teh"], [], 3)  # Rp12.000
    with pytest.raises(DomainError, match="maksimal Rp10.000"):
        checkout(cart, shop["store"])
    assert shop["teh"].stock == 5


def test_a_time_the_checkout_page_offered_can_be_chosen_a_little_later(cart, shop, checkout):
    # The page is shown at 10.29: the first pickup time is 11.00 (30 minutes to cook)
    shown = datetime(2026, 12, 7, 10, 29, tzinfo=JAKARTA)  # a Monday; the shop is always open
    first = available_slots(shop["store"], 0, shown)[0]
    assert first == datetime(2026, 12, 7, 11, 0, tzinfo=JAKARTA)
    later = shown + timedelta(minutes=5)
    assert first not in available_slots(shop["store"], 0, later)  # the clock moved past it
    add_to_cart(cart, shop["teh"], [], 1)
    # the buyer sends the form five minutes later: the time they saw still stands
    order = checkout(cart, shop["store"], now=later, fulfil_at=first.isoformat())
    assert to_jakarta(order.fulfil_at.replace(tzinfo=UTC)) == first
    # but not once the grace is over: the seller must still have time to cook
    add_to_cart(cart, shop["teh"], [], 1)
    too_late = shown + timedelta(minutes=services.OFFER_GRACE_MINUTES + 2)
    with pytest.raises(DomainError, match="tidak tersedia lagi"):
        checkout(cart, shop["store"], token="tok-2", now=too_late, fulfil_at=first.isoformat())
