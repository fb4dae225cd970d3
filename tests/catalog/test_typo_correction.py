"""A typo is corrected word by word (PostgreSQL, migration 0042): each word typed that begins no
word of the catalogue becomes the catalogue's word most like it, and the search runs for those
words, from the postings when it is one. SQLite, for small sites, compares names row by row
(``test_browse_search.test_a_typo_finds_names_that_look_like_it`` covers both)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.search import corrected_terms, terms_posted
from marketplace.extensions import db


@pytest.fixture
def warung(dialect, create_store, create_product):
    if dialect != "postgresql":
        pytest.skip("the catalogue's words and their trigram index are PostgreSQL's")
    store = create_store(name="Warung Bu Rini")
    for name in ("Sambal Bawang", "Bakso Malang Jumbo", "Ayam Geprek", "Martabak Manis"):
        create_product(store, name=name)
    db.session.flush()
    return store


def _page_and_statements(client, url: str):
    """The answer to ``url`` and the statements it sent (not the test's savepoints)."""
    said = []

    def listen(_conn, _cursor, statement, *_args):
        if "SAVEPOINT" not in statement:
            said.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        return client.get(url), said
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)


def test_each_word_is_corrected_to_the_catalogues_word_most_like_it(warung):
    assert corrected_terms(["sambel"]) == ["sambal"]
    assert corrected_terms(["bakso", "malnag"]) == ["bakso", "malang"]
    assert corrected_terms(["martabk", "manis"]) == ["martabak", "manis"]
    # a word typed as the beginning of a word of the catalogue is searched as it is
    assert corrected_terms(["ayam", "gep"]) == ["ayam", "gep"]
    # nothing looks like it: left out, unless nothing would be left
    assert corrected_terms(["ayam", "xyzzyq"]) == ["ayam"]
    assert corrected_terms(["xyzzyq"]) == ["xyzzyq"]
    assert corrected_terms([]) == []


def test_a_word_is_corrected_by_one_function(warung):
    """``correct_word`` (migration 0044) plans its lookups once per connection."""
    corrected = db.session.execute(
        sa.text("SELECT correct_word('sambel'), correct_word('sam'), correct_word('xyzzyq')")
    ).one()
    assert tuple(corrected) == ("sambal", "sam", None)


def test_a_new_products_words_can_be_corrected_to_at_once(warung, create_product):
    assert corrected_terms(["telr"]) == ["telr"]
    create_product(warung, name="Kerak Telor Betawi")
    db.session.flush()
    assert corrected_terms(["kerak", "telr"]) == ["kerak", "telor"]
    assert terms_posted(["telo"])
    assert terms_posted(["kerak", "telo", "bet"])
    assert not terms_posted(["kerak", "sambal"])


def test_the_search_page_shows_the_corrected_words_results(warung, client):
    client.get("/cari?q=sambel")  # the process's copies of categories and kelurahan
    response, said = _page_and_statements(client, "/cari?q=sambel")
    page = response.get_data(as_text=True)
    assert "Sambal Bawang" in page
    assert "Tidak ada yang persis “sambel”. Menampilkan hasil untuk “sambal”" in page
    # one statement: it corrects the word as the index reads it and searches the products and
    # the stores for the word corrected
    assert len(said) == 1, said
    assert "typo_corrected(" in said[0]
    assert "store_hits" in said[0]
    # what PostgreSQL must know to plan it once is SQL text: how many stores, not a parameter
    assert "LIMIT 6" in said[0]
    for typed in ("bakso malnag", "bakso+malnag&urut=price_asc", "baksso malnag"):
        response, said = _page_and_statements(client, f"/cari?q={typed}")
        page = response.get_data(as_text=True)
        assert "Bakso Malang Jumbo" in page, typed
        assert "Menampilkan hasil untuk “bakso malang”" in page, typed
        assert len(said) == 1, (typed, said)
    found = services.browse_products(services.BrowseFilters(q="bakso malnag"), 1, 10)
    assert [card.name for card in found.items] == ["Bakso Malang Jumbo"]
    assert (found.corrected, found.similar) == ("bakso malang", True)
    # a word the index finds by its stem is no typo: "manisnya" is "manis"
    found = services.browse_products(services.BrowseFilters(q="martabak manisnya"), 1, 10)
    assert [card.name for card in found.items] == ["Martabak Manis"]
    assert (found.corrected, found.similar) == ("", False)


def test_a_typo_finds_the_stores_of_the_corrected_words(warung, client, create_store):
    create_store(name="Bakso Malang Pak Kumis")
    page = client.get("/cari?q=bakso+malnag").get_data(as_text=True)
    assert ">Bakso Malang Pak Kumis<" in page
    assert "Menampilkan hasil untuk “bakso malang”" in page
    found = services.browse_products(services.BrowseFilters(q="kumsi"), 1, 10, with_stores=True)
    assert [store.name for store in found.stores] == ["Bakso Malang Pak Kumis"]
    assert found.corrected == ""  # no product is named so: the page says nothing was corrected


def test_a_corrected_word_that_the_filters_leave_nothing_of_says_so(warung, client):
    found = services.browse_products(services.BrowseFilters(q="sambel", max_price=1), 1, 10)
    assert (found.total, found.corrected, found.filtered_out) == (0, "sambal", True)
    page = client.get("/cari?q=sambel&max=1").get_data(as_text=True)
    assert "Ada produk “sambal”, tetapi tidak ada yang cocok dengan saringan ini" in page
    # a word nothing looks like: no correction, and no product to blame the filters for
    nothing = services.browse_products(services.BrowseFilters(q="xyzzyq", max_price=1), 1, 10)
    assert (nothing.total, nothing.corrected, nothing.filtered_out) == (0, "", False)


