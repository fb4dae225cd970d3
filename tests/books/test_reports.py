"""Report figures on a fixed data set match hand-computed numbers: day boundaries at 00:00
Asia/Jakarta, a range across a month end, drawings and capital apart from profit, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from marketplace.books import reports
from marketplace.books import services as books
from marketplace.books.services import EntryData
from marketplace.core.errors import DomainError, NotAllowed

ENTRIES = [
    # (Asia/Jakarta wall clock, kind, category, amount, method, note)
    ("2026-10-31 23:59", "pemasukan", "penjualan di tempat", 10000, "tunai", ""),
    ("2026-11-01 00:00", "pemasukan", "penjualan di tempat", 20000, "qris", ""),
    ("2026-11-01 08:00", "pengeluaran", "bahan baku", 5000, "tunai", "Beras 2 kg"),
    ("2026-11-01 12:00", "prive", "", 3000, "tunai", "Uang sekolah"),
    ("2026-11-02 09:00", "modal", "", 50000, "tunai", ""),
    ("2026-11-02 10:00", "pengeluaran", "kemasan", 2000, "transfer", "Mika — Toko Ani ☕"),
    ("2026-11-30 23:30", "pemasukan", "penjualan di tempat", 7000, "tunai", ""),
    ("2026-12-01 00:10", "pengeluaran", "gas & listrik", 1000, "tunai", ""),
]


@pytest.fixture
def ledger_store(create_store):
    store = create_store(name="Warung Buku")
    for when, kind, category, amount, method, note in ENTRIES:
        books.record_entry(
            store.owner,
            store,
            EntryData(
                kind=kind,
                amount=amount,
                category=category,
                method=method,
                occurred_at=datetime.strptime(when, "%Y-%m-%d %H:%M"),
                note=note,
            ),
        )
    return store


def figures(report):
    return (report.sales, report.expenses, report.profit, report.drawings, report.capital)


def test_one_day_starts_at_midnight_in_jakarta(ledger_store):
    day = reports.build_report(ledger_store, reports.Period(date(2026, 11, 1), date(2026, 11, 1)))
    # 23:59 on 31 October is the day before; 00:00 on 1 November is this day
    assert figures(day) == (20000, 5000, 15000, 3000, 0)
    assert day.cash_on_hand == 10000 - 5000 - 3000  # the QRIS sale is not cash in the till
    assert day.by_method == {"qris": 20000, "tunai": -8000}


def test_this_month(ledger_store):
    month = reports.build_report(
        ledger_store, reports.period_for("bulan", today=date(2026, 11, 30))
    )
    assert month.period == reports.Period(date(2026, 11, 1), date(2026, 11, 30))
    assert figures(month) == (27000, 7000, 20000, 3000, 50000)
    assert month.by_method == {"qris": 20000, "tunai": 49000, "transfer": -2000}
    assert month.by_channel == {"di_tempat": 27000}
    assert month.cash_on_hand == 10000 - 5000 - 3000 + 50000 + 7000
    assert month.daily[0] == (date(2026, 11, 1), 20000, 5000)
    assert month.daily[29] == (date(2026, 11, 30), 7000, 0)


def test_a_range_across_a_month_end(ledger_store):
    period = reports.period_for("rentang", date(2026, 10, 31), date(2026, 12, 1))
    report = reports.build_report(ledger_store, period)
    assert figures(report) == (37000, 8000, 29000, 3000, 50000)
    assert len(report.daily) == 32
    assert report.daily[-1] == (date(2026, 12, 1), 0, 1000)
    assert "<svg" in reports.chart_svg(report)


def test_week_and_bad_ranges():
    assert reports.period_for("minggu", today=date(2026, 11, 4)) == reports.Period(
        date(2026, 11, 2), date(2026, 11, 4)
    )
    with pytest.raises(DomainError, match="sebelum"):
        reports.period_for("rentang", date(2026, 11, 5), date(2026, 11, 4))
    with pytest.raises(DomainError, match="satu tahun"):
        reports.period_for("rentang", date(2025, 1, 1), date(2026, 11, 4))
    with pytest.raises(DomainError):
        reports.period_for("rentang", None, None)


def test_csv_round_trips(ledger_store):
    period = reports.period_for("rentang", date(2026, 10, 31), date(2026, 12, 1))
    text = reports.export_csv(ledger_store, period)
    raw = text.encode("utf-8")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == reports.CSV_COLUMNS
    assert [int(r["jumlah"]) for r in rows] == [e[3] for e in ENTRIES]
    assert [r["tanggal"] for r in rows] == [e[0] for e in ENTRIES]
    assert rows[5]["keterangan"] == "Mika — Toko Ani ☕"
    assert {r["otomatis"] for r in rows} == {"tidak"}


def test_bad_entries_are_refused(ledger_store, create_user):
    owner = ledger_store.owner
    for bad, message in (
        (EntryData(kind="pengeluaran", amount=0, category="kemasan"), "lebih dari"),
        (EntryData(kind="pengeluaran", amount=100, category="rokok"), "kategori"),
        (EntryData(kind="hutang", amount=100, category="kemasan"), "jenis"),
        (EntryData(kind="pemasukan", amount=100, category="lainnya", method="kartu"), "cara bayar"),
        (
            EntryData(
                kind="pemasukan",
                amount=100,
                category="lainnya",
                occurred_at=datetime(2030, 1, 1),
            ),
            "masa depan",
        ),
    ):
        with pytest.raises(DomainError, match=message):
            books.record_entry(owner, ledger_store, bad)
    with pytest.raises(NotAllowed):
        books.record_entry(
            create_user(), ledger_store, EntryData(kind="modal", amount=1, category="")
        )
    books.add_category(owner, ledger_store, "pengeluaran", "  Rokok  ")
    assert "rokok" in books.categories(ledger_store, "pengeluaran")
    with pytest.raises(DomainError, match="sudah ada"):
        books.add_category(owner, ledger_store, "pengeluaran", "rokok")
    books.record_entry(
        owner, ledger_store, EntryData(kind="pengeluaran", amount=1, category="Rokok")
    )
