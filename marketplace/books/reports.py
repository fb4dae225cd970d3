"""Cash book reports: a period cut at 00:00 Asia/Jakarta, its figures, a daily chart and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.books.models import CashEntry, EntryKind, Method
from marketplace.core.charts import bar_chart
from marketplace.core.db import JAKARTA, jakarta_today, to_jakarta
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus
from marketplace.stores.models import Store

MAX_RANGE_DAYS = 366
CSV_COLUMNS = (
    "tanggal",
    "jenis",
    "kategori",
    "jumlah",
    "cara_bayar",
    "saluran",
    "keterangan",
    "otomatis",
)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[00:00 Asia/Jakarta of the first day, 00:00 of the day after the last) in naive UTC."""

        def utc(day: date) -> datetime:
            moment = datetime.combine(day, time(0), tzinfo=JAKARTA)
            return moment.astimezone(UTC).replace(tzinfo=None)

        return utc(self.first), utc(self.last + timedelta(days=1))


def period_for(
    name: str, first: date | None = None, last: date | None = None, today: date | None = None
) -> Period:
    """Today, this week (from Monday), this month, or a chosen range."""
    today = today or jakarta_today()
    if name == "minggu":
        return Period(today - timedelta(days=today.weekday()), today)
    if name == "bulan":
        return Period(today.replace(day=1), today)
    if name == "rentang":
        if first is None or last is None:
            raise DomainError(_("Pilih tanggal awal dan akhir."))
        if last < first:
            raise DomainError(_("Tanggal akhir tidak boleh sebelum tanggal awal."))
        if (last - first).days >= MAX_RANGE_DAYS:
            raise DomainError(_("Rentang paling panjang satu tahun."))
        return Period(first, last)
    return Period(today, today)


def _entries(store: Store, period: Period):
    start, end = period.utc_bounds()
    return (
        select(CashEntry)
        .where(
            CashEntry.store_id == store.id,
            CashEntry.occurred_at >= start,
            CashEntry.occurred_at < end,
        )
        .order_by(CashEntry.occurred_at, CashEntry.id)
    )


@dataclass
class Report:
    period: Period
    sales: int = 0
    expenses: int = 0
    drawings: int = 0
    capital: int = 0
    #: cash in the till at the end of the period (all cash entries up to then)
    cash_on_hand: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    #: (day, income, expenses) for the chart
    daily: list[tuple[date, int, int]] = field(default_factory=list)
    #: (product, options, units, Rupiah) of the period's completed orders, best first
    best_sellers: list[tuple[str, str, int, int]] = field(default_factory=list)

    @property
    def profit(self) -> int:
        """The business's profit: drawings and capital are kept apart from it."""
        return self.sales - self.expenses


#: how each kind moves the money (cash, bank, marketplace balance)
CASH_SIGN = {
    EntryKind.INCOME: 1,
    EntryKind.CAPITAL: 1,
    EntryKind.RECEIVED: 1,
    EntryKind.EXPENSE: -1,
    EntryKind.DRAWING: -1,
    EntryKind.PAID_DEBT: -1,
}


def build_report(store: Store, period: Period) -> Report:
    """The period's figures, from its entries (one query) and its completed orders (one query)."""
    report = Report(period)
    income_by_day = dict.fromkeys(period.days, 0)
    expense_by_day = dict.fromkeys(period.days, 0)
    for entry in db.session.scalars(_entries(store, period)):
        day = to_jakarta(entry.occurred_at).date()
        if entry.kind == EntryKind.INCOME:
            report.sales += entry.amount
            income_by_day[day] += entry.amount
            report.by_channel[entry.channel] = (
                report.by_channel.get(entry.channel, 0) + entry.amount
            )
        elif entry.kind == EntryKind.EXPENSE:
            report.expenses += entry.amount
            expense_by_day[day] += entry.amount
        elif entry.kind == EntryKind.DRAWING:
            report.drawings += entry.amount
        elif entry.kind == EntryKind.CAPITAL:
            report.capital += entry.amount
        report.by_method[entry.method] = (
            report.by_method.get(entry.method, 0) + CASH_SIGN[entry.kind] * entry.amount
        )
    report.daily = [(day, income_by_day[day], expense_by_day[day]) for day in period.days]
    report.cash_on_hand = _cash_until(store, period.utc_bounds()[1])
    report.best_sellers = best_sellers(store, period)
    return report


def _cash_until(store: Store, end: datetime) -> int:
    total = 0
    for kind, amount in db.session.execute(
        select(CashEntry.kind, func.sum(CashEntry.amount))
        .where(
            CashEntry.store_id == store.id,
            CashEntry.method == Method.CASH,
            CashEntry.occurred_at < end,
        )
        .group_by(CashEntry.kind)
    ):
        total += CASH_SIGN[kind] * int(amount)
    return total


def best_sellers(store: Store, period: Period, limit: int = 10) -> list[tuple[str, str, int, int]]:
    rows = db.session.execute(
        select(
            OrderLine.product_name,
            OrderLine.options_text,
            func.sum(OrderLine.quantity),
            func.sum(OrderLine.line_total),
        )
        .join(Order)
        .where(
            Order.store_id == store.id,
            Order.status == OrderStatus.COMPLETED,
            Order.fulfil_date.between(period.first, period.last),
        )
        .group_by(OrderLine.product_name, OrderLine.options_text)
        .order_by(func.sum(OrderLine.quantity).desc(), OrderLine.product_name)
        .limit(limit)
    )
    return [(name, options, int(units), int(total)) for name, options, units, total in rows]


def chart_svg(report: Report) -> str:
    """Daily income (green) against expenses (red) as a small bar chart that fits a phone."""
    return bar_chart(
        [f"{day.day}/{day.month}" for day, _i, _e in report.daily],
        [
            (_("pemasukan"), "#2e7d32", [income for _d, income, _e in report.daily]),
            (_("pengeluaran"), "#c62828", [expense for _d, _i, expense in report.daily]),
        ],
        _("Pemasukan dan pengeluaran per hari"),
    )


def export_csv(store: Store, period: Period) -> str:
    """The period's entries as CSV (UTF-8 with a BOM for spreadsheets; Rupiah as integers)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in db.session.scalars(_entries(store, period)):
        writer.writerow(
            [
                to_jakarta(entry.occurred_at).strftime("%Y-%m-%d %H:%M"),
                entry.kind,
                entry.category,
                entry.amount,
                entry.method,
                entry.channel,
                entry.note,
                "ya" if entry.is_automatic else "tidak",
            ]
        )
    return out.getvalue()


def entries_in(store: Store, period: Period) -> list[CashEntry]:
    return list(
        db.session.scalars(
            _entries(store, period)
            .order_by(None)
            .order_by(CashEntry.occurred_at.desc(), CashEntry.id.desc())
        )
    )
