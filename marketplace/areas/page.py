"""A kelurahan's public page: its products, its verified stores and its featured vendors, read
in one statement when it lists products (the stores and the featured ride on the products'
rows), else in three."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from marketplace.catalog.services import BrowseFilters, ResultPage, browse_products
from marketplace.core.db import dialect_name
from marketplace.kim.featured import (
    FeaturedView,
    current_featured,
    featured_column,
    featured_from_column,
    featured_params,
)
from marketplace.stores.refs import (
    StoreRef,
    in_kelurahan_column,
    refs_from_column,
    verified_in_kelurahan,
)


@dataclass(frozen=True)
class KelurahanPage:
    products: ResultPage
    stores: list[StoreRef]
    featured: list[FeaturedView]


def kelurahan_page(
    kelurahan_id: int, page: int, per_page: int, now: datetime | None = None
) -> KelurahanPage:
    """Page ``page`` of the kelurahan's products, newest first, with its verified stores by
    name and the featured slots running ``now``."""
    dialect = dialect_name()
    products = browse_products(
        BrowseFilters(kelurahan_id=kelurahan_id),
        page=page,
        per_page=per_page,
        carry=(in_kelurahan_column(dialect), featured_column(dialect)),
        carry_params=featured_params(kelurahan_id, now),
    )
    if products.carried is None:  # no product to carry them
        return KelurahanPage(
            products, verified_in_kelurahan(kelurahan_id), current_featured(kelurahan_id, now)
        )
    stores, featured = products.carried
    return KelurahanPage(products, refs_from_column(stores), featured_from_column(featured))
