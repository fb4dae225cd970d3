"""Full-text search with each database's own engine: PostgreSQL tsvector (indonesian), SQLite FTS5.

The search documents and their indexes are created by the migrations: SQLite's FTS5 tables in
0002, PostgreSQL's stored ``search_vector`` columns and their GIN indexes in 0020.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Float, Integer, column, select, text
from sqlalchemy.sql import Subquery

from marketplace.extensions import db

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: (table, FTS5 table, FTS5 column weights); on PostgreSQL each table has a stored, GIN-indexed
#: ``search_vector`` (name weighted A, description or story B; migration 0020)
TARGETS = {
    "products": ("products", "product_fts", "10.0, 1.0"),
    "stores": ("stores", "store_fts", "10.0, 1.0"),
}


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_terms(query: str | None) -> list[str]:
    """Split what a visitor typed into at most a few safe words (letters and digits only)."""
    words = _WORD.findall(_strip_accents((query or "").lower()))
    return [w[:MAX_TERM_LENGTH] for w in words][:MAX_TERMS]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def ranked_ids(target: str, terms: list[str]) -> Subquery:
    """A subquery (id, rank) of rows matching every term as a prefix; lower rank is better."""
    table, fts_table, weights = TARGETS[target]
    if _dialect() == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        stmt = text(
            f"SELECT id, -ts_rank(search_vector, to_tsquery('indonesian', :q)) AS rank "  # noqa: S608 - constants only
            f"FROM {table} WHERE search_vector @@ to_tsquery('indonesian', :q)"
        ).bindparams(q=tsquery)
    else:
        match = " ".join(f'"{t}"*' for t in terms)
        stmt = text(
            f"SELECT rowid AS id, bm25({fts_table}, {weights}) AS rank "  # noqa: S608 - constants only
            f"FROM {fts_table} WHERE {fts_table} MATCH :q"
        ).bindparams(q=match)
    return stmt.columns(column("id", Integer), column("rank", Float)).subquery(f"{target}_hits")


#: how alike a word typed and a word of a name must be (pg_trgm word similarity): "sambel" and
#: "sambal" are 0.57 alike, "ayam" and "bakso" nothing
SIMILARITY = 0.5


def similar_ids(target: str, terms: list[str]) -> Subquery | None:
    """A subquery (id, rank) of rows whose name holds words that look like ``terms`` (typos),
    most alike first; None where the database cannot tell (SQLite)."""
    if _dialect() != "postgresql":
        return None
    table = TARGETS[target][0]
    # the threshold of the indexed <% operator, for this transaction only
    db.session.execute(text(f"SET LOCAL pg_trgm.word_similarity_threshold = {SIMILARITY}"))
    stmt = text(
        f"SELECT id, -word_similarity(:q, lower(name)) AS rank FROM {table} "  # noqa: S608 - constants only
        "WHERE :q <% lower(name)"
    ).bindparams(q=" ".join(terms))
    return stmt.columns(column("id", Integer), column("rank", Float)).subquery(f"{target}_alike")


def search_ids(target: str, query: str) -> list[int]:
    """Ids of matching rows, best first (used by tests and benchmarks)."""
    terms = search_terms(query)
    if not terms:
        return []
    hits = ranked_ids(target, terms)
    return list(db.session.scalars(select(hits.c.id).order_by(hits.c.rank, hits.c.id)))
