"""The public product page, read as plain rows in one statement.

Loaded as ORM objects, the page took five statements (the product with its store, kelurahan and
week joined; its store's closed dates, its photos, its option groups and their options each in
another) and building some twenty objects from them cost more than the statements themselves.
The page changes nothing, so it reads the columns it shows in one statement — the photos, the
options, the week, the coming closed dates and the page of reviews as JSON lists beside the
product's row — and builds small plain objects from them. The rules the page applies (price
and sale, portions left, who may see it, whether the store is open) are the models' own
(``ProductRules``, ``Rated``, ``StoreRules``, ``stores.hours.availability``), so the page and the
models always agree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Date, Integer, bindparam, select

from marketplace.areas.services import KelurahanRef, kelurahan_by_id
from marketplace.catalog.cards import RULE_COLUMNS, PortionRef, ProductColumns
from marketplace.catalog.models import (
    DailyPortion,
    Option,
    OptionGroup,
    Product,
    ProductPhoto,
)
from marketplace.core.db import (
    Page,
    decoded_rows,
    dialect_name,
    jakarta_today,
    json_rows,
    run_read,
)
from marketplace.reviews.services import review_page, review_params, visible_review_columns
from marketplace.stores.models import Store, StoreRules
from marketplace.stores.week import ClosedDayView, PeriodView, week_columns, week_from


@dataclass(frozen=True, slots=True)
class PhotoView:
    thumb: str
    large: str


@dataclass(frozen=True, slots=True)
class OptionView:
    id: int
    name: str
    extra_price: int
    is_sold_out: bool


@dataclass(frozen=True, slots=True)
class OptionGroupView:
    name: str
    multiple: bool
    required: bool
    options: tuple[OptionView, ...]


@dataclass(slots=True)
class StoreView(StoreRules):
    """What the product page shows of the store, with the store's own rules."""

    id: int
    owner_id: int
    assisted_by_id: int | None
    status: str
    name: str
    slug: str
    whatsapp: str
    landmark: str
    is_paused: bool
    pause_reason: str | None
    paused_until: datetime | None
    kelurahan: KelurahanRef | None
    periods: tuple[PeriodView, ...]
    #: the closed dates from yesterday on (``availability`` looks no further back)
    closed_dates: tuple[ClosedDayView, ...]


@dataclass(slots=True)
class ProductView(ProductColumns):
    """What the product page shows of the product, with the product's own rules."""

    id: int
    name: str
    description: str
    store: StoreView
    photos: tuple[PhotoView, ...]
    option_groups: tuple[OptionGroupView, ...]
    #: today's portions taken (a daily-quota product), or nothing
    upcoming_portions: tuple[PortionRef, ...]
    #: the page of its visible reviews asked for
    reviews: Page

    @property
    def cover(self) -> PhotoView | None:
        return self.photos[0] if self.photos else None


_PRODUCT = (*RULE_COLUMNS, Product.id, Product.name, Product.description)
_STORE = (
    Store.id, Store.owner_id, Store.assisted_by_id, Store.status, Store.name, Store.slug,
    Store.whatsapp, Store.landmark, Store.is_paused, Store.pause_reason, Store.paused_until,
    Store.kelurahan_id,
)  # fmt: skip


@functools.cache
def _statement(dialect: str):
    """The page's one statement for ``dialect``, made once per process (values are bound)."""
    photos = json_rows(
        dialect,
        (ProductPhoto.position, ProductPhoto.id, ProductPhoto.thumb, ProductPhoto.large),
        ProductPhoto.product_id == Product.id,
    )
    groups = json_rows(
        dialect,
        (OptionGroup.position, OptionGroup.id, OptionGroup.name, OptionGroup.multiple,
         OptionGroup.required),
        OptionGroup.product_id == Product.id,
    )  # fmt: skip
    options = json_rows(
        dialect,
        (Option.group_id, Option.position, Option.id, Option.name, Option.extra_price,
         Option.is_sold_out),
        Option.group_id == OptionGroup.id,
        OptionGroup.product_id == Product.id,
    )  # fmt: skip
    periods, closed = week_columns(dialect)
    taken = (
        select(DailyPortion.taken)
        .where(
            DailyPortion.product_id == Product.id,
            DailyPortion.day == bindparam("portion_day", type_=Date),
        )
        .scalar_subquery()
    )
    reviews, review_count = visible_review_columns(dialect, Store.id, Product.id)
    return (
        select(
            *_PRODUCT,
            *_STORE,
            reviews.label("reviews"),
            review_count.label("review_count"),
            photos.label("photos"),
            groups.label("groups"),
            options.label("options"),
            periods,
            closed,
            taken.label("taken"),
        )
        .join_from(Product, Store, Store.id == Product.store_id)
        .where(Product.id == bindparam("product_id", type_=Integer))
    )


def product_view(
    product_id: int, today: date | None = None, review_page_number: int = 1
) -> ProductView | None:
    """The product page's copy of product ``product_id`` (None if there is none), with today's
    portions (Asia/Jakarta), its store's coming closed dates and page ``review_page_number``
    of its reviews."""
    today = today or jakarta_today()
    paging = review_params(review_page_number)
    row = run_read(
        _statement(dialect_name()),
        {
            "product_id": product_id,
            "portion_day": today,
            "closed_since": today - timedelta(days=1),
            **paging,
        },
    ).first()
    if row is None:
        return None
    own = len(_PRODUCT)
    store_fields = row[own : own + len(_STORE)]
    reviews, review_count, photos, groups, options, periods, closed, taken = row[
        own + len(_STORE) :
    ]
    by_group: dict[int, list] = {}
    for group_id, position, option_id, name, extra, sold_out in decoded_rows(options):
        by_group.setdefault(group_id, []).append(
            ((position, option_id), OptionView(option_id, name, extra, bool(sold_out)))
        )
    week = week_from(periods, closed)
    store = StoreView(
        *store_fields[:-1],
        kelurahan=kelurahan_by_id(store_fields[-1]),
        periods=week[0],
        closed_dates=week[1],
    )
    return ProductView(
        *row[:own],
        store=store,
        photos=tuple(
            PhotoView(thumb, large) for _, _, thumb, large in sorted(decoded_rows(photos))
        ),
        option_groups=tuple(
            OptionGroupView(
                name,
                bool(multiple),
                bool(required),
                tuple(option for _, option in sorted(by_group.get(group_id, []))),
            )
            for _, group_id, name, multiple, required in sorted(decoded_rows(groups))
        ),
        upcoming_portions=(PortionRef(today, taken),) if taken else (),
        reviews=review_page(reviews, review_count, paging),
    )
