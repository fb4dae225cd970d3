"""The two journeys that matter most, on a 360 px phone, with every tap and input counted:
a first-time seller from the home page to a first product with a photo (≤ 15 inputs, ≤ 25 taps),
and a guest from the home page to a placed pickup order (≤ 6 taps plus name and number)."""

from __future__ import annotations

from datetime import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from tests.e2e.conftest import PHONE
from tests.factories import add_user, build_store, jpeg_bytes

pytestmark = pytest.mark.e2e


class Thumb:
    """A person's thumb on the page: each action is counted as a phone user does it.
    Typing into a field is one input and the tap that focuses it; a select is one input and two
    taps (open, choose); a photo is one input and two taps (open the camera, shutter)."""

    def __init__(self, page):
        self.page = page
        self.taps = 0
        self.inputs = 0
        self.widths = []

    def _fits(self):
        self.page.wait_for_load_state()
        self.widths.append(
            (self.page.url, self.page.evaluate("document.documentElement.scrollWidth"))
        )

    def tap(self, locator):
        box = locator.bounding_box()
        assert box is not None, "tapped something not on the screen"
        assert box["height"] >= 44 or box["width"] >= 44, f"tap target too small: {box}"
        locator.click()
        self.taps += 1
        self._fits()

    def type(self, locator, text, pick=False):
        """Type into a field; ``pick``: then choose the browser's suggestion (one more tap)."""
        locator.fill(text)
        self.taps += 2 if pick else 1
        self.inputs += 1

    def choose(self, locator, label):
        locator.select_option(label=label)
        self.taps += 2
        self.inputs += 1

    def photo(self, locator, path):
        locator.set_input_files(str(path))
        self.taps += 2
        self.inputs += 1

    def assert_fits(self):
        wide = [(url, width) for url, width in self.widths if width > 360]
        assert not wide, f"pages wider than the phone: {wide}"


def test_first_time_seller_opens_a_store_and_lists_a_product_in_few_taps(
    live_server, live_app, phone, tmp_path
):
    photo = tmp_path / "kamera.jpg"
    photo.write_bytes(jpeg_bytes(size=(1600, 1200)))
    page = phone()
    page.goto(live_server)
    thumb = Thumb(page)
    nav = page.get_by_role("navigation", name="Navigasi bawah")

    # from the home page: Akun → Mulai berjualan (the sign-up form, "I want to sell" ticked)
    thumb.tap(nav.get_by_role("link", name="Akun"))
    thumb.tap(page.get_by_role("link", name="Mulai berjualan"))
    expect(page.get_by_label("Saya ingin berjualan (membuka toko)")).to_be_checked()
    thumb.type(page.get_by_label("Nama lengkap"), "Ani Suryani")
    thumb.type(page.get_by_label("Nomor WhatsApp"), "0812-7777-1234")
    thumb.type(page.get_by_label("Kata sandi"), "rahasia123")
    thumb.tap(page.get_by_role("button", name="Daftar"))

    # step 1: the store (WhatsApp already filled from sign-up, card payments not asked)
    expect(page.get_by_text("1. Toko")).to_be_visible()
    expect(page.get_by_label("Nomor WhatsApp toko")).to_have_value("0812-7777-1234")
    thumb.type(page.get_by_label("Nama toko"), "Dapur Ceu Ani")
    thumb.type(page.get_by_label("Kelurahan", exact=True), "Uwung Jaya", pick=True)
    thumb.type(page.get_by_label("Alamat (jalan, gang, nomor)"), "Jl. Kenanga no. 7")
    thumb.type(page.get_by_label("RT", exact=True), "3")
    thumb.type(page.get_by_label("RW", exact=True), "4")
    # delivery fields appear only when delivery is on
    expect(page.get_by_label("Ongkos kirim (Rp)")).to_be_hidden()
    thumb.tap(page.get_by_role("button", name="Buka toko dan lanjut"))

    # step 2: hours from the "every day" preset
    expect(page.get_by_role("heading", name="Jam buka: Dapur Ceu Ani")).to_be_visible()
    thumb.type(page.get_by_label("Buka", exact=True).first, "07:00")
    thumb.type(page.get_by_label("Tutup", exact=True).first, "21:00")
    thumb.tap(page.get_by_role("button", name="Simpan dan lanjut"))

    # step 3: the first product, its photo straight from the camera
    expect(page.get_by_role("heading", name="Produk pertama")).to_be_visible()
    camera = page.get_by_label("Foto produk")
    assert camera.get_attribute("capture") == "environment"
    thumb.photo(camera, photo)
    thumb.type(page.get_by_label("Nama produk"), "Nasi Uduk Ceu Ani")
    thumb.type(page.get_by_label("Harga (Rp)"), "15rb")
    expect(page.get_by_text("= Rp15.000")).to_be_visible()
    thumb.choose(page.get_by_label("Kategori"), "Makanan berat")
    thumb.tap(page.get_by_role("button", name="Simpan dan selesai"))
    expect(page.get_by_text("Toko Anda siap!")).to_be_visible(timeout=20_000)

    print(f"seller journey: {thumb.inputs} inputs, {thumb.taps} taps")
    assert thumb.inputs <= 15
    assert thumb.taps <= 25
    thumb.assert_fits()

    from marketplace.stores.models import Store

    with live_app.app_context():
        store = db.session.scalar(select(Store).where(Store.name == "Dapur Ceu Ani"))
        assert store.kelurahan.name == "Uwung Jaya"
        assert store.whatsapp == "6281277771234"
        assert (store.card_on_pickup, store.card_on_delivery) == (False, False)
        assert sorted((p.weekday, p.opens_at, p.closes_at) for p in store.periods) == [
            (day, time(7), time(21)) for day in range(7)
        ]
        from marketplace.catalog.models import Product

        (product,) = db.session.scalars(select(Product).where(Product.store_id == store.id))
        assert (product.name, product.price) == ("Nasi Uduk Ceu Ani", 15000)
        assert len(product.photos) == 1


