"""Store quality signals over the last 30 days, derived from the order timeline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import select

from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderEvent
from marketplace.orders.models import OrderStatus as S

WINDOW = timedelta(days=30)
AFTER_ACCEPTING = (S.ACCEPTED, S.READY, S.OUT_FOR_DELIVERY)


@dataclass
class Quality:
    #: orders that reached the seller (placed with cash, or paid by card) in the window
    received: int
    accepted: int
    rejected: int
    auto_rejected: int
    #: turned down by the store after it had accepted them
    cancelled_by_store: int
    median_accept_minutes: int | None
    median_prepare_minutes: int | None

    def share(self, count: int) -> int | None:
        """Whole percent of the orders received."""
        return round(100 * count / self.received) if self.received else None


def _minutes(spans: list[timedelta]) -> int | None:
    return round(median(spans).total_seconds() / 60) if spans else None


def quality_signals(store_ids: list[int], now: datetime | None = None) -> dict[int, Quality]:
    """Quality of each store, from orders placed in the 30 days before ``now`` (two queries)."""
    now = now or utcnow()
    timelines: dict[int, list[OrderEvent]] = defaultdict(list)
    store_of: dict[int, int] = {}
    if store_ids:
        rows = db.session.execute(
            select(Order.id, Order.store_id).where(
                Order.store_id.in_(store_ids), Order.created_at >= now - WINDOW
            )
        ).all()
        store_of = dict(rows)
        if store_of:
            for event in db.session.scalars(
                select(OrderEvent)
                .where(OrderEvent.order_id.in_(list(store_of)))
                .order_by(OrderEvent.id)
            ):
                timelines[event.order_id].append(event)
    per_store: dict[int, list[list[OrderEvent]]] = defaultdict(list)
    for order_id, store_id in store_of.items():
        per_store[store_id].append(timelines[order_id])
    return {store_id: _quality(per_store[store_id]) for store_id in store_ids}


def _quality(timelines: list[list[OrderEvent]]) -> Quality:
    counts = dict.fromkeys(("received", "accepted", "rejected", "auto", "cancelled"), 0)
    to_accept: list[timedelta] = []
    to_ready: list[timedelta] = []
    for events in timelines:
        at = {}
        for event in events:
            at.setdefault(event.to_status, event.created_at)
            if event.to_status == S.REJECTED:
                if event.from_status == S.NEW:
                    counts["rejected" if event.actor_id else "auto"] += 1
                elif event.from_status in AFTER_ACCEPTING:
                    counts["cancelled"] += 1
        if S.NEW not in at:
            continue  # never reached the seller (an abandoned card payment)
        counts["received"] += 1
        if S.ACCEPTED in at:
            counts["accepted"] += 1
            to_accept.append(at[S.ACCEPTED] - at[S.NEW])
            ready = at.get(S.READY) or at.get(S.OUT_FOR_DELIVERY)
            if ready is not None:
                to_ready.append(ready - at[S.ACCEPTED])
    return Quality(
        received=counts["received"],
        accepted=counts["accepted"],
        rejected=counts["rejected"],
        auto_rejected=counts["auto"],
        cancelled_by_store=counts["cancelled"],
        median_accept_minutes=_minutes(to_accept),
        median_prepare_minutes=_minutes(to_ready),
    )
