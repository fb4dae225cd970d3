"""Browsing filters, full-text search on both databases, and a fixed number of queries per page."""

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats

from marketplace.areas.models import Kelurahan
from marketplace.catalog import services
from marketplace.catalog.models import DailyPortion
from marketplace.catalog.search import search_ids, search_terms
from marketplace.core.db import JAKARTA, jakarta_today
from marketplace.extensions import db
from marketplace.stores.models import StoreClosedDate
from tests.factories import kelurahan
from tests.statements import QueryCounter


@pytest.fixture
def kampung(create_store, create_product):
    """Two open stores and one closed store with a few products."""
    bu_siti = create_store(name="Warung Bu Siti", story="Nasi uduk sejak 1998")
    sate = create_store(name="Sate Kang Asep", area="Cibodasari")
    closed = create_store(
        name="Dapur Malam", periods=[(d, time(3, 0), time(3, 1)) for d in range(7)]
    )
    items = {
        "uduk": create_product(
            bu_siti,
            name="Nasi Uduk Betawi",
            price=15000,
            is_halal=True,
            description="Nasi gurih santan",
        ),
        "lontong": create_product(
            bu_siti,
            name="Lontong Sayur",
            price=12000,
            description="Teman makan nasi uduk di pagi hari",
        ),
        "sate": create_product(
            sate, name="Sate Maranggi", price=35000, is_halal=True, category="makanan-berat"
        ),
        "dawet": create_product(
            sate, name="Es Dawet", price=8000, category="minuman", stock_mode="counted", stock=0
        ),
        "malam": create_product(closed, name="Nasi Goreng Malam", price=20000),
    }
    return items


def names(page):
    return [p.name for p in page.items]


def test_prefix_matching_and_ranking(kampung):
    # Given "Nasi Uduk Betawi" names uduk and "Lontong Sayur" only mentions it in its description
    # When a visitor types the start of the word
    ids = search_ids("products", "udu")
    # Then both are found and the name match ranks first
    assert ids[:2] == [kampung["uduk"].id, kampung["lontong"].id]
    assert search_ids("products", "uduk") == ids
    assert search_ids("products", "betaw") == [kampung["uduk"].id]
    assert search_ids("products", "nasi uduk") == [kampung["uduk"].id, kampung["lontong"].id]


def test_search_is_case_and_accent_insensitive(kampung):
    assert search_ids("products", "SATE") == [kampung["sate"].id]
    assert search_ids("products", "maranggí") == search_ids("products", "maranggi")


def test_store_search(kampung):
    found = services.search_stores("asep")
    assert [s.name for s in found] == ["Sate Kang Asep"]
    assert [s.name for s in services.search_stores("uduk")] == ["Warung Bu Siti"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!!",
        "'; DROP TABLE products; --",
        '"unterminated',
        "*",
        "AND OR NOT",
        "💥🔥",
        "a" * 500,
        "uduk:* & |",
        "NEAR(",
        "\\x00",
        "%",
        "_",
    ],
)
def test_absurd_queries_never_error(client, kampung, query):
    response = client.get("/cari", query_string={"q": query})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Terjadi kesalahan" not in text


def test_search_page_finds_by_prefix(client, kampung):
    text = client.get("/cari?q=uduk").get_data(as_text=True)
    assert text.index("Nasi Uduk Betawi") < text.index("Lontong Sayur")
    assert "Warung Bu Siti" in text


