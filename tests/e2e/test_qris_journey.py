"""QRIS on a 360 px phone: the seller registers the sticker from a photo, a buyer pays an order
by scanning the dynamic code Chromium draws (read back from the screen with its exact amount),
the seller confirms the money from the board, and the cash book shows it as QRIS."""

from __future__ import annotations

import io
import re

import pytest
import segno
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.payments import qris
from tests.e2e.conftest import sign_in
from tests.factories import seed_warung
from tests.payments.qris_payloads import static_payload

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_qris_order_from_sticker_to_cash_book(live_server, live_app, phone, tmp_path):
    with live_app.app_context():
        store, product = seed_warung(product_name="Nasi Uduk Betawi")
        db.session.commit()
        store_id, slug, product_id = store.id, store.slug, product.id

    # The seller photographs the sticker and confirms the merchant it pays
    sticker = static_payload(guid="COM.GO-JEK.WWW", name="WARUNG BU SITI")
    photo = tmp_path / "stiker.jpg"
    picture = io.BytesIO()
    segno.make(sticker, error="m").save(picture, kind="png", scale=6, border=4)
    Image.open(io.BytesIO(picture.getvalue())).convert("RGB").save(photo, quality=85)
    seller = phone()
    sign_in(seller, live_server, "081200000001")
    seller.goto(f"{live_server}/toko-saya/{store_id}/pembayaran")
    seller.get_by_label("Foto stiker QRIS").set_input_files(str(photo))
    seller.get_by_role("button", name="Baca QRIS").click()
    expect(seller.get_by_role("heading", name="Apakah ini QRIS Anda?")).to_be_visible()
    expect(seller.get_by_text("GoPay")).to_be_visible()
    _no_sideways_scroll(seller)
    seller.get_by_role("button", name="Ya, simpan QRIS ini").click()
    expect(seller.get_by_text("QRIS WARUNG BU SITI tersimpan")).to_be_visible()

    # A buyer orders two plates and pays with QRIS
    buyer = phone()
    buyer.goto(f"{live_server}/produk/{product_id}")
    buyer.get_by_label("Jumlah").fill("2")
    buyer.get_by_role("button", name="Tambah ke keranjang").click()
    buyer.goto(f"{live_server}/keranjang")
    buyer.get_by_role("link", name="Pesan dari Warung Bu Siti").click()
    buyer.get_by_label("Nama pemesan").fill("Dewi")
    buyer.get_by_label("Nomor WhatsApp").fill("0813-0000-1111")
    buyer.get_by_label("QRIS (e-wallet / m-banking)").check()
    buyer.get_by_role("button", name="Pesan", exact=True).click()
    expect(buyer.get_by_role("heading", name="Bayar dengan QRIS")).to_be_visible()
    expect(buyer.locator(".pay-box .amount")).to_have_text("Rp30.000")
    expect(buyer.locator(".countdown .left")).to_have_text(re.compile(r"\(\d+:\d\d\)"))
    _no_sideways_scroll(buyer)
    # what a bank app's camera sees on the buyer's screen
    shot = buyer.locator("figure.qris svg").screenshot()
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert len(codes) == 1
    assert qris.amount_of(codes[0].text) == 30000
    assert qris.parse(codes[0].text)[0].name == "WARUNG BU SITI"
    buyer.get_by_role("button", name="Saya sudah bayar").click()
    expect(buyer.get_by_text("Penjual akan memeriksa uang masuk")).to_be_visible()

    # The seller sees the money in GoPay and confirms from the board
    seller.goto(f"{live_server}/toko-saya/{store_id}/pesanan")
    expect(seller.get_by_text("pembeli bilang sudah bayar")).to_be_visible()
    _no_sideways_scroll(seller)
    seller.get_by_role("button", name="Uang sudah masuk").click()
    expect(seller.get_by_text("dikonfirmasi; pesanan diterima")).to_be_visible()
    seller.goto(f"{live_server}/toko-saya/{store_id}/buku-kas")
    expect(seller.locator("#sales")).to_have_text("Rp30.000")
    expect(seller.get_by_text("online, QRIS")).to_be_visible()

    # The buyer's page follows
    buyer.reload()
    expect(buyer.locator(".badge").first).to_have_text("Diterima penjual")
    assert slug
