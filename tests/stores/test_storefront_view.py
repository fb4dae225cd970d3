"""The store page reads its store as plain rows in one statement: the page it renders must be
the page the models render (week, closed days and their notes, permits, delivery area,
trainings, reviews, product cards), on both databases, in a fixed number of statements."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import render_template

from marketplace.accounts.models import Role
from marketplace.areas.models import Kelurahan
from marketplace.catalog.services import products_by_store
from marketplace.core.db import jakarta_today
from marketplace.extensions import db
from marketplace.kim.models import Training, TrainingRegistration
from marketplace.kim.trainings import attended_by
from marketplace.reviews.services import visible_reviews
from marketplace.stores.hours import availability
from marketplace.stores.models import Store, StoreClosedDate, StoreCredential
from marketplace.stores.storefront import storefront_view
from tests.statements import QueryCounter

WEEK = (
    (0, time(7), time(14)),
    (0, time(17), time(21)),
    (2, time(18), time(2)),
    (5, time(8), time(22)),
)


def _store_with_everything(create_store, create_product, create_user):
    today = jakarta_today()
    store = create_store(
        name="Warung Lengkap",
        area="Cibodasari",
        periods=WEEK,
        landmark="Gang 3",
        offers_delivery=True,
        delivery_fee=5000,
        story="Masakan rumahan <sejak> 1998 & seterusnya",
    )
    store.delivery_kelurahan = list(
        db.session.scalars(sa.select(Kelurahan).order_by(Kelurahan.id.desc()).limit(3))
    )
    store.latitude, store.longitude = -6.1781, 106.6319
    store.rating_count, store.rating_sum = 7, 31
    db.session.add_all(
        [
            StoreClosedDate(store_id=store.id, day=today - timedelta(days=4), note="Lama"),
            StoreClosedDate(store_id=store.id, day=today + timedelta(days=3), note="Lebaran"),
            StoreClosedDate(store_id=store.id, day=today + timedelta(days=1)),
            StoreCredential(store_id=store.id, kind="pirt", number="P-IRT 123"),
            StoreCredential(store_id=store.id, kind="halal", number="ID-1", expires_on=today),
            StoreCredential(
                store_id=store.id, kind="nib", number="NIB 9", expires_on=date(2020, 1, 1)
            ),
        ]
    )
    admin = create_user(Role.CITY_ADMIN)
    for n, (title, attended) in enumerate(
        (("Foto produk", True), ("Pembukuan", True), ("Halal", False))
    ):
        training = Training(
            title=title,
            topic="UMKM",
            place="Aula",
            starts_at=datetime(2026, 10, 1 + n, 9, 0),
            capacity=20,
            created_by_id=admin.id,
        )
        db.session.add(training)
        db.session.flush()
        db.session.add(
            TrainingRegistration(training_id=training.id, user_id=store.owner_id, attended=attended)
        )
    create_product(store, name="Nasi Bakar", price=20000)
    create_product(store, name="Es Teh", price=5000)
    db.session.flush()
    db.session.expire_all()
    return db.session.get(Store, store.id)


def _models_page(store: Store) -> str:
    """The page as the models render it (the page's former way)."""
    today = jakarta_today()
    return render_template(
        "stores/storefront.html",
        store=store,
        state=availability(store),
        products=products_by_store([store.id])[store.id],
        today=today,
        trainings=attended_by(store.owner_id),
        following=False,
        reviews=visible_reviews(store.id, 1),
        report_form=None,
    )


def _normal(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_the_page_renders_what_the_models_render(app, create_store, create_product, create_user):
    store = _store_with_everything(create_store, create_product, create_user)
    today = jakarta_today()
    with app.test_request_context(f"/toko/{store.slug}"):
        view = storefront_view(store.slug, today)
        assert view.is_visible_to(None)
        assert [(p.weekday, p.opens_at) for p in view.periods] == [
            (p.weekday, p.opens_at) for p in store.periods
        ]
        assert [c.kind for c in view.credentials] == ["halal", "nib", "pirt"]
        assert [c.is_valid_on(today) for c in view.credentials] == [True, False, True]
        assert [k.name for k in view.delivery_kelurahan] == [
            k.name for k in store.delivery_kelurahan
        ]
        assert [t.title for t in view.trainings] == ["Pembukuan", "Foto produk"]
        since = today - timedelta(days=1)  # from yesterday on
        coming = sorted((c.day, c.note) for c in store.closed_dates if c.day >= since)
        assert [(c.day, c.note) for c in view.closed_dates] == coming
        assert len(coming) == 2
        assert view.average_rating == store.average_rating == 4.4
        assert availability(view) == availability(store)
        new = render_template(
            "stores/storefront.html",
            store=view,
            state=availability(view),
            products=view.products,
            today=today,
            trainings=view.trainings,
            following=False,
            reviews=view.reviews,
            report_form=None,
        )
        assert _normal(new) == _normal(_models_page(store))
    assert "Lebaran" in new
    assert "Masakan rumahan &lt;sejak&gt; 1998 &amp; seterusnya" in new


def test_who_sees_an_unverified_store(client, create_store, create_user, login):
    pending = create_store(name="Warung Baru", status="pending")
    db.session.commit()
    assert client.get(f"/toko/{pending.slug}").status_code == 404
    assert client.get("/toko/tidak-ada").status_code == 404
    login(pending.owner)
    assert client.get(f"/toko/{pending.slug}").status_code == 200


def test_the_page_takes_the_same_statements_whatever_it_holds(
    client, create_store, create_product, create_user
):
    def measure(slug: str) -> int:
        client.get(f"/toko/{slug}")
        with QueryCounter(db.engine) as counter:
            assert client.get(f"/toko/{slug}").status_code == 200
        return counter.count

    bare = create_store(name="Warung Kosong")
    full = _store_with_everything(create_store, create_product, create_user)
    db.session.commit()
    # the store with its lists, its reviews and its product cards: one statement
    assert measure(bare.slug) == measure(full.slug) == 1
