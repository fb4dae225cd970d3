"""QRIS and transfer over HTTP: the seller registers a sticker from a photo (and confirms its
merchant), the buyer sees the exact amount as a QR code and says they paid, the seller confirms
from the board; hostile input gets a message and changes nothing."""

from __future__ import annotations

import io
import re

import pytest
import segno
import zxingcpp
from PIL import Image
from sqlalchemy import select

from marketplace.books.models import CashEntry
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments import manual, qris
from marketplace.payments.models import ManualPayment
from tests.factories import jpeg_bytes
from tests.order_fixtures import submit_checkout
from tests.payments.qris_payloads import static_payload


def _sticker_photo(payload: str) -> bytes:
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="png", scale=6, border=4)
    photo = Image.open(io.BytesIO(out.getvalue())).convert("RGB")
    jpeg = io.BytesIO()
    photo.save(jpeg, format="JPEG", quality=85)
    return jpeg.getvalue()


def test_the_seller_registers_a_sticker_from_its_photo(client, login, shop):
    store = shop["store"]
    login(store.owner)
    page = client.get(f"/toko-saya/{store.id}/pembayaran")
    assert page.status_code == 200
    assert "QRIS" in page.get_data(as_text=True)
    payload = static_payload(guid="ID.CO.SHOPEE.WWW", name="DAPUR SITI")
    read = client.post(
        f"/toko-saya/{store.id}/pembayaran/qris/baca",
        data={"photo": (io.BytesIO(_sticker_photo(payload)), "stiker.jpg")},
        content_type="multipart/form-data",
    )
    html = read.get_data(as_text=True)
    assert read.status_code == 200
    assert "DAPUR SITI" in html
    assert "ShopeePay" in html
    assert "ID1023276543210" in html
    assert store.qris_payload is None  # nothing saved before the seller agrees
    hidden = re.search(r'name="payload" type="hidden" value="([^"]*)"', html)
    assert hidden
    assert hidden.group(1) == payload
    saved = client.post(f"/toko-saya/{store.id}/pembayaran/qris", data={"payload": payload})
    assert saved.status_code == 302
    db.session.refresh(store)
    assert store.qris_payload == payload
    assert store.accepts_qris
    assert store.qris_merchant_name == "DAPUR SITI"


