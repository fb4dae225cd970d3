"""The order life cycle: one state machine, every transition recorded, stock given back."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError, InvalidTransition, NotAllowed
from marketplace.extensions import db
from marketplace.orders import services, states
from marketplace.orders.cart import add_to_cart
from marketplace.orders.models import Order, OrderStatus
from tests.order_fixtures import options

S = OrderStatus
ALL = list(S)


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("new", ALL)
def test_transition_table(current, new):
    allowed = {
        (S.AWAITING_PAYMENT, S.NEW),
        (S.AWAITING_PAYMENT, S.ON_HOLD),
        (S.AWAITING_PAYMENT, S.CANCELLED),
        (S.ON_HOLD, S.NEW),
        (S.ON_HOLD, S.CANCELLED),
        (S.NEW, S.ACCEPTED),
        (S.NEW, S.REJECTED),
        (S.NEW, S.CANCELLED),
        (S.ACCEPTED, S.READY),
        (S.ACCEPTED, S.OUT_FOR_DELIVERY),
        (S.ACCEPTED, S.REJECTED),
        (S.READY, S.COMPLETED),
        (S.READY, S.REJECTED),
        (S.OUT_FOR_DELIVERY, S.COMPLETED),
        (S.OUT_FOR_DELIVERY, S.REJECTED),
    }
    assert states.can_transition(current, new) is ((current, new) in allowed)


@pytest.fixture
def order(cart, shop, checkout):
    add_to_cart(cart, shop["teh"], [], 2)
    return checkout(cart, shop["store"])


def stock(product):
    return db.session.get(Product, product.id).stock


def test_happy_path_pickup(order, shop):
    seller = shop["store"].owner
    services.accept_order(order, seller)
    services.mark_ready(order, seller)
    assert order.status == S.READY
    services.complete_order(order, seller)
    assert [e.to_status for e in order.events] == ["new", "accepted", "ready", "completed"]
    assert all(e.actor_id == seller.id for e in order.events[1:])
    assert stock(shop["teh"]) == 3


def test_delivery_goes_out_for_delivery(cart, shop, checkout):
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(
        cart,
        shop["store"],
        fulfilment="delivery",
        address="Jl. A",
        rt="1",
        rw="1",
        kelurahan_id=shop["store"].kelurahan_id,
    )
    services.accept_order(order, shop["store"].owner)
    services.mark_ready(order, shop["store"].owner)
    assert order.status == S.OUT_FOR_DELIVERY


def test_reject_needs_a_reason_and_gives_stock_back_once(order, shop):
    seller = shop["store"].owner
    with pytest.raises(DomainError, match="alasan"):
        services.reject_order(order, seller, " ")
    services.reject_order(order, seller, "Bahan habis")
    assert order.status == S.REJECTED
    assert order.events[-1].reason == "Bahan habis"
    assert stock(shop["teh"]) == 5
    with pytest.raises(InvalidTransition):
        services.reject_order(order, seller, "Lagi")
    assert stock(shop["teh"]) == 5


def test_customer_cancels_before_acceptance_only(order, shop):
    services.accept_order(order, shop["store"].owner)
    with pytest.raises(DomainError, match="sudah diterima"):
        services.cancel_by_customer(order)
    assert order.status == S.ACCEPTED


def test_customer_cancel_releases_stock(order, shop):
    services.cancel_by_customer(order, reason="Salah pesan")
    assert order.status == S.CANCELLED
    assert stock(shop["teh"]) == 5


def test_another_seller_cannot_act(order, create_user):
    with pytest.raises(NotAllowed):
        services.accept_order(order, create_user("seller"))
    assert order.status == S.NEW


def test_sweep_auto_rejects_unanswered_orders(app, order, shop):
    # The store is open: the seller has ORDER_ACCEPT_TIMEOUT_MINUTES (60) from now
    assert order.answer_by is not None
    assert services.sweep(now=utcnow() + timedelta(minutes=50)) == {
        "expired": 0,
        "auto_rejected": 0,
        "lapsed": 0,
    }
    result = services.sweep(now=utcnow() + timedelta(minutes=61))
    assert result["auto_rejected"] == 1
    assert order.status == S.REJECTED
    assert "tidak menanggapi" in order.reject_reason
    assert stock(shop["teh"]) == 5
    assert order.events[-1].actor_label == "sistem"


def test_sweep_expires_unpaid_orders(order, shop):
    # Given an order still waiting for its card payment
    order.status = S.AWAITING_PAYMENT
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    # When the sweep runs
    result = services.sweep()
    # Then it is cancelled and its stock is back
    assert result["expired"] == 1
    assert order.status == S.CANCELLED
    assert stock(shop["teh"]) == 5


def test_sweep_command(app, order):
    order.answer_by = utcnow() - timedelta(minutes=1)
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["orders", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert db.session.get(Order, order.id).status == S.REJECTED


def test_production_recap(cart, shop, checkout):
    add_to_cart(cart, shop["uduk"], options(shop["uduk"], "Pedas"), 2)
    first = checkout(cart, shop["store"], token="a")
    add_to_cart(cart, shop["uduk"], options(shop["uduk"], "Pedas"), 3)
    add_to_cart(cart, shop["teh"], [], 1)
    checkout(cart, shop["store"], token="b")
    recap = services.production_recap(shop["store"], first.fulfil_date)
    assert recap == [("Nasi Uduk", "Pedas", 5), ("Teh Manis", "", 1)]


def test_seller_board_and_actions_over_http(client, order, shop, login):
    login(shop["store"].owner)
    board = client.get(f"/toko-saya/{shop['store'].id}/pesanan").get_data(as_text=True)
    assert f"#{order.id}" in board
    # how it is paid and by when to answer, without opening the order
    assert "Tunai · bayar saat terima" in board
    assert "Jawab sebelum" in board
    assert client.get(f"/toko-saya/{shop['store'].id}/pesanan/jumlah").json == {"new": 1}
    client.post(f"/toko-saya/pesanan/{order.id}/terima")
    client.post(f"/toko-saya/pesanan/{order.id}/siap")
    client.post(f"/toko-saya/pesanan/{order.id}/selesai")
    assert order.status == S.COMPLETED
    response = client.post(f"/toko-saya/pesanan/{order.id}/terima")
    assert response.status_code == 302  # refused with a message, nothing changed
    assert order.status == S.COMPLETED


def test_customer_order_page_shows_the_timeline(client, order, shop):
    services.reject_order(order, shop["store"].owner, "Warung tutup mendadak")
    page = client.get(f"/pesanan/{order.token}").get_data(as_text=True)
    assert "Warung tutup mendadak" in page
    assert "Pesanan baru" in page
    assert "Ditolak" in page
    assert "https://wa.me/" in page


def test_guessing_order_links_and_ids_fails(client, order, create_user, login):
    assert client.get("/pesanan/tebak-tebakan").status_code == 404
    login(create_user())
    assert client.get(f"/toko-saya/pesanan/{order.id}").status_code == 403
    assert client.post(f"/toko-saya/pesanan/{order.id}/terima").status_code == 403
    assert order.status == S.NEW
    assert len(order.token) >= 40


def test_history_lists_only_my_orders(client, cart, shop, checkout, create_user, login):
    me, other = create_user(), create_user()
    add_to_cart(cart, shop["teh"], [], 1)
    mine = checkout(cart, shop["store"], token="mine", customer=me)
    add_to_cart(cart, shop["teh"], [], 1)
    theirs = checkout(cart, shop["store"], token="theirs", customer=other)
    login(me)
    page = client.get("/pesanan-saya").get_data(as_text=True)
    assert mine.token in page
    assert theirs.token not in page


def test_checkout_over_http_twice_gives_one_order(client, shop):
    client.post("/keranjang/tambah", data={"product_id": shop["teh"].id, "jumlah": "1"})
    page = client.get(f"/keranjang/toko/{shop['store'].id}/pesan").get_data(as_text=True)
    import re

    token = re.search(r'name="checkout_token" type="hidden" value="([^"]+)"', page).group(1)
    slot = re.search(r'<option value="([^"]+)"', page).group(1)
    form = {
        "checkout_token": token,
        "name": "Dewi",
        "phone": "081300001111",
        "fulfilment": "pickup",
        "fulfil_at": slot,
        "payment_method": "cash",
        "kelurahan_id": str(shop["store"].kelurahan_id),
    }
    first = client.post(f"/keranjang/toko/{shop['store'].id}/pesan", data=form)
    second = client.post(f"/keranjang/toko/{shop['store'].id}/pesan", data=form)
    assert first.status_code == 302
    assert second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(db.func.count(Order.id))) == 1
