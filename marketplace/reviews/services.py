"""Review rules: who may review (the customer of a completed order, once, within 14 days),
the seller's one public reply, reports, moderation, and totals kept exact in one transaction."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, func, select, update
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.core.db import (
    Page,
    day_of,
    decoded_rows,
    dialect_name,
    json_rows,
    run_read,
    to_jakarta,
    utcnow,
)
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.images import Uploads
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderEvent, OrderStatus
from marketplace.reviews.models import (
    REPORT_REASONS,
    ProductRating,
    Review,
    ReviewModeration,
    ReviewReport,
)
from marketplace.stores.models import Store

REVIEW_WINDOW = timedelta(days=14)
REVIEWS_PER_PAGE = 10
#: a page number typed past this is read as this one (an OFFSET stays small)
MAX_REVIEW_PAGE = 10_000
MAX_TEXT = 1000
MAX_REPLY = 1000


@dataclass
class ReviewData:
    rating: int
    #: product id → rating, for the products of the order
    product_ratings: dict[int, int] = field(default_factory=dict)
    text: str = ""


def completed_at(order: Order) -> datetime | None:
    return db.session.scalar(
        select(OrderEvent.created_at)
        .where(OrderEvent.order_id == order.id, OrderEvent.to_status == OrderStatus.COMPLETED)
        .order_by(OrderEvent.id.desc())
        .limit(1)
    )


def review_of(order: Order) -> Review | None:
    return db.session.scalar(select(Review).where(Review.order_id == order.id))


def check_can_review(order: Order, actor: User | None, now: datetime | None = None) -> None:
    """Raise why ``actor`` (None: a guest holding the order's private link) may not review."""
    now = now or utcnow()
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    # The seller, signed in or ordering as a guest with their own number
    if (signed_in and order.store.is_managed_by(actor)) or (
        order.store.owner.phone == order.customer_phone
    ):
        raise NotAllowed(_("Penjual tidak dapat mengulas tokonya sendiri."))
    if order.customer_id is not None and not (signed_in and actor.id == order.customer_id):
        raise NotAllowed(_("Masuk dengan akun pemesan untuk mengulas pesanan ini."))
    if order.status != OrderStatus.COMPLETED:
        raise DomainError(_("Ulasan dapat ditulis setelah pesanan selesai."))
    if review_of(order) is not None:
        raise DomainError(_("Pesanan ini sudah diulas."))
    done = completed_at(order)
    if done is None or now > done + REVIEW_WINDOW:
        raise DomainError(_("Batas waktu ulasan (14 hari setelah pesanan selesai) sudah lewat."))


def may_review(order: Order, actor: User | None) -> bool:
    """Whether the review button belongs on the order's page."""
    if order.status != OrderStatus.COMPLETED:
        return False
    try:
        check_can_review(order, actor)
    except DomainError:
        return False
    return True


def reviewable_products(order: Order) -> list[Product]:
    """The products of the order that still exist, once each."""
    ids = list(dict.fromkeys(line.product_id for line in order.lines if line.product_id))
    if not ids:
        return []
    products = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))}
    return [products[i] for i in ids if i in products]


def _valid_rating(value) -> int:
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise DomainError(_("Pilih bintang 1 sampai 5."))
    return value


def _bump(model: type[Store] | type[Product], row_id: int, rating: int, sign: int) -> None:
    db.session.execute(
        update(model)
        .where(model.id == row_id)
        .values(rating_count=model.rating_count + sign, rating_sum=model.rating_sum + sign * rating)
        .execution_options(synchronize_session=False)
    )


def _count(review: Review, sign: int) -> None:
    """Add (+1) or take out (-1) a review from the store and product totals, atomically."""
    _bump(Store, review.store_id, review.rating, sign)
    db.session.expire(review.store, ["rating_count", "rating_sum"])
    for item in review.products:
        _bump(Product, item.product_id, item.rating, sign)
        db.session.expire(item.product, ["rating_count", "rating_sum"])