def test_words_no_product_has_together_give_the_first_ones(warung):
    """Every word is in the catalogue but no product has them all: the words but the last
    (the dish, less what is said of it); a word nothing looks like is left out."""
    fewer = services.browse_products(services.BrowseFilters(q="ayam geprek manis"), 1, 10)
    assert [card.name for card in fewer.items] == ["Ayam Geprek"]
    assert (fewer.corrected, fewer.similar) == ("ayam geprek", True)
    unknown = services.browse_products(services.BrowseFilters(q="ayam geprek xyzzyq"), 1, 10)
    assert [card.name for card in unknown.items] == ["Ayam Geprek"]
    assert unknown.corrected == "ayam geprek"


def _names_and_total(page) -> tuple:
    return [card.name for card in page.items], page.total


@pytest.mark.parametrize("sort", ["", "price_asc", "name"])
def test_the_words_but_the_last_are_searched_in_the_pages_one_statement(
    warung, client, create_store, create_product, sort
):
    """Three words or more that no product has together, or with a word like none of the
    catalogue: the page's one statement searches the words but the last, or those left, and
    finds what a search for them finds, in the same order. The stores listed are those of the
    words typed, or of those left."""
    for name in ("Ayam Geprek Keju", "Ayam Geprek Sambal Matah", "Ayam Bakar"):
        create_product(warung, name=name, price=9000 + len(name))
    create_store(name="Ayam Geprek Mas Budi")
    assert [store.name for store in services.search_stores("ayam geprek")] == [
        "Ayam Geprek Mas Budi"
    ]
    assert services.search_stores("ayam geprek manis") == []
    client.get("/cari?q=ayam")  # the process's copies of categories and kelurahan
    first_two = services.browse_products(services.BrowseFilters(q="ayam geprek", sort=sort), 1, 2)
    assert first_two.total == 3
    for typed, stores_of in (
        ("ayam geprek manis", "ayam geprek manis"),
        ("ayam geprek xyzzyq", "ayam geprek"),
        ("ayam xyzzyq geprek", "ayam geprek"),
    ):
        asked = services.BrowseFilters(q=typed, sort=sort)
        for page in (1, 2):
            fewer = services.browse_products(asked, page, 2, with_stores=True)
            expected = services.browse_products(
                services.BrowseFilters(q="ayam geprek", sort=sort), page, 2
            )
            assert _names_and_total(fewer) == _names_and_total(expected), typed
            assert (fewer.corrected, fewer.similar) == ("ayam geprek", True)
            assert fewer.stores == services.search_stores(stores_of)
        response, said = _page_and_statements(client, f"/cari?q={typed}&urut={sort}")
        assert "Menampilkan hasil untuk “ayam geprek”" in response.get_data(as_text=True)
        assert len(said) == 1, said
    # the words but the last find nothing either: a page of nothing, which says nothing more
    nothing = services.browse_products(services.BrowseFilters(q="sambal martabak manis"), 1, 2)
    assert (nothing.total, nothing.corrected, nothing.similar) == (0, "", False)
    assert not nothing.filtered_out
    # the three words together: no fewer
    three = services.browse_products(services.BrowseFilters(q="ayam geprek keju", sort=sort), 1, 2)
    assert (_names_and_total(three), three.corrected) == ((["Ayam Geprek Keju"], 1), "")
    # one word left: searched in a statement of its own (one word is read from its postings)
    response, said = _page_and_statements(client, "/cari?q=bakar+xyzzyq")
    assert "Menampilkan hasil untuk “bakar”" in response.get_data(as_text=True)
    assert len(said) == 2, said


@pytest.mark.parametrize(
    "typed",
    [
        "bakso malnag jumbo",
        "bakso malnag jumbo&max=1",
        "sambel&max=1",
        "ayam geprek manis&max=1",
        "bakso malnag manis&max=1",
    ],
)
def test_a_search_that_finds_nothing_makes_six_statements_at_most(warung, client, typed):
    client.get("/cari?q=ayam")  # the process's copies of categories and kelurahan
    response, said = _page_and_statements(client, f"/cari?q={typed}")
    assert response.status_code == 200
    assert len(said) <= 6, said


def test_a_page_that_finds_no_product_reads_the_stores_and_corrections_with_it(warung, client):
    """The page's one statement brings, when it finds no product, the stores the words find and
    each word corrected (its row of NULLs carries them); a page that finds products does not
    correct its words."""
    client.get("/cari?q=ayam")  # the process's copies of categories and kelurahan
    response, said = _page_and_statements(client, "/cari?q=rini")
    page = response.get_data(as_text=True)
    assert "Warung Bu Rini" in page  # the store, though no product is named so
    assert "correct_words(" in said[0]
    assert "store_hits" in said[0]
    assert not any("correct_words(" in statement for statement in said[1:])
    nothing = services.browse_products(services.BrowseFilters(q="rini"), 1, 10, with_stores=True)
    assert nothing.total == 0
    assert nothing.items == []
    assert [store.name for store in nothing.stores] == ["Warung Bu Rini"]
    found = services.browse_products(services.BrowseFilters(q="ayam"), 1, 10, with_stores=True)
    assert [card.name for card in found.items] == ["Ayam Geprek"]
    assert found.corrections is None  # NULL: the words of a page with products are left alone
    # no product has the three words together: the page searches the first two in its one
    # statement, and says so
    response, said = _page_and_statements(client, "/cari?q=ayam+geprek+manis")
    page = response.get_data(as_text=True)
    assert "Ayam Geprek" in page
    assert "Menampilkan hasil untuk “ayam geprek”" in page
    assert len(said) == 1, said
