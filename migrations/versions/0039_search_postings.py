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
kind of change. ``store_search_postings`` does the same for the stores a search lists above the
products (verified stores; their rank is the text's alone). SQLite (small sites) keeps its FTS5
search.
"""

from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

#: the postings of one product: each word of its search document with the rank a search for
#: that word gives it (the same expression as catalog.services._relevance, types included), and
#: its two factors, the text's rank and the rating's boost, from which a search near a buyer's
#: kelurahan computes its own rank
ROWS = """
CREATE FUNCTION product_search_postings_of(product products)
RETURNS SETOF product_search_postings
LANGUAGE sql STABLE AS $$
    SELECT word, - text_rank * boost, product.id, product.store_id, product.category_id,
           product.kelurahan_id, product.price, product.is_halal, text_rank, boost
    FROM unnest(tsvector_to_array(product.search_vector)) AS word,
         LATERAL (SELECT ts_rank(product.search_vector, (quote_literal(word) || ':*')::tsquery)
                  AS text_rank) AS ranked,
         LATERAL (SELECT '1'::double precision + ('0.2'::double precision * CASE
                     WHEN product.rating_count >= 5
                         THEN product.rating_sum::double precision
                              / (product.rating_count::double precision * '5'::double precision)
                     WHEN product.rating_count > 0
                         THEN product.rating_sum::double precision / '25'::double precision
                     ELSE '0'::double precision END) AS boost) AS liked
$$
"""


STORE_ROWS = """
CREATE FUNCTION store_search_postings_of(store stores)
RETURNS SETOF store_search_postings
LANGUAGE sql STABLE AS $$
    SELECT word, (- ts_rank(store.search_vector, (quote_literal(word) || ':*')::tsquery)), store.id
    FROM unnest(tsvector_to_array(store.search_vector)) AS word
$$
"""


def refresh(table: str, owner: str, shown: str) -> str:
    """The trigger function that rewrites the postings of a row of ``table`` (whose postings
    name it in ``owner``) when it changes: none unless ``shown`` holds for it."""
    return f"""
CREATE FUNCTION {table}_search_postings_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM {table}_search_postings WHERE {owner} = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND {shown} THEN
        INSERT INTO {table}_search_postings SELECT * FROM {table}_search_postings_of(NEW);
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
        " text_rank real NOT NULL,"
        " boost double precision NOT NULL,"
        " CONSTRAINT pk_product_search_postings PRIMARY KEY (lexeme, rank, product_id)"
        " INCLUDE (store_id, category_id, kelurahan_id, price, is_halal, text_rank, boost))"
    )
    op.execute(
        "CREATE INDEX ix_product_search_postings_product ON product_search_postings (product_id)"
    )
    op.execute(ROWS)
    op.execute(refresh("product", "product_id", "NEW.listed"))
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
    op.execute(
        "CREATE TABLE store_search_postings ("
        ' lexeme text COLLATE "C" NOT NULL,'
        " rank real NOT NULL,"
        " store_id integer NOT NULL,"
        " CONSTRAINT pk_store_search_postings PRIMARY KEY (lexeme, rank, store_id))"
    )
    op.execute("CREATE INDEX ix_store_search_postings_store ON store_search_postings (store_id)")
    op.execute(STORE_ROWS)
    op.execute(refresh("store", "store_id", "NEW.status = 'verified'"))
    op.execute(
        "CREATE TRIGGER store_search_postings AFTER INSERT OR DELETE"
        " OR UPDATE OF status, name, story ON stores"
        " FOR EACH ROW EXECUTE FUNCTION store_search_postings_refresh()"
    )
    op.execute(
        "INSERT INTO store_search_postings SELECT postings.* FROM stores,"
        " LATERAL store_search_postings_of(stores) AS postings WHERE stores.status = 'verified'"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS store_search_postings ON stores")
    op.execute("DROP FUNCTION IF EXISTS store_search_postings_refresh()")
    op.execute("DROP FUNCTION IF EXISTS store_search_postings_of(stores)")
    op.execute("DROP TABLE IF EXISTS store_search_postings")
    op.execute("DROP TRIGGER IF EXISTS product_search_postings ON products")
    op.execute("DROP FUNCTION IF EXISTS product_search_postings_refresh()")
    op.execute("DROP FUNCTION IF EXISTS product_search_postings_of(products)")
    op.execute("DROP TABLE IF EXISTS product_search_postings")