@pytest.fixture
def open_store(live_app):
    from marketplace.accounts.models import Role
    from marketplace.catalog import services as catalog

    with live_app.app_context():
        admin = add_user(Role.CITY_ADMIN, "6281100000009")
        owner = add_user(Role.SELLER, "6281200000001", "Bu Siti")
        store = build_store(
            owner,
            admin,
            "Warung Bu Siti",
            periods=[(day, time(0), time(23, 59)) for day in range(7)],
        )
        catalog.create_product(
            store,
            catalog.ProductData(
                name="Nasi Uduk Betawi", category_id=catalog.categories()[0].id, price=15000
            ),
        )
        db.session.commit()
        return store.id


def test_guest_places_a_pickup_order_from_the_home_page_in_six_taps(
    live_server, live_app, phone, open_store
):
    page = phone()
    page.goto(live_server)
    thumb = Thumb(page)
    thumb.tap(page.get_by_role("link", name="Nasi Uduk Betawi").first)
    thumb.tap(page.get_by_role("button", name="Tambah ke keranjang"))
    thumb.tap(page.get_by_role("link", name="Pesan dari Warung Bu Siti"))
    page.get_by_label("Nama pemesan").fill("Dewi Tamu")  # name and number are not counted
    page.get_by_label("Nomor WhatsApp").fill("0813-0000-1111")
    thumb.tap(page.get_by_role("button", name="Pesan", exact=True))
    expect(page.get_by_text("terkirim ke Warung Bu Siti")).to_be_visible()
    print(f"guest journey: {thumb.taps} taps")
    assert thumb.taps <= 6
    thumb.assert_fits()

    from marketplace.orders.models import Order

    with live_app.app_context():
        (order,) = db.session.scalars(select(Order)).all()
        assert (order.store_id, order.fulfilment, order.payment_method) == (
            open_store,
            "pickup",
            "cash",
        )


def test_without_javascript_a_guest_still_searches_and_orders(
    live_server, live_app, browser, open_store
):

    context = browser.new_context(**PHONE, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(live_server)
        page.get_by_label("Cari makanan atau toko").fill("uduk")
        page.get_by_role("button", name="Cari").click()
        page.get_by_role("link", name="Nasi Uduk Betawi").first.click()
        page.get_by_role("button", name="Tambah ke keranjang").click()
        page.get_by_role("link", name="Pesan dari Warung Bu Siti").click()
        page.get_by_label("Nama pemesan").fill("Dewi Tamu")
        page.get_by_label("Nomor WhatsApp").fill("0813-0000-1111")
        page.get_by_role("button", name="Pesan", exact=True).click()
        expect(page.get_by_text("terkirim ke Warung Bu Siti")).to_be_visible()
    finally:
        context.close()
