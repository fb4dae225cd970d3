"""Order notifications: e-mail when there is an address, WhatsApp links; every one written to
the outbox in the transaction of the change."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from marketplace.core.money import format_rupiah
from marketplace.core.web import public_url
from marketplace.orders.models import MANUAL_METHODS, Order, OrderEvent
from marketplace.orders.states import LABELS
from marketplace.outbox import services as outbox


def order_summary(order: Order) -> str:
    """A plain-text summary for e-mails and WhatsApp messages."""
    lines = [
        f"- {line.quantity}× {line.product_name}"
        + (f" ({line.options_text})" if line.options_text else "")
        + f" = {format_rupiah(line.line_total)}"
        for line in order.lines
    ]
    lines.append(_("Total: %(total)s", total=format_rupiah(order.total)))
    return "\n".join(lines)


def customer_to_seller_message(order: Order, link: str) -> str:
    return _(
        "Halo %(store)s, saya %(name)s. Pesanan #%(id)d:\n%(summary)s\n%(link)s",
        store=order.store.name,
        name=order.customer_name,
        id=order.id,
        summary=order_summary(order),
        link=link,
    )


def seller_to_customer_message(order: Order, link: str, reason: str = "") -> str:
    reason = " " + reason if reason else ""
    return _(
        "Halo %(name)s, pesanan #%(id)d di %(store)s: %(status)s.%(reason)s\n%(summary)s\n%(link)s",
        name=order.customer_name,
        id=order.id,
        store=order.store.name,
        status=LABELS.get(order.status, order.status),
        reason=reason,
        summary=order_summary(order),
        link=link,
    )


def notify_status(order: Order, event: OrderEvent, link: str) -> None:
    """Tell the customer (and, for a new order, the seller) about a status change; record it."""
    status = LABELS.get(order.status, order.status)
    subject = _("Pesanan #%(id)d: %(status)s", id=order.id, status=status)
    reason = f"\n{event.reason}" if event.reason else ""
    body = _(
        "Pesanan #%(id)d di %(store)s sekarang: %(status)s.%(reason)s\n\n%(summary)s\n\n%(link)s",
        id=order.id,
        store=order.store.name,
        status=status,
        reason=reason,
        summary=order_summary(order),
        link=link,
    )
    recipients = []
    if order.customer_email:
        recipients.append(("email", order.customer_email))
    if (event.to_status == "on_hold" or seller_alerted(order, event)) and order.store.owner.email:
        recipients.append(("email", order.store.owner.email))
    for channel, recipient in recipients:
        outbox.queue(channel, recipient, subject, body, order.id, event.id)
    _whatsapp(order, event, link)
    if seller_alerted(order, event):
        from marketplace.push import services as push

        title = _("Pesanan baru #%(id)d", id=order.id)
        if event.to_status == "awaiting_payment":
            title = _("Pesanan baru #%(id)d: cek uang masuk", id=order.id)
        push.notify_seller(order, title, event.id)
    # The WhatsApp message the seller can send with one tap, recorded like the e-mail.
    outbox.queue(
        "whatsapp",
        order.customer_phone,
        subject,
        seller_to_customer_message(order, link, event.reason or ""),
        order.id,
        event.id,
    )


def seller_alerted(order: Order, event: OrderEvent) -> bool:
    """The seller hears of a new order at once, and of a QRIS or transfer order as soon as it
    is placed (they confirm the money when it comes in)."""
    return event.to_status == "new" or (
        event.to_status == "awaiting_payment" and order.payment_method in MANUAL_METHODS
    )


#: order states the buyer hears about by WhatsApp (when the Cloud API is configured)
BUYER_HEARS = ("new", "accepted", "ready", "out_for_delivery", "rejected", "cancelled")


def _whatsapp(order: Order, event: OrderEvent, link: str) -> None:
    """Template messages through the WhatsApp Cloud API: the buyer's status, and the seller's
    alert of a new order (nothing when the API is not configured)."""
    if event.to_status in BUYER_HEARS:
        outbox.queue_whatsapp(
            order.customer_phone,
            "status_pesanan",
            [
                order.id,
                order.store.name,
                LABELS.get(order.status, order.status),
                event.reason or "",
                link,
            ],
            order.id,
            event.id,
        )
    if seller_alerted(order, event):
        deadline = order.answer_by if event.to_status == "new" else order.expires_at
        outbox.queue_whatsapp(
            order.store.whatsapp,
            "pesanan_baru_penjual",
            [
                order.id,
                order.customer_name,
                format_rupiah(order.total),
                (_("diantar") if order.fulfilment == "delivery" else _("diambil"))
                + " "
                + format_datetime(order.fulfil_at, "EEE d MMM HH.mm"),
                format_datetime(deadline, "HH.mm") if deadline else "-",
                public_url("order_board.board", store_id=order.store_id),
            ],
            order.id,
            event.id,
        )
