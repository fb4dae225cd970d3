"""Discount codes, sale prices and cheaper delivery: arithmetic, windows, limits, redemption."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from marketplace.core.db import to_utc_naive, utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.cart import add_to_cart, view_cart
from marketplace.promotions import services as promos
from marketplace.promotions.models import DiscountCode, Redemption

JKT = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("kind", "value", "subtotal", "cap", "expected"),
    [
        ("percent", 10, 50000, None, 5000),
        ("percent", 10, 12345, None, 1235),  # 1234,5 rounds half up to whole Rupiah
        ("percent", 15, 9999, None, 1500),
        ("percent", 50, 80000, 25000, 25000),  # capped
        ("percent", 100, 42000, None, 42000),
        ("fixed", 5000, 50000, None, 5000),
        ("fixed", 20000, 15000, None, 15000),  # never below zero
        ("fixed", 5000, 0, None, 0),
        ("percent", 1, 1, None, 0),
        ("percent", 1, 50, None, 1),
    ],
)
def test_discount_arithmetic(kind, value, subtotal, cap, expected):
    amount = promos.discount_amount(kind, value, subtotal, cap)
    assert amount == expected
    assert isinstance(amount, int)
    assert subtotal - amount >= 0


@pytest.fixture
def code(shop):
    def make(**fields):
        data = promos.CodeData(
            code=fields.pop("code", "HEMAT10"),
            kind=fields.pop("kind", "percent"),
            value=fields.pop("value", 10),
            **fields,
        )
        return promos.save_code(shop["store"], data)

    return make


def test_window_edges_in_jakarta(code):
    start = datetime(2026, 12, 1, 0, 0)  # midnight in Jakarta
    end = datetime(2026, 12, 2, 0, 0)
    promo = code(starts_at=start, ends_at=end)
    assert promo.starts_at == datetime(2026, 11, 30, 17, 0)  # stored in UTC
    just_before = to_utc_naive(datetime(2026, 11, 30, 23, 59, tzinfo=JKT))
    with pytest.raises(DomainError, match="berlaku mulai 1 Des 2026, 00.00"):
        promos.check_code(promo, 50000, ["p1"], just_before)
    assert promos.check_code(promo, 50000, ["p1"], to_utc_naive(start)) == 5000
    last_minute = to_utc_naive(datetime(2026, 12, 1, 23, 59, tzinfo=JKT))
    assert promos.check_code(promo, 50000, ["p1"], last_minute) == 5000
    with pytest.raises(DomainError, match="sudah berakhir"):
        promos.check_code(promo, 50000, ["p1"], to_utc_naive(end))


def test_reasons_a_code_does_not_apply(code, shop):
    with pytest.raises(DomainError, match="tidak dikenal"):
        promos.check_code(promos.find_code(shop["store"], "NGAWUR"), 50000, ["p1"])
    minimum = code(code="MIN50", min_spend=50000)
    with pytest.raises(DomainError, match="minimal belanja Rp50.000"):
        promos.check_code(minimum, 49999, ["p1"])
    assert promos.check_code(minimum, 50000, ["p1"]) == 5000
    off = code(code="MATI", is_active=False)
    with pytest.raises(DomainError, match="tidak aktif"):
        promos.check_code(off, 50000, ["p1"])
    gone = code(code="HABIS", total_limit=1)
    gone.used_count = 1
    with pytest.raises(DomainError, match="Kode sudah habis"):
        promos.check_code(gone, 50000, ["p1"])


def test_codes_are_case_insensitive_and_validated(code, shop):
    code(code="hemat10")
    assert promos.find_code(shop["store"], " Hemat10 ").code == "HEMAT10"
    for bad in (
        {"code": "a"},
        {"code": "HEMAT10"},
        {"code": "X1", "value": 0},
        {"code": "PERSEN", "value": 120},
    ):
        with pytest.raises(DomainError):
            code(**bad)


def test_checkout_applies_the_discount_and_counts_the_use(cart, shop, checkout, code):
    promo = code(code="HEMAT10", total_limit=5, per_customer_limit=1)
    add_to_cart(cart, shop["teh"], [], 3)  # 3 × Rp4.000
    order = checkout(cart, shop["store"], discount_code="hemat10")
    assert (order.subtotal, order.discount, order.total) == (12000, 1200, 10800)
    assert promo.used_count == 1
    add_to_cart(cart, shop["teh"], [], 1)
    with pytest.raises(DomainError, match="sudah memakai"):
        checkout(cart, shop["store"], token="again", discount_code="HEMAT10")


def test_cancelling_an_unpaid_order_releases_the_code(cart, shop, checkout, code):
    promo = code(total_limit=1)
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(cart, shop["store"], discount_code="HEMAT10")
    assert promo.used_count == 1
    orders.cancel_by_customer(order)
    db.session.refresh(promo)
    assert promo.used_count == 0
    assert db.session.scalar(select(Redemption.released).where(Redemption.order_id == order.id))
    promos.release(order.id)  # a second release gives nothing back
    db.session.refresh(promo)
    assert promo.used_count == 0


def test_completed_order_keeps_its_use(cart, shop, checkout, code):
    promo = code()
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(cart, shop["store"], discount_code="HEMAT10")
    owner = shop["store"].owner
    orders.accept_order(order, owner)
    orders.mark_ready(order, owner)
    orders.complete_order(order, owner)
    assert promo.used_count == 1


def test_sale_price_inside_its_window(cart, shop, client):
    teh = shop["teh"]
    teh.sale_price = 3000
    teh.sale_starts_at = utcnow() - timedelta(hours=1)
    teh.sale_ends_at = utcnow() + timedelta(hours=1)
    db.session.flush()
    assert teh.price_at() == 3000
    add_to_cart(cart, teh, [], 2)
    assert view_cart(cart)[0].subtotal == 6000
    page = client.get(f"/produk/{teh.id}").get_data(as_text=True)
    assert "<del" in page
    assert "Rp3.000" in page
    teh.sale_ends_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert teh.price_at() == 4000
    assert view_cart(cart)[0].rows[0].repriced_from == 3000  # shown, never silent


def test_sale_price_must_be_lower(shop):
    from marketplace.catalog import services as catalog

    teh = shop["teh"]
    data = catalog.ProductData(
        name=teh.name,
        category_id=teh.category_id,
        price=4000,
        stock_mode="counted",
        stock=5,
        sale_price=4000,
    )
    with pytest.raises(DomainError, match="lebih rendah"):
        catalog.update_product(teh, data)


def test_free_delivery_above_a_spend(cart, shop, checkout):
    store = shop["store"]
    store.delivery_promo_min, store.delivery_promo_fee = 10000, 0
    add_to_cart(cart, shop["teh"], [], 2)  # Rp8.000: below
    first = checkout(
        cart,
        store,
        token="below",
        fulfilment="delivery",
        address="Jl. A",
        rt="1",
        rw="1",
        kelurahan_id=store.kelurahan_id,
    )
    assert first.delivery_fee == 5000
    add_to_cart(cart, shop["teh"], [], 3)  # Rp12.000: above
    second = checkout(
        cart,
        store,
        token="above",
        fulfilment="delivery",
        address="Jl. A",
        rt="1",
        rw="1",
        kelurahan_id=store.kelurahan_id,
    )
    assert second.delivery_fee == 0
    assert second.total == 12000


def test_seller_manages_codes_over_http(client, shop, login, count_rows):
    login(shop["store"].owner)
    response = client.post(
        f"/toko-saya/{shop['store'].id}/promo",
        data={
            "code": "gajian",
            "kind": "fixed",
            "value": "5000",
            "min_spend": "30.000",
            "ends_at": "2030-01-31T23:59",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    promo = db.session.scalar(select(DiscountCode).where(DiscountCode.code == "GAJIAN"))
    assert (promo.kind, promo.value, promo.min_spend) == ("fixed", 5000, 30000)
    before = count_rows(DiscountCode)
    response = client.post(
        f"/toko-saya/{shop['store'].id}/promo",
        data={"code": "GAJIAN", "kind": "fixed", "value": "1000"},
    )
    assert response.status_code == 400
    assert "sudah ada" in response.get_data(as_text=True)
    assert count_rows(DiscountCode) == before
    client.post(
        f"/toko-saya/promo/{promo.id}",
        data={"code": "GAJIAN", "kind": "percent", "value": "20", "max_discount": "10.000"},
    )
    assert (promo.kind, promo.value, promo.max_discount, promo.is_active) == (
        "percent",
        20,
        10000,
        False,
    )


def test_discount_is_shown_to_customer_and_seller(client, cart, shop, checkout, code, login):
    code(code="HEMAT10")
    add_to_cart(cart, shop["teh"], [], 3)
    order = checkout(cart, shop["store"], discount_code="HEMAT10")
    page = client.get(f"/pesanan/{order.token}").get_data(as_text=True)
    assert "Diskon (HEMAT10)" in page
    assert "-Rp1.200" in page
    login(shop["store"].owner)
    board = client.get(f"/toko-saya/{shop['store'].id}/pesanan").get_data(as_text=True)
    assert "HEMAT10" in board


def test_per_customer_limit_counts_the_number_and_the_account(
    cart, shop, checkout, code, create_user
):
    # Given a once-per-customer code used by a guest with this WhatsApp number
    promo = code(code="SEKALI", per_customer_limit=1)
    add_to_cart(cart, shop["teh"], [], 1)
    first = checkout(cart, shop["store"], discount_code="SEKALI", phone="081300002222")
    assert first.discount > 0
    # When an account with the same number tries again, signed in
    customer = create_user("customer")
    add_to_cart(cart, shop["teh"], [], 1)
    with pytest.raises(DomainError, match="sudah memakai"):
        checkout(
            cart,
            shop["store"],
            token="acct",
            customer=customer,
            discount_code="SEKALI",
            phone="0813-0000-2222",
        )
    # Then cancelling the first order gives the use back to that number
    orders.cancel_by_customer(first)
    again = checkout(
        cart, shop["store"], token="after", discount_code="SEKALI", phone="081300002222"
    )
    assert again.discount > 0
    assert promo.used_count == 1


def test_the_guarded_counter_refuses_past_the_limit(shop, code):
    # The statement itself holds the limit, whatever a read before it saw.
    promo = code(code="DUAKALI", per_customer_limit=2)
    for _use in (1, 2):
        assert promos._take_customer_use(promo, "p6281300003333")
    assert not promos._take_customer_use(promo, "p6281300003333")
    assert promos._take_customer_use(promo, "p6281300004444")
