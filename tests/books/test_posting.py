"""Income from the marketplace is posted exactly once: card capture, cash completion, refund;
replayed webhooks and double clicks post nothing more."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from marketplace.books import payouts
from marketplace.books import services as books
from marketplace.books.models import CashEntry, LedgerEntry
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.payments import services as payments
from marketplace.payments.gateway import payment_of
from tests.order_fixtures import add_to_cart
from tests.stripe_fixtures import settled, signed


def book(store):
    return list(
        db.session.execute(
            sa.select(CashEntry.source_key, CashEntry.kind, CashEntry.amount, CashEntry.method)
            .where(CashEntry.store_id == store.id)
            .order_by(CashEntry.id)
        )
    )


def ledger(store):
    return list(
        db.session.execute(
            sa.select(LedgerEntry.kind, LedgerEntry.amount)
            .where(LedgerEntry.store_id == store.id)
            .order_by(LedgerEntry.id)
        )
    )


def test_cash_completion_posts_once(client, shop, cart, checkout, login):
    store, owner = shop["store"], shop["store"].owner
    add_to_cart(cart, shop["teh"], [], 3)
    order = checkout(cart, store)
    settled(orders.accept_order, order, owner)
    orders.mark_ready(order, owner)
    assert book(store) == []  # nothing before the money is in
    login(owner)
    for _ in range(2):  # a double click on "Selesai"
        client.post(f"/toko-saya/pesanan/{order.id}/selesai")
    books.post_cash_completion(order)  # and a repeated call
    assert book(store) == [(f"cash:order:{order.id}", "pemasukan", 12000, "tunai")]
    assert ledger(store) == []  # cash never passes through the platform


def test_card_capture_and_refund_post_once(card_order, card, shop, client, stripe_on):
    store, owner = shop["store"], shop["store"].owner
    order = card_order()
    payments.pay_with_method(order, card())
    assert book(store) == []  # authorised is not yet money
    settled(orders.accept_order, order, owner)
    assert book(store) == [(f"capture:order:{order.id}", "pemasukan", 24000, "kartu")]
    assert ledger(store) == [("capture", 24000)]
    assert payouts.balance(store).pending == 24000
    # Stripe tells us again that the intent succeeded: nothing more is posted
    intent = payments.stripe_client.retrieve_payment_intent(payment_of(order).intent_id)
    event = {
        "id": "evt_capture_replay",
        "type": "payment_intent.succeeded",
        "data": {"object": dict(intent, status="succeeded")},
    }
    for _ in range(3):
        body = json.dumps(event).encode()
        client.post(
            "/stripe/webhook",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": signed(body)},
        )
    payments.sync_intent(payment_of(order), dict(intent, status="succeeded"))
    assert len(book(store)) == 1
    # The seller cancels after capture: the refund posts its reversal, once
    settled(orders.reject_order, order, owner, "Kompor rusak")
    books.post_card_refund(order)
    assert book(store)[1:] == [(f"refund:order:{order.id}", "pemasukan", -24000, "kartu")]
    assert ledger(store) == [("capture", 24000), ("refund", -24000)]
    assert payouts.balance(store).total == 0


def test_a_voided_authorisation_posts_nothing(card_order, card, shop):
    order = card_order()
    payments.pay_with_method(order, card())
    settled(orders.reject_order, order, shop["store"].owner, "Habis")
    assert book(shop["store"]) == []


def test_platform_fee_is_an_expense_and_comes_back_with_a_refund(
    app,
    monkeypatch,
    card_order,
    card,
    shop,
):
    monkeypatch.setitem(app.config, "PLATFORM_FEE_BASIS_POINTS", 250)  # 2,5%
    store, owner = shop["store"], shop["store"].owner
    order = card_order()
    payments.pay_with_method(order, card())
    settled(orders.accept_order, order, owner)
    assert ledger(store) == [("capture", 24000), ("fee", -600)]
    assert book(store)[1][1:] == ("pengeluaran", 600, "kartu")
    settled(orders.reject_order, order, owner, "Maaf")
    assert ledger(store)[2:] == [("refund", -24000), ("fee_refund", 600)]
    assert sum(amount for _kind, amount in ledger(store)) == 0
    assert books.platform_fee(12345) == 309  # 308,6 rounds half up


def test_posted_entries_cannot_be_changed_only_explained(shop, cart, checkout):
    store, owner = shop["store"], shop["store"].owner
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(cart, store)
    for step in (orders.accept_order, orders.mark_ready, orders.complete_order):
        settled(step, order, owner)
    entry = db.session.scalar(sa.select(CashEntry).where(CashEntry.order_id == order.id))
    with pytest.raises(DomainError, match="tidak dapat dihapus"):
        books.delete_entry(owner, entry)
    books.explain_entry(owner, entry, "Pak RT, langganan")
    assert (entry.note, entry.amount) == ("Pak RT, langganan", 4000)


def test_standard_cash_book_categories_read_in_the_sellers_language(client, create_store, login):
    store = create_store()
    login(store.owner)
    page = client.get(f"/toko-saya/{store.id}/buku-kas").get_data(as_text=True)
    assert "bahan baku" in page
    client.post("/bahasa", data={"lang": "en"})
    english = client.get(f"/toko-saya/{store.id}/buku-kas").get_data(as_text=True)
    assert "ingredients" in english
    assert "> bahan baku<" not in english
    assert 'value="bahan baku"' in english  # what is stored stays the same
