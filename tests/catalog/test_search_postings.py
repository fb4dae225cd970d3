"""A search for one word read from the word's postings (PostgreSQL, migration 0039) is the search
that ranks every match: the same products, in the same order, with the same ranks, after every
kind of change the postings' trigger must follow."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa

from marketplace.catalog import search, services
from marketplace.catalog.models import Product
from marketplace.catalog.search import (
    POSTINGS,
    STORE_POSTINGS,
    answered_from_postings,
    postings_top,
    text_match,
)
from marketplace.extensions import db
from marketplace.stores.models import Store, StoreStatus
from tests.statements import QueryCounter, explained, scans_of

WORDS = ("ayam", "goreng", "bakar", "geprek", "pedas", "sambal", "es", "teh", "ay", "kampung")


@pytest.fixture
def catalogue(dialect, create_store, create_product):
    if dialect != "postgresql":
        pytest.skip("the postings are PostgreSQL's (SQLite's FTS5 ranks its small catalogues)")
    warung = create_store(name="Warung Bu Rini")
    other = create_store(name="Dapur Pak Joko", area="Cibodasari")
    items = {
        "bakar": create_product(warung, name="Ayam Bakar Madu"),
        "goreng": create_product(warung, name="Ayam Goreng Kampung", description="Ayam kampung"),
        "twice": create_product(other, name="Ayam Ayam Geprek", description="Pedas, sambal bawang"),
        "told": create_product(other, name="Nasi Uduk", description="Dengan suwiran ayam"),
        "tea": create_product(warung, name="Es Teh Manis"),
        "sambal": create_product(other, name="Sambal Terasi", description="Pedas sekali"),
    }
    # ratings in each branch of the rank's rating share: none, 1-4 reviews, 5 or more
    items["bakar"].rating_count, items["bakar"].rating_sum = 6, 29
    items["goreng"].rating_count, items["goreng"].rating_sum = 2, 9
    db.session.flush()
    return items


def ranked_every_match(word: str) -> list[tuple[int, float]]:
    """The oracle: every listed product matching ``word``, ranked as a search ranks them."""
    return ranked(text_match(Product.__table__, [word]))


def ranked(found) -> list[tuple[int, float]]:
    """(id, relevance) of every listed product ``found`` matches, in a search's order (for
    several words, the products whose name holds them all first)."""
    relevance = services._relevance(found, near=False)
    rows = db.session.execute(
        sa.select(Product.id, relevance)
        .where(Product.listed, found.condition)
        .order_by(*services._tier(found), relevance, Product.id),
        found.params,
    )
    return [tuple(row) for row in rows]


def read_for(word: str) -> list[tuple[int, float]]:
    """The statement a search uses for ``word``: postings when it can, every match otherwise."""
    found = text_match(Product.__table__, [word])
    relevance = services._relevance(found, near=False)
    ranked = (
        sa.select(Product.id, relevance.label("key0"), Product.id.label("key1"))
        .where(Product.listed, found.condition)
        .order_by(relevance, Product.id)
        .limit(1201)
    )
    top = postings_top(ranked, 1201, []).subquery()
    rows = db.session.execute(
        sa.select(top.c.id, top.c.key0).order_by(top.c.key0, top.c.key1), found.params
    )
    return [tuple(row) for row in rows]


def assert_same_searches() -> None:
    for word in WORDS:
        assert read_for(word) == ranked_every_match(word), word
        # and the page a visitor sees
        page = services.browse_products(services.BrowseFilters(q=word), 1, 100)
        assert [p.id for p in page.items] == [i for i, _ in ranked_every_match(word)], word


def test_a_one_word_search_is_read_from_its_postings(catalogue):
    assert answered_from_postings(["ayam"])
    assert answered_from_postings(["geprek"])
    ayam = ranked_every_match("ayam")
    # the name before the description, twice in the name before once, the well liked first
    assert [i for i, _ in ayam] == [
        catalogue["twice"].id,
        catalogue["bakar"].id,
        catalogue["goreng"].id,
        catalogue["told"].id,
    ]
    assert read_for("ayam") == ayam
    assert_same_searches()
    # a word nobody sells, a stop word, a prefix of no word: found by ranking (nothing)
    for word in ("rendang", "yang", "zz"):
        assert not answered_from_postings([word])
        assert read_for(word) == ranked_every_match(word) == []


def test_a_prefix_of_several_words_ranks_every_match(catalogue, create_product):
    assert answered_from_postings(["ayam"])
    create_product(catalogue["tea"].store, name="Ayampop Crispy")  # "ayam" now begins two words
    assert not answered_from_postings(["ayam"])
    assert answered_from_postings(["ayampop"])
    assert_same_searches()
    assert len(read_for("ayam")) == 5


@pytest.mark.parametrize("postings", [POSTINGS, STORE_POSTINGS], ids=["products", "stores"])
def test_the_word_typed_is_looked_up_in_two_probes(catalogue, create_store, postings):
    """Which word the word typed begins, and whether it begins only that one, cost two probes
    of the postings' index: the first such word, then any word after it (one, when there is no
    first). Read in each place it was used, the first word cost three."""
    create_store(name="Ayam Penyet Bu Tini")
    for word, only, read in (("ayam", True, 2), ("zz", False, 1)):
        plan = explained(sa.select(search._postings_word(postings)[1]), search.words_param([word]))
        probes = [node for node in scans_of(plan, postings.name) if node["Actual Loops"]]
        assert len(probes) == read, plan
        assert answered_from_postings([word], postings) is only


def test_the_postings_follow_every_change(catalogue, create_product):
    goreng, tea, told = catalogue["goreng"], catalogue["tea"], catalogue["told"]
    # renamed, described anew
    goreng.name = "Ayam Bakar Kampung"
    told.description = "Tanpa lauk"
    db.session.flush()
    assert_same_searches()
    assert told.id not in [i for i, _ in read_for("ayam")]
    # a new rating moves a product up
    tea.rating_count, tea.rating_sum = 9, 45
    db.session.flush()
    assert_same_searches()
    # hidden, then shown again
    services.set_hidden(goreng, True)
    db.session.flush()
    assert goreng.id not in [i for i, _ in read_for("ayam")]
    assert_same_searches()
    services.set_hidden(goreng, False)
    db.session.flush()
    assert goreng.id in [i for i, _ in read_for("ayam")]
    # its store no longer verified: its products leave the search
    store = catalogue["twice"].store
    store.status = StoreStatus.REJECTED
    services.refresh_listed(store_id=store.id)
    db.session.flush()
    assert catalogue["twice"].id not in [i for i, _ in read_for("ayam")]
    assert_same_searches()
    # deleted
    db.session.delete(catalogue["bakar"])
    db.session.flush()
    assert_same_searches()
    postings = sa.select(sa.func.count()).select_from(POSTINGS)
    owned = postings.where(POSTINGS.c.product_id == catalogue["bakar"].id)
    assert db.session.scalar(owned) == 0
    # only listed products have postings, one per word of their search document
    listed_words = sa.text(
        "SELECT coalesce(sum(length(search_vector)), 0) FROM products WHERE listed"
    )
    assert db.session.scalar(postings) == db.session.scalar(listed_words) > 0


def test_filters_are_checked_on_the_postings(catalogue, create_store, create_product):
    """Each filter a search can take, read from the postings, keeps exactly the products it
    keeps when every match is ranked (the order is the word's)."""
    night = create_store(
        name="Warung Malam",
        area="Sukasari",
        periods=[(d, time(3, 0), time(3, 1)) for d in range(7)],
    )
    late = create_product(night, name="Ayam Penyet Malam", price=22000, is_halal=True)
    drink = create_product(
        catalogue["tea"].store,
        name="Es Ayam Jahe",
        price=6000,
        category="minuman",
        stock_mode="counted",
        stock=0,
    )
    products = {p.id: p for p in [*catalogue.values(), late, drink]}
    catalogue["bakar"].is_halal = True
    catalogue["bakar"].price = 30000
    db.session.flush()
    assert answered_from_postings(["ayam"])
    minuman = drink.category_id
    cases = {
        "category_id": (minuman, lambda p: p.category_id == minuman),
        "kelurahan_id": (night.kelurahan_id, lambda p: p.store.kelurahan_id == night.kelurahan_id),
        "store_id": (night.id, lambda p: p.store_id == night.id),
        "min_price": (20000, lambda p: p.price >= 20000),
        "max_price": (15000, lambda p: p.price <= 15000),
        "halal": (True, lambda p: p.is_halal),
        "available": (True, lambda p: p.id != drink.id),
        "open_now": (True, lambda p: p.store_id != night.id),
    }
    everything = [i for i, _ in ranked_every_match("ayam")]
    assert len(everything) == 6
    for name, (value, keeps) in cases.items():
        page = services.browse_products(services.BrowseFilters(q="ayam", **{name: value}), 1, 50)
        expected = [i for i in everything if keeps(products[i])]
        assert [p.id for p in page.items] == expected, name
        assert 0 < len(expected) < len(everything), name
    both = services.BrowseFilters(q="ayam", halal=True, min_price=25000, open_now=True)
    assert [p.id for p in services.browse_products(both, 1, 50).items] == [catalogue["bakar"].id]


def test_the_search_page_for_one_word_costs_no_more_statements(catalogue, client):
    client.get("/cari?q=ayam")
    with QueryCounter(db.engine) as counter:
        response = client.get("/cari?q=ayam")
    assert response.status_code == 200
    assert counter.count == 1  # the products and the stores the word finds, from postings
    assert counter.statements[0].count("to_tsquery(") == 1  # the word parsed once for all
    text = response.get_data(as_text=True)
    assert text.index("Ayam Ayam Geprek") < text.index("Ayam Bakar Madu") < text.index("Nasi Uduk")
    # a whole word's statement holds no ranking of every match: set up on every run, it cost
    # as much as reading the postings
    assert "ts_rank(" not in counter.statements[0]


def test_a_prefix_of_several_words_is_ranked_in_a_second_statement(
    catalogue, client, create_store, create_product
):
    """A word that begins several words of the products' postings, or of the stores', is
    ranked afresh in a statement of its own: the same page as ranking every match, one
    statement more."""

    def page(q: str) -> tuple[str, int]:
        client.get(f"/cari?q={q}")
        with QueryCounter(db.engine) as counter:
            response = client.get(f"/cari?q={q}")
        assert response.status_code == 200
        return response.get_data(as_text=True), counter.count

    def in_order(text: str, names: list[str]) -> None:
        places = [text.index(f">{name}<") for name in names]
        assert places == sorted(places), names

    names = {p.id: p.name for p in db.session.scalars(sa.select(Product))}
    # the stores' "ayam" begins two of their words, the products' one: the stores on their own
    for name in ("Ayam Penyet Bu Tini", "Ayampop Express"):
        create_store(name=name)
    assert answered_from_postings(["ayam"])
    assert not answered_from_postings(["ayam"], STORE_POSTINGS)
    text, statements = page("ayam")
    assert statements == 2
    in_order(text, [names[i] for i, _ in ranked_every_match("ayam")])
    in_order(text, stores_ranked_every_match("ayam"))
    assert "Ayampop Express" in text
    # the products' too: their page in a second statement, which brings the stores as well
    crispy = create_product(catalogue["tea"].store, name="Ayampop Crispy")
    names[crispy.id] = crispy.name
    assert not answered_from_postings(["ayam"])
    text, statements = page("ayam")
    assert statements == 3
    expected = [names[i] for i, _ in ranked_every_match("ayam")]
    assert len(expected) == 5
    assert "Ayampop Crispy" in expected
    in_order(text, expected)
    in_order(text, stores_ranked_every_match("ayam"))
    # a whole word of both again: one statement
    text, statements = page("ayampop")
    assert statements == 1
    assert "Ayampop Crispy" in text
    assert "Ayampop Express" in text


def stores_ranked_every_match(word: str) -> list[str]:
    found = text_match(Store.__table__, [word])
    rows = db.session.scalars(
        sa.select(Store.name)
        .where(Store.status == StoreStatus.VERIFIED, found.condition)
        .order_by(found.rank, Store.id),
        found.params,
    )
    return list(rows)


def test_a_one_word_store_search_is_read_from_the_store_postings(catalogue, create_store):
    """The stores a search lists above the products: the same stores in the same order as
    ranking every verified store that matches, after renames, new stories and new states."""
    for n, name in enumerate(("Ayam Bakar Bu Tini", "Warung Ayam Ayam", "Kedai Kopi")):
        create_store(name=name, story="Ayam kampung pilihan" if n == 2 else "")
    pending = create_store(name="Ayam Goreng Baru", status=StoreStatus.PENDING)

    def same(word: str) -> list[str]:
        hits = [s.name for s in services.search_stores(word, limit=20)]
        assert hits == stores_ranked_every_match(word), word
        return hits

    assert answered_from_postings(["ayam"], STORE_POSTINGS)
    assert same("ayam") == ["Warung Ayam Ayam", "Ayam Bakar Bu Tini", "Kedai Kopi"]
    for word in ("kopi", "warung", "bu", "rini", "zz", "ayam"):
        same(word)
    assert [s.name for s in services.search_stores("ayam", limit=1)] == ["Warung Ayam Ayam"]
    hit = services.search_stores("kopi")[0]
    assert (hit.slug, hit.kelurahan.name) == (
        db.session.scalar(sa.select(Store.slug).where(Store.name == "Kedai Kopi")),
        "Uwung Jaya",
    )
    # verified later, renamed, its story rewritten, rejected
    pending.status = StoreStatus.VERIFIED
    db.session.flush()
    assert "Ayam Goreng Baru" in same("ayam")
    pending.name = "Soto Baru"
    db.session.flush()
    assert "Soto Baru" not in same("ayam")
    assert same("soto") == ["Soto Baru"]
    kopi = db.session.scalar(sa.select(Store).where(Store.name == "Kedai Kopi"))
    kopi.story = "Kopi tubruk"
    kopi.status = StoreStatus.REJECTED
    db.session.flush()
    assert same("kopi") == []
    assert same("ayam") == ["Warung Ayam Ayam", "Ayam Bakar Bu Tini"]


def near_params(kelurahan_id: int) -> dict:
    from marketplace.areas.services import all_kelurahan, kelurahan_by_id

    home = kelurahan_by_id(kelurahan_id)
    return {
        "near_kelurahan": home.id,
        "near_neighbours": [k.id for k in all_kelurahan() if k.kecamatan_id == home.kecamatan_id],
    }


def test_a_search_near_the_buyer_is_read_from_the_postings(catalogue, create_store, create_product):
    """Near a buyer's kelurahan the rank changes with the store's place: the postings of the
    buyer's kecamatan are ranked afresh, the others read in order, and the result is the search
    that ranks every match near the buyer: the same products, order and ranks."""
    for area in ("Sukasari", "Babakan", "Cibodas", "Uwung Jaya"):
        store = create_store(area=area)
        create_product(store, name=f"Ayam Bakar {area}")
        create_product(store, name="Nasi Ayam", description="Ayam suwir pedas")
    catalogue["twice"].rating_count, catalogue["twice"].rating_sum = 7, 33
    db.session.flush()
    assert answered_from_postings(["ayam"])
    places = {s.kelurahan_id for s in db.session.scalars(sa.select(Store))}
    for kelurahan_id in sorted(places):
        for word in ("ayam", "bakar", "pedas", "nasi"):
            found = text_match(Product.__table__, [word])
            relevance = services._relevance(found, near=True)
            params = {**found.params, **near_params(kelurahan_id)}
            expected = db.session.execute(
                sa.select(Product.id, relevance)
                .where(Product.listed, found.condition)
                .order_by(relevance, Product.id),
                params,
            ).all()
            ranked = (
                sa.select(Product.id, relevance.label("key0"), Product.id.label("key1"))
                .where(Product.listed, found.condition)
                .order_by(relevance, Product.id)
                .limit(1201)
            )
            top = postings_top(ranked, 1201, [], near=services._postings_near()).subquery()
            read = db.session.execute(
                sa.select(top.c.id, top.c.key0).order_by(top.c.key0, top.c.key1), params
            ).all()
            assert [tuple(r) for r in read] == [tuple(r) for r in expected], (word, kelurahan_id)
            filters = services.BrowseFilters(q=word, near_kelurahan_id=kelurahan_id)
            page = services.browse_products(filters, 1, 100)
            assert [p.id for p in page.items] == [i for i, _ in expected], (word, kelurahan_id)
    # near changes the order: a Babakan buyer sees Babakan's chicken first
    babakan = db.session.scalar(
        sa.select(Store.kelurahan_id)
        .where(Store.name.is_not(None))
        .where(
            Store.id
            == db.session.scalar(
                sa.select(Product.store_id).where(Product.name == "Ayam Bakar Babakan")
            )
        )
    )
    page = services.browse_products(
        services.BrowseFilters(q="bakar", near_kelurahan_id=babakan), 1, 5
    )
    assert page.items[0].name == "Ayam Bakar Babakan"
