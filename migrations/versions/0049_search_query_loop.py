"""a search for several words looks each word up once, in a loop (PostgreSQL)

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-06 07:00:00

``search_query(words)`` (migration 0043) gives the same answers, cheaper: a search for two
words called it once (~0.16 ms), a typo or three words twice. Its one query looked each word
up four times (the words' CTE was inlined into each of the four places that read a word's
hits, each an index probe), split the words with a regular expression, and ran under its own
``plan_cache_mode`` (a setting switched and restored on every call). Now the words are split
as text and each is looked up once in a PL/pgSQL loop (one probe a word, its plan kept for the
connection): ~0.07 ms a call. The downgrade restores 0043's function.
"""

from alembic import op

revision = "0049"
down_revision = "0048"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's FTS5 has its own prefix index
    op.execute(
        r"""
CREATE OR REPLACE FUNCTION search_query(words text) RETURNS tsquery
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  typed tsquery := to_tsquery('indonesian', words);
  part text;
  prefix text;
  hits text[];
  asked text[] := '{}';
BEGIN
  -- anything but an AND of plain prefixes ("'nasi':* & 'goreng':*") is left as it is
  IF typed::text !~ '^''[[:alnum:]]+'':\*( & ''[[:alnum:]]+'':\*)*$' THEN
    RETURN typed;
  END IF;
  FOREACH part IN ARRAY string_to_array(typed::text, ' & ') LOOP
    prefix := substr(part, 2, length(part) - 4);  -- 'nasi':* -> nasi
    -- the first two words of the catalogue the prefix begins (one probe of the index)
    hits := ARRAY(
      SELECT word FROM search_words
      WHERE word >= prefix COLLATE "C" AND word < (prefix || chr(1114111)) COLLATE "C"
      ORDER BY word LIMIT 2);
    asked := asked || CASE
      WHEN cardinality(hits) = 0 THEN '''' || prefix || ''''  -- no such word: found nowhere
      WHEN cardinality(hits) = 1 AND hits[1] ~ '^[[:alnum:]]+$' THEN '''' || hits[1] || ''''
      ELSE '''' || prefix || ''':*'  -- it begins several words: a prefix still
    END;
  END LOOP;
  RETURN array_to_string(asked, ' & ')::tsquery;
END
$$
"""
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        r"""
CREATE OR REPLACE FUNCTION search_query(words text) RETURNS tsquery
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
