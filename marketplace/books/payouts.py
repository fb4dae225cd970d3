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


def balance(store: Store) -> Balance:
    total = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.store_id == store.id
        )
    )
    pending = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(Order, Order.id == LedgerEntry.order_id)
        .where(
            LedgerEntry.store_id == store.id,
            Order.status != OrderStatus.COMPLETED,
        )
    )
    return Balance(int(total), int(pending))


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
    """Every store holding card money, for the city admin."""
    ids = db.session.scalars(select(LedgerEntry.store_id).distinct())
    stores = db.session.scalars(select(Store).where(Store.id.in_(list(ids))).order_by(Store.name))
    return [(store, balance(store)) for store in stores]
