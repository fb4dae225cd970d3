"""A search for several words shows first the products whose name holds every word (both
databases); on PostgreSQL a search for two words reads them from the pairs of the products'
names (migration 0046) when there are enough: the same products, in the same order, with the
same ranks as ranking every match, after every kind of change the trigger must follow, with
every filter."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import Product
from marketplace.catalog.search import PAIRS, STORE_PAIRS, pairs_top, text_match
from marketplace.extensions import db
from marketplace.stores.models import Store, StoreStatus
from tests.catalog.test_search_postings import ranked
from tests.statements import QueryCounter, explained, scans_of

SEARCHES = (
    "nasi goreng",
    "goreng nasi",
    "ayam goreng",
    "ayam bakar",
    "nas gor",
    "es teh",
    "nasi zz",
)


@pytest.fixture
def pairs_catalogue(dialect, create_store, create_product):
    if dialect != "postgresql":
        pytest.skip("the pairs are PostgreSQL's (SQLite's FTS5 ranks its small catalogues)")
    warung = create_store(name="Warung Bu Rini")
    other = create_store(name="Dapur Pak Joko", area="Cibodasari")
    items = {
        "kampung": create_product(warung, name="Nasi Goreng Kampung", description="Pedas"),
        "twice": create_product(other, name="Nasi Goreng Nasi Goreng", price=30000),
        "seafood": create_product(other, name="Goreng Nasi Seafood", is_halal=False),
        "ayam": create_product(warung, name="Ayam Goreng", description="Dengan nasi putih"),
        "bakar": create_product(other, name="Ayam Bakar", description="Nasi goreng terpisah"),
        "tea": create_product(warung, name="Es Teh Manis"),
    }
    items["seafood"].rating_count, items["seafood"].rating_sum = 6, 30
    items["kampung"].rating_count, items["kampung"].rating_sum = 2, 7
    db.session.flush()
    return items


def read_for(words: str, size: int, conditions=()) -> list[tuple[int, float]]:
    """What a search for ``words`` reads when it keeps ``size`` products: the pairs when they
    hold that many, every match ranked otherwise."""
    found = text_match(Product.__table__, words.split())
    relevance = services._relevance(found, near=False)
    every = (
        sa.select(
            Product.id,
            found.tier.label("key0"),
            relevance.label("key1"),
            Product.id.label("key2"),
        )
        .where(Product.listed, found.condition)
        .order_by(found.tier, relevance, Product.id)
        .limit(size)
    )
    top = pairs_top(every, size, list(conditions)).subquery()
    rows = db.session.execute(
        sa.select(top.c.id, top.c.key1).order_by(top.c.key0, top.c.key1, top.c.key2),
        found.params,
    )
    return [tuple(row) for row in rows]


def oracle(words: str) -> list[tuple[int, float]]:
    return ranked(text_match(Product.__table__, words.split()))


def pairs_held(words: str) -> int:
    """How many pairs' entries a search for ``words`` (two whole words) has."""
    first, second = sorted(words.split())
    return db.session.scalar(
        sa.select(sa.func.count()).where(PAIRS.c.first == first, PAIRS.c.second == second)
    )


def assert_same_searches() -> None:
    for words in SEARCHES:
        every = oracle(words)
        for size in range(1, len(every) + 2):
            assert read_for(words, size) == every[:size], (words, size)


def test_names_holding_every_word_come_first(dialect, create_store, create_product):
    """The rule on both databases: a product whose name holds every word typed comes before
    one where a word is only in the description, however well the latter is liked or often it
    says the words."""
    warung = create_store(name="Warung Bu Rini")
    told = create_product(
        warung, name="Goreng Pisang", description="nasi goreng nasi goreng nasi goreng nasi"
    )
    told.rating_count, told.rating_sum = 9, 45
    named = create_product(warung, name="Nasi Goreng Biasa")
    db.session.flush()
    for q in ("nasi goreng", "goreng nasi", "nas goreng"):
        page = services.browse_products(services.BrowseFilters(q=q), 1, 10)
        assert [p.id for p in page.items] == [named.id, told.id], q
    if dialect == "postgresql":
        # the rule decides here: by the text and the rating alone, the other comes first
        found = text_match(Product.__table__, ["nasi", "goreng"])
        relevance = services._relevance(found, near=False)
        by_rank = db.session.scalars(
            sa.select(Product.id).where(found.condition).order_by(relevance), found.params
        )
        assert list(by_rank) == [told.id, named.id]


def test_a_two_word_search_is_read_from_the_pairs(pairs_catalogue):
    # each two words of each listed product's name, once: "Nasi Goreng Nasi Goreng" has one
    assert pairs_held("nasi goreng") == 3
    assert pairs_held("kampung nasi") == pairs_held("es teh") == pairs_held("ayam goreng") == 1
    assert pairs_held("nasi seafood") == 1
    assert pairs_held("ayam nasi") == pairs_held("goreng teh") == 0
    every = [i for i, _ in oracle("nasi goreng")]
    # the three named so first, the well liked one first; then those that only say it
    named = {pairs_catalogue[k].id for k in ("seafood", "twice", "kampung")}
    assert every[0] == pairs_catalogue["seafood"].id
    assert set(every[:3]) == named
    assert set(every[3:]) == {pairs_catalogue["ayam"].id, pairs_catalogue["bakar"].id}
    assert_same_searches()


