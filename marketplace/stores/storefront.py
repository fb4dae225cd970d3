"""The public store page, read as plain rows in one statement (as the product page is).

Loaded as ORM objects, the page took five statements besides its product cards: the store with
its kelurahan, week and permits joined, its closed dates, the trainings its owner attended, its
reviews and the kelurahan it delivers to (and building the objects cost more than running them).
It changes nothing, so it reads the columns it shows, with the week, the coming closed dates,
the permits, the delivery area, the trainings, the page of reviews and the product cards as
JSON lists beside the store's row, and builds small plain objects. The rules are the models' own
(``StoreRules``, ``CredentialRules``, ``Rated``, ``stores.hours.availability``,
``kim.trainings.attended_where``, ``reviews.services.visible_review_columns``,
``catalog.services.store_cards_column``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, bindparam, select

from marketplace.areas.services import KelurahanRef, kelurahan_index
from marketplace.catalog.cards import ProductCard, card_params, cards_from_column
from marketplace.catalog.services import store_cards_column
from marketplace.core.db import Page, Rated, day_of, decoded_rows, dialect_name, json_rows, run_read
from marketplace.kim.models import Training
from marketplace.kim.trainings import attended_where
from marketplace.reviews.services import review_page, review_params, visible_review_columns
from marketplace.stores.models import (
    CredentialRules,
    Store,
    StoreCredential,
    StoreRules,
    store_delivery_kelurahan,
)
from marketplace.stores.week import ClosedDayView, PeriodView, week_columns, week_from


@dataclass(frozen=True, slots=True)
class CredentialView(CredentialRules):
    kind: str
    number: str
    expires_on: date | None


@dataclass(frozen=True, slots=True)
class TrainingView:
    title: str


@dataclass(slots=True)
class StorefrontView(StoreRules, Rated):
    """What the store page shows of a store, with the store's own rules."""

    id: int
    owner_id: int
    assisted_by_id: int | None
    status: str
    name: str
    slug: str
    story: str
    logo_thumb: str | None
    logo_large: str | None
    whatsapp: str
    address: str
    rt: str
    rw: str
    landmark: str
    latitude: float | None
    longitude: float | None
    offers_pickup: bool
    offers_delivery: bool
    delivery_fee: int
    delivery_rws: str | None
    is_paused: bool
    pause_reason: str | None
    paused_until: datetime | None
    rating_count: int
    rating_sum: int
    kelurahan_id: int | None
    kelurahan: KelurahanRef | None
    periods: tuple[PeriodView, ...]
    #: from yesterday on (``availability`` looks no further back; the page shows today's on)
    closed_dates: tuple[ClosedDayView, ...]
    credentials: tuple[CredentialView, ...]
    delivery_kelurahan: tuple[KelurahanRef, ...]
    #: the trainings its owner attended, latest first
    trainings: tuple[TrainingView, ...]
    reviews: Page
    #: the cards of its visible products, in the seller's order
    products: list[ProductCard]


_STORE = (
    Store.id, Store.owner_id, Store.assisted_by_id, Store.status, Store.name, Store.slug,
    Store.story, Store.logo_thumb, Store.logo_large, Store.whatsapp, Store.address, Store.rt,
    Store.rw, Store.landmark, Store.latitude, Store.longitude, Store.offers_pickup,
    Store.offers_delivery, Store.delivery_fee, Store.delivery_rws, Store.is_paused,
    Store.pause_reason, Store.paused_until, Store.rating_count, Store.rating_sum,
    Store.kelurahan_id,
)  # fmt: skip


@functools.cache
def _statement(dialect: str):
    """The page's one statement for ``dialect``, made once per process (values are bound)."""
    periods, closed = week_columns(dialect)
    credentials = json_rows(
        dialect,
        (StoreCredential.kind, StoreCredential.number, StoreCredential.expires_on),
        StoreCredential.store_id == Store.id,
    )
    delivery = json_rows(
        dialect,
        (store_delivery_kelurahan.c.kelurahan_id,),
        store_delivery_kelurahan.c.store_id == Store.id,
    )
    trainings = json_rows(
        dialect,
        (Training.starts_at, Training.id, Training.title),
        *attended_where(Store.owner_id),
    )
    reviews, review_count = visible_review_columns(dialect, Store.id)
    products = store_cards_column(dialect)
    return select(
        *_STORE,
        periods,
        closed,
        credentials.label("credentials"),
        delivery.label("delivery"),
        trainings.label("trainings"),
        reviews.label("reviews"),
        review_count.label("review_count"),
        products.label("products"),
    ).where(Store.slug == bindparam("slug", type_=String))


def storefront_view(slug: str, today: date, review_page_number: int = 1) -> StorefrontView | None:
    """The store page's copy of the store ``slug`` (None if there is none), with its closed
    dates from yesterday (Asia/Jakarta ``today``) and page ``review_page_number`` of its
    reviews."""
    paging = review_params(review_page_number)
    row = run_read(
        _statement(dialect_name()),
        {"slug": slug, "closed_since": today - timedelta(days=1), **paging, **card_params(today)},
    ).first()
    if row is None:
        return None
    own = len(_STORE)
    periods, closed, credentials, delivery, trainings, reviews, review_count, products = row[own:]
    areas = kelurahan_index()
    delivers_to = (areas.get(k) for (k,) in decoded_rows(delivery))
    week = week_from(periods, closed)
    return StorefrontView(
        *row[:own],
        kelurahan=areas.get(row[own - 1]),
        periods=week[0],
        closed_dates=week[1],
        credentials=tuple(
            sorted(
                (
                    CredentialView(kind, number, day_of(expires) if expires else None)
                    for kind, number, expires in decoded_rows(credentials)
                ),
                key=lambda c: c.kind,
            )
        ),
        delivery_kelurahan=tuple(
            sorted((k for k in delivers_to if k is not None), key=lambda k: k.name)
        ),
        trainings=tuple(
            TrainingView(title)
            for _starts, _id, title in sorted(decoded_rows(trainings), reverse=True)
        ),
        reviews=review_page(reviews, review_count, paging),
        products=cards_from_column(products, today, areas),
    )
