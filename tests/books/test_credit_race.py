"""Kasbon customers saved twice at the same moment on PostgreSQL (own connections, real
commits): a double tap on "Simpan pelanggan" keeps one row for the person."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from marketplace.books import credit
from marketplace.books.models import CreditCustomer
from marketplace.extensions import db
from marketplace.stores.models import Store
from tests.orders.test_concurrency import _race, _shop, pg_app  # noqa: F401

TAPS = 4


def test_a_double_tap_adds_the_customer_once(pg_app):  # noqa: F811
    app, created = pg_app
    store_id, _products = _shop(app, created)
    barrier = threading.Barrier(TAPS)

    def save(limit: int):
        with app.app_context():
            store = db.session.get(Store, store_id)
            barrier.wait(timeout=30)
            try:
                credit.save_customer(store.owner, store, "Bu Ani", "081299990001", limit)
                db.session.commit()
                return "saved"
            finally:
                db.session.remove()

    assert _race([(lambda n=n: save(50000 + n)) for n in range(TAPS)]) == ["saved"] * TAPS
    with app.app_context():
        rows = db.session.scalars(
            sa.select(CreditCustomer).where(CreditCustomer.store_id == store_id)
        ).all()
        assert [(c.name, c.phone) for c in rows] == [("Bu Ani", "6281299990001")]
        assert 50000 <= rows[0].credit_limit < 50000 + TAPS
        db.session.remove()