def test_the_pairs_are_read_only_when_they_hold_enough(pairs_catalogue):
    """Three products are named "nasi goreng": a search that keeps three or fewer reads the
    pairs and ranks nothing; one that keeps more ranks every match (the products table)."""

    def products_read(size: int) -> bool:
        found = text_match(Product.__table__, ["nasi", "goreng"])
        relevance = services._relevance(found, near=False)
        every = (
            sa.select(Product.id, found.tier, relevance, Product.id)
            .where(Product.listed, found.condition)
            .order_by(found.tier, relevance, Product.id)
            .limit(size)
        )
        plan = explained(pairs_top(every, size, []), found.params)
        scans = scans_of(plan, "products")
        assert scans, plan  # in the plan, run or not
        return sum(node["Actual Loops"] for node in scans) > 0

    assert not products_read(3)
    assert products_read(4)


def test_the_pairs_follow_every_change(pairs_catalogue, create_product):
    kampung, ayam, tea = pairs_catalogue["kampung"], pairs_catalogue["ayam"], pairs_catalogue["tea"]
    # renamed: into the pairs, out of them
    ayam.name = "Nasi Ayam Goreng"
    kampung.name = "Nasi Uduk Kampung"
    db.session.flush()
    assert pairs_held("nasi goreng") == 3
    assert_same_searches()
    # described anew: the rank moves, not the pair
    pairs_catalogue["twice"].description = "Nasi goreng, goreng, goreng"
    db.session.flush()
    assert_same_searches()
    # a rating moves a product up
    tea.rating_count, tea.rating_sum = 9, 45
    ayam.rating_count, ayam.rating_sum = 5, 25
    db.session.flush()
    assert_same_searches()
    # hidden, shown again
    services.set_hidden(ayam, True)
    db.session.flush()
    assert pairs_held("nasi goreng") == 2
    assert_same_searches()
    services.set_hidden(ayam, False)
    db.session.flush()
    assert pairs_held("nasi goreng") == 3
    # its store no longer verified
    store = pairs_catalogue["twice"].store
    store.status = StoreStatus.REJECTED
    services.refresh_listed(store_id=store.id)
    db.session.flush()
    assert pairs_held("nasi goreng") == 1
    assert_same_searches()
    # deleted; a new one
    db.session.delete(ayam)
    create_product(tea.store, name="Goreng Nasi Teri")
    db.session.flush()
    assert pairs_held("nasi goreng") == 1
    assert_same_searches()
    held = sa.select(sa.func.count()).select_from(PAIRS).where(PAIRS.c.product_id == ayam.id)
    assert db.session.scalar(held) == 0


def test_a_page_read_from_the_pairs_is_the_page_ranked(
    pairs_catalogue, create_store, create_product, monkeypatch
):
    """The pages a visitor sees, with each filter a search can take, when the pairs hold more
    than the bound (lowered to 2 here): the same as when every match is ranked."""
    night = create_store(
        name="Warung Malam",
        area="Sukasari",
        periods=[(d, time(3, 0), time(3, 1)) for d in range(7)],
    )
    create_product(night, name="Nasi Goreng Malam", price=22000)
    create_product(
        pairs_catalogue["tea"].store,
        name="Nasi Goreng Habis",
        category="minuman",
        stock_mode="counted",
        stock=0,
    )
    db.session.flush()
    searches = [
        services.BrowseFilters(q="nasi goreng"),
        services.BrowseFilters(q="goreng nasi", halal=True),
        services.BrowseFilters(q="nasi goreng", min_price=20000),
        services.BrowseFilters(q="nasi goreng", max_price=25000),
        services.BrowseFilters(q="nasi goreng", category_id=pairs_catalogue["tea"].category_id),
        services.BrowseFilters(q="nasi goreng", kelurahan_id=night.kelurahan_id),
        services.BrowseFilters(q="nasi goreng", store_id=night.id),
        services.BrowseFilters(q="nasi goreng", available=True),
        services.BrowseFilters(q="nasi goreng", open_now=True),
    ]

    def pages(bound: int) -> list:
        monkeypatch.setattr(services, "MAX_RESULTS", bound)
        seen = []
        for filters in searches:
            for number in (1, 2, 3):
                page = services.browse_products(filters, number, 1)
                seen.append((page.total, page.more, [p.id for p in page.items]))
        return seen

    with_pairs = pages(2)
    monkeypatch.setattr(services, "pairs_top", lambda ranked, size, conditions: ranked)
    services._STATEMENTS.clear()
    try:
        assert with_pairs == pages(2)
    finally:
        services._STATEMENTS.clear()
    assert with_pairs[0] == (2, True, [pairs_catalogue["seafood"].id])
    assert any(total == 0 for total, _, _ in with_pairs)  # a filter that leaves none


