"""Web Push to the seller's phone, against a local push endpoint on 127.0.0.1 that receives the
encrypted request; the test decrypts it with the subscription's keys, as the browser would."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.cart import add_to_cart
from marketplace.orders.models import DeliveryStatus, Notification
from marketplace.push import services as push
from marketplace.push.models import PushSubscription
from tests.fakes import Browser, unb64
from tests.stripe_fixtures import commit_and_settle


def _check_vapid(request: dict, origin: str) -> None:
    """The Authorization header is a VAPID JWT for the push service's origin, signed with our
    key (RFC 8292)."""
    scheme, _, params = request["headers"]["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == push.public_key()
    header, claims, signature = fields["t"].split(".")
    body = json.loads(unb64(claims))
    assert body["aud"] == origin
    assert body["sub"] == "mailto:test@pasar-kampung.test"
    raw = unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(fields["k"]))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))


def test_a_new_order_rings_the_sellers_phone(client, shop, cart, checkout, login, push_service):
    store = shop["store"]
    phone = Browser(f"{push_service.origin}/push/seller-phone")
    login(store.owner)
    answer = client.post("/push/langganan", json=phone.subscription())
    assert answer.status_code == 200, answer.get_data(as_text=True)
    # A guest orders
    add_to_cart(cart, shop["teh"], [], 2)
    order = checkout(cart, store, name="Dewi Tamu")
    commit_and_settle()
    [request] = push_service.received
    assert request["path"] == "/push/seller-phone"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert request["headers"]["ttl"] == "3600"
    assert request["headers"]["urgency"] == "high"
    _check_vapid(request, push_service.origin)
    shown = phone.read(request)
    assert shown["title"] == f"Pesanan baru #{order.id}"
    assert shown["url"] == f"/toko-saya/pesanan/{order.id}"
    assert shown["tag"] == f"order-{order.id}"
    assert "Dewi Tamu" in shown["body"]
    assert "Rp8.000" in shown["body"]
    assert "tunai" in shown["body"]


def test_unanswered_orders_ring_again_after_5_and_15_minutes(
    client, shop, cart, checkout, login, push_service
):
    store = shop["store"]
    phone = Browser(f"{push_service.origin}/push/p")
    push.subscribe(store.owner, phone.subscription())
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(cart, store)
    commit_and_settle()
    seen = order.answer_by - timedelta(minutes=60)
    for minutes, expected in ((4, 1), (5, 2), (14, 2), (15, 3), (40, 3)):
        push.remind(now=seen + timedelta(minutes=minutes))
        commit_and_settle()
        assert len(push_service.received) == expected, minutes
    titles = [phone.read(r)["title"] for r in push_service.received]
    assert titles[1:] == [f"Pesanan #{order.id} belum dijawab"] * 2
    # An answered order rings no more
    assert order.reminders_sent == 2


def test_a_phone_that_unsubscribed_is_forgotten(shop, cart, checkout, push_service):
    store = shop["store"]
    push.subscribe(store.owner, Browser(f"{push_service.origin}/push/gone").subscription())
    push_service.status = 410
    add_to_cart(cart, shop["teh"], [], 1)
    checkout(cart, store)
    commit_and_settle()
    assert db.session.scalar(select(func.count(PushSubscription.id))) == 0
    message = db.session.scalar(select(Notification).where(Notification.channel == "push"))
    assert message.status == DeliveryStatus.FAILED
    assert "gone" in message.last_error


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {"endpoint": "https://x"},
        {"endpoint": "ftp://x", "keys": {"p256dh": "a" * 87, "auth": "b" * 22}},
        {
            "endpoint": "https://fcm.googleapis.com/fcm/send/" + "x" * 3000,
            "keys": {"p256dh": "a" * 87, "auth": "b" * 22},
        },
        # the server would post wherever it is told: only the browsers' push services
        {
            "endpoint": "https://169.254.169.254/latest/meta-data/",
            "keys": {"p256dh": "a" * 87, "auth": "b" * 22},
        },
        {
            "endpoint": "https://fcm.googleapis.com.evil.example/x",
            "keys": {"p256dh": "a" * 87, "auth": "b" * 22},
        },
        {
            "endpoint": "http://fcm.googleapis.com/fcm/send/x",
            "keys": {"p256dh": "a" * 87, "auth": "b" * 22},
        },
        {
            "endpoint": "https://fcm.googleapis.com/fcm/send/x",
            "keys": {"p256dh": "a" * 10, "auth": "b" * 22},
        },
    ],
)
def test_a_bad_subscription_is_refused(client, shop, login, payload):
    login(shop["store"].owner)
    good = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
        "keys": {"p256dh": "a" * 87, "auth": "b" * 22},
    }
    assert client.post("/push/langganan", json=good).status_code == 200
    client.post("/push/berhenti", json={"endpoint": good["endpoint"]})
    answer = client.post("/push/langganan", json=payload)
    assert answer.status_code == 400
    assert db.session.scalar(select(func.count(PushSubscription.id))) == 0


def test_the_app_is_installable_and_has_an_offline_page(client):
    def fetch(path):
        response = client.get(path)
        response.close()  # static files are streamed: close them like a server does
        return response

    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert "showNotification" in worker.get_data(as_text=True)
    assert worker.headers["Cache-Control"] == "no-cache"
    worker.close()
    manifest_response = client.get("/static/manifest.webmanifest")
    manifest = json.loads(manifest_response.get_data(as_text=True))
    manifest_response.close()
    assert manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert fetch(icon["src"]).status_code == 200
    assert "Tidak ada koneksi" in client.get("/offline").get_data(as_text=True)
    assert 'rel="manifest"' in client.get("/").get_data(as_text=True)