def test_a_search_page_lists_the_stores_its_words_find(client, kampung, create_store):
    """The stores come with the products in one statement; when no product matches (or only
    a typo's lookalikes do) they are still listed, read on their own."""
    create_store(name="Kedai Uduk Ibu", status="pending")  # not verified: never listed

    def stores_of(url: str) -> tuple[list[str], int]:
        with QueryCounter(db.engine) as counter:
            response = client.get(url)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        listed = text.split("<h2>Produk</h2>")[0]  # the stores come before the products
        names = ["Warung Bu Siti", "Sate Kang Asep", "Dapur Malam", "Kedai Uduk Ibu"]
        return [name for name in names if name in listed], counter.count

    client.get("/cari?q=uduk")
    assert stores_of("/cari?q=uduk") == (["Warung Bu Siti"], 1)
    found = services.browse_products(services.BrowseFilters(q="uduk"), 1, 10, with_stores=True)
    assert [(s.name, s.kelurahan.name) for s in found.stores] == [("Warung Bu Siti", "Uwung Jaya")]
    assert found.stores == services.search_stores("uduk")
    # a store's name matches, no product does: the store is listed all the same
    names, _ = stores_of("/cari?q=asep")
    assert names == ["Sate Kang Asep"]
    # "malam": the store "Dapur Malam" and its product; at night "open now" leaves no product
    names, _ = stores_of("/cari?q=malam&buka=1")
    assert names == ["Dapur Malam"]
    # a typo finds lookalike products, and the stores the words typed find (none)
    assert stores_of("/cari?q=maranggo")[0] == []


def test_search_terms_are_sanitised():
    assert search_terms("Nasi-Uduk (Betawi)!") == ["nasi", "uduk", "betawi"]
    assert search_terms("'; drop table") == ["drop", "table"]
    assert len(search_terms("a " * 50)) == 8


def test_filters(kampung):
    # "open now" at noon in Jakarta: Dapur Malam opens for one minute at 03:00, which a run of
    # the suite at that minute (20:00 UTC) used to meet
    noon = datetime(2026, 12, 3, 12, 0, tzinfo=JAKARTA).astimezone(UTC)

    def browse(**kw):
        return names(services.browse_products(services.BrowseFilters(**kw), 1, 50, now=noon))

    assert set(browse(halal=True)) == {"Nasi Uduk Betawi", "Sate Maranggi"}
    assert set(browse(min_price=10000, max_price=20000)) == {
        "Nasi Uduk Betawi",
        "Lontong Sayur",
        "Nasi Goreng Malam",
    }
    assert "Es Dawet" not in browse(available=True)
    assert "Nasi Goreng Malam" not in browse(open_now=True)
    assert "Sate Maranggi" in browse(open_now=True)
    assert browse(sort="price_asc")[0] == "Es Dawet"
    assert browse(sort="price_desc")[0] == "Sate Maranggi"
    assert browse(sort="name")[0] == "Es Dawet"
    sate = kampung["sate"].store
    assert set(browse(kelurahan_id=sate.kelurahan_id)) == {"Sate Maranggi", "Es Dawet"}


def test_browse_page_with_filters_and_bad_values(client, kampung):
    response = client.get(
        "/produk?halal=1&min=abc&max=999999999999999999999&urut=hack&page=-5&kategori=x&kelurahan=y"
    )
    assert response.status_code == 200
    response = client.get("/produk?page=999")
    assert response.status_code == 200


