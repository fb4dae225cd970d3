"""A phone photo of several megabytes is shrunk in the browser before it is sent."""

import random

import pytest
from PIL import Image
from playwright.sync_api import expect

from marketplace.extensions import db
from tests.e2e.conftest import sign_in
from tests.factories import add_user, build_store

pytestmark = pytest.mark.e2e


@pytest.fixture
def seller(live_app):
    from marketplace.accounts.models import Role

    with live_app.app_context():
        admin = add_user(Role.CITY_ADMIN, "6281100000019")
        owner = add_user(Role.SELLER, "6281100000018", "Bu Ratna")
        store = build_store(owner, admin, "Dapur Bu Ratna")
        db.session.commit()
        return {"store_id": store.id, "login": "081100000018"}


def _phone_photo(path):
    """A 4000×3000 camera-like JPEG (noise compresses badly, as real photos do)."""
    random.seed(3)
    image = Image.effect_noise((4000, 3000), 60).convert("RGB")
    image.save(path, "JPEG", quality=92)
    return path


def test_a_big_phone_photo_is_shrunk_before_upload(live_server, phone, seller, tmp_path):
    photo = _phone_photo(tmp_path / "IMG_20261203.jpg")
    assert photo.stat().st_size > 3_000_000
    page = phone()
    sign_in(page, live_server, seller["login"])
    page.goto(f"{live_server}/toko-saya/{seller['store_id']}/produk/baru")
    page.get_by_label("Nama produk").fill("Nasi Kuning")
    page.get_by_label("Harga (Rp)").fill("12rb")
    expect(page.get_by_text("= Rp12.000")).to_be_visible()
    page.get_by_label("Foto produk").set_input_files(str(photo))
    sent = []

    def record(request):
        if request.method == "POST":
            sent.append(len(request.post_data_buffer or b""))

    page.on("request", record)
    page.get_by_role("button", name="Simpan produk").click()
    expect(page.get_by_text("Nasi Kuning ditambahkan")).to_be_visible(timeout=20_000)
    assert sent, "the form was not sent"
    assert max(sent) < 1_000_000, f"{max(sent)} bytes sent for a {photo.stat().st_size} byte photo"
    img = page.locator("img[alt='Foto Nasi Kuning']").first
    expect(img).to_be_visible()
