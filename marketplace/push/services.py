"""Web Push to the seller's phone: subscriptions, VAPID keys, the messages of a new order and
the reminders while it waits (delivered through the outbox, like every message)."""

from __future__ import annotations

import base64
import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from sqlalchemy import select

from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError
from marketplace.core.jobs import periodic
from marketplace.core.money import format_rupiah
from marketplace.extensions import db
from marketplace.push.models import PushSubscription

#: reminders while a new order waits, counted from when the seller could first see it
REMINDERS = (timedelta(minutes=5), timedelta(minutes=15))


class SubscriptionGone(Exception):
    """The push service says this browser unsubscribed (404/410): drop the subscription."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def generate_keys() -> tuple[str, str]:
    """A new VAPID key pair: (private key, base64url raw; public key, base64url uncompressed)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return _b64(private), _b64(public)


def vapid_keys() -> tuple[str, str]:
    """(private, public) from the configuration; in development, made once and kept in
    instance/vapid.json so every worker signs with the same key."""
    config = current_app.config
    if config.get("VAPID_PRIVATE_KEY"):
        return config["VAPID_PRIVATE_KEY"], config["VAPID_PUBLIC_KEY"]
    path = Path(current_app.instance_path) / "vapid.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        private, public = generate_keys()
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"private": private, "public": public}))
        if not path.exists():
            os.replace(temporary, path)
        else:
            temporary.unlink()
    stored = json.loads(path.read_text())
    return stored["private"], stored["public"]


def public_key() -> str:
    return vapid_keys()[1]


def _known_push_service(endpoint: str) -> bool:
    """Only a browser vendor's push service (``PUSH_SERVICE_HOSTS``), over HTTPS: the server
    posts to the endpoint, so it must not be any address a user types. A local fake on
    127.0.0.1 (tests) may use plain HTTP when it is listed."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    listed = any(
        host == known or host.endswith("." + known)
        for known in current_app.config["PUSH_SERVICE_HOSTS"]
    )
    secure = parts.scheme == "https" or (parts.scheme == "http" and host == "127.0.0.1")
    return listed and secure


def subscribe(user, data: object, user_agent: str = "") -> PushSubscription:
    """Keep the browser's subscription (the JSON of PushSubscription.toJSON())."""
    try:
        endpoint = str(data["endpoint"])  # type: ignore[index]
        p256dh = str(data["keys"]["p256dh"])  # type: ignore[index]
        auth = str(data["keys"]["auth"])  # type: ignore[index]
    except (TypeError, KeyError):
        raise DomainError(_("Langganan notifikasi tidak valid.")) from None
    well_formed = len(endpoint) <= 2000 and 80 <= len(p256dh) <= 100 and 16 <= len(auth) <= 32
    if not well_formed or not _known_push_service(endpoint):
        raise DomainError(_("Langganan notifikasi tidak valid."))
    subscription = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    if subscription is None:
        subscription = PushSubscription(endpoint=endpoint)
        db.session.add(subscription)
    subscription.user_id = user.id
    subscription.p256dh, subscription.auth = p256dh, auth
    subscription.user_agent = (user_agent or "")[:200]
    db.session.flush()
    return subscription


def unsubscribe(user, endpoint: str) -> None:
    subscription = db.session.scalar(
        select(PushSubscription).where(
            PushSubscription.endpoint == str(endpoint), PushSubscription.user_id == user.id
        )
    )
    if subscription is not None:
        db.session.delete(subscription)
        db.session.flush()


def subscriptions_of(user_id: int) -> list[PushSubscription]:
    return list(
        db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id))
    )


def deliver(subscription_id: str, payload: str) -> None:
    """Send one push (the outbox calls this); raises SubscriptionGone or WebPushException."""
    subscription = db.session.get(PushSubscription, int(subscription_id))
    if subscription is None:
        raise SubscriptionGone(subscription_id)
    private, _public = vapid_keys()
    try:
        webpush(
            subscription.info(),
            data=payload,
            vapid_private_key=Vapid02.from_raw(private.encode()),
            vapid_claims={"sub": current_app.config["VAPID_SUBJECT"]},
            ttl=3600,
            timeout=10,
            headers={"Urgency": "high"},
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            db.session.delete(subscription)
            db.session.flush()
            raise SubscriptionGone(subscription_id) from error
        raise


def _order_payload(order, title: str) -> str:
    """What the phone shows: who, how much, how it is paid, by when to answer; a tap opens
    the order."""
    parts = [
        order.customer_name,
        format_rupiah(order.total),
        _("tunai") if order.payment_method == "cash" else _("kartu, sudah dibayar"),
    ]
    if order.answer_by is not None:
        parts.append(_("jawab sebelum %(time)s", time=format_datetime(order.answer_by, "HH.mm")))
    return push_payload(
        title, " · ".join(parts), f"/toko-saya/pesanan/{order.id}", f"order-{order.id}"
    )


def notify_seller(order, title: str, event_id: int | None = None) -> int:
    """A push to every phone of the store's owner; returns how many were queued."""
    return notify_user(
        order.store.owner_id, title, _order_payload(order, title), order.id, event_id
    )


def notify_user(
    user_id: int, title: str, payload: str, order_id: int | None = None, event_id=None
) -> int:
    """Queue ``payload`` (title, body, url, tag as JSON) to every phone of a user; returns how
    many were queued."""
    from marketplace.outbox import services as outbox

    subscriptions = subscriptions_of(user_id)
    for subscription in subscriptions:
        outbox.queue("push", str(subscription.id), title, payload, order_id, event_id)
    return len(subscriptions)


def push_payload(title: str, body: str, url: str, tag: str) -> str:
    """What the phone shows and opens on a tap."""
    return json.dumps({"title": title, "body": body, "url": url, "tag": tag})


@periodic("orders.remind", "SWEEP_SECONDS")
def remind(now: datetime | None = None) -> int:
    """Ring again for new orders still unanswered 5 and 15 minutes after the seller could
    first see them."""
    from marketplace.orders.models import Order, OrderStatus

    now = now or utcnow()
    window = timedelta(minutes=current_app.config["ORDER_ACCEPT_TIMEOUT_MINUTES"])
    waiting = db.session.scalars(
        select(Order)
        .where(
            Order.status == OrderStatus.NEW,
            Order.answer_by.is_not(None),
            Order.reminders_sent < len(REMINDERS),
        )
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for order in waiting:
        seen_from = order.answer_by - window
        due = sum(1 for after in REMINDERS if now >= seen_from + after)
        if due > order.reminders_sent:
            order.reminders_sent = due
            notify_seller(order, _("Pesanan #%(id)d belum dijawab", id=order.id))
            sent += 1
    return sent
