"""a search for one word reads that word's matches already in rank order (PostgreSQL)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05 07:00:00

A search ranked every product its word matches before it could show the first 24: for a common
word ("ayam": 13,000 of 100,000 products) PostgreSQL read nearly every page of the products
table to rank them (~12 ms). ``product_search_postings`` keeps, for each word (lexeme) of each
listed product's search document, the rank that product would get in a search for that word,
indexed in rank order: a search for one word whose prefix is one word of the catalogue reads the
first 1,201 entries of the index and stops (catalog.search.postings_top).

The rank is the search's own, computed by the database as the search computes it
(catalog.services._relevance without a buyer's kelurahan): the text's rank (``ts_rank`` of the
word as a prefix) times one plus the rating's share. A trigger keeps the entries of a product
right whenever what they are made of changes: its name or description, its rating, whether it is
listed, or the product itself. tests/catalog/test_search_postings.py checks that a search
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
CREATE FUNCTION product_search_postings_of(
    product integer, document tsvector, rating_sum integer, rating_count integer
) RETURNS TABLE (lexeme text, rank double precision, product_id integer)
LANGUAGE sql STABLE AS $$
    SELECT word,
           (- ts_rank(document, (quote_literal(word) || ':*')::tsquery))
           * ('1'::double precision + ('0.2'::double precision * CASE
                 WHEN rating_count >= 5
                     THEN rating_sum::double precision
                          / (rating_count::double precision * '5'::double precision)
                 WHEN rating_count > 0 THEN rating_sum::double precision / '25'::double precision
                 ELSE '0'::double precision END)),
           product
    FROM unnest(tsvector_to_array(document)) AS word
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
        INSERT INTO product_search_postings (lexeme, rank, product_id)
        SELECT * FROM product_search_postings_of(
            NEW.id, NEW.search_vector, NEW.rating_sum, NEW.rating_count);
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
        " CONSTRAINT pk_product_search_postings PRIMARY KEY (lexeme, rank, product_id))"
    )
    op.execute(
        "CREATE INDEX ix_product_search_postings_product ON product_search_postings (product_id)"
    )
    op.execute(ROWS)
    op.execute(REFRESH)
    op.execute(
        "CREATE TRIGGER product_search_postings AFTER INSERT OR DELETE"
        " OR UPDATE OF listed, name, description, rating_sum, rating_count ON products"
        " FOR EACH ROW EXECUTE FUNCTION product_search_postings_refresh()"
    )
    op.execute(
        "INSERT INTO product_search_postings (lexeme, rank, product_id) SELECT postings.*"
        " FROM products, LATERAL product_search_postings_of("
        "products.id, products.search_vector, products.rating_sum, products.rating_count)"
        " AS postings WHERE products.listed"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS product_search_postings ON products")
    op.execute("DROP FUNCTION IF EXISTS product_search_postings_refresh()")
    op.execute(
        "DROP FUNCTION IF EXISTS product_search_postings_of(integer, tsvector, integer, integer)"
    )
    op.execute("DROP TABLE IF EXISTS product_search_postings")