def test_the_search_page_for_two_words_costs_one_statement(pairs_catalogue, client):
    client.get("/cari?q=nasi+goreng")
    with QueryCounter(db.engine) as counter:
        response = client.get("/cari?q=nasi+goreng")
    assert response.status_code == 200
    assert counter.count == 1
    # the words are parsed once for the products, the stores and the pairs (~0.1 ms a call)
    assert counter.statements[0].count("search_query(") == 1
    text = response.get_data(as_text=True)
    assert text.index("Goreng Nasi Seafood") < text.index("Nasi Goreng Kampung")
    assert text.index("Nasi Goreng Kampung") < text.index("Ayam Goreng")


STORE_SEARCHES = ("warung makan", "makan warung", "bu rini", "war mak", "warung zz", "dapur")


def stores_ranked(words: str) -> list[str]:
    """The verified stores a search for ``words`` finds, every match ranked."""
    found = text_match(Store.__table__, words.split())
    rows = db.session.scalars(
        sa.select(Store.name)
        .where(Store.status == StoreStatus.VERIFIED, found.condition)
        .order_by(*services._tier(found), found.rank, Store.id),
        found.params,
    )
    return list(rows)


def test_the_stores_a_two_word_search_lists_are_read_from_their_pairs(dialect, create_store):
    """The stores a search page lists: read from the pairs of their names when they hold
    enough, the same stores in the same order as ranking every verified store that matches, at
    every size, after renames, new stories and new states (migration 0048)."""
    if dialect != "postgresql":
        pytest.skip("the pairs are PostgreSQL's (SQLite's FTS5 ranks its small catalogues)")
    names = (
        "Warung Makan Bu Rini",
        "Warung Makan Warung Makan",
        "Makan Enak Warung Sari",
        "Dapur Warung",
        "Kedai Bu Rini",
    )
    made = {name: create_store(name=name) for name in names}
    made["Kedai Bu Rini"].story = "Warung makan rumahan"  # the words in its story alone
    pending = create_store(name="Warung Makan Baru", status=StoreStatus.PENDING)
    db.session.flush()

    def same() -> None:
        for words in STORE_SEARCHES:
            every = stores_ranked(words)
            for size in range(1, len(every) + 2):
                hits = [s.name for s in services.search_stores(words, limit=size)]
                assert hits == every[:size], (words, size)
        # each store's entry holds the rank the search computes for it
        for first, second in (("makan", "warung"), ("bu", "rini")):
            found = text_match(Store.__table__, [first, second])
            computed = db.session.execute(
                sa.select(Store.id, found.rank).where(
                    Store.status == StoreStatus.VERIFIED, found.condition, found.tier == 0
                ),
                found.params,
            )
            held = db.session.execute(
                sa.select(STORE_PAIRS.c.store_id, STORE_PAIRS.c.rank).where(
                    STORE_PAIRS.c.first == first, STORE_PAIRS.c.second == second
                )
            )
            assert dict(held.all()) == dict(computed.all()), (first, second)

    same()

    def stores_read(size: int) -> bool:
        """Whether the stores table is read to list ``size`` stores for "warung makan"."""
        found = text_match(Store.__table__, ["warung", "makan"])
        plan = explained(services._store_search_statement(found, size), found.params)
        scans = [node for node in scans_of(plan, "stores") if node.get("Alias") == "stores_1"]
        assert scans, plan  # the ranking of every match, in the plan, run or not
        return sum(node["Actual Loops"] for node in scans) > 0

    # three verified stores are named so: three are read from their pairs, four rank every match
    assert not stores_read(3)
    assert stores_read(4)
    held = db.session.scalar(
        sa.select(sa.func.count()).where(
            STORE_PAIRS.c.first == "makan", STORE_PAIRS.c.second == "warung"
        )
    )
    assert held == 3  # the three verified stores whose name holds both words
    assert stores_ranked("warung makan")[:3] == [
        "Warung Makan Warung Makan",  # each word twice
        "Warung Makan Bu Rini",
        "Makan Enak Warung Sari",
    ]
    assert stores_ranked("warung makan")[-1] == "Kedai Bu Rini"  # in its story only

    def pair_rank(store: Store) -> float:
        return db.session.scalar(
            sa.select(STORE_PAIRS.c.rank).where(
                STORE_PAIRS.c.first == "makan",
                STORE_PAIRS.c.second == "warung",
                STORE_PAIRS.c.store_id == store.id,
            )
        )

    plain = pair_rank(made["Makan Enak Warung Sari"])
    # a story that says the words again, a rename, a store verified, one rejected
    made["Makan Enak Warung Sari"].story = "Warung makan, " * 6
    made["Dapur Warung"].name = "Dapur Warung Makan"
    pending.status = StoreStatus.VERIFIED
    made["Warung Makan Bu Rini"].status = StoreStatus.REJECTED
    db.session.flush()
    same()
    assert "Warung Makan Bu Rini" not in stores_ranked("warung makan")
    assert pair_rank(made["Makan Enak Warung Sari"]) < plain  # its story counts too
    assert {"Dapur Warung Makan", "Warung Makan Baru"} <= set(stores_ranked("warung makan")[:4])
