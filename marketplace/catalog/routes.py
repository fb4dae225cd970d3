"""Public catalog pages: browsing, categories, product pages and search."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from marketplace.areas.services import all_kelurahan
from marketplace.catalog import services
from marketplace.catalog.card_markup import product_cards
from marketplace.catalog.filter_form import filter_form
from marketplace.catalog.product_page import product_view
from marketplace.catalog.search import search_terms
from marketplace.core.db import jakarta_today
from marketplace.core.inputs import db_int
from marketplace.core.money import parse_rupiah
from marketplace.core.pagecache import cached_page
from marketplace.reviews.forms import ReportReviewForm
from marketplace.stores.hours import availability

bp = Blueprint("catalog", __name__)
bp.add_app_template_global(product_cards, "product_cards")
bp.add_app_template_global(filter_form, "filter_form")
MAX_QUERY_LENGTH = 200


def _price_arg(name: str) -> int | None:
    try:
        return parse_rupiah(request.args.get(name, ""))
    except ValueError:
        return None


def _filters(**fixed) -> services.BrowseFilters:
    args = request.args
    return services.BrowseFilters(
        q=(args.get("q", "") or "")[:MAX_QUERY_LENGTH],
        category_id=fixed.get("category_id") or args.get("kategori", type=db_int),
        kelurahan_id=args.get("kelurahan", type=db_int),
        min_price=_price_arg("min"),
        max_price=_price_arg("max"),
        open_now=args.get("buka") == "1",
        halal=args.get("halal") == "1",
        available=args.get("tersedia") == "1",
        sort=args.get("urut", ""),
        near_kelurahan_id=args.get("dekat", type=db_int),
    )


def _listing(template: str, filters: services.BrowseFilters, with_stores=False, **context):
    """A listing's page; ``with_stores`` (a search page): with the stores the words find, and
    counted through the page shown only (``browse_products(window=True)``: a search's
    pagination says "Halaman N" and links the next page, without the number of pages)."""
    page = max(request.args.get("page", 1, type=db_int) or 1, 1)
    results = services.browse_products(
        filters,
        page=page,
        per_page=current_app.config["PAGE_SIZE"],
        with_stores=with_stores,
        window=with_stores,
    )
    if with_stores:
        context["stores"] = results.stores
    return render_template(
        template,
        results=results,
        filters=filters,
        categories=services.category_refs(),
        kelurahan=all_kelurahan(),
        **context,
    )


@bp.route("/produk")
@cached_page
def browse():
    return _listing("catalog/browse.html", _filters())


@bp.route("/kategori/<slug>")
@cached_page
def category(slug: str):
    found = services.category_by_slug(slug)
    if found is None:
        abort(404)
    return _listing("catalog/browse.html", _filters(category_id=found.id), category=found)


@bp.route("/cari")
@cached_page
def search():
    filters = _filters()
    terms = search_terms(filters.q)
    if not terms:
        # Empty or nothing searchable ("!!!", emoji only): a friendly page, never an error.
        return render_template(
            "catalog/search.html",
            q=filters.q,
            results=None,
            stores=[],
            filters=filters,
            categories=services.category_refs(),
            kelurahan=all_kelurahan(),
        )
    return _listing("catalog/search.html", filters, with_stores=True, q=filters.q)


@bp.route("/produk/<int:product_id>")
@cached_page(stock_of="product_id")  # it says how many are left
def product(product_id: int):
    today = jakarta_today()
    item = product_view(product_id, today, request.args.get("ulasan", 1, type=db_int))
    if item is None or not item.is_visible_to(current_user):
        abort(404)
    return render_template(
        "catalog/product.html",
        product=item,
        store=item.store,
        state=availability(item.store),
        today=today,
        reviews=item.reviews,
        # only a signed-in visitor may report a review (and is shown the form)
        report_form=ReportReviewForm() if current_user.is_authenticated else None,
    )
