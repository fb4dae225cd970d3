"""A store as a link in a list (a product card, the stores a search finds, the featured vendors,
the newest stores): its name, its address and its kelurahan, a plain frozen copy made from
three columns. A list of links loaded whole stores as ORM objects, with their kelurahan joined
in, and that cost several times the statement that read them."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Integer, Select, Text, bindparam, cast, func, select
from sqlalchemy.sql import ColumnElement

from marketplace.areas.services import KelurahanRef, kelurahan_by_id, kelurahan_index
from marketplace.core.db import decoded_rows, json_rows, run_read
from marketplace.stores.models import VERIFIED_SQL, Store


@dataclass(frozen=True, slots=True)
class StoreRef:
    name: str
    slug: str
    kelurahan: KelurahanRef | None


def store_ref(name: str, slug: str, kelurahan_id: int | None) -> StoreRef:
    """The link of a store read as (name, slug, kelurahan id); the kelurahan from the
    process's copies (``areas.services.kelurahan_by_id``)."""
    return StoreRef(name, slug, kelurahan_by_id(kelurahan_id))


def store_refs(rows) -> list[StoreRef]:
    """The links of stores read as rows beginning (name, slug, kelurahan id), in their order:
    ``store_ref`` of each, the process's kelurahan looked up once for the list."""
    areas = kelurahan_index()
    return [StoreRef(row[0], row[1], areas.get(row[2])) for row in rows]


@functools.cache
def _in_kelurahan_statement() -> Select:
    return (
        select(Store.name, Store.slug, Store.kelurahan_id)
        .where(
            Store.status == VERIFIED_SQL,
            Store.kelurahan_id == bindparam("kelurahan_id", type_=Integer),
        )
        .order_by(Store.name, Store.id)
    )


def verified_in_kelurahan(kelurahan_id: int) -> list[StoreRef]:
    """The verified stores of a kelurahan by name, as links (its page lists them)."""
    rows = run_read(_in_kelurahan_statement(), {"kelurahan_id": kelurahan_id})
    return store_refs(rows)


@functools.cache
def in_kelurahan_column(dialect: str) -> ColumnElement:
    """``verified_in_kelurahan`` of ``:kelurahan_id`` as one column (JSON text, each store
    numbered in its order), for a kelurahan's listing to carry beside its cards
    (``catalog.services.browse_products``); read it with ``refs_from_column``."""
    numbered = (
        _in_kelurahan_statement()
        .order_by(None)
        .add_columns(func.row_number().over(order_by=(Store.name, Store.id)))
        .subquery("kelurahan_stores")
    )
    return cast(json_rows(dialect, tuple(numbered.c)), Text).label("kelurahan_stores")


def refs_from_column(value) -> list[StoreRef]:
    """The stores of a column of numbered (name, slug, kelurahan id, place) rows
    (``in_kelurahan_column``, a search's store hits), in their order."""
    return store_refs(sorted(decoded_rows(value), key=lambda row: row[-1]))
