"""Full-text search with each database's own engine: PostgreSQL tsvector (indonesian), SQLite FTS5.

The search documents and their indexes are created by the migrations: SQLite's FTS5 tables in
0002, PostgreSQL's stored ``search_vector`` columns and their GIN indexes in 0020.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    ARRAY,
    Boolean,
    Float,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.sql import ColumnElement, CompoundSelect, Select, Subquery, TableClause

from marketplace.core.db import dialect_name, run_read
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
    return dialect_name()


#: the bind parameters of a search's words (``Match.params`` gives their values)
SEARCH_WORDS = "search_words"
SIMILAR_WORDS = "similar_words"
#: the words of a search for several, each to be found in the name (``Match.tier``)
NAME_WORDS = "name_words"


def ranked_ids(target: str, dialect: str | None = None, several: bool = False) -> Subquery:
    """A subquery (id, rank) of rows matching every term of ``:search_words`` (``words_param``)
    as a prefix; lower rank is better. ``dialect``: the running database's by default.
    ``several`` (SQLite): with a column ``tier``, 0 for the rows whose name holds every term
    (``:name_words``), else 1."""
    table, fts_table, weights = TARGETS[target]
    tiered = several and (dialect or _dialect()) != "postgresql"
    if (dialect or _dialect()) == "postgresql":
        stmt = text(
            f"SELECT id, -ts_rank(search_vector, to_tsquery('indonesian', :{SEARCH_WORDS})) "  # noqa: S608 - constants only
            f"AS rank FROM {table} WHERE search_vector @@ to_tsquery('indonesian', :{SEARCH_WORDS})"
        )
    else:
        tier = (
            f", CASE WHEN rowid IN (SELECT rowid FROM {fts_table} WHERE {fts_table}"  # noqa: S608 - constants only
            f" MATCH :{NAME_WORDS}) THEN 0 ELSE 1 END AS tier"
            if tiered
            else ""
        )
        stmt = text(
            f"SELECT rowid AS id, bm25({fts_table}, {weights}) AS rank{tier} "  # noqa: S608 - constants only
            f"FROM {fts_table} WHERE {fts_table} MATCH :{SEARCH_WORDS}"
        )
    columns = (column("id", Integer), column("rank", Float))
    if tiered:
        columns += (column("tier", Integer),)
    return stmt.columns(*columns).subquery(f"{target}_hits")


def words_param(terms: list[str]) -> dict:
    """The values of ``:search_words`` for ``terms`` (and, for several, of ``:name_words``:
    every term in the name), in the running database's query language."""
    if _dialect() == "postgresql":
        params = {SEARCH_WORDS: " & ".join(f"{t}:*" for t in terms)}
        if len(terms) > 1:
            params[NAME_WORDS] = " & ".join(f"{t}:*A" for t in terms)  # A: the name's weight
        return params
    params = {SEARCH_WORDS: " ".join(f'"{t}"*' for t in terms)}
    if len(terms) > 1:
        params[NAME_WORDS] = " AND ".join(f'name : "{t}"*' for t in terms)
    return params


#: how alike a word typed and a word of a name must be (pg_trgm word similarity): "sambel" and
#: "sambal" are 0.57 alike, "ayam" and "bakso" nothing
SIMILARITY = 0.5


#: how alike a word typed and a word of the catalogue must be for the one to be corrected to
#: the other (pg_trgm similarity of two words): "malnag" and "malang" are 0.27 alike, "ayem"
#: and "ayam" 0.25, "sambel" and "sambal" 0.4
CORRECTION = 0.25


def connection_settings() -> dict[str, str]:
    """What a PostgreSQL connection of this app is opened with for search (``config``): the
    thresholds of pg_trgm's indexed ``<%`` and ``%`` operators. Settings of the connection, not
    of each search's transaction: the public pages read outside transactions
    (``core.replica``), where a SET LOCAL would do nothing."""
    return {
        "pg_trgm.word_similarity_threshold": str(SIMILARITY),
        "pg_trgm.similarity_threshold": str(CORRECTION),
    }


