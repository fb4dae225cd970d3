"""a typo is corrected word by word: every word of the catalogue's search documents, with a
trigram index (PostgreSQL)

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05 11:00:00

``search_words`` holds each word (lexeme) that the postings of migration 0039 hold, products'
and stores'. A statement-level trigger on each postings table adds the words of the rows
inserted, so a product's new word can be corrected to at once. A word whose last posting went
stays (a correction to it finds nothing, and the search goes on to names that look alike).
A migration-only object, as the postings (its name is in marketplace/core/schema.py).
"""

from alembic import op

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None

POSTINGS = ("product_search_postings", "store_search_postings")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite looks for names that look alike row by row (its catalogues are small)
    op.execute('CREATE TABLE search_words (word text COLLATE "C" PRIMARY KEY)')
    op.execute(
        "INSERT INTO search_words SELECT lexeme FROM product_search_postings"
        " UNION SELECT lexeme FROM store_search_postings"
    )
    # built on the words, not filled word by word: GIN puts an insert in a pending list that
    # every search reads through until a vacuum (4 ms a word at 100,000 words, against
    # 0.01 ms); new words go into the index itself (they are few)
    op.execute(
        "CREATE INDEX ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops)"
        " WITH (fastupdate = off)"
    )
    op.execute("ANALYZE search_words")
    op.execute(
        "CREATE FUNCTION search_words_add() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        "  INSERT INTO search_words SELECT DISTINCT lexeme FROM added ON CONFLICT DO NOTHING;"
        "  RETURN NULL;"
        " END $$"
    )
    for postings in POSTINGS:
        op.execute(
            f"CREATE TRIGGER {postings}_words AFTER INSERT ON {postings}"
            " REFERENCING NEW TABLE AS added FOR EACH STATEMENT"
            " EXECUTE FUNCTION search_words_add()"
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for postings in POSTINGS:
        op.execute(f"DROP TRIGGER IF EXISTS {postings}_words ON {postings}")
    op.execute("DROP FUNCTION IF EXISTS search_words_add()")
    op.execute("DROP TABLE IF EXISTS search_words")
