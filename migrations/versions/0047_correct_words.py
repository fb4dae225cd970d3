"""the words of a search corrected in one function call (PostgreSQL)

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-06 04:00:00

``correct_words(terms)``: each term corrected by ``correct_word`` (migration 0044), in order, as
one array. A search page that finds no product reads the corrections in the same statement as
its page, only when the page is empty (catalog.services._when_empty): a function call costs a
page that finds products nothing it would notice, where the array's subquery, though never run
there, was a part of every search page's plan (~0.04 ms a page). PL/pgSQL, not SQL: its query
is planned once per connection.
"""

from alembic import op

revision = "0047"
down_revision = "0046"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares names row by row
    op.execute(
        """
CREATE FUNCTION correct_words(terms text[]) RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE COST 20 AS $$
BEGIN
  RETURN ARRAY(SELECT correct_word(typed.term)
               FROM unnest(terms) WITH ORDINALITY AS typed(term, n) ORDER BY typed.n);
END
$$
"""
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS correct_words(text[])")
