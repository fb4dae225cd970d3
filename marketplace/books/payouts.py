"""Payout balances: card money the platform collected for a store, less refunds, fees and what
was paid out. Derived from the append-only ledger; never edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.books.models import LedgerEntry, LedgerKind
from marketplace.core.db import jakarta_today
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.money import format_rupiah
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.stores.models import Store


@dataclass
class Balance:
    #: everything the ledger holds for the store
    total: int
    #: card money of orders not completed yet: it may still be refunded
    pending: int

    @property
    def available(self) -> int:
        """What may be paid out now."""
        return self.total - self.pending


def balances(store_ids: list[int] | None = None) -> dict[int, Balance]:
    """The balance of each store holding card money (of these stores, or of all), two queries."""
    totals = select(LedgerEntry.store_id, func.sum(LedgerEntry.amount)).group_by(
        LedgerEntry.store_id
    )
    pending = (
        select(LedgerEntry.store_id, func.sum(LedgerEntry.amount))
        .join(Order, Order.id == LedgerEntry.order_id)
        .where(Order.status != OrderStatus.COMPLETED)
        .group_by(LedgerEntry.store_id)
    )
    if store_ids is not None:
        totals = totals.where(LedgerEntry.store_id.in_(store_ids))
        pending = pending.where(LedgerEntry.store_id.in_(store_ids))
    open_money = dict(db.session.execute(pending).all())
    return {
        store_id: Balance(int(total), int(open_money.get(store_id, 0)))
        for store_id, total in db.session.execute(totals).all()
    }


def balance(store: Store) -> Balance:
    return balances([store.id]).get(store.id, Balance(0, 0))


def record_payout(
    actor: User, store: Store, amount: int, reference: str, paid_on: date | None = None
) -> LedgerEntry:
    """The city admin records a bank transfer to the seller, never above the available balance."""
    if not actor.is_city_admin:
        raise NotAllowed(_("Hanya admin kota yang mencatat pembayaran ke penjual."))
    # One payout at a time per store: the store row is locked while the balance is read.
    db.session.execute(select(Store.id).where(Store.id == store.id).with_for_update())
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Tulis nomor referensi transfer bank."))
    if not isinstance(amount, int) or amount <= 0:
        raise DomainError(_("Jumlah pembayaran harus lebih dari Rp0."))
    paid_on = paid_on or jakarta_today()
    if paid_on > jakarta_today():
        raise DomainError(_("Tanggal transfer tidak boleh di masa depan."))
    available = balance(store).available
    if amount > available:
        raise DomainError(
            _("Melebihi saldo yang dapat dibayarkan (%(n)s).", n=format_rupiah(available))
        )
    count = db.session.scalar(
        select(func.count(LedgerEntry.id)).where(
            LedgerEntry.store_id == store.id, LedgerEntry.kind == LedgerKind.PAYOUT
        )
    )
    entry = LedgerEntry(
        store_id=store.id,
        kind=LedgerKind.PAYOUT,
        amount=-amount,
        source_key=f"payout:store:{store.id}:{count + 1}",
        reference=reference[:120],
        paid_on=paid_on,
        created_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def movements(store: Store) -> list[LedgerEntry]:
    return list(
        db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.store_id == store.id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        )
    )


def payout_overview() -> list[tuple[Store, Balance]]:
    """Every store holding card money, for the city admin (three queries, whatever the count)."""
    found = balances()
    stores = db.session.scalars(
        select(Store).where(Store.id.in_(list(found) or [-1])).order_by(Store.name)
    )
    return [(store, found[store.id]) for store in stores]
