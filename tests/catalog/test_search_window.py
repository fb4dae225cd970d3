"""A search page counts through the page it shows and one past it, not to the bound
(``services.MAX_RESULTS``): its pagination says "Halaman N" and links the next page; its last
page, whose number of pages is then known, says "Halaman N dari N"; a page past the last shows
the last. Its pages are the products, in the order, of the listing counted to the bound."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.extensions import db
from tests.statements import QueryCounter, explained_sql, scans_of

SIZE = 2
SEARCHES = [
    services.BrowseFilters(q="kue"),  # one word: the postings (PostgreSQL)
    services.BrowseFilters(q="kue lapis"),  # two: the pairs of the names
    services.BrowseFilters(q="kue", sort="price_asc"),
    services.BrowseFilters(q="kue", halal=True),
    services.BrowseFilters(q="lapis kue pandan"),  # three, none has all: "lapis kue"
]


@pytest.fixture
def kue(app, create_store, create_product, monkeypatch):
    """Seven cakes (four pages of two) and a sweet drink the searches do not find."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", SIZE)
    store = create_store(name="Dapur Bu Sri")
    cakes = [
        create_product(store, name=f"Kue Lapis {n}", price=5000 + 1000 * (n % 3), is_halal=n != 3)
        for n in range(7)
    ]
    create_product(store, name="Es Teh Manis")
    return cakes


def ids(page) -> list[int]:
    return [card.id for card in page.items]


@pytest.mark.parametrize("filters", SEARCHES, ids=lambda f: f"{f.q}-{f.sort}-{f.halal}")
def test_each_page_of_a_search_counted_through_it_is_that_page_of_every_match(kue, filters):
    every = services.browse_products(filters, page=1, per_page=100)
    assert every.total in (6, 7)
    assert not every.open_ended
    order = ids(every)
    last = -(-every.total // SIZE)
    for number in range(1, last + 1):
        page = services.browse_products(filters, page=number, per_page=SIZE, window=True)
        assert ids(page) == order[(number - 1) * SIZE : number * SIZE], number
        assert page.corrected == every.corrected
        assert page.similar == every.similar
        # a next page, how many not known; the last one knows it is the last
        assert page.open_ended is (number < last)
        assert page.has_next is (number < last)
        assert page.pages == (number + 1 if number < last else last)
        assert page.total == (number * SIZE + 1 if number < last else every.total)
    # past the last page: the last page
    beyond = services.browse_products(filters, page=99, per_page=SIZE, window=True)
    assert (beyond.page, ids(beyond), beyond.open_ended) == (
        last,
        order[(last - 1) * SIZE :],
        False,
    )
    # counted to the bound, as a listing is: every page knows how many there are
    counted = services.browse_products(filters, page=1, per_page=SIZE)
    assert (counted.pages, counted.open_ended, ids(counted)) == (last, False, order[:SIZE])


def test_a_search_page_says_its_page_and_links_the_next(client, kue):
    first = client.get("/cari?q=kue").get_data(as_text=True)
    assert "<span>Halaman 1</span>" in first
    assert "Halaman 1 dari" not in first
    assert re.search(r'href="/cari\?q=kue&amp;page=2" rel="next"', first)
    assert 'rel="prev"' not in first
    third = client.get("/cari?q=kue&page=3").get_data(as_text=True)
    assert "<span>Halaman 3</span>" in third
    assert 'rel="prev"' in third
    assert 'rel="next"' in third
    for path in ("/cari?q=kue&page=4", "/cari?q=kue&page=5", "/cari?q=kue&page=99"):
        last = client.get(path).get_data(as_text=True)
        assert "<span>Halaman 4 dari 4</span>" in last, path
        assert 'rel="next"' not in last
        assert 'rel="prev"' in last
    # one page of results: no pagination at all
    assert "Halaman" not in client.get("/cari?q=kue+lapis+6").get_data(as_text=True)
    # a listing says how many pages it has, a search typed in it too
    assert "Halaman 1 dari 4" in client.get("/produk?q=kue").get_data(as_text=True)
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    assert "<span>Page 1</span>" in client.get("/cari?q=kue").get_data(as_text=True)
    assert "<span>Page 4 of 4</span>" in client.get("/cari?q=kue&page=4").get_data(as_text=True)


def _plan_of(client, path: str, table: str) -> dict:
    """The plan of the page's statement that reads ``table`` (PostgreSQL), run again as a
    catalogue of thousands runs it: its indexes walked, not the few rows of the tests' tables
    read whole and sorted."""
    with QueryCounter(db.engine) as counter:
        assert client.get(path).status_code == 200
    (sql, params), *_ = (
        (sql, params)
        for sql, params in zip(counter.statements, counter.parameters, strict=True)
        if table in sql
    )
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    db.session.execute(sa.text("SET LOCAL enable_bitmapscan = off"))
    return explained_sql(sql, params)


def _postings_read(client, path: str) -> int:
    """How many postings the page's statement read: the longest of its reads of them (the
    others are the probes of which word was typed)."""
    plan = _plan_of(client, path, "product_search_postings")
    return max(node["Actual Rows"] for node in scans_of(plan, "product_search_postings"))


def _products_ranked(client, path: str) -> bool:
    """Whether the page's statement ranked the products matching the words (rather than
    reading the pairs of their names)."""
    plan = _plan_of(client, path, "product_search_pairs")
    return any(node["Actual Loops"] for node in scans_of(plan, "products") if "Filter" in node)


def test_a_search_reads_the_postings_only_through_its_page(dialect, client, kue):
    if dialect != "postgresql":
        pytest.skip("the postings are PostgreSQL's")
    # the first page of two reads three (one to know there is a next page), the third seven
    assert _postings_read(client, "/cari?q=kue") == SIZE + 1
    assert _postings_read(client, "/cari?q=kue&page=3") == 3 * SIZE + 1
    # a listing counts them all
    assert _postings_read(client, "/produk?q=kue") == 7


def test_a_search_for_two_words_reads_the_pairs_it_keeps(dialect, client, kue):
    """Seven names hold "kue lapis": a search page keeping three reads them from the pairs; a
    listing, which keeps up to the bound, ranks every match."""
    if dialect != "postgresql":
        pytest.skip("the pairs are PostgreSQL's")
    assert not _products_ranked(client, "/cari?q=kue+lapis")
    assert _products_ranked(client, "/produk?q=kue+lapis")