def test_pagination(app, client, create_store, create_product, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    store = create_store()
    for n in range(5):
        create_product(store, name=f"Kue {n}")
    text = client.get("/produk?urut=name").get_data(as_text=True)
    assert "Halaman 1 dari 3" in text
    text = client.get("/produk?urut=name&page=3").get_data(as_text=True)
    assert "Kue 4" in text


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/produk",
        "/produk?page=500",
        "/produk?buka=1&tersedia=1&halal=1&min=1000",
        "/cari?q=kue",
        "/kategori/makanan-berat",
        "/kelurahan/uwung-jaya",
    ],
)
def test_listing_pages_issue_a_fixed_number_of_queries(client, create_store, create_product, url):
    def measure():
        client.get(url)  # warm: the process's copies of categories and areas are made once
        with QueryCounter(db.engine) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    store = create_store()
    for n in range(2):
        create_product(store, name=f"Kue Lapis {n}")
    few = measure()
    for extra_store in range(3):
        other = create_store()
        for n in range(6):
            create_product(other, name=f"Kue Cucur {extra_store}-{n}")
    many = measure()
    assert few == many, f"{url}: {few} queries with 2 products, {many} with 20"
    assert many <= 6, f"{url}: {many} statements"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/produk?buka=1&tersedia=1&halal=1&min=1000&max=90000",
        "/cari?q=kue&buka=1&halal=1&urut=price_asc",
        "/kelurahan/uwung-jaya?buka=1",
    ],
)
def test_listing_statements_come_from_the_compiled_cache(client, kampung, url):
    """Compiling a statement anew for each request (a literal written into the SQL, a construct
    without a cache key) costs more than running it: the second request finds every statement
    compiled."""
    from marketplace.core import db as database

    client.get(url)
    seen = []

    def note(_conn, _cursor, statement, _parameters, context, _executemany):
        if context.compiled is not None and not statement.startswith(("SAVEPOINT", "RELEASE")):
            seen.append((context.cache_hit is CacheStats.CACHE_HIT, statement[:80]))

    event.listen(db.engine, "after_cursor_execute", note)
    # core.db.run_read keeps what it compiled, and says so: it must not compile again either
    compiled_before = database.compilations
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "after_cursor_execute", note)
    assert seen
    assert [statement for hit, statement in seen if not hit] == []
    assert database.compilations == compiled_before


@pytest.mark.parametrize(
    "url",
    ["/cari?q=kue", "/cari?q=nasi+uduk", "/cari?q=kue+zzqq", "/cari?q=kue&buka=1&min=1000"],
)
def test_search_statements_go_straight_to_the_driver(client, kampung, dialect, url):
    """A search page's statements run the fast way on PostgreSQL (``core.db.run_read``: no
    SQLAlchemy work per statement), whatever they carry: a value SQLAlchemy would convert on
    the way in (a typed list) sends the page's whole statement the slow way (~0.2 ms)."""
    if dialect != "postgresql":
        pytest.skip("run_read's own way is PostgreSQL's (SQLite runs the ordinary way)")
    from marketplace.core.db import ReadContext

    client.get(url)
    contexts = []

    def note(_conn, _cursor, statement, _parameters, context, _executemany):
        if not statement.startswith(("SAVEPOINT", "RELEASE")):
            contexts.append((type(context).__name__, statement[:60]))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert contexts
    assert [c for c in contexts if c[0] != ReadContext.__name__] == []


def test_search_uses_the_database_engine(kampung, dialect):
    if dialect == "postgresql":

        def plan(sql: str) -> str:
            db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            return "\n".join(db.session.execute(sa.text("EXPLAIN " + sql)).scalars())

        # the stored search vector, indexed with GIN, follows the name as it changes
        assert "ix_products_search_vector" in plan(
            "SELECT id FROM products WHERE search_vector @@ to_tsquery('indonesian', 'uduk:*')"
        )
        from marketplace.catalog.models import Product

        product = db.session.scalar(sa.select(Product).where(Product.name == "Nasi Uduk Betawi"))
        product.name = "Nasi Kebuli Betawi"
        db.session.flush()
        assert search_ids_names("kebuli") == ["nasi kebuli betawi"]
        assert "nasi uduk betawi" not in search_ids_names("uduk")
        # newest-first listings walk their index and stop after a page
        assert "ix_products_listed_newest" in plan(
            "SELECT id FROM products WHERE listed ORDER BY created_at DESC, id DESC LIMIT 8"
        )
        # and so does a kelurahan's, on the products' copy of their store's kelurahan
        assert "ix_products_listed_kelurahan_newest" in plan(
            "SELECT id FROM products WHERE listed AND kelurahan_id = 1 "
            "ORDER BY created_at DESC, id DESC LIMIT 8"
        )
    else:
        assert (
            db.session.scalar(
                sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'product_fts'")
            )
            == 1
        )


