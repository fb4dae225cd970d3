"""Receivables and payables (utang piutang): kasbon sales to regular customers within a limit,
supplier debts, partial and full payments (each one a cash book entry), WhatsApp reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.books.models import (
    CashEntry,
    Channel,
    CreditCustomer,
    Debt,
    DebtPayment,
    EntryKind,
    Method,
)
from marketplace.books.services import MAX_ENTRY
from marketplace.core.db import to_utc_naive, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.money import format_rupiah
from marketplace.core.phone import InvalidPhone, normalize_phone
from marketplace.extensions import db
from marketplace.stores.models import Store

RECEIVABLE, PAYABLE = "piutang", "utang"


def _own(actor: User, store: Store) -> None:
    if not store.is_managed_by(actor):
        raise NotAllowed(_("Buku kas ini bukan milik Anda."))


def _amount(value) -> int:
    if not isinstance(value, int) or not 0 < value <= MAX_ENTRY:
        raise DomainError(_("Jumlah harus lebih dari Rp0."))
    return value


def save_customer(
    actor: User,
    store: Store,
    name: str,
    phone: str,
    credit_limit: int,
    institution_id: int | None = None,
) -> CreditCustomer:
    """Add a regular customer who may buy on credit, or change their limit. A person is found
    by phone; an office buying on invoice (``institution_id``) by the office, so a person whose
    number the office gave keeps their own kasbon apart from the office's invoices."""
    _own(actor, store)
    # one row per person or office: two saves at once (a double tap, two deliveries) take
    # turns on the store's row, and the second finds what the first added
    db.session.execute(select(Store.id).where(Store.id == store.id).with_for_update())
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Tulis nama pelanggan."))
    try:
        phone = normalize_phone(phone)
    except InvalidPhone as exc:
        raise DomainError(_("Nomor WhatsApp tidak valid. Contoh: 0812-3456-7890.")) from exc
    credit_limit = _amount(credit_limit)
    customer = db.session.scalar(
        select(CreditCustomer).where(
            CreditCustomer.store_id == store.id, _same(phone, institution_id)
        )
    )
    if customer is None:
        customer = CreditCustomer(store_id=store.id, phone=phone, institution_id=institution_id)
        db.session.add(customer)
    elif credit_limit < outstanding_of(customer):
        raise DomainError(_("Batas kasbon tidak boleh di bawah utang pelanggan saat ini."))
    customer.name, customer.phone, customer.credit_limit = name[:120], phone, credit_limit
    db.session.flush()
    return customer


def _same(phone: str, institution_id: int | None):
    if institution_id is not None:
        return CreditCustomer.institution_id == institution_id
    return and_(CreditCustomer.institution_id.is_(None), CreditCustomer.phone == phone)


def _outstanding(*conditions) -> int:
    owed = db.session.scalar(select(func.coalesce(func.sum(Debt.amount), 0)).where(*conditions))
    paid = db.session.scalar(
        select(func.coalesce(func.sum(DebtPayment.amount), 0)).join(Debt).where(*conditions)
    )
    return int(owed) - int(paid)


def outstanding_of(customer: CreditCustomer) -> int:
    return _outstanding(Debt.customer_id == customer.id)


def outstanding_by_customer(store: Store) -> dict[int, int]:
    """What each kasbon customer of the store owes now (two grouped queries)."""
    owed = dict(
        db.session.execute(
            select(Debt.customer_id, func.sum(Debt.amount))
            .where(Debt.store_id == store.id, Debt.direction == RECEIVABLE)
            .group_by(Debt.customer_id)
        ).all()
    )
    paid = dict(
        db.session.execute(
            select(Debt.customer_id, func.sum(DebtPayment.amount))
            .join(Debt)
            .where(Debt.store_id == store.id, Debt.direction == RECEIVABLE)
            .group_by(Debt.customer_id)
        ).all()
    )
    return {cid: int(total) - int(paid.get(cid, 0)) for cid, total in owed.items()}


def outstanding_total(store: Store, direction: str) -> int:
    """What all customers owe the stall (piutang), or the stall owes its suppliers (utang)."""
    return _outstanding(Debt.store_id == store.id, Debt.direction == direction)


@dataclass
class DebtData:
    amount: int
    description: str = ""
    due_on: date | None = None
    occurred_at: datetime | None = None  # Asia/Jakarta (naive) or aware; None = now


def _when(moment: datetime | None) -> datetime:
    when = to_utc_naive(moment) if moment else utcnow()
    if when > utcnow():
        raise DomainError(_("Waktu catatan tidak boleh di masa depan."))
    return when


