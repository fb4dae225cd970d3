"""Cash book rules: what the marketplace posts by itself (exactly once per source event), the
seller's own entries, and their categories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.books.models import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    PLATFORM_FEE_CATEGORY,
    BookCategory,
    CashEntry,
    Channel,
    EntryKind,
    LedgerEntry,
    LedgerKind,
    Method,
)
from marketplace.core.db import to_utc_naive, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.images import Uploads
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.stores.models import Store

ONLINE_SALES = "penjualan online"
#: the largest single entry a seller can write (Rp10 miliar)
MAX_ENTRY = 10_000_000_000


def _entry(key: str) -> CashEntry | None:
    return db.session.scalar(select(CashEntry).where(CashEntry.source_key == key))


def _post(order: Order, key: str, kind: str, category: str, amount: int, method: str, channel: str):
    """Write one automatic entry unless its source event was posted already."""
    if _entry(key) is not None:
        return None
    entry = CashEntry(
        store_id=order.store_id,
        occurred_at=utcnow(),
        kind=kind,
        category=category,
        amount=amount,
        method=method,
        channel=channel,
        note=_("Pesanan #%(id)d", id=order.id),
        source_key=key,
        order_id=order.id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _post_card(order: Order, key: str, kind: str, category: str, amount: int, ledger: str) -> bool:
    """A card movement: its cash book line and its ledger line, both once (False if posted).

    Card money sits with the platform, so the ledger moves with income and against expenses."""
    channel = Channel.ONLINE_CARD if kind == EntryKind.INCOME else Channel.NONE
    if _post(order, key, kind, category, amount, Method.CARD, channel) is None:
        return False
    db.session.add(
        LedgerEntry(
            store_id=order.store_id,
            kind=ledger,
            amount=amount if kind == EntryKind.INCOME else -amount,
            order_id=order.id,
            source_key=key,
        )
    )
    db.session.flush()
    return True


def platform_fee(amount: int) -> int:
    """The platform's fee on a card payment, whole Rupiah rounded half up (default 0%)."""
    basis_points = current_app.config["PLATFORM_FEE_BASIS_POINTS"]
    return (amount * basis_points + 5000) // 10000


def post_card_capture(order: Order) -> None:
    """A card payment was captured: income in the book, money held for the store in the ledger,
    and the platform's fee (if any) as an expense."""
    key = f"order:{order.id}"
    if not _post_card(
        order, f"capture:{key}", EntryKind.INCOME, ONLINE_SALES, order.total, LedgerKind.CAPTURE
    ):
        return
    fee = platform_fee(order.total)
    if fee:
        _post_card(
            order, f"fee:{key}", EntryKind.EXPENSE, PLATFORM_FEE_CATEGORY, fee, LedgerKind.FEE
        )


def post_card_refund(order: Order) -> None:
    """A captured card payment was refunded in full: the reversal of its capture and fee."""
    key = f"order:{order.id}"
    capture = _entry(f"capture:{key}")
    if capture is None:
        return  # never captured (a voided authorisation): nothing was posted
    if not _post_card(
        order,
        f"refund:{key}",
        EntryKind.INCOME,
        ONLINE_SALES,
        -capture.amount,
        LedgerKind.REFUND,
    ):
        return
    fee = _entry(f"fee:{key}")
    if fee is not None:
        _post_card(
            order,
            f"fee-refund:{key}",
            EntryKind.EXPENSE,
            PLATFORM_FEE_CATEGORY,
            -fee.amount,
            LedgerKind.FEE_REFUND,
        )


def post_cash_completion(order: Order) -> None:
    """A cash order was handed over and paid: income at the moment it was completed."""
    _post(
        order,
        f"cash:order:{order.id}",
        EntryKind.INCOME,
        ONLINE_SALES,
        order.total,
        Method.CASH,
        Channel.ONLINE_CASH,
    )


#: how money paid straight to the seller online is written: method and sales channel
MANUAL_POSTING = {
    "qris": (Method.QRIS, Channel.ONLINE_QRIS),
    "transfer": (Method.TRANSFER, Channel.ONLINE_TRANSFER),
}


def post_manual_payment(order: Order, amount: int) -> None:
    """The seller confirmed a QRIS or transfer payment: the money that came in (a transfer's
    unique code included) is income now, posted once."""
    method, channel = MANUAL_POSTING[order.payment_method]
    _post(
        order,
        f"{order.payment_method}:order:{order.id}",
        EntryKind.INCOME,
        ONLINE_SALES,
        amount,
        method,
        channel,
    )