@cache
def correction_query():
    """Each word of ``:typed_terms`` corrected, in order, as one array (an expression, to run on
    its own or beside other columns): a word itself when it begins a word of the catalogue (it
    is searched as a prefix), else the catalogue's word most like it (the trigram index finds
    those alike at CORRECTION or more), else NULL (``correct_words``, migrations 0044 and
    0047)."""
    # the list goes to psycopg as it is: a type SQLAlchemy converts values of (ARRAY) would
    # send the page's whole statement the slow way (``core.db.run_read``: ~0.2 ms a page)
    typed = cast(bindparam("typed_terms"), ARRAY(Text))
    return func.correct_words(typed, type_=ARRAY(Text))


def correction_params(terms: list[str]) -> dict[str, list[str]]:
    """The value of ``correction_query``'s parameter."""
    return {"typed_terms": list(terms)}


def corrected_from(values: list[str | None] | None, terms: list[str]) -> list[str]:
    """The words searched for instead of ``terms``, from ``correction_query``'s array."""
    corrected = [word for word in values or () if word is not None]
    return corrected or list(terms)


def corrected_terms(terms: list[str]) -> list[str]:
    """``terms`` with each word that begins no word of the catalogue replaced by the word of
    the catalogue most like it ("sambel" becomes "sambal", "malnag" "malang") and left out
    when none is alike ("ayam xyzzy" becomes "ayam"): one statement reading the trigram index
    of the catalogue's words (``search_words``, migrations 0042 and 0044), on PostgreSQL.
    Elsewhere, with no term, or when no word would be left, the terms as they are."""
    if not terms or _dialect() != "postgresql":
        return list(terms)
    row = run_read(_correction_statement(), correction_params(terms)).one()
    return corrected_from(row[0], terms)


@cache
def _correction_statement() -> Select:
    return select(correction_query().label("corrected"))


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
    #: how many words were typed
    words: int = 0
    #: several words: 0 for the rows whose name holds every word, 1 for the others, which come
    #: after them (a dish named as typed before one that only mentions a word); None for one
    tier: ColumnElement | None = None


def _indonesian(words: ColumnElement) -> ColumnElement:
    return func.to_tsquery(literal_column("'indonesian'::regconfig"), words)


@cache
def _typo():
    """The words searched instead of those typed when a word, stemmed, begins no word of the
    catalogue and each such word has one like it ("bakso malang" for "bakso malnag"), else NULL
    (``typo_corrected``, migration 0051): a CTE, worked out once per statement from
    ``:search_words``."""
    words = bindparam(SEARCH_WORDS, type_=String)
    return select(func.typo_corrected(words, type_=Text).label("words")).cte("typo")


def typo_words() -> ColumnElement:
    """The words a search statement searched instead of those typed, space-separated, or NULL
    (a scalar subquery of ``:search_words``, PostgreSQL): what a search page says it shows."""
    return select(_typo().c.words).scalar_subquery()


def _searched(param: str, suffix: str) -> ColumnElement:
    """The words a search statement asks the index for, in to_tsquery's syntax: those corrected
    (``typo_words``), each with ``suffix``, else ``:param`` as typed."""
    fixed = typo_words()
    spaced = func.replace(fixed, literal_column("' '"), literal_column(f"'{suffix} & '"))
    return func.coalesce(spaced.concat(literal_column(f"'{suffix}'")), bindparam(param, String))


