"""A search for several words asks PostgreSQL's full-text index for whole words where a word
typed begins exactly one word of the catalogue (migration 0043, ``search_query``): the same
products with the same ranks as the words typed as prefixes, found without gathering every
entry a prefix begins."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import Product
from marketplace.catalog.search import text_match, words_param
from marketplace.extensions import db
from tests.catalog.test_search_postings import ranked

SEARCHES = (
    "nasi goreng",
    "ayam bakar",
    "es teh",
    "ay bak",  # "ay" begins "ayam" only; "bak" begins "bakar" and "bakso": a prefix stays
    "ayam ayam",
    "sambal pedas sekali",
    "ayam malnag",  # no word begins "malnag": nothing is found, at once
    "goreng nasi",
    "teh es manis",
)


@pytest.fixture
def catalogue(dialect, create_store, create_product):
    if dialect != "postgresql":
        pytest.skip("the catalogue's words are PostgreSQL's (SQLite's FTS5 has its own index)")
    warung = create_store(name="Warung Bu Rini")
    other = create_store(name="Dapur Pak Joko", area="Cibodasari")
    create_product(warung, name="Nasi Goreng Kampung", description="Nasi goreng dengan ayam")
    create_product(warung, name="Ayam Bakar Madu")
    create_product(other, name="Ayam Goreng", description="Nasi putih terpisah")
    create_product(other, name="Bakso Malang", description="Bakso urat")
    create_product(other, name="Es Teh Manis")
    create_product(warung, name="Teh Tarik", description="Es batu")
    create_product(other, name="Sambal Terasi", description="Pedas sekali, ayam tidak")
    db.session.flush()


def _query(words: str) -> str:
    return db.session.scalar(sa.text("SELECT search_query(:words)::text"), {"words": words})


def test_prefixes_that_begin_one_word_are_asked_as_that_word(catalogue):
    assert _query("nasi:* & goreng:*") == "'nasi' & 'goreng'"
    assert _query("ay:* & bak:*") == "'ayam' & 'bak':*"  # bakar, bakso
    assert _query("ayam:* & malnag:*") == "'ayam' & 'malnag'"  # no such word: nothing found
    # stemmed as the index is ("makanan" is searched as "makan"), then looked up
    assert _query("makanan:* & ayam:*") == "'makan' & 'ayam'"
    assert _query("ay:*") == "'ayam'"
    # anything but an AND of prefixes is left as it is
    assert _query("ayam | nasi") == "'ayam' | 'nasi'"
    assert _query("") == ""


#: the oracle: migration 0043's search_query, one query that looked each word up four times
FIRST_SEARCH_QUERY = r"""
  WITH typed AS (SELECT to_tsquery('indonesian', %(words)s) AS q),
  prefixes AS (
    SELECT m.n, m.parts[1] AS prefix,
      (SELECT array_agg(w.word) FROM (
         SELECT word FROM search_words
         WHERE word >= m.parts[1] COLLATE "C" AND word < (m.parts[1] || chr(1114111)) COLLATE "C"
         ORDER BY word LIMIT 2) w) AS hits
    FROM typed,
      regexp_matches(typed.q::text, '''([[:alnum:]]+)'':\*', 'g') WITH ORDINALITY AS m(parts, n)
  )
  SELECT (CASE
    WHEN typed.q::text !~ '^''[[:alnum:]]+'':\*( & ''[[:alnum:]]+'':\*)*$' THEN typed.q
    ELSE (
      SELECT string_agg(
        CASE
          WHEN hits IS NULL THEN '''' || prefix || ''''
          WHEN cardinality(hits) = 1 AND hits[1] ~ '^[[:alnum:]]+$'
            THEN '''' || hits[1] || ''''
          ELSE '''' || prefix || ''':*'
        END, ' & ' ORDER BY n)::tsquery
      FROM prefixes)
  END)::text
  FROM typed"""


def test_each_word_is_asked_as_the_first_version_asked_it(catalogue, create_store, create_product):
    """``search_query`` now looks each word up once, in a loop (migration 0049): its answers
    are the first version's for every prefix of every word of the catalogue, alone, in twos
    and threes, and for what is not an AND of prefixes."""
    create_product(create_store(name="Warung Baru"), name="Ayam Bakarbakar Kecap 2 Porsi")
    db.session.flush()
    words = db.session.scalars(sa.text("SELECT word FROM search_words ORDER BY word")).all()
    prefixes = sorted({word[:size] for word in words for size in range(1, len(word) + 1)})
    asked = [f"{prefix}:*" for prefix in prefixes]
    asked += [f"{a} & {b}" for a, b in zip(asked, reversed(asked), strict=True)]
    asked += [" & ".join(asked[n : n + 3]) for n in range(0, len(prefixes), 3)]
    asked += ["", "ayam | nasi", "!ayam", "ayam <-> goreng", "nasi:*A & goreng:*A", "zz:* & yy:*"]
    driver = db.session.connection()
    for words_asked in asked:
        first = driver.exec_driver_sql(FIRST_SEARCH_QUERY, {"words": words_asked}).scalar()
        assert _query(words_asked) == first, words_asked


@pytest.mark.parametrize("words", SEARCHES)
def test_whole_words_find_and_rank_as_the_prefixes_typed(catalogue, words):
    terms = words.split()
    found = text_match(Product.__table__, terms)
    assert found.kind == "words"
    # the oracle: the words typed as prefixes, parsed as before
    wanted = sa.func.to_tsquery(
        sa.literal_column("'indonesian'::regconfig"), sa.bindparam("search_words")
    )
    vector = sa.literal_column("products.search_vector")
    typed = dataclasses.replace(
        found, rank=-sa.func.ts_rank(vector, wanted), condition=vector.op("@@")(wanted)
    )
    assert ranked(found) == ranked(typed), words
    page = services.browse_products(services.BrowseFilters(q=words), 1, 50)
    if page.corrected:  # words no product has together: the page searched fewer
        return
    assert [card.id for card in page.items] == [id_ for id_, _ in ranked(typed)], words
    assert words_param(terms) == {
        "search_words": " & ".join(f"{t}:*" for t in terms),
        "name_words": " & ".join(f"{t}:*A" for t in terms),  # each in the name (the tier)
    }


def test_a_new_products_word_is_asked_as_a_prefix_at_once(catalogue, create_store, create_product):
    """A product whose word begins like another word (the catalogue had one word beginning
    "bakar", now two: "bakar" and "bakarbakar") is found by the prefix as soon as it is
    saved: the words are the catalogue's own, kept by the postings' trigger in the same
    transaction."""
    assert _query("ayam:* & bakar:*") == "'ayam' & 'bakar'"
    store = create_store(name="Warung Baru")
    added = create_product(store, name="Ayam Bakarbakar Kecap")
    db.session.flush()
    assert _query("ayam:* & bakar:*") == "'ayam' & 'bakar':*"
    page = services.browse_products(services.BrowseFilters(q="ayam bakar"), 1, 50)
    assert added.id in [card.id for card in page.items]
