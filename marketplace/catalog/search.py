"""Full-text search with each database's own engine: PostgreSQL tsvector (indonesian), SQLite FTS5.

The search documents and their indexes are created by the migrations: SQLite's FTS5 tables in
0002, PostgreSQL's stored ``search_vector`` columns and their GIN indexes in 0020.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    Float,
    Integer,
    String,
    Table,
    bindparam,
    column,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.sql import ColumnElement, Subquery

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


#: the bind parameters of a search's words (``Match.params`` gives their values)
SEARCH_WORDS = "search_words"
SIMILAR_WORDS = "similar_words"


def ranked_ids(target: str, dialect: str | None = None) -> Subquery:
    """A subquery (id, rank) of rows matching every term of ``:search_words`` (``words_param``)
    as a prefix; lower rank is better. ``dialect``: the running database's by default."""
    table, fts_table, weights = TARGETS[target]
    if (dialect or _dialect()) == "postgresql":
        stmt = text(
            f"SELECT id, -ts_rank(search_vector, to_tsquery('indonesian', :{SEARCH_WORDS})) "  # noqa: S608 - constants only
            f"AS rank FROM {table} WHERE search_vector @@ to_tsquery('indonesian', :{SEARCH_WORDS})"
        )
    else:
        stmt = text(
            f"SELECT rowid AS id, bm25({fts_table}, {weights}) AS rank "  # noqa: S608 - constants only
            f"FROM {fts_table} WHERE {fts_table} MATCH :{SEARCH_WORDS}"
        )
    return stmt.columns(column("id", Integer), column("rank", Float)).subquery(f"{target}_hits")


def words_param(terms: list[str]) -> dict:
    """The value of ``:search_words`` for ``terms``, in the running database's query language."""
    if _dialect() == "postgresql":
        return {SEARCH_WORDS: " & ".join(f"{t}:*" for t in terms)}
    return {SEARCH_WORDS: " ".join(f'"{t}"*' for t in terms)}


#: how alike a word typed and a word of a name must be (pg_trgm word similarity): "sambel" and
#: "sambal" are 0.57 alike, "ayam" and "bakso" nothing
SIMILARITY = 0.5


def connection_settings() -> dict[str, str]:
    """What a PostgreSQL connection of this app is opened with for search (``config``): the
    threshold of pg_trgm's indexed ``<%`` operator. A setting of the connection, not of each
    search's transaction: the public pages read outside transactions (``core.replica``), where
    a SET LOCAL would do nothing."""
    return {"pg_trgm.word_similarity_threshold": str(SIMILARITY)}


@dataclass(frozen=True)
class Match:
    """How a listing finds rows by the words typed and ranks them (lower rank is better): on
    PostgreSQL a condition and a rank on the table's own indexed columns, so one scan finds and
    ranks; on SQLite a join to the FTS5 hits (``join``, on id) or a condition. The words are
    bind parameters, whose values are ``params``: the SQL of a kind of match on a table is made
    once per process (``kind``), and a listing made of it can be kept and run again."""

    kind: str
    rank: ColumnElement
    params: dict
    condition: ColumnElement | None = None
    join: Subquery | None = None


@cache
def _text_parts(table: Table, dialect: str) -> tuple:
    if dialect != "postgresql":
        hits = ranked_ids(table.name, dialect)
        return hits.c.rank, None, hits
    # The words typed, parsed once per statement (an InitPlan). As a plain function of a bound
    # parameter, a plan PostgreSQL keeps for a statement psycopg prepared (a "generic" plan, made
    # without the words) would parse them again for every row it ranks: twice as slow for a
    # common word. Once per statement, the kept plan is as fast as one made for the words, and
    # a search is not planned at all after its first few runs.
    wanted = select(
        func.to_tsquery(
            literal_column("'indonesian'::regconfig"), bindparam(SEARCH_WORDS, type_=String)
        )
    ).scalar_subquery()
    vector = literal_column(f"{table.name}.search_vector")  # stored, GIN-indexed (0020)
    return -func.ts_rank(vector, wanted), vector.op("@@")(wanted), None


def text_match(table: Table, terms: list[str]) -> Match:
    """Rows holding every term as a word prefix, best first."""
    rank, condition, join = _text_parts(table, _dialect())
    return Match("text", rank, words_param(terms), condition, join)


@cache
def _similar_parts(table: Table, dialect: str) -> tuple:
    typed = bindparam(SIMILAR_WORDS, type_=String)
    name = func.lower(table.c.name)
    rank = -func.word_similarity(typed, name)
    if dialect == "postgresql":
        return rank, typed.op("<%")(name)  # the indexed operator, at the threshold set
    return rank, func.word_similarity(typed, name) >= SIMILARITY


def similar_match(table: Table, terms: list[str]) -> Match:
    """Rows whose name holds words that look like ``terms`` (typos), most alike first.
    PostgreSQL answers from its trigram index, at the threshold each connection is opened with
    (``connection_settings``); SQLite, the embedded database of small sites, computes the same
    measure row by row (``core.sqlite.word_similarity``)."""
    rank, condition = _similar_parts(table, _dialect())
    return Match("similar", rank, {SIMILAR_WORDS: " ".join(terms)}, condition)


def search_ids(target: str, query: str) -> list[int]:
    """Ids of matching rows, best first (used by tests and benchmarks)."""
    terms = search_terms(query)
    if not terms:
        return []
    hits = ranked_ids(target)
    query = select(hits.c.id).order_by(hits.c.rank, hits.c.id)
    return list(db.session.scalars(query, words_param(terms)))
