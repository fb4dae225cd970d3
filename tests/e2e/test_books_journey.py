"""A seller records a walk-in sale and an expense, completes a cash order from the board, and
sees this month's profit and the chart change."""

import pytest
from playwright.sync_api import expect

from marketplace.accounts.models import Role
from marketplace.catalog import services as catalog
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.cart import SessionCart, add_to_cart
from tests.e2e.conftest import sign_in
from tests.factories import add_user, build_store

pytestmark = pytest.mark.e2e


@pytest.fixture
def warung(live_app):
    with live_app.app_context():
        admin = add_user(Role.CITY_ADMIN, "6281100000029")
        owner = add_user(Role.SELLER, "6281200000021", "Bu Yati")
        store = build_store(owner, admin, "Warung Bu Yati", whatsapp=owner.phone)
        product = catalog.create_product(
            store,
            catalog.ProductData(
                name="Pecel Lele", category_id=catalog.categories()[0].id, price=18000
            ),
        )
        cart = SessionCart({})
        add_to_cart(cart, product, [], 2)
        slot = orders.available_slots(store, 0)[0]
        order = orders.place_order(
            cart,
            store.id,
            orders.CheckoutData(
                checkout_token="books-e2e",
                name="Pak Joko",
                phone="081300002222",
                fulfilment="pickup",
                fulfil_at=slot.isoformat(),
            ),
        )
        orders.accept_order(order, owner)
        orders.mark_ready(order, owner)
        db.session.commit()
        return store.id


def test_walk_in_sale_expense_and_cash_order(live_server, phone, warung):
    seller = phone()
    sign_in(seller, live_server, "081200000021")
    seller.goto(f"{live_server}/toko-saya/{warung}/buku-kas")
    expect(seller.locator("#profit")).to_have_text("Rp0")
    chart_before = seller.locator("svg.chart").inner_html()

    # A walk-in sale at the stall
    seller.get_by_label("Pemasukan (jual di tempat)").check()
    seller.get_by_label("Jumlah (Rp)").fill("25.000")
    seller.get_by_label("penjualan di tempat").check()
    seller.get_by_role("button", name="Simpan catatan").click()
    expect(seller.get_by_text("Catatan disimpan.")).to_be_visible()
    expect(seller.locator("#sales")).to_have_text("Rp25.000")

    # An expense with a one-tap category
    seller.get_by_label("Pengeluaran", exact=True).first.check()
    seller.get_by_label("Jumlah (Rp)").fill("8000")
    seller.get_by_label("bahan baku", exact=True).check()  # one tap
    seller.get_by_label("Keterangan", exact=True).fill("Lele 1 kg")
    seller.get_by_role("button", name="Simpan catatan").click()
    expect(seller.locator("#expenses")).to_have_text("Rp8.000")
    expect(seller.locator("#profit")).to_have_text("Rp17.000")

    # A cash order completed from the board posts itself
    seller.goto(f"{live_server}/toko-saya/{warung}/pesanan")
    seller.get_by_role("button", name="Selesai").first.click()
    seller.goto(f"{live_server}/toko-saya/{warung}/buku-kas")
    expect(seller.locator("#sales")).to_have_text("Rp61.000")
    expect(seller.locator("#profit")).to_have_text("Rp53.000")
    expect(seller.get_by_text("otomatis")).to_be_visible()
    assert seller.locator("svg.chart").inner_html() != chart_before
