"""A guest adds items with options from two stores on a phone, pays one by card through the
Stripe form (localstripe) and chooses cash for the other; each seller accepts and marks ready;
the guest's order pages show the timeline."""

import re

import pytest
from playwright.sync_api import expect

from marketplace.accounts.models import Role
from marketplace.catalog import services as catalog
from marketplace.extensions import db
from tests.factories import add_user, build_store

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_stores(live_app):
    with live_app.app_context():
        admin = add_user(Role.CITY_ADMIN, "6281100000009")
        made = {}
        for n, (name, product, price, area) in enumerate(
            [
                ("Warung Bu Siti", "Nasi Uduk Betawi", 15000, "Uwung Jaya"),
                ("Sate Kang Asep", "Sate Maranggi", 35000, "Cibodasari"),
            ]
        ):
            owner = add_user(Role.SELLER, f"628120000000{n}", f"Penjual {n}")
            store = build_store(
                owner, admin, name, area, whatsapp=owner.phone, address="Jl. Raya 1"
            )
            item = catalog.create_product(
                store,
                catalog.ProductData(
                    name=product, category_id=catalog.categories()[0].id, price=price
                ),
            )
            catalog.save_option_group(item, "Level pedas", "Tidak pedas\nPedas", False, True)
            catalog.save_option_group(item, "Tambahan", "Telur +3000\nKerupuk +1000", True, False)
            made[name] = {"product": item.id, "login": "0" + owner.phone[2:]}
        db.session.commit()
    return made


@pytest.fixture
def live_stripe(live_app, localstripe_url):
    live_app.config.update(
        STRIPE_API_BASE=localstripe_url,
        STRIPE_JS_URL=f"{localstripe_url}/js.stripe.com/v3/",
        STRIPE_WEBHOOK_SECRET="whsec_e2e",
    )
    return localstripe_url


def test_guest_orders_from_two_stores_and_sellers_fulfil(
    live_stripe, live_server, phone, two_stores
):
    guest = phone()
    # The guest adds a product with options from each store
    for name, extra in (("Warung Bu Siti", "Telur"), ("Sate Kang Asep", "Kerupuk")):
        guest.goto(f"{live_server}/produk/{two_stores[name]['product']}")
        guest.get_by_label("Pedas", exact=True).check()
        guest.get_by_label(extra, exact=False).check()
        guest.get_by_label("Jumlah").fill("2")
        guest.get_by_role("button", name="Tambah ke keranjang").click()
        expect(guest.get_by_text("masuk keranjang")).to_be_visible()
    expect(guest.get_by_role("heading", name="Warung Bu Siti")).to_be_visible()
    expect(guest.get_by_role("heading", name="Sate Kang Asep")).to_be_visible()
    expect(guest.get_by_text("Rp36.000", exact=True)).to_be_visible()  # (15.000 + 3.000) × 2

    order_pages = []
    for name, method in (
        ("Warung Bu Siti", "Kartu debit / kredit"),
        ("Sate Kang Asep", "Bayar di tempat (tunai)"),
    ):
        guest.goto(f"{live_server}/keranjang")
        guest.get_by_role("link", name=f"Pesan dari {name}").click()
        guest.get_by_label("Nama pemesan").fill("Dewi Tamu")
        guest.get_by_label("Nomor WhatsApp").fill("0813-0000-1111")
        guest.get_by_label(method).check()
        guest.get_by_role("button", name="Pesan", exact=True).click()
        if method.startswith("Kartu"):
            # Stripe's card form (localstripe's stand-in for Stripe.js): card data goes to Stripe
            expect(guest.get_by_role("heading", name=re.compile("Bayar pesanan"))).to_be_visible()
            card = guest.locator("#card-element")
            card.locator("input[placeholder=number]").fill("4242424242424242")
            card.locator("input[placeholder=exp_month]").fill("12")
            card.locator("input[placeholder=exp_year]").fill("30")
            card.locator("input[placeholder=cvc]").fill("123")
            card.locator("input[placeholder=postal_code]").fill("15138")
            guest.get_by_role("button", name=re.compile("Bayar Rp")).click()
            expect(guest.get_by_text("Pembayaran disetujui")).to_be_visible()
        else:
            expect(guest.get_by_text("terkirim ke")).to_be_visible()
        order_pages.append(guest.url)

    # Each seller sees the new order, accepts it and marks it ready
    for name in ("Warung Bu Siti", "Sate Kang Asep"):
        seller = phone()
        seller.goto(f"{live_server}/akun/masuk")
        seller.get_by_label("Nomor WhatsApp atau e-mail").fill(two_stores[name]["login"])
        seller.get_by_label("Kata sandi").fill("rahasia123")
        seller.get_by_role("button", name="Masuk").click()
        seller.get_by_role("link", name="Pesanan", exact=True).click()
        expect(seller.get_by_text("1 pesanan baru")).to_be_visible()
        expect(seller.get_by_text("Dewi Tamu")).to_be_visible()
        seller.get_by_role("button", name="Terima").click()
        expect(seller.get_by_text("diterima.")).to_be_visible()
        seller.get_by_role("button", name="Siap diambil").click()
        expect(seller.get_by_text("siap.")).to_be_visible()

    # The guest's private order pages show the whole timeline
    for url in order_pages:
        guest.goto(url)
        timeline = guest.locator(".timeline")
        expect(timeline).to_contain_text("Pesanan baru")
        expect(timeline).to_contain_text("Diterima penjual")
        expect(timeline).to_contain_text("Siap diambil")
    width = guest.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
