"""The order state machine: the allowed transitions and the one function that changes status."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.core.errors import InvalidTransition
from marketplace.extensions import db
from marketplace.orders.models import MANUAL_METHODS, Order, OrderEvent
from marketplace.orders.models import OrderStatus as S

TRANSITIONS: dict[str | None, set[str]] = {
    None: {S.AWAITING_PAYMENT, S.NEW},
    S.AWAITING_PAYMENT: {S.NEW, S.ON_HOLD, S.CANCELLED},
    S.ON_HOLD: {S.NEW, S.CANCELLED},
    S.NEW: {S.ACCEPTED, S.REJECTED, S.CANCELLED},
    S.ACCEPTED: {S.READY, S.OUT_FOR_DELIVERY, S.REJECTED},
    S.READY: {S.COMPLETED, S.REJECTED},
    S.OUT_FOR_DELIVERY: {S.COMPLETED, S.REJECTED},
    S.COMPLETED: set(),
    S.REJECTED: set(),
    S.CANCELLED: set(),
}

LABELS = {
    S.AWAITING_PAYMENT: _l("Menunggu pembayaran"),
    S.ON_HOLD: _l("Ditahan untuk diperiksa"),
    S.NEW: _l("Pesanan baru"),
    S.ACCEPTED: _l("Diterima penjual"),
    S.READY: _l("Siap diambil"),
    S.OUT_FOR_DELIVERY: _l("Sedang diantar"),
    S.COMPLETED: _l("Selesai"),
    S.REJECTED: _l("Ditolak"),
    S.CANCELLED: _l("Dibatalkan"),
}


#: a QRIS or transfer order goes to the seller's account: the seller confirming the money in
#: takes the order on in the same step (payments.manual.confirm_received)
MANUAL_TRANSITIONS: dict[str | None, set[str]] = {S.AWAITING_PAYMENT: {S.ACCEPTED}}


def can_transition(current: str | None, new: str, method: str | None = None) -> bool:
    if method in MANUAL_METHODS and new in MANUAL_TRANSITIONS.get(current, set()):
        return True
    return new in TRANSITIONS.get(current, set())


def check_transition(order: Order, new_status: str) -> None:
    """Raise InvalidTransition unless ``order`` may move to ``new_status``."""
    if not can_transition(order.status, new_status, order.payment_method):
        raise InvalidTransition(
            _(
                "Pesanan berstatus %(status)s tidak dapat diubah menjadi %(new)s.",
                status=LABELS.get(order.status, order.status),
                new=LABELS.get(new_status, new_status),
            )
        )


def transition(
    order: Order, new_status: str, actor=None, reason: str | None = None, actor_label: str = ""
) -> OrderEvent:
    """Move ``order`` to ``new_status`` and record who, when, from, to and why."""
    check_transition(order, new_status)
    current = order.status
    order.status = new_status
    event = OrderEvent(
        from_status=current,
        to_status=new_status,
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label,
        reason=reason,
    )
    order.events.append(event)
    db.session.flush()
    return event
