"""Concurrent reviews on PostgreSQL (own connections, real commits): the totals stay exact."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.reviews import services
from marketplace.reviews.models import Review
from marketplace.stores.models import Store
from tests.factories import add_user
from tests.orders.test_concurrency import _order, _race, _shop, pg_app  # noqa: F401

REVIEWERS = 12


def _complete(app, order_id):
    with app.app_context():
        order = db.session.get(Order, order_id)
        owner = order.store.owner
        orders.accept_order(order, owner)
        orders.mark_ready(order, owner)
        orders.complete_order(order, owner)
        db.session.commit()
        db.session.remove()


def _review(app, order_id, stars, product_id, barrier):
    with app.app_context():
        order = db.session.get(Order, order_id)
        barrier.wait(timeout=30)
        services.write_review(
            order, None, services.ReviewData(rating=stars, product_ratings={product_id: stars})
        )
        db.session.commit()
        db.session.remove()
        return stars


def test_concurrent_reviews_and_moderation_keep_totals_exact(pg_app):  # noqa: F811
    app, created = pg_app
    store_id, (product_id, _other) = _shop(app, created)
    ids = [
        _order(app, store_id, [(product_id, 1)], f"review-race-{n}")[1] for n in range(REVIEWERS)
    ]
    for order_id in ids:
        _complete(app, order_id)
    stars = [(n % 5) + 1 for n in range(REVIEWERS)]
    barrier = threading.Barrier(REVIEWERS)
    results = _race(
        [
            (lambda o=o, s=s: _review(app, o, s, product_id, barrier))
            for o, s in zip(ids, stars, strict=True)
        ]
    )
    assert sorted(results) == sorted(stars)
    with app.app_context():
        admin = add_user(Role.CITY_ADMIN, "6281999990077")
        created["users"].append(admin.id)
        db.session.commit()
        admin_id = admin.id
        store = db.session.get(Store, store_id)
        product = db.session.get(Product, product_id)
        assert (store.rating_count, store.rating_sum) == (REVIEWERS, sum(stars))
        assert (product.rating_count, product.rating_sum) == (REVIEWERS, sum(stars))
        review_ids = list(
            db.session.scalars(sa.select(Review.id).where(Review.store_id == store_id))
        )
        db.session.remove()

    # Two moderators hide the same review at once: it leaves the totals exactly once
    def hide(review_id, gate):
        with app.app_context():
            review = db.session.get(Review, review_id)
            actor = db.session.get(User, admin_id)
            gate.wait(timeout=30)
            try:
                services.hide_review(actor, review, "Spam")
                db.session.commit()
                return "hidden"
            except services.DomainError:
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()

    gate = threading.Barrier(2)
    outcome = _race([lambda: hide(review_ids[0], gate), lambda: hide(review_ids[0], gate)])
    assert sorted(outcome) == ["hidden", "refused"]
    with app.app_context():
        hidden_stars = db.session.get(Review, review_ids[0]).rating
        store = db.session.get(Store, store_id)
        assert (store.rating_count, store.rating_sum) == (REVIEWERS - 1, sum(stars) - hidden_stars)
        db.session.execute(
            sa.text("DELETE FROM review_moderations WHERE actor_id = :a"), {"a": admin_id}
        )
        db.session.commit()
        db.session.remove()
