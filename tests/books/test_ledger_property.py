"""Property: any sequence of orders, captures, refunds, expenses, drawings and payouts keeps each
store's ledger balanced against what happened, its payout balance at or above zero, and refuses a
payout above what may be paid out."""

from __future__ import annotations

import itertools

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.accounts.models import Role
from marketplace.books import payouts
from marketplace.books import services as books
from marketplace.books.models import CashEntry, EntryKind
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.cart import SessionCart, add_to_cart
from marketplace.orders.models import OrderStatus
from marketplace.payments import services as payments
from tests.stripe_fixtures import settled

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["cash_sale", "card_sale", "complete", "refund", "expense", "drawing", "payout"]
        ),
        # amounts near a sale's total (Rp15.000) make payouts at the edge of the balance likely
        st.one_of(
            st.sampled_from([1, 7500, 15000, 15001, 30000]),
            st.integers(min_value=1, max_value=80_000),
        ),
        st.integers(min_value=0, max_value=1),  # which store
    ),
    max_size=14,
)
tokens = itertools.count()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_ledgers_stay_balanced(ops, stripe_on, create_store, create_product, create_user, card):
    # Each example in a savepoint of its own, under the sessions' own savepoints: the services
    # commit (card payments settle in recovery points), the example still rolls back.
    db.session.commit()
    attempt = db.session.get_bind().begin_nested()
    try:
        admin = create_user(Role.CITY_ADMIN)
        shops = []
        for n in range(2):
            store = create_store(name=f"Warung Properti {n}-{next(tokens)}")
            shops.append((store, create_product(store, name="Kopi", price=15000)))
        expected = {s.id: {"ledger": 0, "income": 0} for s, _p in shops}
        captured: dict[int, list] = {s.id: [] for s, _p in shops}

        def place(store, product, method):
            cart = SessionCart({})
            add_to_cart(cart, product, [], 1)
            slot = orders.available_slots(store, 0)[0]
            data = orders.CheckoutData(
                checkout_token=f"prop-{next(tokens)}",
                name="Pembeli",
                phone="081300001111",
                fulfilment="pickup",
                fulfil_at=slot.isoformat(),
                payment_method=method,
            )
            return orders.place_order(cart, store.id, data)

        for op, amount, which in ops:
            store, product = shops[which]
            owner = store.owner
            mine = expected[store.id]
            if op == "cash_sale":
                order = place(store, product, "cash")
                for step in (orders.accept_order, orders.mark_ready, orders.complete_order):
                    settled(step, order, owner)
                mine["income"] += order.total
            elif op == "card_sale":
                order = place(store, product, "card")
                payments.pay_with_method(order, card())
                settled(orders.accept_order, order, owner)
                captured[store.id].append(order)
                mine["ledger"] += order.total
                mine["income"] += order.total
            elif op in ("complete", "refund") and captured[store.id]:
                order = captured[store.id].pop(amount % len(captured[store.id]))
                if op == "complete":
                    orders.mark_ready(order, owner)
                    orders.complete_order(order, owner)
                else:
                    settled(orders.reject_order, order, owner, "Bahan habis")
                    mine["ledger"] -= order.total
                    mine["income"] -= order.total
            elif op in ("expense", "drawing"):
                books.record_entry(
                    owner,
                    store,
                    books.EntryData(
                        kind=EntryKind.EXPENSE if op == "expense" else EntryKind.DRAWING,
                        amount=amount,
                        category="bahan baku",
                    ),
                )
            elif op == "payout":
                available = payouts.balance(store).available
                try:
                    payouts.record_payout(admin, store, amount, f"TRF-{next(tokens)}")
                except DomainError:
                    assert amount > available
                else:
                    assert amount <= available
                    mine["ledger"] -= amount
            for each, _p in shops:
                balance = payouts.balance(each)
                assert balance.total == expected[each.id]["ledger"]
                assert balance.available >= 0
                assert balance.total >= 0
                income = db.session.scalar(
                    sa.select(sa.func.coalesce(sa.func.sum(CashEntry.amount), 0)).where(
                        CashEntry.store_id == each.id, CashEntry.kind == EntryKind.INCOME
                    )
                )
                assert income == expected[each.id]["income"]
        # Whatever is still open may be refunded: the pending money covers every refund
        for store, _p in shops:
            for order in captured[store.id]:
                assert order.status == OrderStatus.ACCEPTED
                settled(orders.reject_order, order, store.owner, "Tutup")
            assert payouts.balance(store).available == payouts.balance(store).total >= 0
    finally:
        db.session.rollback()
        attempt.rollback()
        db.session.expire_all()
        db.session.expire_all()
