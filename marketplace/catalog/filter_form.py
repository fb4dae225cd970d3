"""A listing's filter form (``templates/_fragments/listing_filters.html``), rendered once per
language and choice of checkboxes and order, and filled on each page with what the visitor
typed and the lists' options (``core.templating.fragment``'s holes)."""

from __future__ import annotations

from flask import request
from markupsafe import Markup

from marketplace.catalog.services import SORTS, BrowseFilters
from marketplace.core.templating import fragment, select_options


def filter_form(
    filters: BrowseFilters, categories, kelurahan, q: str = "", category=None
) -> Markup:
    """The filter form of a listing of ``filters``: ``categories`` and ``kelurahan`` are the
    lists' choices; ``q`` the words of a search (which the form keeps, and which add "near me"
    and the order by relevance); ``category`` a category's own page (no category list). An
    order that is none of ``SORTS`` is the default's."""
    args = request.args
    searched = bool(q)
    holes = {
        "q": q or "",
        "min": args.get("min", ""),
        "max": args.get("max", ""),
        "kelurahan_options": select_options(kelurahan, filters.kelurahan_id),
    }
    if not category:
        holes["category_options"] = select_options(categories, filters.category_id)
    if searched:
        holes["near_options"] = select_options(kelurahan, filters.near_kelurahan_id)
    return fragment(
        "listing_filters",
        holes=holes,
        opened=bool(args),
        searched=searched,
        in_category=bool(category),
        sort=filters.sort if filters.sort in SORTS else "",
        open_now=filters.open_now,
        halal=filters.halal,
        available=filters.available,
    )
