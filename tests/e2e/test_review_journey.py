"""A customer completes an order, leaves a review with a photo, the seller replies, and the store
page shows the new average."""

import pytest
from playwright.sync_api import expect

from marketplace.accounts.models import Role
from marketplace.catalog import services as catalog
from marketplace.extensions import db
from tests.e2e.conftest import sign_in
from tests.factories import add_user, build_store, jpeg_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture
def warung(live_app):
    with live_app.app_context():
        admin = add_user(Role.CITY_ADMIN, "6281100000019")
        owner = add_user(Role.SELLER, "6281200000011", "Bu Tini")
        add_user(Role.CUSTOMER, "6281300000011", "Rahmat Hidayat")
        store = build_store(owner, admin, "Warung Bu Tini", whatsapp=owner.phone)
        catalog.create_product(
            store,
            catalog.ProductData(
                name="Soto Betawi", category_id=catalog.categories()[0].id, price=20000
            ),
        )
        db.session.commit()


def test_review_with_photo_and_reply(live_server, phone, warung, tmp_path):
    # The customer orders for pickup
    customer = phone()
    sign_in(customer, live_server, "081300000011")
    customer.goto(f"{live_server}/toko/warung-bu-tini")
    expect(customer.get_by_text("Belum ada ulasan").first).to_be_visible()
    customer.get_by_role("link", name="Soto Betawi").first.click()
    customer.get_by_role("button", name="Tambah ke keranjang").click()
    customer.get_by_role("link", name="Pesan dari Warung Bu Tini").click()
    customer.get_by_role("button", name="Pesan", exact=True).click()
    order_url = customer.url

    # The seller accepts, marks it ready and hands it over
    seller = phone()
    sign_in(seller, live_server, "081200000011")
    seller.get_by_role("link", name="Pesanan", exact=True).click()
    seller.get_by_role("button", name="Terima").first.click()
    seller.get_by_role("button", name="Siap diambil").first.click()
    seller.get_by_role("button", name="Selesai").first.click()

    # The customer reviews the completed order with a photo
    customer.goto(order_url)
    customer.get_by_role("link", name="Beri ulasan").click()
    customer.get_by_label("4 bintang").check()
    customer.get_by_label("Nilai untuk Soto Betawi (tidak wajib)").select_option("5")
    customer.get_by_label("Ulasan singkat (tidak wajib)").fill("Kuahnya gurih, porsinya pas.")
    photo = tmp_path / "soto.jpg"
    photo.write_bytes(jpeg_bytes((320, 240)))
    customer.get_by_label("Foto (tidak wajib)").set_input_files(str(photo))
    customer.get_by_role("button", name="Kirim ulasan").click()
    expect(customer.get_by_text("Terima kasih atas ulasan Anda.")).to_be_visible()
    expect(customer.get_by_text("Kuahnya gurih, porsinya pas.")).to_be_visible()
    expect(customer.get_by_role("img", name="Foto dari Rahmat")).to_be_visible()

    # The seller replies
    seller.goto(f"{live_server}/toko-saya")
    seller.get_by_role("link", name="Ulasan").first.click()
    seller.get_by_label("Balas").fill("Terima kasih, Pak Rahmat!")
    seller.get_by_role("button", name="Simpan balasan").click()
    expect(seller.get_by_text("Balasan disimpan.")).to_be_visible()

    # The store page shows the new average, the review and the reply
    customer.goto(f"{live_server}/toko/warung-bu-tini")
    expect(customer.get_by_text("★ 4.0").first).to_be_visible()
    expect(customer.get_by_text("(1 ulasan)").first).to_be_visible()
    expect(customer.get_by_text("pembeli terverifikasi")).to_be_visible()
    expect(customer.get_by_text("Terima kasih, Pak Rahmat!")).to_be_visible()
