"""A KIM admin publishes a bazaar announcement featuring a store and a promo code; a resident
opens it from the home page, follows the store link, orders with the code and sees the discount;
the seller sees the discounted order."""

import re

import pytest
from playwright.sync_api import expect

from marketplace.accounts.models import Role
from marketplace.catalog import services as catalog
from marketplace.extensions import db
from marketplace.kim.services import ensure_group
from marketplace.promotions import services as promotions
from tests.e2e.conftest import sign_in
from tests.factories import add_user, build_store, kelurahan

pytestmark = pytest.mark.e2e


@pytest.fixture
def kampung(live_app):
    with live_app.app_context():
        admin = add_user(Role.CITY_ADMIN, "6281100000009")
        group = ensure_group(kelurahan("Uwung Jaya"))
        add_user(Role.KIM_ADMIN, "6281100000002", "Rina KIM", kim_group_id=group.id)
        owner = add_user(Role.SELLER, "6281200000001", "Bu Siti")
        store = build_store(owner, admin, "Warung Bu Siti", whatsapp=owner.phone)
        catalog.create_product(
            store,
            catalog.ProductData(
                name="Nasi Uduk Betawi", category_id=catalog.categories()[0].id, price=15000
            ),
        )
        promotions.save_code(store, promotions.CodeData(code="BAZAR10", kind="percent", value=10))
        db.session.commit()


def test_bazaar_announcement_to_discounted_order(live_server, phone, kampung):
    # The KIM admin publishes a bazaar announcement linking the store and the code
    kim = phone()
    sign_in(kim, live_server, "081100000002")
    kim.goto(f"{live_server}/kim/pengumuman")
    kim.get_by_label("Jenis").select_option("acara")
    kim.get_by_label("Judul").fill("Bazar Kuliner Uwung Jaya")
    kim.get_by_label("Ringkasan").fill("Minggu pagi di lapangan RW 05")
    kim.get_by_label("Isi (Markdown)").fill("Ayo datang! Pakai kode **BAZAR10**.")
    kim.get_by_label("Sumber informasi").fill("Kelurahan Uwung Jaya")
    kim.get_by_label("Tautkan toko").select_option(label="Warung Bu Siti")
    kim.get_by_label("Tautkan kode promo").select_option(label="BAZAR10 — Warung Bu Siti")
    kim.get_by_role("button", name="Simpan pengumuman").click()
    expect(kim.get_by_text("Pengumuman disimpan.")).to_be_visible()

    # A resident opens it from the home page and follows the store link
    resident = phone()
    resident.goto(live_server)
    resident.get_by_role("link", name="Bazar Kuliner Uwung Jaya").click()
    expect(
        resident.get_by_text("Sumber: Kelurahan Uwung Jaya, diverifikasi oleh KIM Uwung Jaya")
    ).to_be_visible()
    expect(resident.get_by_text("BAZAR10").first).to_be_visible()
    resident.get_by_role("link", name="Warung Bu Siti").first.click()
    resident.get_by_role("link", name="Nasi Uduk Betawi").first.click()
    resident.get_by_label("Jumlah").fill("2")
    resident.get_by_role("button", name="Tambah ke keranjang").click()
    resident.get_by_role("link", name="Pesan dari Warung Bu Siti").click()
    resident.get_by_label("Nama pemesan").fill("Pak Rahmat")
    resident.get_by_label("Nomor WhatsApp").fill("0813-7777-0001")
    resident.get_by_label("Kode promo (tidak wajib)").fill("bazar10")
    resident.get_by_role("button", name="Pesan", exact=True).click()
    expect(resident.get_by_text("Diskon (BAZAR10)")).to_be_visible()
    expect(resident.get_by_text("-Rp3.000")).to_be_visible()
    expect(resident.get_by_text("Rp27.000")).to_be_visible()
    assert re.search(r"/pesanan/[\w-]{40,}$", resident.url)

    # The seller sees the discounted order
    seller = phone()
    sign_in(seller, live_server, "081200000001")
    seller.get_by_role("link", name="Pesanan", exact=True).click()
    expect(seller.get_by_text("Pak Rahmat")).to_be_visible()
    expect(seller.get_by_text("BAZAR10")).to_be_visible()
    expect(seller.get_by_text("Rp27.000")).to_be_visible()
