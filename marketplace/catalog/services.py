"""Catalog rules: products, photos, options, stock switches, ordering, browsing and search."""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from slugify import slugify
from sqlalchemy import (
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql import CompoundSelect, operators
from sqlalchemy.sql.elements import UnaryExpression

from marketplace.areas.services import (
    all_kelurahan,
    kelurahan_by_id,
    kelurahan_index,
)
from marketplace.catalog.cards import (
    CARD_ID,
    ProductCard,
    card_columns,
    card_from_row,
    card_params,
    card_select,
    cards_column,
)
from marketplace.catalog.models import (
    Category,
    DailyPortion,
    Option,
    OptionGroup,
    Product,
    ProductPhoto,
    StockMode,
)
from marketplace.catalog.search import (
    PAIRS,
    POSTINGS,
    STORE_PAIRS,
    STORE_POSTINGS,
    Match,
    corrected_from,
    corrected_terms,
    correction_params,
    correction_query,
    fewer_match,
    fewer_words,
    pairs_top,
    postings_ambiguous,
    postings_top,
    search_terms,
    similar_match,
    terms_posted,
    text_match,
    typo_words,
)
from marketplace.core.db import (
    Page,
    dialect_name,
    jakarta_today,
    json_rows,
    run_read,
    to_utc_naive,
    utcnow,
)
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.images import Uploads
from marketplace.core.money import AmountTooLarge, UnclearAmount, parse_rupiah
from marketplace.core.refcache import reference
from marketplace.extensions import db
from marketplace.stores.hours import accepting_orders, accepting_orders_params
from marketplace.stores.models import VERIFIED_SQL, Store, StoreStatus
from marketplace.stores.refs import StoreRef, refs_from_column, store_refs

MAX_PHOTOS = 5
MAX_PRICE = 100_000_000
_OPTION_LINE = re.compile(
    r"^(?P<name>.*?)\s*(?:[|+]\s*(?P<price>(?:Rp\.?\s*)?[\d.,]+\s*(?:rb|ribu|k|jt|juta)?))?\s*$",
    re.I,
)


@dataclass
class ProductData:
    name: str
    category_id: int
    price: int
    description: str = ""
    stock_mode: str = StockMode.UNLIMITED
    stock: int | None = None
    daily_quota: int | None = None
    is_halal: bool = False
    lead_days: int = 0
    sale_price: int | None = None
    #: Asia/Jakarta (naive) or aware; None leaves that end open
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None


@dataclass
class BrowseFilters:
    q: str = ""
    category_id: int | None = None
    kelurahan_id: int | None = None
    store_id: int | None = None
    min_price: int | None = None
    max_price: int | None = None
    open_now: bool = False
    halal: bool = False
    available: bool = False
    #: empty means relevance when searching, newest otherwise
    sort: str = ""
    #: the buyer's kelurahan: its stores, then its kecamatan's, rank higher in a search
    near_kelurahan_id: int | None = None


SORTS = ("relevance", "newest", "price_asc", "price_desc", "name", "rating")


def _validate(data: ProductData) -> None:
    if not data.name.strip():
        raise DomainError(_("Nama produk wajib diisi."))
    if db.session.get(Category, data.category_id) is None:
        raise DomainError(_("Pilih kategori dari daftar."))
    if not 0 <= data.price <= MAX_PRICE:
        raise DomainError(_("Harga harus antara Rp0 dan Rp100.000.000."))
    if data.stock_mode not in set(StockMode):
        raise DomainError(_("Pilih jenis stok dari daftar."))
    if data.stock_mode == StockMode.COUNTED and (data.stock is None or data.stock < 0):
        raise DomainError(_("Isi jumlah stok (0 atau lebih)."))
    if data.stock_mode == StockMode.DAILY and (data.daily_quota is None or data.daily_quota < 1):
        raise DomainError(_("Isi jumlah porsi per hari (minimal 1)."))
    if not 0 <= data.lead_days <= 30:
        raise DomainError(_("Waktu pesan di muka antara 0 dan 30 hari."))
    if data.sale_price is not None and not 0 <= data.sale_price < data.price:
        raise DomainError(_("Harga promo harus lebih rendah dari harga biasa."))
    if data.sale_starts_at and data.sale_ends_at and data.sale_ends_at <= data.sale_starts_at:
        raise DomainError(_("Akhir promo harus setelah awal promo."))


def _apply(product: Product, data: ProductData) -> None:
    _validate(data)
    product.name = data.name.strip()
    product.category_id = data.category_id
    product.price = data.price
    product.description = (data.description or "").strip()
    product.stock_mode = data.stock_mode
    product.stock = data.stock if data.stock_mode == StockMode.COUNTED else None
    product.daily_quota = data.daily_quota if data.stock_mode == StockMode.DAILY else None
    product.is_halal = data.is_halal
    product.lead_days = data.lead_days
    product.sale_price = data.sale_price
    product.sale_starts_at = to_utc_naive(data.sale_starts_at) if data.sale_starts_at else None
    product.sale_ends_at = to_utc_naive(data.sale_ends_at) if data.sale_ends_at else None


def listed_clause():
    """What the public listings and search show: a product not hidden whose store is
    verified."""
    return and_(
        Product.is_hidden.is_(False),
        exists().where(Store.id == Product.store_id, Store.status == StoreStatus.VERIFIED),
    )


def refresh_listed(*, store_id: int | None = None, product_id: int | None = None) -> None:
    """Write ``listed_clause`` into ``products.listed``, and the store's kelurahan into
    ``products.kelurahan_id``, for one store's products or one product: called when a product is
    added or hidden, when a store's status changes and when a store moves."""
    store_kelurahan = (
        select(Store.kelurahan_id).where(Store.id == Product.store_id).scalar_subquery()
    )
    statement = update(Product).values(listed=listed_clause(), kelurahan_id=store_kelurahan)
    if store_id is not None:
        statement = statement.where(Product.store_id == store_id)
    if product_id is not None:
        statement = statement.where(Product.id == product_id)
    db.session.execute(statement, execution_options={"synchronize_session": False})


def create_product(
    store: Store, data: ProductData, photo=None, uploads: Uploads | None = None
) -> Product:
    """Add a product at the end of the store's list, with its first photo if one is given."""
    product = Product(store_id=store.id)
    _apply(product, data)
    last = db.session.scalar(select(func.max(Product.position)).where(Product.store_id == store.id))
    product.position = (last or 0) + 1
    db.session.add(product)
    db.session.flush()
    refresh_listed(product_id=product.id)
    if photo is not None and uploads is not None:
        add_photo(product, photo, uploads)
    return product


def update_product(product: Product, data: ProductData) -> Product:
    """Change a product's details (past orders keep their own copy)."""
    _apply(product, data)
    db.session.flush()
    return product


def add_photo(product: Product, stream, uploads: Uploads) -> ProductPhoto:
    """Verify and store a photo; at most a few per product."""
    if len(product.photos) >= MAX_PHOTOS:
        raise DomainError(_("Maksimal 5 foto per produk. Hapus foto lama dulu."))
    stored = uploads.store(stream)
    photo = ProductPhoto(
        thumb=stored.thumb, large=stored.large, position=len(product.photos), created_at=utcnow()
    )
    product.photos.append(photo)
    db.session.flush()
    return photo


def delete_photo(photo: ProductPhoto, uploads: Uploads) -> None:
    """Remove a photo and its files."""
    product = photo.product
    product.photos.remove(photo)
    db.session.flush()
    uploads.delete(photo.thumb, photo.large)
    for index, remaining in enumerate(product.photos):
        remaining.position = index


def parse_option_lines(text: str) -> list[tuple[str, int]]:
    """Read one option per line: 'Tambah telur +3.000', 'Level 2', 'Keju | 5000'."""
    options: list[tuple[str, int]] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _OPTION_LINE.match(line)
        name = (match.group("name") if match else line).strip()
        price_text = match.group("price") if match else None
        if not name:
            raise DomainError(_("Setiap baris pilihan perlu nama, misalnya 'Tambah telur +3000'."))
        try:
            price = parse_rupiah(price_text) or 0
        except AmountTooLarge as exc:
            raise DomainError(_("Harga tambahan terlalu besar.")) from exc
        except UnclearAmount as exc:
            raise DomainError(
                _(
                    "Harga tambahan '%(text)s' tidak jelas. Tulis misalnya +3000 atau +3rb.",
                    text=price_text,
                )
            ) from exc
        if price > MAX_PRICE:
            raise DomainError(_("Harga tambahan terlalu besar."))
        options.append((name[:80], price))
    if not options:
        raise DomainError(_("Tulis minimal satu pilihan, satu per baris."))
    if len(options) > 30:
        raise DomainError(_("Maksimal 30 pilihan per kelompok."))
    return options


def save_option_group(
    product: Product,
    name: str,
    options_text: str,
    multiple: bool,
    required: bool,
    group: OptionGroup | None = None,
) -> OptionGroup:
    """Create or replace an option group from the seller's lines."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Nama kelompok pilihan wajib diisi, misalnya 'Level pedas'."))
    parsed = parse_option_lines(options_text)
    if group is None:
        group = OptionGroup(position=len(product.option_groups))
        product.option_groups.append(group)
    previous = {opt.name: opt for opt in group.options}
    group.name, group.multiple, group.required = name[:80], multiple, required
    group.options = [
        Option(
            name=opt_name,
            extra_price=price,
            position=index,
            is_sold_out=previous[opt_name].is_sold_out if opt_name in previous else False,
        )
        for index, (opt_name, price) in enumerate(parsed)
    ]
    db.session.flush()
    return group


def delete_option_group(group: OptionGroup) -> None:
    product = group.product
    product.option_groups.remove(group)
    db.session.flush()


def set_sold_out(product: Product, sold_out: bool) -> None:
    """The one-tap sold-out switch."""
    product.is_sold_out = sold_out
    db.session.flush()


def set_option_sold_out(option: Option, sold_out: bool) -> None:
    option.is_sold_out = sold_out
    db.session.flush()


def set_hidden(product: Product, hidden: bool) -> None:
    product.is_hidden = hidden
    db.session.flush()
    refresh_listed(product_id=product.id)


def move_product(product: Product, direction: int) -> None:
    """Swap a product with its neighbour in the store's list (direction -1 up, +1 down)."""
    siblings = list(
        db.session.scalars(
            select(Product)
            .where(Product.store_id == product.store_id)
            .order_by(Product.position, Product.id)
        )
    )
    for index, sibling in enumerate(siblings):
        sibling.position = index
    index = siblings.index(product)
    other = index + direction
    if 0 <= other < len(siblings):
        siblings[index].position, siblings[other].position = other, index
    db.session.flush()


def delete_product(product: Product, uploads: Uploads) -> None:
    """Delete a product and its photo files."""
    names = [n for p in product.photos for n in (p.thumb, p.large)]
    db.session.delete(product)
    db.session.flush()
    uploads.delete(*names)


def store_products(store: Store, include_hidden: bool = False) -> list[Product]:
    """A store's products as models, for its seller and its KIM (public pages use cards), each
    with its cover photo and today's (and later days') portions joined in."""
    query = (
        select(Product)
        .where(Product.store_id == store.id)
        .options(joinedload(Product.cover_photo), joinedload(Product.upcoming_portions))
        .order_by(Product.position, Product.id)
    )
    if not include_hidden:
        query = query.where(Product.is_hidden.is_(False))
    return list(db.session.scalars(query).unique())


def _visible():
    """Which of a store's products its public page (and a campaign's or event's) shows: those
    not hidden."""
    return Product.is_hidden.is_(False)


def _visible_cards(stores) -> Select:
    """The cards of the visible products of the stores ``stores`` (a condition on the
    product's store) in the seller's order, store by store."""
    return card_select(
        select(Product.id)
        .join(Product.store)
        .where(stores, _visible())
        .order_by(Product.store_id, Product.position, Product.id)
    )


def store_cards_column(dialect: str):
    """The cards of the visible products of the store of the select around it (a store's page
    reads them beside the store's row: ``cards.cards_column``), in the seller's order."""
    return cards_column(dialect, Product.store_id == Store.id, _visible())


def products_by_store(store_ids: list[int]) -> dict[int, list[ProductCard]]:
    """The cards of several stores' visible products in one query (store, campaign and event
    pages), each store's in the seller's order."""
    grouped: dict[int, list[ProductCard]] = {store_id: [] for store_id in store_ids}
    if not store_ids:
        return grouped
    today = jakarta_today()
    areas = kelurahan_index()
    for row in db.session.execute(
        _visible_cards(Product.store_id.in_(store_ids)), card_params(today)
    ):
        card = card_from_row(row, today, areas)
        grouped[card.store_id].append(card)
    return grouped


LOW_STOCK = 3


def low_stock(
    store_ids: list[int], today: date | None = None
) -> dict[int, list[tuple[Product, int]]]:
    """Visible products running low (counted stock, or today's daily portions): at most
    ``LOW_STOCK`` left, or a fifth of the daily quota, per store, for the seller's dashboard."""
    today = today or jakarta_today()
    alerts: dict[int, list[tuple[Product, int]]] = {store_id: [] for store_id in store_ids}
    if not store_ids:
        return alerts
    for product in db.session.scalars(
        select(Product)
        .where(
            Product.store_id.in_(store_ids),
            Product.is_hidden.is_(False),
            Product.is_sold_out.is_(False),
            Product.stock_mode.in_([StockMode.COUNTED, StockMode.DAILY]),
        )
        .options(selectinload(Product.upcoming_portions))
        .order_by(Product.name)
    ):
        left = product.portions_left(today)
        threshold = LOW_STOCK
        if product.stock_mode == StockMode.DAILY and product.daily_quota:
            threshold = max(LOW_STOCK, product.daily_quota // 5)
        if left is not None and left <= threshold:
            alerts[product.store_id].append((product, left))
    return alerts


def categories() -> list[Category]:
    """The categories as rows, in their order (for the city admin, who edits them)."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))


@dataclass(frozen=True)
class CategoryRef:
    """A read-only copy of a category for public lists (see ``core.refcache``)."""

    id: int
    name: str
    name_en: str
    slug: str

    def label(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


def category_refs() -> tuple[CategoryRef, ...]:
    """The categories in their order, as kept by the process for the public pages."""
    return reference(
        "categories",
        frozenset({"categories"}),
        lambda: tuple(CategoryRef(c.id, c.name, c.name_en, c.slug) for c in categories()),
    )


def category_by_slug(slug: str) -> CategoryRef | None:
    """The category at ``slug``; one created on another instance a moment ago is found too."""
    for ref in category_refs():
        if ref.slug == slug:
            return ref
    found = db.session.scalar(select(Category).where(Category.slug == slug))
    return CategoryRef(found.id, found.name, found.name_en, found.slug) if found else None


@functools.cache
def _latest_stores_statement(limit: int) -> Select:
    verified = Store.status == VERIFIED_SQL
    return (
        select(Store.name, Store.slug, Store.kelurahan_id)
        .where(verified)
        .order_by(Store.verified_at.desc(), Store.id.desc())
        .limit(literal_column(str(limit), Integer))  # a LIMIT PostgreSQL can plan for
    )


def latest_stores(limit: int) -> list[StoreRef]:
    """The ``limit`` most recently verified stores, as links (one statement, made once)."""
    return store_refs(run_read(_latest_stores_statement(limit)))


def _stock_mode_is(mode: StockMode):
    # the mode as SQL text, not a parameter: a prepared statement's generic plan, made without
    # the values, guessed how many products each mode has and kept the home page's statement
    # planned afresh on every request (0.44 ms instead of 0.12 ms)
    return Product.stock_mode == literal_column(f"'{mode.value}'")


def _available_clause(today: date):
    return and_(
        Product.is_sold_out.is_(False),
        or_(
            _stock_mode_is(StockMode.UNLIMITED),
            and_(_stock_mode_is(StockMode.COUNTED), Product.stock > 0),
            and_(
                _stock_mode_is(StockMode.DAILY),
                Product.daily_quota > 0,
                ~exists().where(
                    DailyPortion.product_id == Product.id,
                    DailyPortion.day == today,
                    DailyPortion.taken >= Product.daily_quota,
                ),
            ),
        ),
    )


#: a listing counts and pages through at most this many products (25 pages of 24): past it, the
#: visitor narrows the search (a filter, a kelurahan) instead of paying for an ever deeper
#: OFFSET. Every counted page keeps, counts and sorts this many matches, and a search with
#: filters reads the word's postings until it has found them all: 1,200 cost a search with four
#: filters ~0.9 ms more at 100k (nearly twice as many postings walked), and no one on a phone
#: pages past the 25th page of a search
MAX_RESULTS = 600


def _most_kept(page: int, per_page: int, window: bool) -> int:
    """How many matches a counted listing keeps (``_page_statement``): one past the bound, to
    know there are more; ``window`` (a search page), one past the page asked (``page``, of
    ``per_page``), to know there is a next one. A search ranks and counts what it keeps: its
    first page keeping 25 matches, not 601, cost PostgreSQL ~0.4–0.75 ms less at 100k (a word's
    postings walked to the 25th match, not the 601st; "ayam" with four filters walks ~2,800
    for 601)."""
    if window:
        return min(page * per_page, MAX_RESULTS) + 1
    return MAX_RESULTS + 1


#: the orders that walk the price index (``ix_products_listed_price``)
PRICE_SORTS = ("price_asc", "price_desc")


@dataclass
class ResultPage(Page):
    """One page of a listing. ``total`` stops at MAX_RESULTS (``more`` says there were more);
    None when the caller did not ask for a count (the home page); a search page, counted
    through its own page only, is ``open_ended`` when it has a next one."""

    more: bool = False
    #: found by names that look like the words typed, none matching them exactly
    similar: bool = False
    #: the words typed match products, but none passes the other filters
    filtered_out: bool = False
    #: the stores the words find (``browse_products(with_stores=True)``)
    stores: list | None = None
    #: the words searched for instead of a typo in those typed (``search.corrected_terms``)
    corrected: str = ""
    #: the values of the columns the page was asked to carry (``browse_products(carry=...)``),
    #: in their order; None when it had no row to carry them on (read them on their own)
    carried: tuple | None = None
    #: each word typed corrected (``search.correction_query``), read with a search page that
    #: found nothing (PostgreSQL); None when not read
    corrections: list | None = None
    #: the words the page's statement searched instead of a typo in those typed, space-separated
    #: (``search.typo_words``, PostgreSQL); None when it searched the words typed
    searched_instead: str | None = None
    #: the words but the last that the page's statement searched when no product has every
    #: word (``search.fewer_words``, PostgreSQL); None when it searched every word
    searched_fewer: str | None = None


def _order_key(entry) -> tuple:
    """(expression, descending) of an ORDER BY entry (``x`` or ``x.desc()``)."""
    if isinstance(entry, UnaryExpression) and entry.modifier is operators.desc_op:
        return entry.element, True
    return entry, False


@dataclass(frozen=True)
class _Shape:
    """What a listing's statement is made of: which filters, which order, which kind of match,
    counted or not; not their values, which are its bind parameters (``_listing_params``)."""

    dialect: str
    match: str | None
    sort: str
    category: bool
    kelurahan: bool
    store: bool
    min_price: bool
    max_price: bool
    halal: bool
    available: bool
    open_now: bool
    near: bool
    count: bool
    #: one word, ranked by relevance: answered from the word's postings when its prefix is one
    #: word of the catalogue (``search.postings_top``)
    postings: bool = False
    #: two words or more, ranked by relevance: answered from the pairs of the products' names
    #: when two whole words are searched (more typed, the others corrected away or left out)
    #: and enough hold both (``search.pairs_top``)
    pairs: bool = False
    #: the stores the words find come with the page (a search page: one statement, not two)
    stores: bool = False
    #: three words or more and no filter: when no product has every word, the words but the
    #: last are searched in the same statement (``search.fewer_words``)
    fewer: bool = False
    #: counted through the page asked and one past it, not to the bound (a search page:
    #: ``_most_kept``)
    window: bool = False
    #: columns of other lists the page's rows carry (``browse_products(carry=...)``): each
    #: made once per process, so that the same columns make the same key
    carry: tuple = ()

    @property
    def planned_with_values(self) -> bool:
        """Whether the statement is planned for each request's values, never once for all: a
        price range on the products walked in an order other than the price's. A plan made
        once for any prices (a prepared statement's) takes a range of unknown prices for a
        sliver of the catalogue and walked the price index (``ix_products_listed_price``),
        then sorted: ~18 ms at 100k for the newest products between two prices, where the
        newest-first index filtered by price takes ~1.3 ms. (The postings of a one-word
        search carry the price: no index on the products is walked there.)"""
        return (
            (self.min_price or self.max_price)
            and not self.postings
            and self.sort not in PRICE_SORTS
        )


#: the listings' statements by shape: building one (and the key SQLAlchemy finds its compiled
#: form by) cost more CPU than PostgreSQL spends running it; kept, it is built once per process
_STATEMENTS: dict[tuple[_Shape, int], Select] = {}
_STATEMENTS_KEPT = 512


def _listing_statement(
    shape: _Shape, size: int, kept: int, found: Match | None, stores: Match | None = None
) -> Select:
    key = (shape, size, kept)  # the page size and how many it keeps are written into it
    statement = _STATEMENTS.get(key)
    if statement is None:
        postings = pairs = None
        if shape.postings:
            postings = _filters(shape, POSTINGS.c, product_id=POSTINGS.c.product_id)
        elif shape.pairs:
            pairs = _filters(shape, PAIRS.c, product_id=PAIRS.c.product_id)
        statement = _page_statement(
            *_matching(shape, found),
            size=size,
            kept=kept,
            count=shape.count,
            postings=postings,
            pairs=pairs,
            fewer=_fewer_top(shape, found, pairs, kept) if shape.fewer else None,
            near=_postings_near() if shape.postings and shape.near else None,
            extra=((_store_hits(stores),) if shape.stores else ())
            + ((typo_words().label("searched_instead"),) if _corrects(shape) else ())
            + shape.carry,
            when_empty=_when_empty(shape),
        )
        if len(_STATEMENTS) >= _STATEMENTS_KEPT:
            _STATEMENTS.clear()
        _STATEMENTS[key] = statement
    return statement


def _fewer_top(
    shape: _Shape, found: Match, pairs: list | None, kept: int
) -> Select | CompoundSelect:
    """The first ``kept`` matches of ``found``'s words but the last, with the keys of
    the order they are in (``_page_statement``'s ``top``); with ``pairs`` (the filters'
    conditions on the pairs), read from the pairs of the products' names when there are two
    words and enough hold them."""
    top = _kept(*_matching(shape, fewer_match(Product.__table__, found)), kept)
    if pairs is not None:
        top = pairs_top(top, kept, pairs, fewer=True)
    return top


def _kept(matching: Select, order: list, kept: int) -> Select:
    """The first ``kept`` of ``matching`` in ``order``, with the keys of the order (columns
    key0, key1...); ``kept`` is SQL text, not a parameter (``_page_statement``)."""
    keys = (_order_key(entry)[0].label(f"key{n}") for n, entry in enumerate(order))
    return matching.add_columns(*keys).order_by(*order).limit(literal_column(str(kept), Integer))


def _corrects(shape: _Shape) -> bool:
    """Whether the listing's statement searches words that it corrects (PostgreSQL): each of
    its rows carries the words searched instead of a typo (``search.typo_words``), and a page
    that finds nothing each word typed corrected (``_when_empty``)."""
    return shape.dialect == "postgresql" and shape.match in ("text", "words") and shape.count


def _when_empty(shape: _Shape) -> tuple:
    """What a search page that finds no product asks next, read in its own statement
    (PostgreSQL): each word corrected (``search.correction_query``), and, read from the
    postings, whether the word begins several words (``search.postings_ambiguous``: every
    match is then ranked in a statement of its own)."""
    return ((correction_query(),) if _corrects(shape) else ()) + (
        (postings_ambiguous(),) if shape.postings else ()
    )


def _page_statement(
    matching: Select,
    order: list,
    size: int,
    kept: int,
    count: bool,
    postings: list | None = None,
    near: tuple | None = None,
    extra: tuple = (),
    pairs: list | None = None,
    when_empty: tuple = (),
    fewer: Select | CompoundSelect | None = None,
) -> Select:
    """The page of ``matching`` (a select of product ids with its joins and filters) in
    ``order``, as cards, ``size`` of them from ``:page_start``. Counted, it is one
    statement: the first ``kept`` matches in order (``_most_kept``) are kept in a CTE and
    counted, and the page is cut from them, clamped to the last page whatever page was asked
    for; uncounted
    (the home page), the matches join their store and are the page. With ``postings`` (a
    search for one word: the filters' conditions on the postings), the CTE is read from the
    word's postings in rank order when the word is one of the catalogue's (when it begins
    several, the page finds nothing and says so: ``_when_empty``); with ``pairs`` (a search
    for two words or more: the filters' conditions on the pairs), from the pairs of the products'
    names when they hold enough; with ``fewer`` (a search for three words or more: the first
    ``kept`` matches of the words but the last, ``_fewer_top``), those when no
    product has every word, and a last column of ``extra`` says which words were searched.
    ``extra``: columns the page carries before its total (each row the same value). With
    ``when_empty`` (columns of what a page that finds nothing asks next), a page that finds
    nothing is still one row, its card's columns NULL, which carries ``extra`` and these
    columns, each worked out only then (NULL on a page that found products): the page and
    what its emptiness asks are one statement, not two."""
    # the page size is SQL text, not a parameter: PostgreSQL then knows how many rows the page
    # has (of a LIMIT it cannot know it assumes a tenth of what is cut, whose per-row subqueries
    # then made a prepared statement's generic plan look dearer than planning afresh: a
    # kelurahan's listing was planned on every request, 0.5 ms)
    size = literal_column(str(size), Integer)
    if not count:
        return card_select(matching).order_by(*order).limit(size)
    # the first ``kept`` in order (a top-N sort of the matches, or an index walked that
    # far), with the keys they are in order by: the matches are evaluated once (a search's
    # ranking of thousands costs more than the rest of the page)
    keys = [_order_key(entry) for entry in order]
    # MAX_RESULTS and ``kept`` are SQL text, not parameters: a prepared statement's generic
    # plan is then made knowing how far the walk goes (a LIMIT of unknown size is planned as a
    # tenth of the table, which kept PostgreSQL planning the statement afresh on each run)
    most = literal_column(str(MAX_RESULTS), Integer)
    top = _kept(matching, order, kept)
    if postings is not None:
        # the postings only: a word that begins several words is ranked in a statement of its
        # own (``_result_page``), not set up on every page of a whole word
        top = postings_top(top, kept, postings, near=near, fallback=False)
    elif pairs is not None:
        top = pairs_top(top, kept, pairs)
    top = top.cte("top")
    if fewer is not None:
        # words no product has together: the words but the last, in the same statement, set up
        # but not run when the words are found (a second statement cost ~1 ms at 100k). A word
        # that begins no word of the catalogue and is like none (``correction_query`` has no
        # word for it) is left to ``browse_products``, which leaves it out
        none = ~exists(top.select())
        known = func.array_position(correction_query(), null()).is_(None)
        instead = select(fewer.subquery("fewer_matches")).where(none, known).cte("top_fewer")
        extra = (*extra, case((none, fewer_words()), else_=null()).label("searched_fewer"))
        # read where ``top`` is read (each kept once, and the first matches not copied again)
        top = union_all(select(top), select(instead)).subquery("found")

    def in_order(rows) -> list:
        return [
            rows.c[f"key{n}"].desc() if desc else rows.c[f"key{n}"]
            for n, (_, desc) in enumerate(keys)
        ]

    # counted once, and the cut worked out once from the count (not for each match)
    total = func.count()
    counted = (
        select(total.label("total"), case((total > most, most), else_=total).label("shown"))
        .select_from(top)
        .cte("counted")
    )
    shown = counted.c.shown
    last_start = case((shown > 0, (shown - 1) // size * size), else_=0)
    wanted_start = bindparam("page_start", type_=Integer)
    start = case((last_start < wanted_start, last_start), else_=wanted_start)
    # what a page that finds nothing asks next, worked out once, with the bounds, and only then
    # (a CASE whose condition is false does not call what its branch calls)
    nothing = counted.c.total == literal_column("0", Integer)
    asked = [
        case((nothing, wanted), else_=null()).label(f"when_empty{n}")
        for n, wanted in enumerate(when_empty)
    ]
    bounds = select(counted.c.total, shown, start.label("start"), *asked).cte("bounds")
    # a last page of a size that does not divide MAX_RESULTS may end past the bound, on the
    # match kept only to know there are more: ``_result_page`` leaves it out
    listed = top
    if when_empty:
        # a page that finds nothing is still one row, of NULLs, joined to no product, which
        # carries ``extra`` and ``when_empty``; it goes in before the page is cut, so that a
        # page that finds products keeps the order it is cut in (no sort after the joins)
        filler = select(*(null().label(name) for name in top.c.keys())).where(~exists(top.select()))
        listed = union_all(select(top), filler).subquery("listed")
    page = (
        select(listed)
        .order_by(*in_order(listed))
        .offset(select(bounds.c.start).scalar_subquery())
        .limit(size)
        .subquery("page")
    )
    total = select(bounds.c.total).scalar_subquery().label("total")
    if not when_empty:
        return (
            select(*card_columns(), *extra, total)
            .select_from(Product)
            .join(page, page.c.id == Product.id)
            .join(Product.store)
            .order_by(*in_order(page))
        )
    asked = [select(bounds.c[column.name]).scalar_subquery() for column in asked]
    return (
        select(*card_columns(), *extra, *asked, total)
        .select_from(page)
        .outerjoin(Product, Product.id == page.c.id)
        .outerjoin(Store, Store.id == Product.store_id)
        .order_by(*in_order(page))
    )


def _result_page(
    filters: BrowseFilters,
    found: Match | None,
    now: datetime | None,
    page: int,
    per_page: int,
    count: bool,
    stores: Match | None = None,
    carry: tuple = (),
    carry_params: dict | None = None,
    from_postings: bool = True,
    fewer: bool = False,
    window: bool = False,
) -> ResultPage:
    """The page of the listing ``filters`` and ``found`` ask for: its kept statement, run with
    this request's values. With ``stores`` (a search for the same words among the stores),
    the page also carries the stores found, when it has a row to carry them (None when they
    must be read on their own); with ``carry`` (a counted page only), the values of those
    columns (``carry_params``: their values). A word read from its postings that begins
    several words is ranked afresh, in a second statement (``from_postings=False``).
    ``fewer``: when no product has every word (three or more, no filter), the page is of the
    words but the last (``ResultPage.searched_fewer``). ``window``: counted through the page
    asked and one past it only (``_most_kept``; ``ResultPage.open_ended``)."""
    today = jakarta_today()
    shape, params = _listing_params(filters, found, now, count, from_postings, fewer)
    if stores is not None and count and found is not None and found.kind in ("text", "words"):
        shape = dataclasses.replace(shape, stores=True)
    if carry and count:
        shape = dataclasses.replace(shape, carry=tuple(carry))
        for name, value in (carry_params or {}).items():
            if params.setdefault(name, value) != value:
                raise ValueError(f"carried :{name} differs from the listing's")
    if window and count:
        shape = dataclasses.replace(shape, window=True)
    # no page lies past the bound's last: a page number typed in the millions would make a
    # start beyond what the database's integers hold
    page = min(max(page, 1), -(-MAX_RESULTS // per_page))
    params.update(card_params(today), page_start=(page - 1) * per_page)
    asked = len(_when_empty(shape))
    if asked:
        params.update(correction_params(search_terms(filters.q)))
    kept = _most_kept(page, per_page, shape.window)
    statement = _listing_statement(shape, per_page, kept, found, stores)
    rows = run_read(statement, params, prepare=False if shape.planned_with_values else None)
    row = rows[0] if rows else None  # what each row carries beside its card
    if row is not None and row[CARD_ID] is None:
        rows = []  # the one row of a page that found nothing (``when_empty``)
        if shape.postings and row[-2]:  # the last of ``_when_empty``: the word is ambiguous
            again = (filters, found, now, page, per_page, count, stores, carry, carry_params)
            return _result_page(*again, from_postings=False, window=window)
    areas = kelurahan_index() if rows else {}
    cards = [card_from_row(card, today, areas) for card in rows]
    if not count:
        return ResultPage(cards, 1, per_page, None)
    found_count = row[-1] if row is not None else 0
    total = min(found_count, MAX_RESULTS)
    page = min(max(page, 1), max(1, -(-total // per_page)))  # as the statement clamps it
    del cards[max(0, total - (page - 1) * per_page) :]  # the last page stops at the bound
    results = ResultPage(cards, page, per_page, total, more=found_count > MAX_RESULTS)
    # counted through this page only (and one past it, short of the bound): it has a next one
    results.open_ended = shape.window and found_count == kept <= MAX_RESULTS
    if row is None:
        return results
    # the row's last columns: the stores, the words searched instead, the carried columns, what
    # a page that finds nothing asks (``_when_empty``), the count
    asked_at = len(row) - 1 - asked
    if shape.fewer:
        results.searched_fewer = row[asked_at - 1]  # the last of the extra columns
        asked_at -= 1
    carried = len(shape.carry)
    if carried:
        results.carried = tuple(row[asked_at - carried : asked_at])
    end = asked_at - carried
    if _corrects(shape):
        results.corrections = row[asked_at]  # the first of ``_when_empty``
        results.searched_instead = row[end - 1]
        end -= 1
    if shape.stores:
        found_stores = row[end - 1]  # None: to be read on their own
        results.stores = None if found_stores is None else refs_from_column(found_stores)
    return results


def browse_products(
    filters: BrowseFilters,
    page: int,
    per_page: int,
    now: datetime | None = None,
    count: bool = True,
    with_stores: bool = False,
    carry: tuple = (),
    carry_params: dict | None = None,
    window: bool = False,
) -> ResultPage:
    """A page of public products matching ``filters`` in a fixed number of queries, the same on
    the first page and the last. A search that finds nothing as typed is tried once more for
    names that look like it ("sambel" finds "Sambal"), and the page says so. ``with_stores``:
    the page's ``stores`` are the verified stores the words find (``search_stores``), read
    with the products when they find any, else on their own. ``carry``: labelled scalar
    columns (each made once per process) of other lists the page shows, read in the same
    statement as the products, their bind parameters' values in ``carry_params``; the page's
    ``carried`` holds their values, or None when it had no product to carry them (a
    listing with none, a search retried): the caller then reads them on their own.
    ``window`` (a search page): counted through the page asked and one past it only, not to
    MAX_RESULTS; the page is ``open_ended`` when it has a next one, whose number of pages is
    not known."""
    terms = search_terms(filters.q)
    found = text_match(Product.__table__, terms) if terms else None
    stores = text_match(Store.__table__, terms) if terms and with_stores else None

    def page_of(match: Match, **more) -> ResultPage:
        return _result_page(filters, match, now, page, per_page, count, window=window, **more)

    results = page_of(found, stores=stores, carry=carry, carry_params=carry_params, fewer=True)
    if results.searched_fewer is not None:
        # no product has every word (PostgreSQL): the page searched the words but the last, as
        # ``_fewer_words`` does, and says so
        return _saying_fewer(results, results.searched_fewer)
    # a typo (PostgreSQL): the page searched the words it was most likely meant to be, and says so
    instead = results.searched_instead
    if instead is not None and results.total:
        results.corrected, results.similar = instead, True
    retrying = found is not None and count and results.total == 0
    if stores is not None and results.stores is None:
        # no row carried them (SQLite, when the page found no product): on their own
        results.stores = search_stores(filters.q)
    if retrying:
        # each word corrected: the words the page searched instead, or read with the page
        # (PostgreSQL), or on their own
        if instead is not None:
            corrected = instead.split()
        elif results.corrections is not None:
            corrected = corrected_from(results.corrections, terms)
        else:
            corrected = corrected_terms(terms)
        found_stores = results.stores
        if corrected == terms and _narrowed(filters) and _words_found(found, terms):
            # the words are right and the filters left nothing ("open now" at night): no typo
            # to look for, and the page says so
            results.filtered_out = True
            return results
        if instead is not None:
            # the page was the search for the corrected words: when the filters leave none of
            # those, it says so, as for the words typed
            fixed = text_match(Product.__table__, corrected)
            if _narrowed(filters) and _words_found(fixed, corrected):
                results.corrected, results.filtered_out = instead, True
                return results
        elif corrected != terms:
            # a typo in a word: the search for the words it was most likely meant to be (and,
            # when the filters leave none of those, the page says so, as for the words typed)
            fixed = text_match(Product.__table__, corrected)
            retry = page_of(fixed)
            if retry.total or (_narrowed(filters) and _words_found(fixed, corrected)):
                retry.corrected = " ".join(corrected)
                retry.similar, retry.filtered_out = bool(retry.total), not retry.total
                retry.stores = found_stores
                return retry
        # words corrected one by one (PostgreSQL): no typo is left, so no product has every
        # word; elsewhere, a typo may still be there, and names alike come first
        corrects_words = dialect_name() == "postgresql"
        if len(corrected) > 1 and corrects_words:
            # the last statement the page may make (at most six): names alike, row by row,
            # cost more than these and would find what these did not only rarely
            return _fewer_words(page_of, corrected, found_stores)
        similar = similar_match(Product.__table__, terms)
        results = page_of(similar)
        results.similar = results.total > 0
        results.stores = found_stores
        if not results.total and len(corrected) > 1:
            return _fewer_words(page_of, corrected, found_stores)
    return results


def _fewer_words(page_of, words: list[str], stores) -> ResultPage:
    """No product has every word: the page of the words but the last (in Indonesian the first
    word names the dish, the next ones say more of it: "es teh manis" -> "es teh"), which says
    so; when they find nothing either, an empty page. ``page_of``: the page of a match."""
    fewer = words[:-1]
    retry = page_of(text_match(Product.__table__, fewer))
    retry.stores = stores
    return _saying_fewer(retry, " ".join(fewer))


def _saying_fewer(results: ResultPage, words: str) -> ResultPage:
    """``results``, the page of ``words`` (those typed but the last), saying that it shows
    names like the words typed; when it found nothing either, an empty page that says
    nothing of them."""
    results.corrected = words if results.total else ""
    results.similar = bool(results.total)
    return results


def _narrowed(filters: BrowseFilters) -> bool:
    """Whether ``filters`` ask for more than the words typed."""
    return bool(
        filters.category_id
        or filters.kelurahan_id
        or filters.store_id
        or filters.min_price is not None
        or filters.max_price is not None
        or filters.open_now
        or filters.halal
        or filters.available
    )


def _with_words(query: Select, found: Match, row_id=Product.id) -> Select:
    """``query`` (of products, or of the table whose id is ``row_id``) narrowed to the rows
    ``found`` matches."""
    if found.join is not None:
        query = query.join(found.join, found.join.c.id == row_id)
    if found.condition is not None:
        query = query.where(found.condition)
    return query


def _words_found(found: Match, terms: list[str]) -> bool:
    """Whether any listed product matches the words (``terms``, as ``found`` looks for them),
    whatever the other filters say (on PostgreSQL, from the postings: ``terms_posted``)."""
    if dialect_name() == "postgresql":
        return terms_posted(terms)
    query = _with_words(select(Product.id).where(Product.listed), found)
    return bool(db.session.scalar(select(query.exists()), found.params))


#: how much a search's ranking favours what buyers liked and what is near them: the text's rank
#: (lower is better, on both databases) is multiplied by 1 + these shares
RATING_SHARE = 0.2  # a 5-star average from 5 reviews or more
SAME_KELURAHAN_SHARE = 0.3
SAME_KECAMATAN_SHARE = 0.15


def _tier(found: Match) -> list:
    """The first key of a search's order by relevance for several words: the products whose
    name holds every word before the others (``Match.tier``); none for one word."""
    return [] if found.tier is None else [found.tier]


def _relevance(found: Match, near: bool):
    """The text's rank mixed with the product's rating (weighed by how many reviews back it)
    and, ``near``, the store's distance to the buyer's kelurahan (``:near_kelurahan``; the
    others of its kecamatan: ``:near_neighbours``), as whole kelurahan and kecamatan."""
    rating = case(
        (Product.rating_count >= 5, Product.rating_sum / (Product.rating_count * 5.0)),
        (Product.rating_count > 0, Product.rating_sum / 25.0),
        else_=0.0,
    )
    boost = 1.0 + RATING_SHARE * rating
    if near:
        boost = boost + _nearness(Product.kelurahan_id)
    return found.rank * boost


def _nearness(kelurahan_id):
    """The share a product in ``kelurahan_id`` gets for being near the buyer's kelurahan."""
    return case(
        (kelurahan_id == bindparam("near_kelurahan", type_=Integer), SAME_KELURAHAN_SHARE),
        (kelurahan_id.in_(_near_neighbours()), SAME_KECAMATAN_SHARE),
        else_=0.0,
    )


def _near_neighbours():
    return bindparam("near_neighbours", expanding=True)


def _postings_near():
    """(the postings of products in the buyer's kecamatan, their rank near the buyer): the
    relevance of ``_relevance`` computed from a posting's text rank and rating boost, in the
    same operations, so that the same product gets the same number either way."""
    nearby = POSTINGS.c.kelurahan_id.in_(_near_neighbours())
    rank = -POSTINGS.c.text_rank * (POSTINGS.c.boost + _nearness(POSTINGS.c.kelurahan_id))
    return nearby, rank


@functools.cache
def rating_order():
    """A product's average rating in whole thousandths (0 unrated), exactly as the index of
    the best-rated listing writes it (migration 0038): its numbers are SQL text, not bound
    parameters, so that a prepared statement's plan can still match the index."""
    zero, thousand = literal_column("0", Integer), literal_column("1000", Integer)
    return case(
        (Product.rating_count > zero, (Product.rating_sum * thousand) // Product.rating_count),
        else_=zero,
    )


def _listing_params(
    filters: BrowseFilters,
    found: Match | None,
    now: datetime | None,
    count: bool,
    from_postings: bool = True,
    fewer: bool = False,
) -> tuple[_Shape, dict]:
    """The shape of the listing ``filters`` ask for, and the values of its bind parameters.
    ``from_postings=False``: one word is found by ranking every match; ``fewer``: three words
    or more without a filter are searched but the last when no product has them all."""
    params = dict(found.params) if found is not None else {}
    sort = filters.sort if filters.sort in SORTS else ""
    if not sort or (sort == "relevance" and found is None):
        sort = "relevance" if found is not None else "newest"
    for name in ("category_id", "kelurahan_id", "store_id"):
        if getattr(filters, name):
            params[name] = getattr(filters, name)
    for name in ("min_price", "max_price"):
        if getattr(filters, name) is not None:
            params[name] = getattr(filters, name)
    if filters.available:
        params["available_day"] = jakarta_today(now)
    if filters.open_now:
        params.update(accepting_orders_params(now))
    home = None
    if sort == "relevance" and filters.near_kelurahan_id:
        areas = all_kelurahan()
        home = kelurahan_by_id(filters.near_kelurahan_id)
        if home is not None:
            params["near_kelurahan"] = home.id
            params["near_neighbours"] = [k.id for k in areas if k.kecamatan_id == home.kecamatan_id]
    dialect = dialect_name()
    shape = _Shape(
        dialect=dialect,
        match=found.kind if found is not None else None,
        sort=sort,
        category=bool(filters.category_id),
        kelurahan=bool(filters.kelurahan_id),
        store=bool(filters.store_id),
        min_price=filters.min_price is not None,
        max_price=filters.max_price is not None,
        halal=filters.halal,
        available=filters.available,
        open_now=filters.open_now,
        near=home is not None,
        count=count,
    )
    if dialect == "postgresql" and found is not None and sort == "relevance" and count:
        if found.words == 1 and found.kind == "text" and from_postings:
            shape = dataclasses.replace(shape, postings=True)
        elif found.words >= 2 and found.kind == "words" and home is None:
            shape = dataclasses.replace(shape, pairs=True)
    if fewer and dialect == "postgresql" and found is not None and count:
        if found.kind == "words" and found.words >= 3 and not _narrowed(filters):
            shape = dataclasses.replace(shape, fewer=True)
    return shape, params


def _matching(shape: _Shape, found: Match | None) -> tuple[Select, list]:
    """(a select of the ids of the public products of ``shape``, their order), its values as
    bind parameters. The store is joined for an uncounted page (its cards are the matches); the
    ``listed`` flag, the product's copy of its store's kelurahan and the set of stores open now
    say the rest."""
    query = select(Product.id).where(Product.listed)
    if not shape.count:
        query = query.join(Product.store)
    if found is not None:
        query = _with_words(query, found)
    query = query.where(*_filters(shape, Product))
    order = {
        "relevance": lambda: [*_tier(found), _relevance(found, shape.near), Product.id],
        "newest": lambda: [Product.created_at.desc(), Product.id.desc()],
        "price_asc": lambda: [Product.price, Product.id],
        "price_desc": lambda: [Product.price.desc(), Product.id.desc()],
        "name": lambda: [Product.name, Product.id],
        # best average first (whole thousandths), then the most reviewed; unrated last
        "rating": lambda: [rating_order().desc(), Product.rating_count.desc(), Product.id],
    }[shape.sort]()
    return query, order


def _filters(shape: _Shape, row, product_id=None) -> list:
    """The conditions of the filters of ``shape`` on ``row``: ``Product``, or the columns of
    rows that copy a product's (``search.POSTINGS.c``: ``product_id`` is then their product's
    id, and what they lack is read from the product). Their values are bind parameters."""
    conditions = [
        getattr(row, name) == bindparam(name, type_=Integer)
        for present, name in (
            (shape.category, "category_id"),
            (shape.kelurahan, "kelurahan_id"),
            (shape.store, "store_id"),
        )
        if present
    ]
    if shape.min_price:
        conditions.append(row.price >= bindparam("min_price", type_=Integer))
    if shape.max_price:
        conditions.append(row.price <= bindparam("max_price", type_=Integer))
    if shape.halal:
        conditions.append(row.is_halal.is_(True))
    if shape.available:
        available = _available_clause(bindparam("available_day", type_=DailyPortion.day.type))
        if product_id is not None:
            available = exists().where(Product.id == product_id, available)
        conditions.append(available)
    if shape.open_now:
        conditions.append(accepting_orders(row.store_id, dialect=shape.dialect))
    return conditions


#: how many stores a search page lists above the products
STORE_HITS = 6

#: a search's store statements by (dialect, kind of match, read from the postings, numbered, how
#: many, with the fallback), made once per process
_STORE_SEARCHES: dict[tuple[str, str, bool, bool, int, bool], Select] = {}


def _stores_posted(found: Match, dialect: str) -> bool:
    """Whether a search for the stores ``found`` finds is read from the stores' postings: one
    word, on PostgreSQL."""
    return found.words == 1 and dialect == "postgresql"


def _store_search_statement(
    found: Match, limit: int, numbered: bool = False, fallback: bool = True
) -> Select:
    """The verified stores matching ``:search_words``, best first, ``limit`` of them: (name,
    slug, kelurahan id) and, ``numbered``, their place in that order. One word on PostgreSQL
    is read from the stores' postings (``search.postings_top``), two words from the pairs of
    their names (``search.pairs_top``). The limit is SQL text: as a parameter, PostgreSQL took
    it for a tenth of the stores found, and a statement holding it looked dearer planned once
    than planned afresh (0.7 ms of planning on every request). ``fallback=False``: read from
    the postings only, nothing when the word begins several words (``_store_hits``)."""
    dialect = dialect_name()
    posted = _stores_posted(found, dialect)
    key = (dialect, found.kind, posted, numbered, limit, fallback)
    statement = _STORE_SEARCHES.get(key)
    if statement is not None:
        return statement
    most = literal_column(str(limit), Integer)
    verified = Store.status == VERIFIED_SQL
    shown = (Store.name, Store.slug, Store.kelurahan_id)
    if posted:
        ranked = _with_words(
            select(Store.id.label("id"), found.rank.label("key0"), Store.id.label("key1")),
            found,
            Store.id,
        )
        ranked = ranked.where(verified).order_by(found.rank, Store.id).limit(most)
        top = postings_top(
            ranked, limit, [], owner=STORE_POSTINGS.c.store_id, fallback=fallback
        ).subquery("top")
        order = (top.c.key0, top.c.key1)
        statement = select(*shown).join(top, top.c.id == Store.id)
    elif found.kind == "words" and dialect == "postgresql":
        # several words: two are read from the pairs of the stores' names when they hold enough
        keys = (found.tier, found.rank, Store.id)
        ranked = _with_words(
            select(Store.id.label("id"), *(key.label(f"key{n}") for n, key in enumerate(keys))),
            found,
            Store.id,
        )
        ranked = ranked.where(verified).order_by(*keys).limit(most)
        top = pairs_top(ranked, limit, [], owner=STORE_PAIRS.c.store_id).subquery("top")
        order = (top.c.key0, top.c.key1, top.c.key2)
        statement = select(*shown).join(top, top.c.id == Store.id)
    else:
        order = (*_tier(found), found.rank, Store.id)
        statement = _with_words(select(*shown), found, Store.id).where(verified).limit(most)
    if numbered:
        statement = statement.add_columns(func.row_number().over(order_by=order))
    statement = statement.order_by(*order)
    _STORE_SEARCHES[key] = statement
    return statement


def _store_hits(found: Match):
    """The stores ``found`` finds as one JSON column (for the search page's statement); NULL
    when one word, read from the stores' postings, begins several of their words: they are
    then ranked in a statement of their own (``search_stores``)."""
    dialect = dialect_name()
    posted = _stores_posted(found, dialect)
    statement = _store_search_statement(found, STORE_HITS, numbered=True, fallback=not posted)
    hits = statement.subquery("store_hits")
    # as text: every row of the page carries it, and only the first is read (decoding JSON
    # 24 times cost more than the statement it saved)
    rows = cast(json_rows(dialect, tuple(hits.c)), Text)
    if posted:
        rows = case((postings_ambiguous(STORE_POSTINGS), null()), else_=rows)
    return rows.label("store_hits")


def search_stores(q: str, limit: int = STORE_HITS) -> list[StoreRef]:
    """Verified stores matching the words typed, best first: on PostgreSQL a one-word search
    is read from the word's postings (``search.postings_top``)."""
    terms = search_terms(q)
    if not terms:
        return []
    found = text_match(Store.__table__, terms)
    rows = run_read(_store_search_statement(found, limit), found.params)
    return store_refs(rows)


def _category_fields(name: str, name_en: str, slug: str, category: Category | None) -> tuple:
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if not name or len(name) > 80 or len(name_en) > 80:
        raise DomainError(_("Nama kategori wajib diisi (maksimal 80 karakter)."))
    slug = (slug or "").strip().lower() or slugify(name)
    if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", slug) or len(slug) > 80:
        raise DomainError(_("Alamat kategori hanya boleh huruf kecil, angka dan tanda minus."))
    own_id = category.id if category is not None else None
    for column, value, message in (
        (Category.name, name, _("Kategori dengan nama itu sudah ada.")),
        (Category.slug, slug, _("Alamat kategori itu sudah dipakai.")),
    ):
        clash = db.session.scalar(select(Category.id).where(column == value))
        if clash is not None and clash != own_id:
            raise DomainError(message)
    return name, name_en, slug


def create_category(actor, name: str, name_en: str = "", slug: str = "") -> Category:
    """Add a category at the end (city admin only)."""
    if not actor.is_city_admin:
        raise NotAllowed(_("Hanya admin kota yang dapat mengelola kategori."))
    name, name_en, slug = _category_fields(name, name_en, slug, None)
    last = db.session.scalar(select(func.max(Category.position)))
    category = Category(name=name, name_en=name_en, slug=slug, position=(last or 0) + 1)
    db.session.add(category)
    db.session.flush()
    return category


def update_category(actor, category: Category, name: str, name_en: str, slug: str) -> None:
    """Rename a category (city admin only)."""
    if not actor.is_city_admin:
        raise NotAllowed(_("Hanya admin kota yang dapat mengelola kategori."))
    category.name, category.name_en, category.slug = _category_fields(name, name_en, slug, category)
    db.session.flush()


def move_category(actor, category: Category, direction: int) -> None:
    """Swap a category with its neighbour in the list."""
    if not actor.is_city_admin:
        raise NotAllowed(_("Hanya admin kota yang dapat mengelola kategori."))
    ordered = categories()
    for index, item in enumerate(ordered):
        item.position = index
    index = ordered.index(category)
    other = index + direction
    if 0 <= other < len(ordered):
        ordered[index].position, ordered[other].position = other, index
    db.session.flush()


def delete_category(actor, category: Category) -> None:
    """Delete an empty category; one that still holds products is refused."""
    if not actor.is_city_admin:
        raise NotAllowed(_("Hanya admin kota yang dapat mengelola kategori."))
    used = db.session.scalar(
        select(func.count(Product.id)).where(Product.category_id == category.id)
    )
    if used:
        raise DomainError(
            _("Kategori ini masih dipakai %(n)d produk. Pindahkan produknya dulu.", n=used)
        )
    db.session.delete(category)
    db.session.flush()
