"""A store as a link in a list (a product card, the stores a search finds, the featured vendors,
the newest stores): its name, its address and its kelurahan, a plain frozen copy made from
three columns. A list of links loaded whole stores as ORM objects, with their kelurahan joined
in, and that cost several times the statement that read them."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Integer, Select, bindparam, select

from marketplace.areas.services import KelurahanRef, kelurahan_by_id
from marketplace.core.db import run_read
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


@functools.cache
def _in_kelurahan_statement() -> Select:
    return (
        select(Store.name, Store.slug, Store.kelurahan_id)
        .where(
            Store.status == VERIFIED_SQL,
            Store.kelurahan_id == bindparam("kelurahan_id", type_=Integer),
        )
        .order_by(Store.name)
    )


def verified_in_kelurahan(kelurahan_id: int) -> list[StoreRef]:
    """The verified stores of a kelurahan by name, as links (its page lists them)."""
    rows = run_read(_in_kelurahan_statement(), {"kelurahan_id": kelurahan_id})
    return [store_ref(*row) for row in rows]
