"""a search for two words reads the stores whose name holds both already in rank order
(PostgreSQL)

Revision ID: 0048
Revises: 0047
Create Date: 2026-12-06 04:30:00

A search page lists above the products the six best stores its words find. For two words
("nasi goreng") it ranked every verified store holding both (121 of 5,000, each read from the
table: ~0.25 ms, a fifth of the page's statement). ``store_search_pairs`` keeps, for each two
words of each verified store's name, the lesser first, the rank a search for those two words
gives the store (``ts_rank``, the text's alone, as the stores' postings, 0039), indexed in rank
order, as the products' pairs do (0046): the stores whose name holds both come first
(catalog.search ``tier``), so the first six entries of the pair are the six stores listed, when
the pair has six; otherwise every match is ranked as before (catalog.search.pairs_top). The
trigger that keeps the stores' postings keeps the pairs too, on the same changes.
"""

from alembic import op

revision = "0048"
down_revision = "0047"
branch_labels = None
depends_on = None

#: the pairs of one store: each two words of its name (weight A in its search document), the
#: lesser first, with the rank a search for those two words gives it (``-ts_rank``, real)
PAIRS = """
CREATE FUNCTION store_search_pairs_of(store stores)
RETURNS SETOF store_search_pairs
LANGUAGE sql STABLE AS $$
    WITH named AS (
        SELECT lexeme COLLATE "C" AS word FROM unnest(store.search_vector)
        WHERE 'A' = ANY(weights)
    )
    SELECT first.word, second.word,
           - ts_rank(store.search_vector,
                     (quote_literal(first.word) || ' & ' || quote_literal(second.word))::tsquery),
           store.id
    FROM named AS first JOIN named AS second ON first.word < second.word
$$
"""


def refresh(pairs: bool) -> str:
    """The trigger function of 0039 that rewrites a store's postings (and, ``pairs``, its
    pairs) when it changes: none unless it is verified."""
    delete = "DELETE FROM store_search_pairs WHERE store_id = OLD.id;" if pairs else ""
    insert = (
        "INSERT INTO store_search_pairs SELECT * FROM store_search_pairs_of(NEW);" if pairs else ""
    )
    return f"""
CREATE OR REPLACE FUNCTION store_search_postings_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM store_search_postings WHERE store_id = OLD.id;
        {delete}
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'verified' THEN
        INSERT INTO store_search_postings SELECT * FROM store_search_postings_of(NEW);
        {insert}
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE store_search_pairs ("
        ' first text COLLATE "C" NOT NULL,'
        ' second text COLLATE "C" NOT NULL,'
        " rank real NOT NULL,"
        " store_id integer NOT NULL,"
        " CONSTRAINT pk_store_search_pairs PRIMARY KEY (first, second, rank, store_id))"
    )
    op.execute("CREATE INDEX ix_store_search_pairs_store ON store_search_pairs (store_id)")
    op.execute(PAIRS)
    op.execute(refresh(pairs=True))
    op.execute(
        "INSERT INTO store_search_pairs SELECT pairs.* FROM stores,"
        " LATERAL store_search_pairs_of(stores) AS pairs WHERE stores.status = 'verified'"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(refresh(pairs=False))
    op.execute("DROP FUNCTION IF EXISTS store_search_pairs_of(stores)")
    op.execute("DROP TABLE IF EXISTS store_search_pairs")
