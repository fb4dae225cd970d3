"""The outbox: messages are written with the change, delivered after commit, retried with
backoff while the mail server is down, never failing or slowing the change itself."""

import re
import time
from datetime import timedelta

from sqlalchemy import select

from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.orders.models import DeliveryStatus, Notification, Order
from marketplace.outbox import services as outbox


def _checkout_over_http(client, shop, email="dewi@example.id"):
    client.post("/keranjang/tambah", data={"product_id": shop["teh"].id, "jumlah": 1})
    page = client.get(f"/keranjang/toko/{shop['store'].id}/pesan").get_data(as_text=True)
    token = re.search(r'name="checkout_token"[^>]*value="([^"]+)"', page).group(1)
    slot = re.search(r'name="fulfil_at"[^>]*>.*?<option[^>]*value="([^"]+)"', page, re.S).group(1)
    started = time.monotonic()
    answer = client.post(
        f"/keranjang/toko/{shop['store'].id}/pesan",
        data={
            "checkout_token": token,
            "fulfil_at": slot,
            "fulfilment": "pickup",
            "name": "Dewi",
            "phone": "081300001111",
            "email": email,
            "payment_method": "cash",
        },
    )
    return answer, time.monotonic() - started


def _mail_to(address):
    return db.session.scalar(
        select(Notification).where(
            Notification.channel == "email", Notification.recipient == address
        )
    )


def test_a_checkout_with_the_mail_server_down_places_the_order_and_mails_later(client, shop, smtp):
    # Given a mail server that is down
    answer, took = _checkout_over_http(client, shop)
    # Then the order is placed, at once
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    assert took < 5
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    assert order is not None
    message = _mail_to("dewi@example.id")
    assert message.status == DeliveryStatus.PENDING
    assert message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error
    assert message.next_attempt_at > utcnow()
    # When the server is back and the retry is due
    smtp.start()
    assert outbox.flush(now=utcnow() + timedelta(minutes=1)) == 1
    db.session.expire_all()
    # Then the mail goes out, once, with its delivery key
    assert message.status == DeliveryStatus.SENT
    [mail] = smtp.inbox.to("dewi@example.id")
    assert f"pkk-{message.id}-email" in mail["Message-ID"]
    assert f"Pesanan #{order.id}" in mail["Subject"]
    assert outbox.flush(now=utcnow() + timedelta(hours=1)) == 0
    assert len(smtp.inbox.to("dewi@example.id")) == 1


def test_retries_back_off_then_fail_and_the_city_admin_sends_again(
    client, shop, smtp, create_user, login
):
    _checkout_over_http(client, shop, email="budi@example.id")
    message = _mail_to("budi@example.id")
    waits = []
    now = utcnow()
    while message.status == DeliveryStatus.PENDING:
        now = message.next_attempt_at
        outbox.deliver(message.id, now=now)
        db.session.expire_all()
        if message.next_attempt_at and message.status == DeliveryStatus.PENDING:
            waits.append(message.next_attempt_at - now)
    assert message.status == DeliveryStatus.FAILED
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert waits[0] == timedelta(seconds=60)
    assert waits == sorted(waits)
    assert max(waits) == outbox.LONGEST_WAIT
    # The city admin sees it and sends it again once the server is back
    login(create_user("city_admin"))
    page = client.get("/admin/pesan/?status=failed").get_data(as_text=True)
    assert "budi@example.id" in page
    assert "Gagal (1)" in page
    smtp.start()
    answer = client.post(f"/admin/pesan/{message.id}/kirim-ulang")
    assert answer.status_code == 302
    db.session.expire_all()
    assert message.status == DeliveryStatus.SENT
    assert len(smtp.inbox.to("budi@example.id")) == 1
    # A message that did not fail cannot be sent again
    answer = client.post(f"/admin/pesan/{message.id}/kirim-ulang", follow_redirects=True)
    assert "Hanya pesan yang gagal" in answer.get_data(as_text=True)
    assert len(smtp.inbox.to("budi@example.id")) == 1
