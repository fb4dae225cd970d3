"""WhatsApp Cloud API messages to buyers and sellers, through the outbox, against a local fake
of the Graph API that checks every request."""

from datetime import timedelta

from sqlalchemy import select

from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.cart import add_to_cart
from marketplace.orders.models import DeliveryStatus, Notification
from marketplace.outbox import services as outbox
from tests.stripe_fixtures import commit_and_settle


def test_buyer_and_seller_hear_by_whatsapp(whatsapp_api, cart, shop, checkout):
    store = shop["store"]
    add_to_cart(cart, shop["teh"], [], 2)
    order = checkout(cart, store, phone="0813-0000-1111")
    commit_and_settle()
    # The seller gets the new-order alert, the buyer the confirmation
    [alert] = whatsapp_api.to(store.whatsapp)
    assert alert["template"]["name"] == "pesanan_baru_penjual"
    texts = whatsapp_api.texts(alert)
    assert texts[0] == str(order.id)
    assert texts[1] == "Dewi"
    assert texts[2] == "Rp8.000"
    assert texts[5].endswith(f"/toko-saya/{store.id}/pesanan")
    [placed] = whatsapp_api.to("6281300001111")
    assert whatsapp_api.texts(placed)[2] == "Pesanan baru"
    assert placed["biz_opaque_callback_data"].startswith("pkk-")
    # Accepted, then rejected with a reason: the buyer hears both, the reason included
    orders.accept_order(order, store.owner)
    commit_and_settle()
    orders.reject_order(order, store.owner, "Kompor rusak")
    commit_and_settle()
    told = [whatsapp_api.texts(m) for m in whatsapp_api.to("6281300001111")]
    assert [t[2] for t in told] == ["Pesanan baru", "Diterima penjual", "Ditolak"]
    assert told[-1][3] == "Kompor rusak"
    assert whatsapp_api.refused == []
    sent = db.session.scalars(
        select(Notification.status).where(Notification.channel == "whatsapp_api")
    ).all()
    assert set(sent) == {DeliveryStatus.SENT}


def test_a_whatsapp_outage_is_retried_without_failing_the_checkout(
    whatsapp_api, cart, shop, checkout
):
    whatsapp_api.failures = 2
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(cart, shop["store"])
    commit_and_settle()
    assert order.id  # the order stands
    waiting = db.session.scalars(
        select(Notification).where(
            Notification.channel == "whatsapp_api", Notification.status == DeliveryStatus.PENDING
        )
    ).all()
    assert len(waiting) == 2
    assert all("HTTP 500" in m.last_error for m in waiting)
    outbox.flush(now=utcnow() + timedelta(minutes=5))
    db.session.expire_all()
    assert {m.status for m in waiting} == {DeliveryStatus.SENT}
    assert len(whatsapp_api.accepted) == 2


def test_without_configuration_only_click_to_chat_links(cart, shop, checkout):
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(cart, shop["store"])
    commit_and_settle()
    channels = {n.channel for n in order.notifications}
    assert "whatsapp_api" not in channels
    assert "whatsapp" in channels
