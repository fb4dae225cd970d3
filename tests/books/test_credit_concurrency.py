"""Kasbon sales racing on PostgreSQL (own connections, real commits): the limit holds."""

from __future__ import annotations

import threading

from marketplace.books import credit
from marketplace.books.models import CreditCustomer
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.stores.models import Store
from tests.orders.test_concurrency import _race, _shop, pg_app  # noqa: F401

RACERS = 10


def test_ten_kasbon_sales_for_half_the_room(pg_app):  # noqa: F811
    app, created = pg_app
    store_id, _products = _shop(app, created)
    with app.app_context():
        store = db.session.get(Store, store_id)
        customer = credit.save_customer(store.owner, store, "Bu Ani", "081288880000", 50000)
        db.session.commit()
        customer_id = customer.id
        db.session.remove()
    barrier = threading.Barrier(RACERS)

    def sell():
        with app.app_context():
            customer = db.session.get(CreditCustomer, customer_id)
            owner = customer.store.owner
            barrier.wait(timeout=30)
            try:
                credit.sell_on_credit(owner, customer, credit.DebtData(10000))
                db.session.commit()
                return "sold"
            except DomainError:
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()

    results = _race([sell for _ in range(RACERS)])
    assert results.count("sold") == 5
    assert results.count("refused") == 5
    with app.app_context():
        assert credit.outstanding_of(db.session.get(CreditCustomer, customer_id)) == 50000
        db.session.remove()
