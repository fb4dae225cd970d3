"""A store's QR poster and QR image: the code opens the store's page at BASE_URL."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from marketplace.core.qr import qr_svg
from marketplace.stores.models import StoreStatus


def scanned(png: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_qr_image_opens_the_store_page(client, create_store):
    store = create_store(name="Warung Bu Siti")
    response = client.get(f"/toko/{store.slug}/qr.png", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert scanned(response.get_data()) == [f"http://localhost/toko/{store.slug}"]


@pytest.mark.parametrize(("asked", "sheet"), [("", "a5"), ("a6", "a6"), ("<b>", "a5")])
def test_the_poster_prints_name_call_and_code(client, create_store, asked, sheet):
    store = create_store(name="Warung Bu Siti")
    page = client.get(f"/toko/{store.slug}/poster?ukuran={asked}").get_data(as_text=True)
    assert f"sheet-{sheet}" in page
    assert "Warung Bu Siti" in page
    assert "Pesan online" in page
    assert str(qr_svg(f"http://localhost/toko/{store.slug}")) in page
    assert "<b>" not in page


def test_no_poster_for_a_store_not_yet_verified(client, create_store):
    store = create_store(status=StoreStatus.PENDING)
    assert client.get(f"/toko/{store.slug}/poster").status_code == 404
    assert client.get(f"/toko/{store.slug}/qr.png").status_code == 404
