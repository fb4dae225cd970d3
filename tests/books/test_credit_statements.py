"""Kasbon and supplier debts, and the monthly statements (profit and loss, financial position,
cash flow) on a fixed data set worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from marketplace.accounts.models import Role
from marketplace.books import credit, payouts, statements
from marketplace.books import services as books
from marketplace.books.services import EntryData
from marketplace.core.db import jakarta_today
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.orders import services as orders
from marketplace.payments import services as payments
from tests.stripe_fixtures import settled


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def test_kasbon_within_the_limit_with_partial_payments(create_store, create_user):
    store = create_store(name="Warung Kasbon")
    owner = store.owner
    bu_ani = credit.save_customer(owner, store, "Bu Ani", "0812-1111-2222", 50000)
    first = credit.sell_on_credit(owner, bu_ani, credit.DebtData(30000, "nasi 3 bungkus"))
    with pytest.raises(DomainError, match="batas kasbon"):
        credit.sell_on_credit(owner, bu_ani, credit.DebtData(25000))
    credit.pay_debt(owner, first, 10000)
    assert credit.outstanding_of(bu_ani) == 20000
    second = credit.sell_on_credit(owner, bu_ani, credit.DebtData(25000, due_on=date(2030, 1, 5)))
    assert credit.outstanding_of(bu_ani) == 45000
    with pytest.raises(DomainError, match="sisa utang"):
        credit.pay_debt(owner, first, 20001)
    credit.pay_debt(owner, first, 20000, "transfer")
    assert (first.outstanding, second.outstanding) == (0, 25000)
    assert credit.outstanding_by_customer(store) == {bu_ani.id: 25000}
    assert credit.outstanding_total(store, credit.RECEIVABLE) == 25000
    text = credit.reminder_text(second)
    assert "Rp25.000" in text
    assert "5 Januari 2030" in text
    with pytest.raises(DomainError, match="di bawah utang"):
        credit.save_customer(owner, store, "Bu Ani", "081211112222", 10000)
    with pytest.raises(NotAllowed):
        credit.sell_on_credit(create_user(Role.SELLER), bu_ani, credit.DebtData(1000))
    with pytest.raises(DomainError, match="WhatsApp"):
        credit.save_customer(owner, store, "Pak X", "123", 10000)


@pytest.fixture
def november(create_store):
    store = create_store(name="Warung Laporan")
    owner = store.owner

    def entry(when, kind, amount, category="", method="tunai"):
        books.record_entry(
            owner,
            store,
            EntryData(
                kind=kind, amount=amount, category=category, method=method, occurred_at=at(when)
            ),
        )

    entry("2026-10-31 20:00", "pemasukan", 7000, "penjualan di tempat")
    entry("2026-11-01 08:00", "modal", 100000)
    entry("2026-11-02 09:00", "pemasukan", 40000, "penjualan di tempat")
    entry("2026-11-03 09:00", "pemasukan", 20000, "penjualan di tempat", "qris")
    entry("2026-11-04 09:00", "pengeluaran", 15000, "bahan baku")
    supplier = credit.buy_on_credit(
        owner,
        store,
        "Toko Beras Makmur",
        credit.DebtData(25000, "beras", occurred_at=at("2026-11-05 10:00")),
    )
    customer = credit.save_customer(owner, store, "Pak Rahmat", "081300009999", 100000)
    kasbon = credit.sell_on_credit(
        owner, customer, credit.DebtData(30000, occurred_at=at("2026-11-10 12:00"))
    )
    entry("2026-11-15 18:00", "prive", 10000)
    credit.pay_debt(owner, kasbon, 10000, occurred_at=at("2026-11-20 08:00"))
    credit.pay_debt(owner, supplier, 5000, "transfer", occurred_at=at("2026-11-25 08:00"))
    return store


def test_november_statement_matches_the_hand_figures(november):
    st = statements.monthly_statement(november, statements.month_period(2026, 11))
    # Profit and loss
    assert (st.cash_sales, st.credit_sales, st.revenue) == (60000, 30000, 90000)
    assert st.expenses == {"bahan baku": 15000}
    assert (st.credit_purchases, st.total_expenses, st.profit) == (25000, 40000, 50000)
    # Financial position at 30 November
    assert (st.cash, st.bank, st.marketplace, st.receivables) == (132000, 15000, 0, 20000)
    assert (st.assets, st.payables, st.equity) == (167000, 20000, 147000)
    assert st.equity == st.capital_total - st.drawings_total + st.retained_profit
    assert (st.capital_total, st.drawings_total, st.retained_profit) == (100000, 10000, 57000)
    # Cash flow
    assert st.opening_cash == 7000
    assert (st.received_from_sales, st.received_from_kasbon) == (60000, 10000)
    assert (st.paid_for_expenses, st.paid_to_suppliers) == (15000, 5000)
    assert (st.operating_flow, st.financing_flow) == (50000, 90000)
    assert st.closing_cash == st.cash + st.bank == 147000


def test_october_statement_and_bad_months(november):
    october = statements.monthly_statement(november, statements.month_period(2026, 10))
    assert (october.revenue, october.profit, october.closing_cash) == (7000, 7000, 7000)
    for year, month in ((2026, 13), (1999, 1), (jakarta_today().year + 1, 1)):
        with pytest.raises(DomainError):
            statements.month_period(year, month)


def test_card_money_and_payouts_keep_the_statement_balanced(card_order, card, shop, create_user):
    store, owner = shop["store"], shop["store"].owner
    order = card_order()
    payments.pay_with_method(order, card())
    for step in (orders.accept_order, orders.mark_ready, orders.complete_order):
        settled(step, order, owner)
    payouts.record_payout(create_user(Role.CITY_ADMIN), store, 20000, "TRF-001")
    today = jakarta_today()
    st = statements.monthly_statement(store, statements.month_period(today.year, today.month))
    assert st.marketplace == 4000
    (row,) = [(s, b) for s, b in payouts.payout_overview() if s.id == store.id]
    assert (row[1].total, row[1].pending, row[1].available) == (4000, 0, 4000)
    assert st.received_payouts == 20000
    assert st.bank == 20000
    assert st.equity == st.capital_total - st.drawings_total + st.retained_profit == 24000
    assert st.closing_cash == st.cash + st.bank


def test_statement_page_prints(client, november, login):
    login(november.owner)
    page = client.get(f"/toko-saya/{november.id}/laporan-bulanan?bulan=2026-11")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Laporan laba rugi" in body
    assert 'id="equity">Rp147.000' in body
    assert client.get(f"/toko-saya/{november.id}/laporan-bulanan?bulan=abc").status_code == 200
