"""a search leaves out a word like none of the catalogue in its first statement (PostgreSQL)

Revision ID: 0052
Revises: 0051
Create Date: 2026-12-07 01:30:00

``typo_corrected(words)`` (migration 0051) gave up (NULL: the words searched as typed) when a
word that begins no word of the catalogue has none like it either: "es teh manis" in a catalogue
without "manis" was a statement that found nothing, then the words corrected one by one
(``correct_words``), which leave that word out, searched in a second statement ("es teh"). Now
the function leaves such a word out itself when two words or more are left, and the first
statement searches those (~1 ms less at 100,000 products). With one word left ("ayam xyzzy"), it
still gives up: a search for one word reads that word's postings (catalog.search.postings_top),
which the statement for two words does not hold. The downgrade restores 0051's function.
"""

import runpy
from pathlib import Path

from alembic import op

revision = "0052"
down_revision = "0051"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares names row by row
    op.execute(
        r"""
CREATE OR REPLACE FUNCTION typo_corrected(words text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE COST 20 AS $$
DECLARE
  typed text := to_tsquery('indonesian', words)::text;
  part text;
  lexeme text;
  fixed text;
  changed boolean := false;
  searched text[] := '{}';
BEGIN
  -- an AND of plain prefixes only ("'bakso':* & 'malnag':*"); anything else is searched as typed
  IF typed !~ '^''[[:alnum:]]+'':\*( & ''[[:alnum:]]+'':\*)*$' THEN
    RETURN NULL;
  END IF;
  FOREACH part IN ARRAY string_to_array(typed, ' & ') LOOP
    lexeme := substr(part, 2, length(part) - 4);  -- 'malnag':* -> malnag
    fixed := correct_word(lexeme);
    IF fixed IS NULL THEN
      changed := true;  -- like no word of the catalogue: left out, as correct_words leaves it
    ELSIF fixed !~ '^[[:alnum:]]+$' THEN
      RETURN NULL;  -- a word that the words' syntax could misread: searched as typed
    ELSE
      changed := changed OR fixed <> lexeme;
      searched := searched || fixed;
    END IF;
  END LOOP;
  -- one word left or none: searched as typed, then corrected one by one in a statement of
  -- their own (one word is read from its postings)
  IF cardinality(searched) < 2 AND cardinality(searched) < cardinality(string_to_array(typed, ' & '))
  THEN
    RETURN NULL;
  END IF;
  RETURN CASE WHEN changed THEN array_to_string(searched, ' ') END;
END
$$
"""
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    before = runpy.run_path(str(Path(__file__).with_name("0051_typo_corrected.py")))["FUNCTION"]
    op.execute(before.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
