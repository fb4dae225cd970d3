"""SQLite connection settings: foreign keys on, real transactions (SAVEPOINT works), and the
one pg_trgm function the search uses (``word_similarity``), so a typo finds the same products on
the embedded database as on PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_sqlite(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, emit BEGIN, and enforce foreign keys."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        dbapi_connection.create_function("word_similarity", 2, word_similarity, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # none in autocommit mode: a migration sets PRAGMAs there (they do nothing in a
        # transaction)
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN")


_WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word (letters and digits), lower-cased, padded with two spaces
    before and one after, cut in threes."""
    grams: set[str] = set()
    for word in _WORD.findall((text or "").lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def word_similarity(typed: str | None, text: str | None) -> float:
    """How much of what was typed appears in ``text``, as a share of the typed trigrams (pg_trgm's
    word_similarity: "sambel" in "sambal bawang" is 4/7 = 0.57, "word" in "two words" 0.8)."""
    wanted = trigrams(typed or "")
    if not wanted:
        return 0.0
    return len(wanted & trigrams(text or "")) / len(wanted)
