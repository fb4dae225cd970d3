"""A listing's product cards, read as plain rows.

A page of 24 cards used to load 24 products and, joined in, their stores, kelurahan, cover photos
and daily portions as ORM objects: some 90 objects whose construction cost several times the
statement itself. A card reads a fixed set of columns and changes nothing, so a listing selects
exactly those columns and builds small plain objects from them. The rules a card applies (sale
window, portions left, average rating) are the model's own (``ProductRules``, ``Rated``), so a
card and a product always agree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Integer, Select, bindparam, literal_column, select

from marketplace.areas.services import KelurahanRef
from marketplace.catalog.models import DailyPortion, Product, ProductPhoto, ProductRules
from marketplace.core.db import Rated, decoded_rows, json_rows
from marketplace.stores.models import Store
from marketplace.stores.refs import StoreRef


@dataclass(frozen=True, slots=True)
class PhotoRef:
    thumb: str


@dataclass(frozen=True, slots=True)
class PortionRef:
    day: date
    taken: int


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs 3x as much
class ProductColumns(ProductRules, Rated):
    """The product's columns that its rules read, as a card and the product page
    (``catalog.product_page.ProductView``) carry them: ``RULE_COLUMNS``, in this order."""

    price: int
    sale_price: int | None
    sale_starts_at: datetime | None
    sale_ends_at: datetime | None
    stock_mode: str
    stock: int | None
    daily_quota: int | None
    is_sold_out: bool
    is_hidden: bool
    is_halal: bool
    lead_days: int
    rating_count: int
    rating_sum: int


RULE_COLUMNS = (
    Product.price, Product.sale_price, Product.sale_starts_at, Product.sale_ends_at,
    Product.stock_mode, Product.stock, Product.daily_quota, Product.is_sold_out,
    Product.is_hidden, Product.is_halal, Product.lead_days, Product.rating_count,
    Product.rating_sum,
)  # fmt: skip


@dataclass(slots=True)
class ProductCard(ProductColumns):
    """What a product card shows (``catalog.card_markup``), with the product's rules."""

    id: int
    store_id: int
    name: str
    store: StoreRef
    cover: PhotoRef | None
    #: today's portions taken (a daily-quota product), or nothing
    upcoming_portions: tuple[PortionRef, ...]


#: the card's own columns, in ProductCard's order up to ``name``
PRODUCT_COLUMNS = (*RULE_COLUMNS, Product.id, Product.store_id, Product.name)
_OWN = len(PRODUCT_COLUMNS)
#: where a card's row holds the product's id (NULL in the one row of a listing that found
#: nothing but carries what it asks next: ``catalog.services._when_empty``)
CARD_ID = len(RULE_COLUMNS)


@functools.cache
def card_columns() -> tuple[ColumnElement, ...]:
    """The columns of a card's row, for a select that joins the product's store: the product's
    own, the store's name and address, its kelurahan (the id: the process keeps every
    kelurahan, ``areas.services.kelurahan_index``), the cover photo (the first by position, as
    the product page shows it) and today's portions taken (``:card_day``). Made once per
    process: the statement is the same on every request and SQLAlchemy compiles it once."""
    cover = (
        select(ProductPhoto.thumb)
        .where(ProductPhoto.product_id == Product.id)
        .order_by(ProductPhoto.position, ProductPhoto.id)
        .limit(literal_column("1", Integer))  # a number the planner knows, as every LIMIT here
        .scalar_subquery()
    )
    taken = (
        select(DailyPortion.taken)
        .where(
            DailyPortion.product_id == Product.id,
            DailyPortion.day == bindparam("card_day", type_=DailyPortion.day.type),
        )
        .scalar_subquery()
    )
    return (
        *PRODUCT_COLUMNS,
        Store.name.label("card_store_name"),
        Store.slug.label("card_store_slug"),
        Store.kelurahan_id.label("card_kelurahan"),
        cover.label("card_cover"),
        taken.label("card_taken"),
    )


def card_params(today: date) -> dict:
    """The parameters of a select made with ``card_columns`` (whose portions are today's)."""
    return {"card_day": today}


def card_select(query: Select) -> Select:
    """``query`` (which joins the product's store) selecting a card's columns."""
    return query.with_only_columns(*card_columns())


def card_from_row(row, today: date, areas: dict[int, KelurahanRef]) -> ProductCard:
    """The card of a row whose first columns are ``card_columns()``; ``areas``: every
    kelurahan by id (``areas.services.kelurahan_index``)."""
    store_name, store_slug, kelurahan, cover, taken = row[_OWN : _OWN + 5]
    return ProductCard(
        *row[:_OWN],
        store=StoreRef(store_name, store_slug, areas.get(kelurahan)),
        cover=PhotoRef(cover) if cover else None,
        upcoming_portions=(PortionRef(today, taken),) if taken else (),
    )


#: where a card's row holds what JSON writes as text (the sale's start and end) and as 0 or 1
#: on SQLite (the flags)
_MOMENTS = tuple(RULE_COLUMNS.index(c) for c in (Product.sale_starts_at, Product.sale_ends_at))
_FLAGS = tuple(
    RULE_COLUMNS.index(c) for c in (Product.is_sold_out, Product.is_hidden, Product.is_halal)
)


def cards_column(dialect: str, *where) -> ColumnElement:
    """The cards of the products ``where`` says (a condition that joins their store, such as
    ``Product.store_id == Store.id`` in a select of stores) as one JSON column beside another
    row (``core.db.json_rows``), in the seller's order; read it with ``cards_from_column``. Its
    statement takes ``card_params``."""
    order = (Product.position, Product.id)
    return json_rows(dialect, (*card_columns(), *order), *where)


def cards_from_column(value, today: date, areas: dict[int, KelurahanRef]) -> list[ProductCard]:
    """The cards of a ``cards_column`` value, in the seller's order, as ``card_from_row``
    builds them from a row of typed columns."""
    rows = decoded_rows(value)
    rows.sort(key=lambda row: (row[-2], row[-1]))
    cards = []
    for row in rows:
        for n in _MOMENTS:
            if row[n] is not None:
                row[n] = datetime.fromisoformat(row[n])
        for n in _FLAGS:
            row[n] = bool(row[n])
        cards.append(card_from_row(row, today, areas))
    return cards