@cache
def _asked(several: bool):
    """The words typed (with a typo, those corrected: ``typo_words``) as the full-text index
    is asked for them (PostgreSQL), parsed once per statement: a CTE that every part of a
    search's statement reads (the products' rank and condition, the stores', the pairs'), not
    a function call in each. ``several``: asked for
    whole words where it can be (``search_query``, migration 0043: the index intersects whole
    words as it reads them, "nasi goreng" 3.3 -> 1.3 ms), a call of ~0.1 ms that a search
    page's statement made three times; one word: as a prefix (the postings are read by it,
    ``postings_top``)."""
    words = _searched(SEARCH_WORDS, ":*")  # a typo's corrected words
    asked = func.search_query(words) if several else _indonesian(words)
    return select(asked.label("query")).cte("words_asked" if several else "word_asked")


@cache
def _named():
    """Every word typed (with a typo, those corrected) with the name's weight (A), parsed once
    per statement (a CTE)."""
    words = _searched(NAME_WORDS, ":*A")  # a typo's corrected words
    return select(_indonesian(words).label("query")).cte("name_words_asked")


#: the last word of a query's text ("'es' & 'teh' & 'manis'" -> "'es' & 'teh'"): its words are
#: letters and digits only (``search_terms``), so an " & " only ever joins two of them
_LAST_WORD = literal_column(r"' & [^&]*$'", Text)


def _but_the_last(query) -> ColumnElement:
    """The query of the CTE ``query`` without its last word, as a CTE of its own."""
    asked = cast(select(query.c.query).scalar_subquery(), Text)
    fewer = cast(func.regexp_replace(asked, _LAST_WORD, literal_column("''")), TSQUERY)
    return select(fewer.label("query")).cte(f"{query.name}_fewer")


@cache
def _fewer():
    """(the words asked, the words asked in the name) of a search for several words, but the
    last word (CTEs of ``_asked`` and ``_named``): what a search for words that no product has
    together searches instead, in the same statement (``fewer_words``)."""
    return _but_the_last(_asked(True)), _but_the_last(_named())


def fewer_words() -> ColumnElement:
    """The words a search for several words searches when no product has them all, as the
    page says them: space-separated, as the index reads them (a scalar subquery)."""
    asked = cast(select(_fewer()[0].c.query).scalar_subquery(), Text)
    quotes = literal_column(r"'''|:\*'", Text)  # 'es':* & 'teh' -> es & teh
    plain = func.regexp_replace(asked, quotes, literal_column("''"), literal_column("'g'"))
    return func.replace(plain, literal_column("' & '"), literal_column("' '"))


@cache
def _text_parts(table: Table, dialect: str, several: bool = False, fewer: bool = False) -> tuple:
    if dialect != "postgresql":
        hits = ranked_ids(table.name, dialect, several)
        return hits.c.rank, None, hits, hits.c.tier if several else None
    # The words typed, parsed once per statement (an InitPlan reading ``_asked``). As a plain
    # function of a bound parameter, a plan PostgreSQL keeps for a statement psycopg prepared (a
    # "generic" plan, made without the words) would parse them again for every row it ranks:
    # twice as slow for a common word. Once per statement, the kept plan is as fast as one made
    # for the words, and a search is not planned at all after its first few runs.
    # ``fewer``: the words but the last (``fewer_match``)
    asked, named = _fewer() if fewer else (_asked(several), _named())
    wanted = select(asked.c.query).scalar_subquery()
    vector = literal_column(f"{table.name}.search_vector")  # stored, GIN-indexed (0020)
    tier = None
    if several:
        named = select(named.c.query).scalar_subquery()
        tier = case(
            (vector.op("@@")(named), literal_column("0", Integer)),
            else_=literal_column("1", Integer),
        )
    return -func.ts_rank(vector, wanted), vector.op("@@")(wanted), None, tier


def text_match(table: Table, terms: list[str]) -> Match:
    """Rows holding every term as a word prefix, best first; for several terms, those whose
    name holds every one first (``Match.tier``). Several words are a kind of their own
    (``words``; on PostgreSQL the index is asked for whole words where it can be)."""
    dialect = _dialect()
    several = len(terms) > 1
    rank, condition, join, tier = _text_parts(table, dialect, several)
    kind = "words" if several else "text"
    return Match(kind, rank, words_param(terms), condition, join, words=len(terms), tier=tier)