def sell_on_credit(actor: User, customer: CreditCustomer, data: DebtData) -> Debt:
    """A kasbon sale: revenue now, money later; the customer's total stays within the limit."""
    store = customer.store
    _own(actor, store)
    amount = _amount(data.amount)
    # One kasbon at a time per customer, so two sales cannot both slip under the limit.
    db.session.execute(
        select(CreditCustomer.id).where(CreditCustomer.id == customer.id).with_for_update()
    )
    owed = outstanding_of(customer)
    if owed + amount > customer.credit_limit:
        raise DomainError(
            _(
                "Melebihi batas kasbon %(limit)s (utang sekarang %(owed)s).",
                limit=format_rupiah(customer.credit_limit),
                owed=format_rupiah(owed),
            )
        )
    debt = Debt(
        store_id=store.id,
        direction=RECEIVABLE,
        customer_id=customer.id,
        description=(data.description or "").strip()[:200],
        amount=amount,
        occurred_at=_when(data.occurred_at),
        due_on=data.due_on,
        created_by_id=actor.id,
    )
    db.session.add(debt)
    db.session.flush()
    return debt


def buy_on_credit(actor: User, store: Store, supplier: str, data: DebtData) -> Debt:
    """Ingredients taken from a supplier, to be paid later: an expense now, a debt until paid."""
    _own(actor, store)
    supplier = (supplier or "").strip()
    if not supplier:
        raise DomainError(_("Tulis nama pemasok."))
    debt = Debt(
        store_id=store.id,
        direction=PAYABLE,
        supplier=supplier[:120],
        description=(data.description or "").strip()[:200] or "bahan baku",
        amount=_amount(data.amount),
        occurred_at=_when(data.occurred_at),
        due_on=data.due_on,
        created_by_id=actor.id,
    )
    db.session.add(debt)
    db.session.flush()
    return debt


def pay_debt(
    actor: User,
    debt: Debt,
    amount: int,
    method: str = Method.CASH,
    occurred_at: datetime | None = None,
) -> DebtPayment:
    """A partial or full payment; the money is written in the cash book at the same time."""
    _own(actor, debt.store)
    db.session.execute(select(Debt.id).where(Debt.id == debt.id).with_for_update())
    amount = _amount(amount)
    if method not in (Method.CASH, Method.TRANSFER, Method.QRIS):
        raise DomainError(_("Pilih cara bayar: tunai, transfer atau QRIS."))
    db.session.expire(debt, ["payments"])
    if amount > debt.outstanding:
        raise DomainError(
            _("Lebih besar dari sisa utang (%(n)s).", n=format_rupiah(debt.outstanding))
        )
    receivable = debt.direction == RECEIVABLE
    party = debt.customer.name if receivable else debt.supplier
    entry = CashEntry(
        store_id=debt.store_id,
        occurred_at=_when(occurred_at),
        kind=EntryKind.RECEIVED if receivable else EntryKind.PAID_DEBT,
        category="kasbon" if receivable else "utang pemasok",
        amount=amount,
        method=method,
        channel=Channel.NONE,
        note=party[:500],
        created_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    payment = DebtPayment(debt_id=debt.id, amount=amount, entry_id=entry.id)
    db.session.add(payment)
    db.session.flush()
    db.session.expire(debt, ["payments"])
    return payment


def debts_of(store: Store, direction: str) -> list[Debt]:
    return list(
        db.session.scalars(
            select(Debt)
            .where(Debt.store_id == store.id, Debt.direction == direction)
            .options(selectinload(Debt.payments), selectinload(Debt.customer))
            .order_by(Debt.occurred_at.desc(), Debt.id.desc())
        )
    )


def customers_of(store: Store) -> list[CreditCustomer]:
    return list(
        db.session.scalars(
            select(CreditCustomer)
            .where(CreditCustomer.store_id == store.id)
            .order_by(CreditCustomer.name)
        )
    )


def reminder_text(debt: Debt) -> str:
    """A polite WhatsApp reminder with the amount still owed."""
    due = (
        _(" (jatuh tempo %(day)s)", day=format_date(debt.due_on, "d MMMM yyyy"))
        if debt.due_on
        else ""
    )
    return _(
        "Halo %(name)s, ini pengingat dari %(store)s: kasbon Anda %(amount)s%(due)s. Terima kasih.",
        name=debt.customer.name,
        store=debt.store.name,
        amount=format_rupiah(debt.outstanding),
        due=due,
    )