def test_deep_pages_are_bounded(client, create_store, create_product, monkeypatch):
    from marketplace.catalog import services as catalog_services

    monkeypatch.setattr(catalog_services, "MAX_RESULTS", 5)
    store = create_store()
    for n in range(8):
        create_product(store, name=f"Kue Bolu {n}")
    page = client.get("/produk?page=500").get_data(as_text=True)
    assert "Lebih dari 5 produk" in page
    assert page.count('class="card product-card"') == 5  # the last page the bound allows
    results = catalog_services.browse_products(catalog_services.BrowseFilters(), 1, 3)
    assert (results.total, results.pages, results.more, len(results.items)) == (5, 2, True, 3)
    assert results.has_next
    assert not results.has_prev
    # the last page stops at the bound's last product, though a page of 3 has room for one more
    # of the 6 kept to know there are more; asked past the end, the last page again
    last = catalog_services.browse_products(catalog_services.BrowseFilters(), 2, 3)
    beyond = catalog_services.browse_products(catalog_services.BrowseFilters(), 9, 3)
    newest = [f"Kue Bolu {n}" for n in range(7, 2, -1)]
    assert [card.name for card in results.items + last.items] == newest
    assert (last.page, beyond.page) == (2, 2)
    assert [card.name for card in beyond.items] == newest[3:]
    # a page number as big as a URL may carry (the database's integers end at 2**31 - 1)
    for huge in ("2147483647", "99999999"):
        for path in ("/produk", "/cari?q=bolu", "/kelurahan/" + store.kelurahan.slug):
            answer = client.get(path + ("&" if "?" in path else "?") + "page=" + huge)
            assert answer.status_code == 200, path
            assert answer.get_data(as_text=True).count('class="card product-card"') == 5
    uncounted = catalog_services.browse_products(
        catalog_services.BrowseFilters(), 1, 3, count=False
    )
    assert uncounted.total is None
    assert len(uncounted.items) == 3


def search_ids_names(query: str) -> list[str]:
    from marketplace.catalog.models import Product

    ids = search_ids("products", query)
    return [
        p.name.lower() for p in db.session.scalars(sa.select(Product).where(Product.id.in_(ids)))
    ]


def test_a_typo_finds_names_that_look_like_it(client, create_store, create_product, dialect):
    store = create_store()
    create_product(store, name="Sambal Bawang Ceu Ani")
    create_product(store, name="Bakso Malang Jumbo")
    create_product(store, name="Es Teh Manis")
    found = client.get("/cari?q=sambel").get_data(as_text=True)
    typo = client.get("/cari?q=bakso+malnag").get_data(as_text=True)
    nothing = client.get("/cari?q=pizza").get_data(as_text=True)
    assert "Tidak ada produk yang cocok" in nothing
    # PostgreSQL answers from pg_trgm's index, SQLite with the same measure in Python
    assert "Sambal Bawang Ceu Ani" in found
    assert "Tidak ada yang persis “sambel”" in found
    assert "Es Teh Manis" not in found
    assert "Bakso Malang Jumbo" in typo


def test_a_typo_in_the_second_word_finds_the_dish_not_every_first_word(
    client, create_store, create_product, dialect
):
    """ "nasi gorng": PostgreSQL corrects the word ("nasi goreng"), SQLite looks for names alike
    before it falls back to the first word; both find the fried rice, not every rice."""
    store = create_store()
    create_product(store, name="Nasi Goreng Kampung")
    create_product(store, name="Nasi Uduk Betawi")
    page = client.get("/cari?q=nasi+gorng").get_data(as_text=True)
    assert "Nasi Goreng Kampung" in page
    assert "Nasi Uduk Betawi" not in page
    assert "Tidak ada yang persis “nasi gorng”" in page
    # words that are all right but that no product has together: on PostgreSQL, the first
    # ones; SQLite, which cannot tell them from a typo, shows the names alike first
    fewer = services.browse_products(services.BrowseFilters(q="nasi uduk goreng"), 1, 10)
    if dialect == "postgresql":
        assert [card.name for card in fewer.items] == ["Nasi Uduk Betawi"]
        assert fewer.corrected == "nasi uduk"
    else:
        assert "Nasi Uduk Betawi" in [card.name for card in fewer.items]
        assert fewer.similar