def fewer_match(table: Table, found: Match) -> Match:
    """``found`` (several words, PostgreSQL) but its last word (``fewer_words``): the same
    bind parameters, the words cut in the statement."""
    rank, condition, _join, tier = _text_parts(table, "postgresql", True, True)
    return Match("words", rank, found.params, condition, words=found.words - 1, tier=tier)


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


@cache
def _posted_statement(words: int):
    # the listed products with a word beginning with each term (their postings), all at once
    each = (
        f"SELECT product_id FROM product_search_postings"  # noqa: S608 - numbered parameters
        f' WHERE lexeme >= CAST(:term_{n} AS text) COLLATE "C"'
        f' AND lexeme < (CAST(:term_{n} AS text) || chr(1114111)) COLLATE "C"'
        for n in range(words)
    )
    return text(f"SELECT EXISTS ({' INTERSECT '.join(each)})")


def terms_posted(terms: list[str]) -> bool:
    """Whether a listed product has, for each term, a word beginning with it: what a search
    for ``terms`` finds, asked of the postings (PostgreSQL). The planner expects a prefix to
    match 2 % of the catalogue and would read the products from the start, every one of them
    when none matches (~18 ms at 100k); the postings of the words are what it reads here."""
    values = {f"term_{n}": term for n, term in enumerate(terms)}
    return bool(run_read(_posted_statement(len(terms)), values).one()[0])


def _filtered_columns():
    """The product's columns a search filters on, which the postings and pairs copy."""
    return (
        column("product_id", Integer),
        column("store_id", Integer),
        column("category_id", Integer),
        column("kelurahan_id", Integer),
        column("price", Integer),
        column("is_halal", Boolean),
    )


#: each word of each listed product's search document with the rank a search for that word gives
#: the product, in rank order, and the product's columns that a search filters on (PostgreSQL;
#: migration 0039 and its trigger keep it)
POSTINGS = table(
    "product_search_postings",
    column("lexeme", String),
    column("rank", Float),
    *_filtered_columns(),
    column("text_rank", Float),
    column("boost", Float),
)


#: each word of each verified store's search document with the rank a search for that word gives
#: the store (the text's), in rank order (PostgreSQL; migration 0039 and its trigger keep it)
STORE_POSTINGS = table(
    "store_search_postings",
    column("lexeme", String),
    column("rank", Float),
    column("store_id", Integer),
)


#: each two words of each listed product's name, the lesser first, with the rank a search for
#: those two words gives the product, in rank order, and the columns a search filters on
#: (PostgreSQL; migration 0046, kept by the postings' trigger)
PAIRS = table(
    "product_search_pairs",
    column("first", String),
    column("second", String),
    column("rank", Float),
    *_filtered_columns(),
)


#: each two words of each verified store's name, the lesser first, with the rank a search for
#: those two words gives the store (the text's), in rank order (PostgreSQL; migration 0048, kept
#: by the stores' postings' trigger)
STORE_PAIRS = table(
    "store_search_pairs",
    column("first", String),
    column("second", String),
    column("rank", Float),
    column("store_id", Integer),
)


@functools.cache
def _pair_words(fewer: bool = False) -> tuple:
    """(the lesser, the greater) of the two words a search for two words asks the index for
    (``search_query``), when each is a whole word: scalar subqueries of ``:search_words``,
    worked out once per statement (a CTE); NULL otherwise (a prefix of several words)."""
    asked = _fewer()[0] if fewer else _asked(True)  # ``fewer``: the words but the last
    asked = cast(select(asked.c.query).scalar_subquery(), Text)
    whole = literal_column(r"'^''([^'']+)'' & ''([^'']+)''$'", Text)
    words = select(func.regexp_match(asked, whole, type_=ARRAY(Text)).label("words"))
    words = words.cte("pair_fewer" if fewer else "pair_words")
    one, other = words.c.words[1].collate("C"), words.c.words[2].collate("C")
    return (
        select(func.least(one, other)).scalar_subquery(),
        select(func.greatest(one, other)).scalar_subquery(),
    )