@pytest.mark.parametrize(
    "data",
    [
        {"payload": "bukan qris sama sekali"},
        {"payload": static_payload()[:-4] + "ABCD"},
        {"payload": "0002" + "9" * 600},
        {"payload": ""},
        {"photo": (jpeg_bytes, "kucing.jpg")},
        {"photo": (lambda: b"%PDF-1.4 not a photo", "stiker.jpg")},
    ],
)
def test_what_is_not_a_sticker_gets_a_message(client, login, shop, data):
    if "photo" in data:  # a fresh upload for each run
        make, name = data["photo"]
        data = {"photo": (io.BytesIO(make()), name)}
    store = shop["store"]
    login(store.owner)
    response = client.post(
        f"/toko-saya/{store.id}/pembayaran/qris/baca", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    db.session.refresh(store)
    assert store.qris_payload is None


def test_a_tampered_confirmation_saves_nothing(client, login, shop):
    store = shop["store"]
    login(store.owner)
    forged = static_payload().replace("WARUNG BU SITI", "WARUNG PENIPU!")
    response = client.post(
        f"/toko-saya/{store.id}/pembayaran/qris", data={"payload": forged}, follow_redirects=True
    )
    assert "CRC" in response.get_data(as_text=True)
    db.session.refresh(store)
    assert store.qris_payload is None


def test_another_seller_cannot_touch_the_settings(client, login, shop, create_user):
    store = shop["store"]
    login(create_user(role="seller", phone="6281277770009"))
    assert client.get(f"/toko-saya/{store.id}/pembayaran").status_code in (403, 404)
    response = client.post(
        f"/toko-saya/{store.id}/pembayaran/qris", data={"payload": static_payload()}
    )
    assert response.status_code in (403, 404)


def test_bank_account_form(client, login, shop):
    store = shop["store"]
    login(store.owner)
    bad = client.post(
        f"/toko-saya/{store.id}/pembayaran/rekening",
        data={"bank": "BCA", "number": "12x45", "holder": "Siti"},
    )
    assert bad.status_code == 400
    assert "angka" in bad.get_data(as_text=True)
    good = client.post(
        f"/toko-saya/{store.id}/pembayaran/rekening",
        data={"bank": "BCA", "number": "123 456 7890", "holder": "Siti Aminah"},
    )
    assert good.status_code == 302
    db.session.refresh(store)
    assert store.bank_account_number == "1234567890"
    assert store.accepts_transfer
    off = client.post(f"/toko-saya/{store.id}/pembayaran/transfer/mati")
    assert off.status_code == 302
    db.session.refresh(store)
    assert not store.accepts_transfer
    assert client.post(f"/toko-saya/{store.id}/pembayaran/bitcoin/nyala").status_code == 404


def _checkout(client, store, product, method):
    client.post("/keranjang/tambah", data={"product_id": product.id, "jumlah": "2"})
    page = client.get(f"/keranjang/toko/{store.id}/pesan").get_data(as_text=True)
    assert 'value="' + method + '"' in page  # offered
    return submit_checkout(client, store.id, page, method)


def test_qris_checkout_order_page_and_confirmation(client, login, shop):
    store = shop["store"]
    manual.save_qris(store.owner, store, static_payload())
    db.session.commit()
    placed = _checkout(client, store, shop["teh"], "qris")
    assert placed.status_code == 302
    assert "/pesanan/" in placed.location
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    page = client.get(placed.location).get_data(as_text=True)
    assert "<svg" in page
    assert "Rp8.000" in page
    assert "WARUNG BU SITI" in page
    assert "data-deadline" in page
    png = client.get(f"/pesanan/{order.token}/qris.png")
    assert png.status_code == 200
    assert png.mimetype == "image/png"
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert qris.amount_of(codes[0].text) == 8000
    # the buyer says they paid, with a screenshot
    claimed = client.post(
        f"/pesanan/{order.token}/sudah-bayar",
        data={"proof": (io.BytesIO(jpeg_bytes()), "bukti.jpg")},
        content_type="multipart/form-data",
    )
    assert claimed.status_code == 302
    payment = db.session.scalar(select(ManualPayment).where(ManualPayment.order_id == order.id))
    assert payment.claimed_at is not None
    assert payment.proof_thumb
    # a stranger does not see the screenshot; the seller does, and confirms from the board
    assert client.get(f"/toko-saya/pesanan/{order.id}/bukti-bayar").status_code in (302, 401)
    login(store.owner)
    board = client.get(f"/toko-saya/{store.id}/pesanan").get_data(as_text=True)
    assert "Uang sudah masuk" in board
    assert "Rp8.000" in board
    proof = client.get(f"/toko-saya/pesanan/{order.id}/bukti-bayar")
    assert proof.status_code == 200
    assert proof.headers["Cache-Control"] == "private, no-store"
    assert client.post(f"/toko-saya/pesanan/{order.id}/uang-masuk").status_code == 302
    again = client.post(f"/toko-saya/pesanan/{order.id}/uang-masuk", follow_redirects=True)
    assert "sudah dikonfirmasi" in again.get_data(as_text=True)
    db.session.refresh(order)
    assert order.status == "accepted"
    entries = db.session.scalars(select(CashEntry).where(CashEntry.order_id == order.id)).all()
    assert [(e.amount, e.method) for e in entries] == [(8000, "qris")]


def test_transfer_order_page_shows_account_and_unique_amount(client, shop):
    store = shop["store"]
    manual.save_bank_account(store.owner, store, "BRI", "0123456789", "Siti Aminah")
    db.session.commit()
    placed = _checkout(client, store, shop["teh"], "transfer")
    page = client.get(placed.location).get_data(as_text=True)
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    payment = manual.payment_of(order)
    assert payment.amount == 8000 + payment.unique_code
    assert "0123456789" in page
    assert "Siti Aminah" in page
    assert f"PKK {order.id}" in page
    assert f"Rp8.00{payment.unique_code}" in page
    assert client.get(f"/pesanan/{order.token}/qris.png").status_code == 404


def test_a_method_the_store_does_not_take_is_refused(client, shop):
    store = shop["store"]
    manual.save_qris(store.owner, store, static_payload())
    db.session.commit()
    client.post("/keranjang/tambah", data={"product_id": shop["teh"].id, "jumlah": "1"})
    page = client.get(f"/keranjang/toko/{store.id}/pesan").get_data(as_text=True)
    manual.set_accepts(store.owner, store, "qris", False)  # switched off while the buyer looks
    db.session.commit()
    response = submit_checkout(client, store.id, page, "qris")
    assert response.status_code == 400
    assert db.session.scalar(select(Order).where(Order.store_id == store.id)) is None
