"""Cash book reports: a period cut at 00:00 Asia/Jakarta, its figures, a daily chart and CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, text

from marketplace.books.models import CashEntry, EntryKind, Method
from marketplace.core.charts import bar_chart
from marketplace.core.csvfile import csv_text
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


def _jakarta_day(column):
    """The Asia/Jakarta calendar day of a naive-UTC column, in SQL (Jakarta is UTC+7, no DST)."""
    if db.engine.dialect.name == "sqlite":
        return func.date(column, "+7 hours")
    return func.date(column + text("interval '7 hours'"))


def build_report(store: Store, period: Period) -> Report:
    """The period's figures in grouped queries: totals, days, cash on hand and best sellers."""
    report = Report(period)
    start, end = period.utc_bounds()
    in_period = (
        CashEntry.store_id == store.id,
        CashEntry.occurred_at >= start,
        CashEntry.occurred_at < end,
    )
    for kind, method, channel, amount in db.session.execute(
        select(CashEntry.kind, CashEntry.method, CashEntry.channel, func.sum(CashEntry.amount))
        .where(*in_period)
        .group_by(CashEntry.kind, CashEntry.method, CashEntry.channel)
    ):
        amount = int(amount)
        if kind == EntryKind.INCOME:
            report.sales += amount
            report.by_channel[channel] = report.by_channel.get(channel, 0) + amount
        elif kind == EntryKind.EXPENSE:
            report.expenses += amount
        elif kind == EntryKind.DRAWING:
            report.drawings += amount
        elif kind == EntryKind.CAPITAL:
            report.capital += amount
        report.by_method[method] = report.by_method.get(method, 0) + CASH_SIGN[kind] * amount
    income_by_day = dict.fromkeys(period.days, 0)
    expense_by_day = dict.fromkeys(period.days, 0)
    day = _jakarta_day(CashEntry.occurred_at)
    for when, kind, amount in db.session.execute(
        select(day, CashEntry.kind, func.sum(CashEntry.amount))
        .where(*in_period, CashEntry.kind.in_([EntryKind.INCOME, EntryKind.EXPENSE]))
        .group_by(day, CashEntry.kind)
    ):
        bucket = income_by_day if kind == EntryKind.INCOME else expense_by_day
        bucket[date.fromisoformat(str(when))] += int(amount)
    report.daily = [(d, income_by_day[d], expense_by_day[d]) for d in period.days]
    report.cash_on_hand = money_until(store, end).get(Method.CASH, 0)
    report.best_sellers = best_sellers(store, period)
    return report


def money_until(store: Store, end: datetime) -> dict[str, int]:
    """What the cash book says is held, per method, from all entries before ``end``."""
    held: dict[str, int] = {}
    for kind, method, amount in db.session.execute(
        select(CashEntry.kind, CashEntry.method, func.sum(CashEntry.amount))
        .where(CashEntry.store_id == store.id, CashEntry.occurred_at < end)
        .group_by(CashEntry.kind, CashEntry.method)
    ):
        held[method] = held.get(method, 0) + CASH_SIGN[kind] * int(amount)
    return held


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


#: periods longer than this are charted per month, not per day
DAILY_CHART_DAYS = 62


def chart_svg(report: Report) -> str:
    """Income (green) against expenses (red) per day, or per month for a long range, as a small
    bar chart that fits a phone."""
    points: list[tuple[str, int, int]] = []
    if len(report.daily) <= DAILY_CHART_DAYS:
        points = [(f"{d.day}/{d.month}", i, e) for d, i, e in report.daily]
    else:
        months: dict[tuple[int, int], list[int]] = {}
        for d, income, expense in report.daily:
            totals = months.setdefault((d.year, d.month), [0, 0])
            totals[0] += income
            totals[1] += expense
        points = [(f"{m}/{y % 100:02d}", i, e) for (y, m), (i, e) in months.items()]
    title = (
        _("Pemasukan dan pengeluaran per hari")
        if len(report.daily) <= DAILY_CHART_DAYS
        else _("Pemasukan dan pengeluaran per bulan")
    )
    return bar_chart(
        [label for label, _i, _e in points],
        [
            (_("pemasukan"), "#2e7d32", [income for _l, income, _e in points]),
            (_("pengeluaran"), "#c62828", [expense for _l, _i, expense in points]),
        ],
        title,
    )


def export_csv(store: Store, period: Period) -> str:
    """The period's entries as CSV (UTF-8 with a BOM for spreadsheets; Rupiah as integers)."""
    return csv_text(
        CSV_COLUMNS,
        (
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
            for entry in db.session.scalars(_entries(store, period))
        ),
    )


def entries_page(store: Store, period: Period, page: int, per_page: int = 50):
    """The period's entries, newest first, a page at a time (a year can hold thousands)."""
    query = (
        _entries(store, period)
        .order_by(None)
        .order_by(CashEntry.occurred_at.desc(), CashEntry.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