def pairs_top(
    ranked: Select,
    size: int,
    conditions: list,
    owner: ColumnElement | None = None,
    fewer: bool = False,
) -> CompoundSelect:
    """``ranked`` (the first ``size`` rows matching ``:search_words``, two words, and a
    listing's filters, ranked by relevance: columns id, key0 the tier, key1 the rank, key2 the
    id) read from the pairs of the two words, filtered by ``conditions`` (the same filters on
    the pairs), when they have ``size`` entries or more: the rows whose name holds both words
    come first (tier 0) and each has its pair's entry, whose rank is the one ``ranked``
    computes (migrations 0046 and 0048), so the first ``size`` entries are the first ``size``
    rows of ``ranked``, read from an index instead of ranking every match. Otherwise (fewer
    named so, a prefix of several words, more than two words) ``ranked`` runs as before. One
    statement either way: the other branch is not run. ``owner``: the pairs' id column, the
    products' by default (``STORE_PAIRS.c.store_id`` for the stores). ``fewer``: the two words
    of ``fewer_words`` (``ranked`` is then of those)."""
    owner = PAIRS.c.product_id if owner is None else owner
    pairs = owner.table
    first, second = _pair_words(fewer)
    limit = literal_column(str(size), Integer)
    read = (
        select(
            owner.label("id"),
            literal_column("0", Integer).label("key0"),
            pairs.c.rank.label("key1"),
            owner.label("key2"),
        )
        .where(pairs.c.first == first, pairs.c.second == second, *conditions)
        .order_by(pairs.c.rank, owner)
        .limit(limit)
        .cte(f"{pairs.name}_fewer" if fewer else f"{pairs.name}_read")
    )
    enough = select(func.count() >= limit).select_from(read).scalar_subquery()
    return union_all(select(read).where(enough), ranked.where(~enough))


@cache
def _typed_prefix():
    """The word as PostgreSQL searches it: "'ayam':*" for one word, else nothing (a CTE, worked
    out once per statement for the products' and the stores' postings)."""
    wanted = select(_asked(False).c.query).scalar_subquery()
    typed = select(func.substring(func.cast(wanted, Text), r"^'([^']+)':\*$").label("prefix"))
    return typed.cte("word_typed")


@functools.cache
def _postings_word(postings: TableClause) -> tuple:
    """(the one word of ``postings`` that the word typed is a prefix of, whether there is
    exactly one, whether there are several): scalar subqueries of ``:search_words``, each
    worked out once per statement (two CTEs)."""
    typed = _typed_prefix()
    word = postings.c.lexeme
    # in the index's order (C) the words that start with the prefix lie between it and it
    # followed by the last character there is
    starts = and_(
        word >= select(typed.c.prefix).scalar_subquery().collate("C"),
        word
        < select(func.concat(typed.c.prefix, literal_column("chr(1114111)")))
        .scalar_subquery()
        .collate("C"),
    )
    # the first such word, read once (a CTE): as a subquery in each place below it was read
    # three times, an index probe each (~0.04 ms a page for the stores' postings)
    least = select(func.min(word).label("word")).where(starts).cte(f"{postings.name}_first")
    first = select(least.c.word).scalar_subquery()
    chosen = select(
        first.label("word"),
        and_(first.is_not(None), ~exists().where(starts, word > first)).label("only"),
    ).cte(f"{postings.name}_word")
    return (
        select(chosen.c.word).scalar_subquery(),
        select(chosen.c.only).scalar_subquery(),
        select(and_(chosen.c.word.is_not(None), ~chosen.c.only)).scalar_subquery(),
    )