@pytest.mark.parametrize(
    ("typed", "text", "alike"),
    [
        ("sambel", "sambal bawang", 4 / 7),
        ("word", "two words", 0.8),
        ("ayam", "bakso urat", 0.0),
        ("", "apa saja", 0.0),
        ("bakso malnag", "bakso malang jumbo", 9 / 13),
    ],
)
def test_sqlite_word_similarity_matches_pg_trgm(typed, text, alike, dialect):
    from marketplace.core.sqlite import word_similarity

    assert word_similarity(typed, text) == pytest.approx(alike)
    if dialect == "postgresql":  # the same figure from the real pg_trgm
        measured = db.session.scalar(
            sa.text("SELECT word_similarity(:a, :b)"), {"a": typed, "b": text}
        )
        assert measured == pytest.approx(alike, abs=0.01)


def test_product_and_store_pages_cost_the_same_whatever_they_hold(
    client, create_store, create_product
):
    def measure(url):
        client.get(url)  # warm (see above)
        with QueryCounter(db.engine) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    # a store showing everything its page can: delivery to named kelurahan, a closed day ahead,
    # photos, portions taken today
    store = create_store(offers_delivery=True, delivery_fee=5000)
    store.delivery_kelurahan = list(
        db.session.scalars(sa.select(Kelurahan).order_by(Kelurahan.id).limit(3))
    )
    ahead = jakarta_today() + timedelta(days=3)
    store.closed_dates.append(StoreClosedDate(day=ahead, note="Libur"))
    rich = create_product(store, name="Nasi Rames", stock_mode="daily", daily_quota=20)
    services.save_option_group(rich, "Pilihan 0", "Satu\nDua +1000", True, False)
    db.session.add(DailyPortion(product_id=rich.id, day=jakarta_today(), taken=4))
    db.session.commit()
    first = (measure(f"/produk/{rich.id}"), measure(f"/toko/{store.slug}"))
    for n in range(1, 5):
        services.save_option_group(rich, f"Pilihan {n}", "Satu\nDua +1000\nTiga", True, False)
    for n in range(10):
        create_product(store, name=f"Kue Lapis {n}")
    assert measure(f"/produk/{rich.id}") == first[0]
    assert measure(f"/toko/{store.slug}") == first[1]
    assert first[0] <= 5
    assert first[1] <= 6


def test_search_ranks_well_liked_and_nearby_products_higher(create_store, create_product):
    here, there = create_store(area="Uwung Jaya"), create_store(area="Sukasari")
    neighbour = create_store(area="Babakan")  # Sukasari's kecamatan (Tangerang)
    first = create_product(here, name="Soto Betawi")
    second = create_product(there, name="Soto Betawi")
    third = create_product(neighbour, name="Soto Betawi")

    def order(**filters) -> list[int]:
        found = services.browse_products(services.BrowseFilters(q="soto", **filters), 1, 10)
        return [p.id for p in found.items]

    assert order() == [first.id, second.id, third.id]  # the same text: oldest first
    second.rating_count, second.rating_sum = 6, 29  # 4.8 stars from 6 buyers
    db.session.flush()
    assert order() == [second.id, first.id, third.id]
    # near the buyer beats well liked; the same kecamatan comes next
    assert order(near_kelurahan_id=here.kelurahan_id) == [first.id, second.id, third.id]
    # in Babakan: Sukasari's well-liked soto (same kecamatan) edges out Babakan's unrated one,
    # and both come before the far one
    assert order(near_kelurahan_id=neighbour.kelurahan_id) == [second.id, third.id, first.id]
    second.rating_count, second.rating_sum = 0, 0
    db.session.flush()
    assert order(near_kelurahan_id=neighbour.kelurahan_id) == [third.id, second.id, first.id]


