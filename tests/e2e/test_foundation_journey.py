"""A new seller opens a store, the KIM verifies it, the seller lists a product with a photo, and a
visitor on a phone finds it by search."""

import re

import pytest
from playwright.sync_api import expect

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.kim.models import KimGroup
from tests.factories import jpeg_bytes, kelurahan, password_hash

pytestmark = pytest.mark.e2e


@pytest.fixture
def kim_admin(live_app):
    with live_app.app_context():
        area = kelurahan("Uwung Jaya")
        group = KimGroup(kelurahan_id=area.id, name="KIM Uwung Jaya")
        db.session.add(group)
        db.session.flush()
        db.session.add(
            User(
                name="Rina KIM",
                phone="6281100000002",
                role=Role.KIM_ADMIN,
                kim_group_id=group.id,
                password_hash=password_hash(),
            )
        )
        db.session.commit()
    return {"login": "081100000002", "password": "rahasia123"}


def test_seller_to_visitor_journey(live_server, phone, kim_admin, tmp_path):
    # Given a new seller on a phone
    seller = phone()
    seller.goto(f"{live_server}/akun/daftar")
    seller.get_by_label("Nama lengkap").fill("Ani Suryani")
    seller.get_by_label("Nomor WhatsApp").fill("0812-7777-1234")
    seller.get_by_label("Kata sandi").fill("rahasia123")
    seller.get_by_label("Saya ingin berjualan (membuka toko)").check()
    seller.get_by_role("button", name="Daftar").click()

    # When she opens a store in Uwung Jaya
    expect(seller.get_by_role("heading", name="Buka toko baru")).to_be_visible()
    seller.get_by_label("Nama toko").fill("Dapur Ceu Ani")
    seller.get_by_label("Nomor WhatsApp toko").fill("081277771234")
    seller.get_by_label("Alamat (jalan, gang, nomor)").fill("Jl. Kenanga no. 7")
    seller.get_by_label("RT", exact=True).fill("3")
    seller.get_by_label("RW", exact=True).fill("4")
    seller.get_by_label("Kelurahan", exact=True).fill("Uwung Jaya")
    seller.get_by_label("Patokan / letak lapak").fill("Dekat masjid, pagar hijau")
    seller.get_by_role("button", name="Buka toko dan lanjut").click()
    expect(seller.get_by_text("Toko dibuat")).to_be_visible()
    seller.get_by_text("Atau atur per hari").click()
    for day in range(7):
        seller.locator(f"input[name=d{day}_0_open]").fill("00:00")
        seller.locator(f"input[name=d{day}_0_close]").fill("12:00")
        seller.locator(f"input[name=d{day}_1_open]").fill("12:00")
        seller.locator(f"input[name=d{day}_1_close]").fill("00:00")
    seller.get_by_role("button", name="Simpan jam buka").click()
    expect(seller.get_by_role("heading", name="Produk pertama")).to_be_visible()
    seller.get_by_role("link", name="Lewati, tambah produk nanti").click()
    expect(seller.get_by_text("Menunggu verifikasi KIM kelurahan Uwung Jaya")).to_be_visible()

    # Then the store is invisible to the public until the KIM verifies it
    visitor = phone()
    visitor.goto(f"{live_server}/toko/dapur-ceu-ani")
    expect(visitor.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()

    kim = phone()
    kim.goto(f"{live_server}/akun/masuk")
    kim.get_by_label("Nomor WhatsApp atau e-mail").fill(kim_admin["login"])
    kim.get_by_label("Kata sandi").fill(kim_admin["password"])
    kim.get_by_role("button", name="Masuk").click()
    kim.get_by_role("link", name="Dapur Ceu Ani").click()
    kim.get_by_role("button", name="Verifikasi toko ini").click()
    expect(kim.get_by_text("sudah diverifikasi")).to_be_visible()

    # When the seller adds a product with a photo
    photo = tmp_path / "nasi-uduk.jpg"
    photo.write_bytes(jpeg_bytes(size=(1600, 1200)))
    seller.goto(f"{live_server}/toko-saya")
    bottom_bar = seller.get_by_role("navigation", name="Navigasi bawah")
    bottom_bar.get_by_role("link", name="Produk").click()
    seller.get_by_role("link", name="+ Tambah produk").click()
    seller.get_by_label("Nama produk").fill("Nasi Uduk Spesial Ceu Ani")
    seller.get_by_label("Kategori").select_option(label="Makanan berat")
    seller.get_by_label("Harga (Rp)").fill("18.000")
    seller.get_by_text("Detail lain").click()
    seller.get_by_label("Deskripsi").fill("Nasi uduk santan dengan semur jengkol")
    seller.get_by_label("Foto produk").set_input_files(str(photo))
    seller.get_by_role("button", name="Simpan produk").click()
    expect(seller.get_by_text("Produk Nasi Uduk Spesial Ceu Ani ditambahkan.")).to_be_visible()

    # Then a visitor on a phone finds it by searching for part of a word
    visitor.goto(live_server)
    visitor.get_by_label("Cari makanan atau toko").fill("uduk")
    visitor.get_by_role("button", name="Cari").click()
    expect(visitor).to_have_url(re.compile(r"/cari\?q=uduk"))
    visitor.get_by_role("link", name="Nasi Uduk Spesial Ceu Ani").first.click()
    expect(visitor.get_by_text("Rp18.000")).to_be_visible()
    image = visitor.get_by_role("img", name="Foto Nasi Uduk Spesial Ceu Ani")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0
    width = visitor.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page must not scroll sideways on a 360 px phone"
    expect(visitor.get_by_role("link", name="Dapur Ceu Ani")).to_be_visible()