def postings_ambiguous(postings: TableClause = POSTINGS) -> ColumnElement:
    """Whether the word typed begins several words of ``postings`` (a scalar subquery of
    ``:search_words``, one word): a search that ``postings_top(fallback=False)`` read nothing
    for must then rank every match (``ranked``) in a statement of its own. False for a word
    that begins one word of the postings, or none (then nothing is found either way)."""
    return _postings_word(postings)[2]


def postings_top(
    ranked: Select,
    size,
    conditions: list,
    owner: ColumnElement | None = None,
    near: tuple | None = None,
    fallback: bool = True,
) -> Select | CompoundSelect:
    """``ranked`` (the first ``size`` rows matching ``:search_words``, one word, and a
    listing's filters, ranked by relevance: columns id, key0 the rank, key1 the id) read from
    the word's postings, filtered by ``conditions`` (the same filters on the postings), instead
    when the word typed, as PostgreSQL reads it (a prefix of a stemmed word), is the prefix of
    exactly one word of the rows listed there. Each listed row holding that word has its posting,
    and its posting's rank is the one ``ranked`` computes (migration 0039): the same rows in the
    same order, reading ``size`` index entries instead of ranking every match. Otherwise (a
    prefix of several words, a word nobody has) ``ranked`` runs as before. One statement either
    way: the other branch is not run. ``owner``: the postings' id column, the products' by
    default (``STORE_POSTINGS.c.store_id`` for the stores); ``size``: a number or a parameter.

    ``near`` (a search near the buyer's kelurahan: the condition of the postings of the
    buyer's kecamatan and their rank there): those postings, all of them (a few hundred), are
    ranked afresh; every other product's rank is its posting's, so the best ``size`` of the
    others are read in rank order; the best ``size`` of both are the best of all.

    ``fallback=False``: the postings only, which read nothing when the word begins several
    words (``postings_ambiguous`` then says so): ``ranked``, never run for a whole word, still
    cost PostgreSQL ~0.1 ms to set up on every run of the statement that held it."""
    owner = POSTINGS.c.product_id if owner is None else owner
    postings = owner.table
    first, only, _ = _postings_word(postings)
    limit = literal_column(str(size), Integer) if isinstance(size, int) else size
    words = (postings.c.lexeme == first, only, *conditions)
    if near is None:
        read = (
            select(owner.label("id"), postings.c.rank.label("key0"), owner.label("key1"))
            .where(*words)
            .order_by(postings.c.rank, owner)
            .limit(limit)
        )
        return union_all(read, ranked.where(~only)) if fallback else read
    nearby, near_rank = near
    close = select(owner.label("id"), near_rank.label("key0"), owner.label("key1")).where(
        *words, nearby
    )
    far = (
        select(owner.label("id"), postings.c.rank.label("key0"), owner.label("key1"))
        .where(*words, or_(postings.c.kelurahan_id.is_(None), ~nearby))
        .order_by(postings.c.rank, owner)
        .limit(limit)
    )
    both = union_all(close, far).subquery("near_and_far")
    read = select(both).order_by(both.c.key0, both.c.key1).limit(limit)
    return union_all(read, ranked.where(~only)) if fallback else read


def answered_from_postings(terms: list[str], postings: TableClause = POSTINGS) -> bool:
    """Whether a search for ``terms`` (one word) is read from ``postings`` (PostgreSQL)."""
    return bool(db.session.scalar(select(_postings_word(postings)[1]), words_param(terms)))


def search_ids(target: str, query: str) -> list[int]:
    """Ids of matching rows, best first (used by tests and benchmarks)."""
    terms = search_terms(query)
    if not terms:
        return []
    hits = ranked_ids(target)
    query = select(hits.c.id).order_by(hits.c.rank, hits.c.id)
    return list(db.session.scalars(query, words_param(terms)))