def test_a_product_is_listed_exactly_while_it_is_shown_and_its_store_verified(
    client, create_store, create_product, create_user
):
    from marketplace.accounts.models import Role
    from marketplace.catalog.models import Product
    from marketplace.stores import services as store_services
    from marketplace.stores.models import StoreStatus

    def listed() -> set[str]:
        db.session.expire_all()
        return set(db.session.scalars(sa.select(Product.name).where(Product.listed)))

    def on_the_listing() -> set[str]:
        page = client.get("/produk").get_data(as_text=True)
        return {name for name in ("Kue Lapis", "Kue Cucur", "Klepon") if name in page}

    admin = create_user(Role.CITY_ADMIN)
    pending = create_store(status=StoreStatus.PENDING)
    lapis = create_product(pending, name="Kue Lapis")
    shown = create_store()
    create_product(shown, name="Kue Cucur")
    klepon = create_product(shown, name="Klepon")
    db.session.commit()
    assert listed() == on_the_listing() == {"Kue Cucur", "Klepon"}
    services.set_hidden(klepon, True)
    store_services.verify_store(lapis.store, admin)
    db.session.commit()
    assert listed() == on_the_listing() == {"Kue Cucur", "Kue Lapis"}
    services.set_hidden(klepon, False)
    store_services.reject_store(shown, admin, "Foto tidak jelas")
    db.session.commit()
    assert listed() == on_the_listing() == {"Kue Lapis"}


def test_a_store_that_moves_takes_its_products_to_its_new_kelurahan(
    client, create_store, create_product
):
    from marketplace.stores import services as store_services

    store = create_store(name="Warung Pindah")
    create_product(store, name="Kue Pancong")
    db.session.commit()
    old, new = kelurahan("Uwung Jaya"), kelurahan("Cibodasari")

    def shown(url: str) -> bool:
        return "Kue Pancong" in client.get(url).get_data(as_text=True)

    assert shown(f"/kelurahan/{old.slug}")
    assert shown(f"/produk?kelurahan={old.id}")
    assert not shown(f"/kelurahan/{new.slug}")
    store_services.update_store(
        store,
        store.owner,
        store_services.StoreData(
            name=store.name,
            whatsapp=store.whatsapp,
            address=store.address,
            rt=store.rt,
            rw=store.rw,
            kelurahan_id=new.id,
        ),
    )
    db.session.commit()
    assert shown(f"/kelurahan/{new.slug}")
    assert shown(f"/produk?kelurahan={new.id}")
    assert not shown(f"/kelurahan/{old.slug}")
    assert not shown(f"/produk?kelurahan={old.id}")


def test_a_search_parses_the_words_typed_once_per_statement(kampung, dialect):
    """psycopg prepares statements run often, and PostgreSQL then keeps a plan made without the
    words typed. With the words as a plain function of a parameter, that plan parsed them again
    for every row it ranked (twice as slow for a common word); as an InitPlan they are parsed
    once per statement whatever the plan, so no search needs a plan of its own."""
    said = []

    def listen(_conn, _cursor, statement, parameters, *_args):
        said.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        found = services.browse_products(services.BrowseFilters(q="uduk"), page=1, per_page=8)
        stores = services.search_stores("uduk")
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert found.total >= 1
    assert [s.name for s in stores] == ["Warung Bu Siti"]
    assert not [s for s, _ in said if "plan_cache_mode" in s]  # no statement to plan it
    if dialect != "postgresql":
        return
    searches = [(s, p) for s, p in said if "to_tsquery" in s]
    assert len(searches) == 2  # the products and the stores
    for statement, parameters in searches:
        assert statement.count("to_tsquery(") == statement.count("(SELECT to_tsquery(")
        plan = db.session.connection().exec_driver_sql("EXPLAIN " + statement, parameters)
        assert any("InitPlan" in line for (line,) in plan), statement


