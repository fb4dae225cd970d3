"""a word typed is corrected by a function whose plan is made once per connection (PostgreSQL)

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-05 12:15:00

``correct_word(term)``: the term itself when it begins a word of the catalogue
(``search_words``, migration 0042), else the catalogue's word most like it at the connection's
``pg_trgm.similarity_threshold`` (``%``, the trigram index), else NULL. The same lookup was a
subquery of the search's statement, which PostgreSQL planned afresh on every request (0.7 ms):
planned once, without the word, the trigram lookup is estimated at a thousand words found, and
PostgreSQL keeps planning for each word typed, as long as that looks cheaper. A function that
plans its lookups once for any word (``plan_cache_mode``), and tells the planner it is cheap,
keeps the statements that call it planned once too.
"""

from alembic import op

revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares names row by row
    op.execute(
        """
CREATE FUNCTION correct_word(term text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE COST 10
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM search_words
             WHERE word >= term COLLATE "C" AND word < (term || chr(1114111)) COLLATE "C") THEN
    RETURN term;
  END IF;
  RETURN (SELECT word FROM search_words WHERE word % term
          ORDER BY similarity(word, term) DESC, word LIMIT 1);
END
$$
"""
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS correct_word(text)")