def post_manual_refund(order: Order) -> None:
    """A QRIS or transfer order the seller had confirmed paid was rejected: the money goes back
    to the buyer, the reversal of its income (once; nothing when it was never confirmed)."""
    paid = _entry(f"{order.payment_method}:order:{order.id}")
    if paid is None:
        return
    method, channel = MANUAL_POSTING[order.payment_method]
    _post(
        order,
        f"refund:order:{order.id}",
        EntryKind.INCOME,
        ONLINE_SALES,
        -paid.amount,
        method,
        channel,
    )


@dataclass
class EntryData:
    kind: str
    amount: int
    category: str
    method: str = Method.CASH
    occurred_at: datetime | None = None  # Asia/Jakarta (naive) or aware; None = now
    note: str = ""


def categories(store: Store, kind: str) -> list[str]:
    """The one-tap categories of a kind: the standard ones and the seller's own."""
    own = db.session.scalars(
        select(BookCategory.name)
        .where(BookCategory.store_id == store.id, BookCategory.kind == kind)
        .order_by(BookCategory.name)
    )
    standard = {EntryKind.EXPENSE: EXPENSE_CATEGORIES, EntryKind.INCOME: INCOME_CATEGORIES}
    return [*standard.get(kind, ()), *own]


def add_category(actor: User, store: Store, kind: str, name: str) -> BookCategory:
    """A seller adds a category of their own."""
    if not store.is_managed_by(actor):
        raise NotAllowed(_("Buku kas ini bukan milik Anda."))
    if kind not in (EntryKind.INCOME, EntryKind.EXPENSE):
        raise DomainError(_("Kategori untuk pemasukan atau pengeluaran."))
    name = " ".join((name or "").split()).lower()[:60]
    if not name:
        raise DomainError(_("Tulis nama kategori."))
    if name in categories(store, kind):
        raise DomainError(_("Kategori itu sudah ada."))
    category = BookCategory(store_id=store.id, kind=kind, name=name)
    db.session.add(category)
    db.session.flush()
    return category


def _category_for(store: Store, kind: str, category: str) -> str:
    if kind == EntryKind.DRAWING:
        return "prive"
    if kind == EntryKind.CAPITAL:
        return "modal"
    category = (category or "").strip().lower()
    if category not in categories(store, kind):
        raise DomainError(_("Pilih kategori dari daftar."))
    return category


def record_entry(
    actor: User,
    store: Store,
    data: EntryData,
    receipt=None,
    uploads: Uploads | None = None,
) -> CashEntry:
    """A seller writes an entry by hand: a sale at the stall, an expense, a drawing, capital."""
    if not store.is_managed_by(actor):
        raise NotAllowed(_("Buku kas ini bukan milik Anda."))
    if data.kind not in set(EntryKind):
        raise DomainError(_("Pilih jenis catatan."))
    if not isinstance(data.amount, int) or not 0 < data.amount <= MAX_ENTRY:
        raise DomainError(_("Jumlah harus lebih dari Rp0."))
    if data.method not in (Method.CASH, Method.TRANSFER, Method.QRIS):
        raise DomainError(_("Pilih cara bayar: tunai, transfer atau QRIS."))
    occurred = to_utc_naive(data.occurred_at) if data.occurred_at else utcnow()
    if occurred > utcnow():
        raise DomainError(_("Waktu catatan tidak boleh di masa depan."))
    entry = CashEntry(
        store_id=store.id,
        occurred_at=occurred,
        kind=data.kind,
        category=_category_for(store, data.kind, data.category),
        amount=data.amount,
        method=data.method,
        channel=Channel.STALL if data.kind == EntryKind.INCOME else Channel.NONE,
        note=(data.note or "").strip()[:500],
        created_by_id=actor.id,
    )
    if receipt is not None and uploads is not None:
        stored = uploads.store(receipt)
        entry.receipt_thumb, entry.receipt_large = stored.thumb, stored.large
    db.session.add(entry)
    db.session.flush()
    return entry


def explain_entry(actor: User, entry: CashEntry, note: str) -> None:
    """Change an entry's note: the only change allowed on an entry the marketplace posted."""
    if not entry.is_managed_by(actor):
        raise NotAllowed(_("Buku kas ini bukan milik Anda."))
    entry.note = (note or "").strip()[:500]
    db.session.flush()


def delete_entry(actor: User, entry: CashEntry, uploads: Uploads | None = None) -> None:
    """Remove a hand-written entry (a mistake); posted entries stay."""
    if not entry.is_managed_by(actor):
        raise NotAllowed(_("Buku kas ini bukan milik Anda."))
    if entry.is_automatic:
        raise DomainError(_("Catatan dari pesanan tidak dapat dihapus, hanya diberi keterangan."))
    if uploads is not None:
        uploads.delete(entry.receipt_thumb, entry.receipt_large)
    db.session.delete(entry)
    db.session.flush()
