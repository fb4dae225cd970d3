"""Input a user can type never gives a 500: huge numbers, control characters, odd JSON, CR/LF.

Routes are walked from the URL map, so a route added later is covered without a new test.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.orders.models import Order
from marketplace.stores.models import Store
from tests.order_fixtures import add_to_cart

HUGE = [2**31, 2**63, 10**30]
TEXT_FIELDS = (
    "name",
    "description",
    "note",
    "reason",
    "body",
    "title",
    "text",
    "q",
    "address",
    "login",
    "phone",
    "code",
    "category",
    "product_id",
    "jumlah",
)


def _url(rule, number: int) -> str:
    url = rule.rule
    for name, converter in rule._converters.items():  # noqa: SLF001 - the rule's own parts
        value = str(number) if converter.__class__.__name__.endswith("IntConverter") else "x"
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", value, url)
    return url


def _int_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(c.__class__.__name__.endswith("IntConverter") for c in rule._converters.values())  # noqa: SLF001
    ]


def test_ids_beyond_the_column_are_not_found(app, client, create_user, login):
    login(create_user(Role.CITY_ADMIN))
    rules = _int_rules(app)
    assert len(rules) > 40
    for rule in rules:
        for number in HUGE:
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(_url(rule, number), method=method)
            assert response.status_code == 404, (rule.rule, number, response.status_code)


@pytest.mark.parametrize("role", ["anonymous", Role.CUSTOMER, Role.SELLER, Role.CITY_ADMIN])
def test_a_nul_byte_in_any_field_of_any_post_route_is_a_clear_400(
    app, client, create_user, create_store, login, role
):
    if role != "anonymous":
        user = create_user(role)
        if role == Role.SELLER:
            create_store(owner=user)
        login(user)
    form = {field: "Nasi\x00uduk" for field in TEXT_FIELDS}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "payments.webhook":
            continue
        response = client.post(_url(rule, 1), data=form)
        assert response.status_code < 500, (rule.rule, response.status_code)
        if response.status_code == 400:
            assert "karakter yang tidak diizinkan" in response.get_data(as_text=True), rule.rule


def test_huge_numbers_in_query_strings_are_ignored(client, create_store, create_product):
    store = create_store()
    product = create_product(store)
    query = "&".join(
        f"{name}={HUGE[1]}"
        for name in ("page", "kategori", "kelurahan", "min", "max", "ulasan", "hal", "acara")
    )
    for path in (
        "/",
        "/produk",
        "/cari",
        "/kategori/makanan-berat",
        "/kelurahan/uwung-jaya",
        f"/toko/{store.slug}",
        f"/produk/{product.id}",
        "/pengumuman",
        "/kelurahan",
        "/keranjang",
    ):
        response = client.get(f"{path}?{query}&q=%00nasi")
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 404), (path, response.status_code)


def test_huge_ids_posted_to_the_cart_change_nothing(client, create_store, create_product):
    product = create_product(create_store())
    for data in (
        {"product_id": HUGE[1], "jumlah": "1"},
        {"product_id": product.id, "jumlah": str(HUGE[1])},
        {"product_id": product.id, "jumlah": "1", "opsi": [str(HUGE[1]), "²", "-1"]},
        {"product_id": "١٢", "jumlah": "1"},  # Arabic-Indic digits are not an id
    ):
        response = client.post("/keranjang/tambah", data=data)
        assert response.status_code < 500, data
    client.post("/keranjang/ubah", data={"key": f"{HUGE[1]}:", "jumlah": str(HUGE[2])})
    client.post(f"/keranjang/toko/{HUGE[0]}/harga")


def test_control_characters_in_a_text_field_are_refused_by_the_form(
    client, create_user, login, count_rows
):
    seller = create_user(Role.SELLER)
    login(seller)
    before = count_rows(Store)
    response = client.post(
        "/toko-saya/baru",
        data={"name": "Warung\x07Bel", "whatsapp": "081234567890", "address": "Jl. Uji\x1b[31m"},
    )
    assert response.status_code == 400
    assert "karakter yang tidak diizinkan" in response.get_data(as_text=True)
    assert count_rows(Store) == before


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/akun\n", "/%0d%0a"])
def test_next_with_line_breaks_is_a_400(client, target):
    response = client.get("/akun/masuk", query_string={"next": target})
    if "%" in target:  # percent-encoded text is not a control character
        assert response.status_code == 200
        return
    assert response.status_code == 400
    response = client.post("/akun/masuk", data={"login": "x", "password": "y", "next": target})
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["[]", "1", '"x"', "null", "{", '{"payment_method": 5}'])
def test_the_pay_endpoint_refuses_json_that_is_not_an_object(client, cart, shop, checkout, body):
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(cart, shop["store"])
    response = client.post(
        f"/pesanan/{order.token}/bayar", data=body, content_type="application/json"
    )
    assert response.status_code == 400


def test_the_largest_order_is_refused_clearly_and_large_ones_fit(
    cart, shop, checkout, create_product, count_rows
):
    # 99 × Rp100.000.000 is far beyond an order; the database could hold it, the rule says no
    big = create_product(shop["store"], name="Tumpeng Raksasa", price=100_000_000)
    add_to_cart(cart, big, [], 99)
    before = count_rows(Order)
    with pytest.raises(Exception, match="maksimal Rp50.000.000"):
        checkout(cart, shop["store"])
    assert count_rows(Order) == before


def test_a_big_catering_order_is_stored_whole(cart, shop, checkout, create_product):
    # Rp29.700.000 is 2 970 000 000 in Stripe's minor units: beyond a 32-bit column
    catering = create_product(shop["store"], name="Nasi Kotak 300", price=9_900_000)
    add_to_cart(cart, catering, [], 3)
    order = checkout(cart, shop["store"])
    from marketplace.core.money import to_stripe_amount
    from marketplace.extensions import db
    from marketplace.payments.models import Payment

    db.session.add(Payment(order_id=order.id, amount=to_stripe_amount(order.total)))
    db.session.flush()
    stored = db.session.scalar(select(func.max(Payment.amount)))
    assert (order.total, stored) == (29_700_000, 2_970_000_000)


def test_editing_the_note_of_a_closed_date_updates_it(shop):
    from datetime import timedelta

    from marketplace.core.db import jakarta_today
    from marketplace.stores import services as stores

    day = jakarta_today() + timedelta(days=3)
    stores.set_closed_dates(shop["store"], [(day, "Libur")])
    stores.set_closed_dates(shop["store"], [(day, "Libur keluarga")])
    assert [(c.day, c.note) for c in shop["store"].closed_dates] == [(day, "Libur keluarga")]
