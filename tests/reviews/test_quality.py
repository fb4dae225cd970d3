"""Quality signals on a fixed set of orders match figures worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import OrderEvent
from marketplace.orders.quality import quality_signals
from tests.order_fixtures import add_to_cart

T0 = datetime(2026, 11, 20, 2, 0)  # 09.00 in Asia/Jakarta
NOW = datetime(2026, 12, 1, 2, 0)


def _set_times(order, minutes: list[int]) -> None:
    """Place the order's timeline at T0 + the given minutes, event by event."""
    events = db.session.scalars(
        sa.select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    ).all()
    assert len(events) == len(minutes)
    for event, minute in zip(events, minutes, strict=True):
        event.created_at = T0 + timedelta(minutes=minute)
    order.created_at = T0
    db.session.flush()


def test_quality_figures(shop, cart, checkout, create_store):
    store, owner = shop["store"], shop["store"].owner

    def order(token):
        add_to_cart(cart, shop["teh"], [], 1)
        return checkout(cart, store, token=token, now=T0)

    # 1: accepted after 4 min, ready 20 min later, completed
    a = order("q1")
    orders.accept_order(a, owner)
    orders.mark_ready(a, owner)
    orders.complete_order(a, owner)
    _set_times(a, [0, 4, 24, 30])
    # 2: accepted after 10 min, ready 30 min later
    b = order("q2")
    orders.accept_order(b, owner)
    orders.mark_ready(b, owner)
    _set_times(b, [0, 10, 40])
    # 3: accepted after 16 min, then cancelled by the store
    c = order("q3")
    orders.accept_order(c, owner)
    orders.reject_order(c, owner, "Kompor rusak")
    _set_times(c, [0, 16, 50])
    # 4: rejected by the seller while new
    d = order("q4")
    orders.reject_order(d, owner, "Habis")
    _set_times(d, [0, 5])
    # 5: rejected by the system (nobody answered)
    e = order("q5")
    e.answer_by = T0 - timedelta(minutes=1)
    db.session.flush()
    orders.sweep(now=T0)
    _set_times(e, [0, 30])
    # 6: older than 30 days: not counted
    f = order("q6")
    orders.accept_order(f, owner)
    _set_times(f, [0, 1])
    f.created_at = NOW - timedelta(days=31)
    db.session.flush()

    quiet = create_store(name="Warung Sepi")
    figures = quality_signals([store.id, quiet.id], now=NOW)
    q = figures[store.id]
    assert (q.received, q.accepted, q.rejected, q.auto_rejected, q.cancelled_by_store) == (
        5,
        3,
        1,
        1,
        1,
    )
    assert (q.share(q.accepted), q.share(q.rejected), q.share(q.auto_rejected)) == (60, 20, 20)
    assert q.median_accept_minutes == 10  # median of 4, 10, 16
    assert q.median_prepare_minutes == 25  # median of 20 and 30
    assert figures[quiet.id].received == 0
    assert figures[quiet.id].share(0) is None