def test_a_listing_loads_only_what_a_card_shows(kampung):
    """24 cards do not carry 24 descriptions and every column of 24 stores."""
    said = []

    def listen(_conn, _cursor, statement, *_args):
        said.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        found = services.browse_products(services.BrowseFilters(), page=1, per_page=8)
        names = [(p.name, p.store.name, p.store.kelurahan.name, p.price) for p in found.items]
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert names
    listing = [s for s in said if "FROM products" in s and "LIMIT" in s]
    assert len(listing) == 1, said
    assert "products.description" not in listing[0]
    assert "stores.address" not in listing[0]
    assert "products.name" in listing[0]
    assert "stores.name" in listing[0]


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("newest", "ix_products_listed_newest"),
        ("name", "ix_products_listed_name"),
        ("rating", "ix_products_listed_rating"),
        ("price_asc", "ix_products_listed_price"),
        ("price_desc", "ix_products_listed_price"),
    ],
)
def test_each_sort_order_can_walk_its_index(kampung, dialect, sort, index):
    """The whole catalogue in any order is an index walked for a page, not 100,000 products
    sorted: the listing's ORDER BY must be the index's, word for word (the best-rated
    expression included), or PostgreSQL cannot use it."""
    if dialect != "postgresql":
        pytest.skip("the plans checked are PostgreSQL's")
    said = []

    def listen(_conn, _cursor, statement, parameters, *_args):
        said.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        services.browse_products(services.BrowseFilters(sort=sort), page=1, per_page=8)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    statement, parameters = next(said_ for said_ in said if said_[0].startswith("WITH top"))
    connection = db.session.connection()
    # a test catalogue is a few rows: make every other way dearer than the index
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_sort = off")
    plan = "\n".join(
        row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
    )
    # the first page's worth is read off the index: no sort between it and the limit
    lines = plan.splitlines()
    start = next(n for n, line in enumerate(lines) if "CTE top" in line)
    limit, scan = [line for line in lines[start + 1 :] if "->" in line][:2]
    assert "Limit" in limit, plan
    assert "Scan" in scan, plan
    assert index in scan, plan
    if sort == "rating":
        # as SQL text, not bound parameters: a prepared statement's plan is made without
        # their values and could not match the index's expression
        assert "(products.rating_sum * 1000) / products.rating_count" in statement


def test_a_listing_is_planned_once_per_connection_not_per_request(kampung, dialect):
    """psycopg prepares a statement run five times; PostgreSQL then plans it once for every
    value (a generic plan) when that plan costs no more than the ones it made for each run's
    values. A LIMIT of unknown size (the bound as a parameter) is planned as a tenth of the
    table, so the listing was planned afresh on every request (~0.3 ms of PostgreSQL's time,
    more than the walk itself)."""
    if dialect != "postgresql":
        pytest.skip("prepared statements and their plans are PostgreSQL's")
    said = []

    def listen(_conn, _cursor, statement, *_args):
        said.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        # psycopg prepares it at the 6th run; 5 plans for the values, then the generic one
        for page in (1, 2) * 7:
            services.browse_products(services.BrowseFilters(), page=page, per_page=2)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    # the bound is written in the statement (a test catalogue is too small for the planner's
    # choice to show the difference)
    assert f"LIMIT {services.MAX_RESULTS + 1})" in said[-1]
    plans = db.session.execute(
        sa.text(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE 'WITH top AS%'"
        )
    ).all()
    assert len(plans) == 1, plans
    generic, custom = plans[0]
    assert generic >= 2, plans


def test_a_price_range_in_another_order_is_planned_for_its_prices(kampung, dialect):
    """Planned once for any prices, the newest products between two prices walked the price
    index and sorted what it found (~18 ms at 100k, against ~1.3 ms for the newest-first index
    filtered by price): such a listing is planned for each request's prices, never prepared.
    Sorted by price, the price range is where the walk of the price index starts and stops:
    that one is prepared like any listing."""
    if dialect != "postgresql":
        pytest.skip("prepared statements and their plans are PostgreSQL's")
    ranged = services.BrowseFilters(min_price=1000, max_price=90000)
    by_price = services.BrowseFilters(min_price=1000, max_price=90000, sort="price_asc")
    for filters in (ranged, by_price) * 8:
        found = services.browse_products(filters, page=1, per_page=2)
        assert found.total > 0
    prepared = db.session.execute(
        sa.text("SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'WITH top AS%'")
    ).scalars()
    prepared = list(prepared)
    assert len(prepared) == 1, prepared
    assert "ORDER BY products.price" in prepared[0]


