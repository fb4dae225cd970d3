"""Monthly statements in the spirit of SAK EMKM: profit and loss, financial position and cash
flow, from the cash book, the kasbon and supplier debts, and the card ledger."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.books.credit import PAYABLE, RECEIVABLE
from marketplace.books.models import (
    CashEntry,
    Debt,
    DebtPayment,
    EntryKind,
    LedgerEntry,
    LedgerKind,
    Method,
)
from marketplace.books.reports import Period, money_until
from marketplace.core.db import jakarta_today
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.stores.models import Store

#: methods whose money is in the till or the bank (card money sits in the marketplace balance)
CASH_AND_BANK = (Method.CASH, Method.TRANSFER, Method.QRIS)


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise DomainError(_("Pilih bulan yang benar."))
    first = date(year, month, 1)
    if first > jakarta_today():
        raise DomainError(_("Bulan itu belum datang."))
    return Period(first, date(year, month, calendar.monthrange(year, month)[1]))


def month_from(text: str | None, today: date | None = None) -> Period:
    """The month a form gives as "YYYY-MM" (this month when empty); DomainError when invalid."""
    today = today or jakarta_today()
    if not text:
        return month_period(today.year, today.month)
    try:
        year, month = (int(part) for part in text.split("-", 1))
    except ValueError as exc:
        raise DomainError(_("Pilih bulan yang benar.")) from exc
    return month_period(year, month)


@dataclass
class Statement:
    period: Period
    #: profit and loss
    cash_sales: int = 0
    credit_sales: int = 0
    expenses: dict[str, int] = field(default_factory=dict)
    credit_purchases: int = 0
    #: financial position at the end of the month
    cash: int = 0
    bank: int = 0
    marketplace: int = 0
    receivables: int = 0
    payables: int = 0
    capital_total: int = 0
    drawings_total: int = 0
    retained_profit: int = 0
    #: cash flow of the month (cash and bank only)
    opening_cash: int = 0
    received_from_sales: int = 0
    received_from_kasbon: int = 0
    received_payouts: int = 0
    paid_for_expenses: int = 0
    paid_to_suppliers: int = 0
    capital_in: int = 0
    drawings_out: int = 0

    @property
    def revenue(self) -> int:
        return self.cash_sales + self.credit_sales

    @property
    def total_expenses(self) -> int:
        return sum(self.expenses.values()) + self.credit_purchases

    @property
    def profit(self) -> int:
        return self.revenue - self.total_expenses

    @property
    def assets(self) -> int:
        return self.cash + self.bank + self.marketplace + self.receivables

    @property
    def equity(self) -> int:
        return self.assets - self.payables

    @property
    def operating_flow(self) -> int:
        return (
            self.received_from_sales
            + self.received_from_kasbon
            + self.received_payouts
            - self.paid_for_expenses
            - self.paid_to_suppliers
        )

    @property
    def financing_flow(self) -> int:
        return self.capital_in - self.drawings_out

    @property
    def closing_cash(self) -> int:
        return self.opening_cash + self.operating_flow + self.financing_flow


def _sum(query) -> int:
    return int(db.session.scalar(query) or 0)


def _debts_until(store: Store, direction: str, end: datetime) -> int:
    owed = _sum(
        select(func.sum(Debt.amount)).where(
            Debt.store_id == store.id, Debt.direction == direction, Debt.occurred_at < end
        )
    )
    paid = _sum(
        select(func.sum(DebtPayment.amount))
        .join(Debt)
        .join(CashEntry, CashEntry.id == DebtPayment.entry_id)
        .where(Debt.store_id == store.id, Debt.direction == direction, CashEntry.occurred_at < end)
    )
    return owed - paid


def _payouts(store: Store, start: datetime | None, end: datetime) -> int:
    query = select(func.sum(LedgerEntry.amount)).where(
        LedgerEntry.store_id == store.id,
        LedgerEntry.kind == LedgerKind.PAYOUT,
        LedgerEntry.created_at < end,
    )
    if start is not None:
        query = query.where(LedgerEntry.created_at >= start)
    return -_sum(query)


def _cash_and_bank_until(store: Store, end: datetime) -> tuple[int, int]:
    """Cash in the till, and money in the bank or QRIS (with the marketplace's transfers)."""
    held = money_until(store, end)
    bank = held.get(Method.TRANSFER, 0) + held.get(Method.QRIS, 0)
    return held.get(Method.CASH, 0), bank + _payouts(store, None, end)


def monthly_statement(store: Store, period: Period) -> Statement:
    """The month's profit and loss, the position at its end and its cash flow."""
    start, end = period.utc_bounds()
    st = Statement(period)
    for kind, category, method, amount in db.session.execute(
        select(CashEntry.kind, CashEntry.category, CashEntry.method, func.sum(CashEntry.amount))
        .where(
            CashEntry.store_id == store.id,
            CashEntry.occurred_at >= start,
            CashEntry.occurred_at < end,
        )
        .group_by(CashEntry.kind, CashEntry.category, CashEntry.method)
    ):
        amount = int(amount)
        in_cash = method in CASH_AND_BANK
        if kind == EntryKind.INCOME:
            st.cash_sales += amount
            st.received_from_sales += amount if in_cash else 0
        elif kind == EntryKind.EXPENSE:
            st.expenses[category] = st.expenses.get(category, 0) + amount
            st.paid_for_expenses += amount if in_cash else 0
        elif kind == EntryKind.RECEIVED:
            st.received_from_kasbon += amount
        elif kind == EntryKind.PAID_DEBT:
            st.paid_to_suppliers += amount
        elif kind == EntryKind.CAPITAL:
            st.capital_in += amount
        elif kind == EntryKind.DRAWING:
            st.drawings_out += amount
    for direction, attribute in ((RECEIVABLE, "credit_sales"), (PAYABLE, "credit_purchases")):
        setattr(
            st,
            attribute,
            _sum(
                select(func.sum(Debt.amount)).where(
                    Debt.store_id == store.id,
                    Debt.direction == direction,
                    Debt.occurred_at >= start,
                    Debt.occurred_at < end,
                )
            ),
        )
    st.received_payouts = _payouts(store, start, end)
    opening_cash, opening_bank = _cash_and_bank_until(store, start)
    st.opening_cash = opening_cash + opening_bank
    st.cash, st.bank = _cash_and_bank_until(store, end)
    st.marketplace = _sum(
        select(func.sum(LedgerEntry.amount)).where(
            LedgerEntry.store_id == store.id, LedgerEntry.created_at < end
        )
    )
    st.receivables = _debts_until(store, RECEIVABLE, end)
    st.payables = _debts_until(store, PAYABLE, end)
    totals = dict(
        db.session.execute(
            select(CashEntry.kind, func.sum(CashEntry.amount))
            .where(CashEntry.store_id == store.id, CashEntry.occurred_at < end)
            .group_by(CashEntry.kind)
        ).all()
    )
    st.capital_total = int(totals.get(EntryKind.CAPITAL, 0))
    st.drawings_total = int(totals.get(EntryKind.DRAWING, 0))
    all_credit_sales = _sum(
        select(func.sum(Debt.amount)).where(
            Debt.store_id == store.id, Debt.direction == RECEIVABLE, Debt.occurred_at < end
        )
    )
    all_credit_purchases = _sum(
        select(func.sum(Debt.amount)).where(
            Debt.store_id == store.id, Debt.direction == PAYABLE, Debt.occurred_at < end
        )
    )
    st.retained_profit = (
        int(totals.get(EntryKind.INCOME, 0))
        + all_credit_sales
        - int(totals.get(EntryKind.EXPENSE, 0))
        - all_credit_purchases
    )
    return st
