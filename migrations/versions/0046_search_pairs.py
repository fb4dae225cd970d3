"""a search for two words reads the products whose name holds both already in rank order
(PostgreSQL)

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-06 00:40:00

A search for two words ("nasi goreng") ranked every product holding both before it could show
the first 24: 2,232 products at 100k, each read from the table to compute its rank (~7 ms, and
a third of what the page could serve). A search ranks the products whose name holds every word
typed before those where a word is only in the description (catalog.search, ``tier``), so the
first of its matches are the products whose name holds both words. ``product_search_pairs``
keeps, for each two words of each listed product's name (each pair once, the lesser word
first), the rank a search for those two words gives the product, indexed in rank order, with
the columns a search filters on beside each entry, as the one-word postings do (0039): a search
for two words, each the prefix of exactly one word of the catalogue, reads the pair's entries
from the best and stops after 601; when the pair has fewer than that, it ranks every match as
before (catalog.search.pairs_top).

The rank is the search's own, computed by the database as the search computes it: ``ts_rank``
of the two words (either order gives the same number) times one plus the rating's share. The
trigger that keeps the postings (0039) keeps the pairs too, on the same changes.
tests/catalog/test_search_pairs.py checks that a search answered from here is the search
answered by ranking every match, after each kind of change. SQLite keeps its FTS5 search.
"""

from alembic import op

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None

#: the pairs of one product: each two words of its name (weight A in its search document), the
#: lesser first, with the rank a search for those two words gives it (the same expression as
#: catalog.services._relevance, types included)
PAIRS = """
CREATE FUNCTION product_search_pairs_of(product products)
RETURNS SETOF product_search_pairs
LANGUAGE sql STABLE AS $$
    WITH named AS (
        SELECT lexeme COLLATE "C" AS word FROM unnest(product.search_vector)
        WHERE 'A' = ANY(weights)
    )
    SELECT first.word, second.word,
           - ts_rank(product.search_vector,
                     (quote_literal(first.word) || ' & ' || quote_literal(second.word))::tsquery)
           * ('1'::double precision + ('0.2'::double precision * CASE
                 WHEN product.rating_count >= 5
                     THEN product.rating_sum::double precision
                          / (product.rating_count::double precision * '5'::double precision)
                 WHEN product.rating_count > 0
                     THEN product.rating_sum::double precision / '25'::double precision
                 ELSE '0'::double precision END)),
           product.id, product.store_id, product.category_id, product.kelurahan_id,
           product.price, product.is_halal
    FROM named AS first JOIN named AS second ON first.word < second.word
$$
"""


#: the trigger function of 0039 that rewrites a product's postings, rewriting its pairs too
REFRESH = """
CREATE OR REPLACE FUNCTION product_search_postings_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM product_search_postings WHERE product_id = OLD.id;
        DELETE FROM product_search_pairs WHERE product_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.listed THEN
        INSERT INTO product_search_postings SELECT * FROM product_search_postings_of(NEW);
        INSERT INTO product_search_pairs SELECT * FROM product_search_pairs_of(NEW);
    END IF;
    RETURN NULL;
END
$$
"""

#: the function as 0039 made it
REFRESH_0039 = """
CREATE OR REPLACE FUNCTION product_search_postings_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM product_search_postings WHERE product_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.listed THEN
        INSERT INTO product_search_postings SELECT * FROM product_search_postings_of(NEW);
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE product_search_pairs ("
        ' first text COLLATE "C" NOT NULL,'
        ' second text COLLATE "C" NOT NULL,'
        " rank double precision NOT NULL,"
        " product_id integer NOT NULL,"
        " store_id integer NOT NULL,"
        " category_id integer NOT NULL,"
        " kelurahan_id integer,"
        " price bigint NOT NULL,"
        " is_halal boolean NOT NULL,"
        " CONSTRAINT pk_product_search_pairs PRIMARY KEY (first, second, rank, product_id)"
        " INCLUDE (store_id, category_id, kelurahan_id, price, is_halal))"
    )
    op.execute("CREATE INDEX ix_product_search_pairs_product ON product_search_pairs (product_id)")
    op.execute(PAIRS)
    op.execute(REFRESH)
    op.execute(
        "INSERT INTO product_search_pairs SELECT pairs.* FROM products,"
        " LATERAL product_search_pairs_of(products) AS pairs WHERE products.listed"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(REFRESH_0039)
    op.execute("DROP FUNCTION IF EXISTS product_search_pairs_of(products)")
    op.execute("DROP TABLE IF EXISTS product_search_pairs")
