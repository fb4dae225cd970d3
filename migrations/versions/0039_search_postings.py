"""a search for one word reads that word's matches already in rank order (PostgreSQL)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05 07:00:00

A search ranked every product its word matches before it could show the first 24: for a common
word ("ayam": 13,000 of 100,000 products) PostgreSQL read nearly every page of the products
table to rank them (~12 ms). ``product_search_postings`` keeps, for each word (lexeme) of each
listed product's search document, the rank that product would get in a search for that word,
indexed in rank order, with the product's columns that a search filters on (store, category,
kelurahan, price, halal) beside each entry: a search for one word whose prefix is one word of the
catalogue reads the index from its best entry, checks the filters on the entry itself, and stops
after 1,201 matches (catalog.search.postings_top).

The rank is the search's own, computed by the database as the search computes it
(catalog.services._relevance without a buyer's kelurahan): the text's rank (``ts_rank`` of the
word as a prefix) times one plus the rating's share. A trigger keeps the entries of a product
right whenever what they are made of changes: its name or description, its rating, whether it is
listed, a filtered column, or the product itself. tests/catalog/test_search_postings.py checks that a search
answered from here is the search answered by ranking every match, order and keys, after each
kind of change. SQLite (small sites) keeps its FTS5 search.
"""

from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

#: the postings of one product: each word of its search document with the rank a search for
#: that word gives it (the same expression as catalog.services._relevance, types included)
ROWS = """
CREATE FUNCTION product_search_postings_of(product products)
RETURNS SETOF product_search_postings
LANGUAGE sql STABLE AS $$
    SELECT word,
           (- ts_rank(product.search_vector, (quote_literal(word) || ':*')::tsquery))
           * ('1'::double precision + ('0.2'::double precision * CASE
                 WHEN product.rating_count >= 5
                     THEN product.rating_sum::double precision
                          / (product.rating_count::double precision * '5'::double precision)
                 WHEN product.rating_count > 0
                     THEN product.rating_sum::double precision / '25'::double precision
                 ELSE '0'::double precision END)),
           product.id, product.store_id, product.category_id, product.kelurahan_id,
           product.price, product.is_halal
    FROM unnest(tsvector_to_array(product.search_vector)) AS word
$$
"""

REFRESH = """
CREATE FUNCTION product_search_postings_refresh() RETURNS trigger
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
        "CREATE TABLE product_search_postings ("
        ' lexeme text COLLATE "C" NOT NULL,'
        " rank double precision NOT NULL,"
        " product_id integer NOT NULL,"
        " store_id integer NOT NULL,"
        " category_id integer NOT NULL,"
        " kelurahan_id integer,"
        " price bigint NOT NULL,"
        " is_halal boolean NOT NULL,"
        " CONSTRAINT pk_product_search_postings PRIMARY KEY (lexeme, rank, product_id)"
        " INCLUDE (store_id, category_id, kelurahan_id, price, is_halal))"
    )
    op.execute(
        "CREATE INDEX ix_product_search_postings_product ON product_search_postings (product_id)"
    )
    op.execute(ROWS)
    op.execute(REFRESH)
    op.execute(
        "CREATE TRIGGER product_search_postings AFTER INSERT OR DELETE"
        " OR UPDATE OF listed, name, description, rating_sum, rating_count,"
        " store_id, category_id, kelurahan_id, price, is_halal ON products"
        " FOR EACH ROW EXECUTE FUNCTION product_search_postings_refresh()"
    )
    op.execute(
        "INSERT INTO product_search_postings SELECT postings.* FROM products,"
        " LATERAL product_search_postings_of(products) AS postings WHERE products.listed"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS product_search_postings ON products")
    op.execute("DROP FUNCTION IF EXISTS product_search_postings_refresh()")
    op.execute("DROP FUNCTION IF EXISTS product_search_postings_of(products)")
    op.execute("DROP TABLE IF EXISTS product_search_postings")