def test_a_kept_listing_statement_answers_for_each_requests_values(kampung, dialect):
    """A listing's statement is built once per shape and kept (``services._STATEMENTS``); every
    value is a bind parameter. Two requests of one shape with different values each get the
    answer a freshly built statement gives, and not the other's."""
    from datetime import UTC, datetime

    from marketplace.core.db import JAKARTA

    store = kampung["sate"].store
    night = datetime(2026, 12, 3, 3, 0, 30, tzinfo=JAKARTA).astimezone(UTC)  # Dapur Malam only
    noon = datetime(2026, 12, 3, 12, 0, tzinfo=JAKARTA).astimezone(UTC)
    pairs = [
        (
            {"category_id": kampung["sate"].category_id},
            {"category_id": kampung["dawet"].category_id},
        ),
        (
            {"kelurahan_id": store.kelurahan_id},
            {"kelurahan_id": kampung["uduk"].store.kelurahan_id},
        ),
        ({"store_id": store.id}, {"store_id": kampung["uduk"].store_id}),
        ({"min_price": 30000}, {"min_price": 10000}),
        ({"max_price": 9000}, {"max_price": 16000}),
        ({"q": "uduk"}, {"q": "sate"}),
        ({"q": "uduk", "max_price": 12000}, {"q": "nasi", "max_price": 20000}),
        ({"open_now": True, "now": night}, {"open_now": True, "now": noon}),
        ({"q": "sambel"}, {"q": "lontonk"}),  # typos: the names that look like them
    ]

    def browse(kept: bool, now=None, **filters) -> tuple:
        if not kept:
            services._STATEMENTS.clear()
        page = services.browse_products(services.BrowseFilters(**filters), 1, 50, now=now)
        return [p.name for p in page.items], page.total

    for first, second in pairs:
        services._STATEMENTS.clear()
        fresh_first, fresh_second = browse(False, **first), browse(False, **second)
        assert fresh_first != fresh_second, (first, second)  # the pair tells stale values apart
        browse(True, **first)
        kept = len(services._STATEMENTS)
        assert browse(True, **second) == fresh_second, (first, second)
        assert browse(True, **first) == fresh_first, (first, second)
        assert len(services._STATEMENTS) == kept  # the same statement both times
    # shapes: a filter that only is or is not there makes a statement of its own
    services._STATEMENTS.clear()
    for filters in ({}, {"halal": True}, {"available": True}, {"open_now": True, "now": night}):
        fresh = browse(False, **filters)
        browse(True)
        assert browse(True, **filters) == fresh, filters
    # pages of one listing: the cut is a parameter too
    services._STATEMENTS.clear()
    pages = [services.browse_products(services.BrowseFilters(), n, 2).items for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert len({card.id for page in pages for card in page}) == 5


def test_words_found_but_filtered_out_are_not_taken_for_a_typo(client, kampung):
    """ "Lontong" exists but is not halal: the page says the filters left nothing, and looks for
    no similar names (a typo search costs more than the listing); a typo still gets them."""
    page = services.browse_products(services.BrowseFilters(q="lontong", halal=True), 1, 10)
    assert (page.total, page.filtered_out, page.similar) == (0, True, False)
    text = client.get("/cari?q=lontong&halal=1").get_data(as_text=True)
    assert "tetapi tidak ada yang cocok dengan saringan ini" in text
    assert "Coba kata lain" not in text
    # no filter: nothing to blame but the words
    nothing = services.browse_products(services.BrowseFilters(q="xyzzy"), 1, 10)
    assert (nothing.total, nothing.filtered_out) == (0, False)
    # a typo with a filter: its words match nothing, so names that look like them are shown
    typo = services.browse_products(services.BrowseFilters(q="lontonk", max_price=20000), 1, 10)
    assert (names(typo), typo.similar, typo.filtered_out) == (["Lontong Sayur"], True, False)