def write_review(
    order: Order,
    actor: User | None,
    data: ReviewData,
    photo=None,
    uploads: Uploads | None = None,
    now: datetime | None = None,
) -> Review:
    """Rate the store and the order's products, once per order; the totals move with it."""
    check_can_review(order, actor, now)
    rating = _valid_rating(data.rating)
    products = reviewable_products(order)
    ratings = {
        p.id: _valid_rating(data.product_ratings[p.id])
        for p in products
        if data.product_ratings.get(p.id) is not None
    }
    if set(data.product_ratings) - {p.id for p in products}:
        raise DomainError(_("Hanya produk dalam pesanan ini yang dapat dinilai."))
    text = (data.text or "").strip()
    if len(text) > MAX_TEXT:
        raise DomainError(_("Ulasan paling panjang %(n)d huruf.", n=MAX_TEXT))
    review = Review(
        order_id=order.id,
        store_id=order.store_id,
        customer_id=order.customer_id,
        author_name=(order.customer_name.split() or ["Pembeli"])[0][:60],
        ordered_on=to_jakarta(order.created_at).date(),
        rating=rating,
        text=text,
        products=[ProductRating(product_id=pid, rating=value) for pid, value in ratings.items()],
    )
    if photo is not None and uploads is not None:
        stored = uploads.store(photo)
        review.photo_thumb, review.photo_large = stored.thumb, stored.large
    db.session.add(review)
    db.session.flush()  # the unique order_id refuses a second review racing with this one
    _count(review, +1)
    db.session.flush()
    return review


