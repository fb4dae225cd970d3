"""Quotations racing on PostgreSQL (own connections, real commits): a store's capacity for a
day holds however many office orders it confirms at the same moment."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.books import credit
from marketplace.books.models import CreditCustomer
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.institutions import services
from marketplace.institutions.models import BulkOrder, BulkShare, Institution
from marketplace.stores.models import Store
from tests.factories import add_user
from tests.institutions.conftest import office_data, order_data
from tests.orders.test_concurrency import _race, _shop, pg_app  # noqa: F401

RACERS = 6


def _office_near(store: Store, created: dict, phone: str, name: str):
    """A verified office of the store's kelurahan and its secretary (call in an app context)."""
    secretary = add_user(Role.CUSTOMER, phone)
    admin = db.session.scalar(sa.select(User).where(User.phone == "6281999990002"))
    created["users"].append(secretary.id)
    office = services.register(secretary, office_data(name=name, kelurahan_id=store.kelurahan_id))
    services.verify(admin, office)
    return office, secretary


def test_six_quotes_for_a_day_that_holds_three(pg_app):  # noqa: F811
    app, created = pg_app
    store_id, _products = _shop(app, created)
    with app.app_context():
        store = db.session.get(Store, store_id)
        office, secretary = _office_near(store, created, "6281355551001", "Kantor Uji Balapan")
        share_ids = []
        for n in range(RACERS):
            bulk = services.request(
                secretary,
                office,
                order_data(boxes=10, title=f"Rapat {n}", kelurahan_id=store.kelurahan_id),
                {store_id: 10},
            )
            share_ids.append(bulk.shares[0].id)
        db.session.commit()
        office_id = office.id
        db.session.remove()
    barrier = threading.Barrier(RACERS)

    def quote(share_id):
        with app.app_context():
            share = db.session.get(BulkShare, share_id)
            owner = share.store.owner
            barrier.wait(timeout=30)
            try:
                services.quote(owner, share, 20000, 30, "Nasi kotak ayam")
                db.session.commit()
                return "quoted"
            except DomainError:
                db.session.rollback()
                return "full"
            finally:
                db.session.remove()

    try:
        results = _race([(lambda s=s: quote(s)) for s in share_ids])
        assert results.count("quoted") == 3, results
        assert results.count("full") == RACERS - 3, results
        with app.app_context():
            day = order_data().deliver_at.date()
            assert services.boxes_booked(store_id, day) == 30
            db.session.remove()
    finally:
        with app.app_context():
            db.session.execute(sa.delete(BulkOrder).where(BulkOrder.institution_id == office_id))
            db.session.execute(sa.delete(Institution).where(Institution.id == office_id))
            db.session.commit()
            db.session.remove()


def test_deliveries_racing_open_one_receivable_for_the_office(pg_app):  # noqa: F811
    """Three purchase orders of one office at one store, marked delivered at the same moment
    by the store's staff: one credit row for the office holds the three invoices."""
    app, created = pg_app
    store_id, _products = _shop(app, created)
    with app.app_context():
        store = db.session.get(Store, store_id)
        office, secretary = _office_near(store, created, "6281355551002", "Kantor Uji Antar")
        share_ids = []
        for n in range(3):
            bulk = services.request(
                secretary,
                office,
                order_data(boxes=10, title=f"Rapat {n}", kelurahan_id=store.kelurahan_id),
                {store_id: 10},
            )
            services.quote(store.owner, bulk.shares[0], 20000, 30, "Nasi kotak ayam")
            services.place_purchase_order(secretary, bulk)
            share_ids.append(bulk.shares[0].id)
        db.session.commit()
        office_id = office.id
        db.session.remove()
    barrier = threading.Barrier(len(share_ids))

    def deliver(share_id):
        with app.app_context():
            share = db.session.get(BulkShare, share_id)
            owner = share.store.owner
            barrier.wait(timeout=30)
            try:
                services.deliver(owner, share)
                db.session.commit()
                return "delivered"
            finally:
                db.session.remove()

    try:
        assert _race([(lambda s=s: deliver(s)) for s in share_ids]) == ["delivered"] * 3
        with app.app_context():
            rows = db.session.execute(
                sa.select(CreditCustomer.id).where(
                    CreditCustomer.store_id == store_id, CreditCustomer.institution_id == office_id
                )
            ).all()
            assert len(rows) == 1
            assert credit.outstanding_of(db.session.get(CreditCustomer, rows[0].id)) == 600000
            db.session.remove()
    finally:
        with app.app_context():
            db.session.execute(sa.delete(BulkOrder).where(BulkOrder.institution_id == office_id))
            db.session.execute(
                sa.delete(CreditCustomer).where(CreditCustomer.institution_id == office_id)
            )
            db.session.execute(sa.delete(Institution).where(Institution.id == office_id))
            db.session.commit()
            db.session.remove()
