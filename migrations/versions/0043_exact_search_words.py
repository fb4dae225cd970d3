"""a search for several words asks the full-text index for whole words where it can
(PostgreSQL)

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-05 12:00:00

``search_query(words)`` is ``to_tsquery('indonesian', words)`` (words typed as prefixes, "nasi:*
& goreng:*") with each prefix that begins exactly one word of the catalogue (``search_words``,
migration 0042) replaced by that word, and each prefix that begins none by itself as a whole
word: "'nasi' & 'goreng'". The GIN index gathers every entry a prefix begins into a bitmap
before it can intersect them (~0.2 us per matching product: 3.3 ms for "nasi goreng" at 100k);
whole words it intersects as it reads them, and a word no product has ends the scan at once.
Every word of every listed product is in ``search_words``, so a prefix that begins exactly one
of them finds the same products, with the same ts_rank, as that word. A prefix that begins
several words (or one written with other signs than letters and digits) stays a prefix; a query
that is not a plain AND of prefixes is returned as it is. PL/pgSQL, not SQL: a SQL function
that is not inlined is planned again on every call (0.35 ms), PL/pgSQL keeps its plan for the
connection, made once for any words (``plan_cache_mode``: 0.07 ms a call instead of 0.11).
"""

from alembic import op

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's FTS5 has its own prefix index
    op.execute(
        r"""
CREATE FUNCTION search_query(words text) RETURNS tsquery
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  RETURN (
  WITH typed AS (SELECT to_tsquery('indonesian', words) AS q),
  prefixes AS (
    SELECT m.n, m.parts[1] AS prefix,
      (SELECT array_agg(w.word) FROM (
         SELECT word FROM search_words
         WHERE word >= m.parts[1] COLLATE "C" AND word < (m.parts[1] || chr(1114111)) COLLATE "C"
         ORDER BY word LIMIT 2) w) AS hits
    FROM typed,
      regexp_matches(typed.q::text, '''([[:alnum:]]+)'':\*', 'g') WITH ORDINALITY AS m(parts, n)
  )
  SELECT CASE
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
  END
  FROM typed);
END
$$
"""
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS search_query(text)")