def reply(actor: User, review: Review, text: str) -> None:
    """The seller answers publicly, once; the answer can be edited."""
    if not review.is_managed_by(actor):
        raise NotAllowed(_("Hanya penjual toko ini yang dapat membalas."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Tulis balasan Anda."))
    if len(text) > MAX_REPLY:
        raise DomainError(_("Balasan paling panjang %(n)d huruf.", n=MAX_REPLY))
    review.reply, review.replied_at = text, utcnow()
    db.session.flush()


def report(actor: User, review: Review, reason: str, note: str = "") -> ReviewReport:
    """A resident flags a review for the KIM (insult, spam, personal data)."""
    if reason not in REPORT_REASONS:
        raise DomainError(_("Pilih alasan laporan."))
    if actor.id == review.customer_id:
        raise DomainError(_("Anda tidak dapat melaporkan ulasan Anda sendiri."))
    entry = ReviewReport(
        review_id=review.id, reporter_id=actor.id, reason=reason, note=(note or "").strip()[:500]
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _moderate(actor: User, review: Review, hide: bool, reason: str) -> None:
    if not review.can_be_moderated_by(actor):
        raise NotAllowed(_("Anda hanya dapat memoderasi ulasan toko di kelurahan Anda."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tuliskan alasannya."))
    # A conditional update: two moderators clicking at once change the totals only once.
    changed = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.hidden.is_(not hide))
        .values(hidden=hide)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(review, ["hidden"])
    if changed != 1:
        raise DomainError(
            _("Ulasan ini sudah disembunyikan.") if hide else _("Ulasan ini sudah tampil.")
        )
    _count(review, -1 if hide else +1)
    db.session.add(
        ReviewModeration(
            review_id=review.id,
            actor_id=actor.id,
            action="hide" if hide else "restore",
            reason=reason[:500],
        )
    )
    db.session.execute(
        update(ReviewReport)
        .where(ReviewReport.review_id == review.id, ReviewReport.handled.is_(False))
        .values(handled=True)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def hide_review(actor: User, review: Review, reason: str) -> None:
    """Take a review out of sight and out of the averages, with the reason recorded."""
    _moderate(actor, review, True, reason)


def restore_review(actor: User, review: Review, reason: str) -> None:
    """Show a hidden review again and count it back."""
    _moderate(actor, review, False, reason)


@dataclass(frozen=True, slots=True)
class ReviewView:
    """A visible review as the store and product pages show it."""

    id: int
    rating: int
    author_name: str
    ordered_on: date
    text: str
    photo_thumb: str | None
    photo_large: str | None
    reply: str | None


_SHOWN = (
    Review.id, Review.rating, Review.author_name, Review.ordered_on, Review.text,
    Review.photo_thumb, Review.photo_large, Review.reply,
)  # fmt: skip


def visible_review_columns(dialect: str, store_id, product_id=None) -> tuple:
    """(a page of reviews as JSON rows, how many there are): two scalar subqueries that a
    page's statement carries. Shown: the store's reviews not hidden (those rating product
    ``product_id`` if given), newest first, ``:reviews_size`` from ``:reviews_start``
    (``review_params``); read with ``review_page``. ``store_id`` and ``product_id`` are
    columns of the page's statement or bound parameters."""
    visible = select(*_SHOWN).where(Review.store_id == store_id, Review.hidden.is_(False))
    if product_id is not None:
        visible = visible.join(ProductRating).where(ProductRating.product_id == product_id)
    page = (
        visible.add_columns(
            func.row_number().over(order_by=(Review.created_at.desc(), Review.id.desc())).label("n")
        )
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(bindparam("reviews_size", type_=Integer))
        .offset(bindparam("reviews_start", type_=Integer))
        .subquery("review_page")
    )
    total = select(func.count()).select_from(visible.subquery("visible")).scalar_subquery()
    return json_rows(dialect, tuple(page.c)), total


def review_params(page: int, per_page: int = REVIEWS_PER_PAGE) -> dict:
    """The values of ``visible_review_columns``'s parameters for page ``page`` (from 1)."""
    page = min(max(page or 1, 1), MAX_REVIEW_PAGE)
    return {"reviews_size": per_page, "reviews_start": (page - 1) * per_page}


def review_page(rows, total: int, params: dict) -> Page:
    """The page of ``ReviewView`` read from ``visible_review_columns``."""
    per_page = params["reviews_size"]
    items = [
        ReviewView(id_, rating, author, day_of(ordered_on), text, thumb, large, reply)
        for id_, rating, author, ordered_on, text, thumb, large, reply, _n in sorted(
            decoded_rows(rows), key=lambda row: row[-1]
        )
    ]
    return Page(items, params["reviews_start"] // per_page + 1, per_page, total or 0)


def visible_reviews(store_id: int, page: int, per_page: int = REVIEWS_PER_PAGE) -> Page:
    """Newest visible reviews of a store, a page at a time, in one statement."""
    dialect = dialect_name()
    params = review_params(page, per_page)
    rows, total = run_read(
        _store_reviews_statement(dialect), {**params, "store_id": store_id}
    ).one()
    return review_page(rows, total, params)


@functools.cache
def _store_reviews_statement(dialect: str):
    return select(*visible_review_columns(dialect, bindparam("store_id", type_=Integer)))


def store_reviews(store: Store) -> list[Review]:
    """Every review of the store, hidden ones too, for its seller."""
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.store_id == store.id)
            .order_by(Review.created_at.desc(), Review.id.desc())
        )
    )


def moderation_queue(actor: User) -> list[ReviewReport]:
    """Open reports of reviews of the stores the actor moderates."""
    query = (
        select(ReviewReport)
        .join(Review)
        .join(Store, Store.id == Review.store_id)
        .where(ReviewReport.handled.is_(False))
        .options(selectinload(ReviewReport.review).selectinload(Review.store))
        .order_by(ReviewReport.created_at)
    )
    return list(db.session.scalars(_in_area(query, actor)))


def hidden_reviews(actor: User) -> list[Review]:
    query = (
        select(Review)
        .join(Store, Store.id == Review.store_id)
        .where(Review.hidden.is_(True))
        .options(selectinload(Review.store))
        .order_by(Review.created_at.desc())
    )
    return list(db.session.scalars(_in_area(query, actor)))


def _in_area(query, actor: User):
    """Limit a query joined to stores to the kelurahan the actor moderates (all for the city)."""
    if actor.is_city_admin:
        return query
    kelurahan_id = actor.kim_group.kelurahan_id if actor.is_kim_admin and actor.kim_group else -1
    return query.where(Store.kelurahan_id == kelurahan_id)
