"""QRIS and transfer orders paid straight to the seller: registering the sticker and account,
the amount asked, confirmation by the seller (book posted once), expiry with stock back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.books.models import CashEntry
from marketplace.catalog.models import Product
from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.orders import services, states
from marketplace.orders.cart import add_to_cart
from marketplace.orders.models import OrderStatus
from marketplace.payments import manual, qris
from tests.payments.qris_payloads import static_payload

S = OrderStatus


@pytest.fixture
def paying_shop(shop):
    store = shop["store"]
    manual.save_qris(store.owner, store, static_payload())
    manual.save_bank_account(store.owner, store, "BRI", "0123-01-000456-50-7", "Siti Aminah")
    db.session.flush()
    return shop


def _order(cart, shop, checkout, method, token="tok-1", quantity=2):  # noqa: S107
    add_to_cart(cart, shop["teh"], [], quantity)
    return checkout(cart, shop["store"], token=token, payment_method=method)


def _book(order):
    return list(db.session.scalars(select(CashEntry).where(CashEntry.order_id == order.id)))


def test_registering_a_sticker_keeps_what_it_says(shop):
    store = shop["store"]
    assert not store.accepts("pickup", "qris")
    merchant = manual.save_qris(store.owner, store, static_payload(guid="ID.DANA.WWW"))
    assert (store.qris_merchant_name, store.qris_nmid, store.qris_issuer) == (
        "WARUNG BU SITI",
        "ID1023276543210",
        "DANA",
    )
    assert merchant.name == "WARUNG BU SITI"
    assert store.accepts("pickup", "qris")
    assert store.accepts("delivery", "qris")
    manual.set_accepts(store.owner, store, "qris", False)
    assert not store.accepts("pickup", "qris")
    assert store.qris_payload


def test_only_the_owner_registers_and_a_bad_code_changes_nothing(shop, create_user):
    store = shop["store"]
    with pytest.raises(NotAllowed):
        manual.save_qris(create_user(phone="081277770000"), store, static_payload())
    with pytest.raises(qris.InvalidQris):
        manual.save_qris(store.owner, store, static_payload()[:-1] + "0")
    assert store.qris_payload is None
    assert not store.accepts_qris
    with pytest.raises(DomainError, match="QRIS toko dulu"):
        manual.set_accepts(store.owner, store, "qris", True)


@pytest.mark.parametrize(
    ("bank", "number", "holder", "words"),
    [
        ("Bank Antah", "1234567", "Siti", "daftar"),
        ("BCA", "12ab567", "Siti", "angka"),
        ("BCA", "12345", "Siti", "angka"),
        ("BCA", "1" * 21, "Siti", "angka"),
        ("BCA", "1234567", " ", "pemilik"),
    ],
)
def test_bank_account_checks(shop, bank, number, holder, words):
    store = shop["store"]
    with pytest.raises(DomainError, match=words):
        manual.save_bank_account(store.owner, store, bank, number, holder)
    assert not store.accepts_transfer
    assert store.bank_account_number == ""


def test_a_qris_order_asks_the_exact_amount_and_waits(app, cart, paying_shop, checkout):
    order = _order(cart, paying_shop, checkout, "qris")
    payment = manual.payment_of(order)
    assert order.status == S.AWAITING_PAYMENT
    assert payment.amount == order.total == 8000
    assert qris.amount_of(payment.qris_payload) == 8000
    assert qris.parse(payment.qris_payload)[0].nmid == "ID1023276543210"
    minutes = app.config["MANUAL_PAYMENT_MINUTES"]
    assert abs((order.expires_at - utcnow()) - timedelta(minutes=minutes)) < timedelta(seconds=30)
    # the stock is taken while the buyer pays
    assert db.session.get(Product, paying_shop["teh"].id).stock == 3
    # the seller hears of it at once (to watch for the money)
    assert services.new_order_count([order.store_id]) == 1


def test_a_qris_order_has_no_card_minimum(cart, paying_shop, checkout):
    order = _order(cart, paying_shop, checkout, "qris", quantity=1)
    assert order.total == 4000
    assert manual.payment_of(order).amount == 4000


def test_a_store_without_qris_refuses_it(cart, shop, checkout):
    add_to_cart(cart, shop["teh"], [], 1)
    with pytest.raises(DomainError, match="cara bayar"):
        checkout(cart, shop["store"], payment_method="qris")


def test_transfer_orders_get_distinct_codes(cart, paying_shop, checkout, create_product):
    first = _order(cart, paying_shop, checkout, "transfer", token="a", quantity=1)
    second = _order(cart, paying_shop, checkout, "transfer", token="b", quantity=1)
    one, two = manual.payment_of(first), manual.payment_of(second)
    assert {one.unique_code, two.unique_code} == {1, 2}
    assert one.amount == first.total + one.unique_code
    assert (one.bank_name, one.account_number, one.account_holder) == (
        "BRI",
        "0123010004565" + "07",
        "Siti Aminah",
    )
    assert one.transfer_note == f"PKK {first.id}"
    # a code is free again once its order is no longer waiting
    services.cancel_by_customer(first)
    third = _order(cart, paying_shop, checkout, "transfer", token="c", quantity=1)
    assert manual.payment_of(third).unique_code == one.unique_code


def test_the_seller_confirms_once_and_the_book_posts_once(cart, paying_shop, checkout):
    order = _order(cart, paying_shop, checkout, "transfer")
    seller = paying_shop["store"].owner
    amount = manual.payment_of(order).amount
    manual.confirm_received(order, seller)
    assert order.status == S.ACCEPTED
    with pytest.raises(DomainError, match="sudah dikonfirmasi"):
        manual.confirm_received(order, seller)
    entries = _book(order)
    assert [(e.amount, e.method, e.channel, e.kind) for e in entries] == [
        (amount, "transfer", "online_transfer", "pemasukan")
    ]
    assert order.events[-1].reason.startswith("Pembayaran")
    # then the usual life: ready, completed; completing posts nothing more
    services.mark_ready(order, seller)
    services.complete_order(order, seller)
    assert len(_book(order)) == 1


def test_only_the_seller_confirms(cart, paying_shop, checkout, create_user):
    order = _order(cart, paying_shop, checkout, "qris")
    with pytest.raises(NotAllowed):
        manual.confirm_received(order, create_user(phone="081277770001"))
    assert order.status == S.AWAITING_PAYMENT
    assert _book(order) == []


def test_accepting_without_confirming_the_money_is_refused(cart, paying_shop, checkout):
    order = _order(cart, paying_shop, checkout, "qris")
    with pytest.raises(DomainError, match="belum dibayar"):
        services.accept_order(order, paying_shop["store"].owner)
    assert order.status == S.AWAITING_PAYMENT


def test_card_orders_never_skip_to_accepted():
    assert not states.can_transition(S.AWAITING_PAYMENT, S.ACCEPTED, "card")
    assert states.can_transition(S.AWAITING_PAYMENT, S.ACCEPTED, "qris")
    assert states.can_transition(S.NEW, S.ACCEPTED, "card")


def test_unconfirmed_orders_expire_and_release_stock(app, cart, paying_shop, checkout):
    order = _order(cart, paying_shop, checkout, "qris")
    later = utcnow() + timedelta(minutes=app.config["MANUAL_PAYMENT_MINUTES"] + 1)
    assert services.sweep(now=later)["expired"] == 1
    assert order.status == S.CANCELLED
    assert order.stock_released
    assert db.session.get(Product, paying_shop["teh"].id).stock == 5
    with pytest.raises(DomainError, match="tidak menunggu"):
        manual.confirm_received(order, paying_shop["store"].owner)
    assert _book(order) == []


def test_the_buyers_word_gives_the_seller_time_once(app, cart, paying_shop, checkout):
    order = _order(cart, paying_shop, checkout, "qris")
    first_deadline = order.expires_at
    manual.claim_paid(order)
    payment = manual.payment_of(order)
    grace = timedelta(minutes=app.config["PAYMENT_CLAIM_GRACE_MINUTES"])
    assert payment.claimed_at is not None
    assert order.expires_at >= payment.claimed_at + grace > first_deadline
    extended = order.expires_at
    manual.claim_paid(order)  # saying it again does not push the deadline further
    assert order.expires_at == extended
    # one minute after the original deadline the order still waits for the seller
    assert services.sweep(now=first_deadline + timedelta(minutes=1))["expired"] == 0
    with pytest.raises(DomainError, match="sudah menyatakan membayar"):
        services.cancel_by_customer(order)


def test_rejecting_a_paid_order_reverses_its_income_once(cart, paying_shop, checkout):
    order = _order(cart, paying_shop, checkout, "qris")
    seller = paying_shop["store"].owner
    manual.confirm_received(order, seller)
    services.reject_order(order, seller, "Gas habis, uang kami kembalikan")
    entries = sorted(_book(order), key=lambda e: e.id)
    assert [e.amount for e in entries] == [8000, -8000]
    assert (
        db.session.scalar(select(func.sum(CashEntry.amount)).where(CashEntry.order_id == order.id))
        == 0
    )


def test_a_claim_on_a_cash_order_is_refused(cart, shop, checkout):
    add_to_cart(cart, shop["teh"], [], 1)
    order = checkout(cart, shop["store"])
    with pytest.raises(DomainError, match="QRIS atau transfer"):
        manual.claim_paid(order)
