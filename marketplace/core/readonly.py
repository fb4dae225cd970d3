"""A request that only read ends its transaction with COMMIT, not ROLLBACK.

psycopg prepares a statement the connection has run a few times (the listing, the store page's
queries) so PostgreSQL parses and plans it once; but it forgets every prepared statement on a
ROLLBACK, and every request used to end with one (the session's close). Ending a transaction
that wrote nothing with COMMIT is the same to the database and keeps them, so a pooled
connection answers the public pages without parsing their statements again.

"Wrote nothing" is decided by what reached the database in this application context (every
statement that is not a plain read or transaction control marks it) and by what the session
still holds unflushed. Anything else — a failed request, a write left uncommitted, a ``SET``
that would outlive the transaction — ends as before, with ROLLBACK. A public page that read
outside transactions (``core.replica``) has no transaction to end: nothing is sent.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

from marketplace.extensions import db

#: statements that change nothing a COMMIT would keep: reads, transaction control, settings for
#: this transaction only; a WITH holding a data-modifying statement is a write
_READ = re.compile(
    r"\s*(?:SELECT|SHOW|SET\s+LOCAL|BEGIN|SAVEPOINT|RELEASE\s+SAVEPOINT|ROLLBACK\s+TO\s+SAVEPOINT"
    r"|WITH\b(?!.*\b(?:INSERT|UPDATE|DELETE|MERGE)\b))",
    re.IGNORECASE | re.DOTALL,
)
_WROTE = "db_wrote"


@lru_cache(maxsize=2048)
def _reads_only(statement: str) -> bool:
    # remembered: the statements a process runs are few, each the same string every time (from
    # SQLAlchemy's compiled cache), and a WITH is read to its end (~30 us for a listing)
    return _READ.match(statement) is not None


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if has_app_context() and not g.get(_WROTE) and not _reads_only(statement):
        setattr(g, _WROTE, True)


_IN_TRANSACTION = "db_in_transaction"


@event.listens_for(Engine, "begin")
def _note_begin(connection) -> None:
    _note_transaction(connection)


@event.listens_for(Engine, "savepoint")
def _note_savepoint(connection, _name) -> None:
    _note_transaction(connection)


def _note_transaction(connection) -> None:
    # a public page's connections run in autocommit (``core.replica``): their "transactions"
    # are SQLAlchemy's alone, and the database sees none
    autocommit = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    if has_app_context() and not autocommit:
        setattr(g, _IN_TRANSACTION, True)


def wrote() -> bool:
    """Whether this application context sent the database anything but reads."""
    return bool(g.get(_WROTE))


def init_read_only_commit(app: Flask) -> None:
    """Register the teardown; it runs before Flask-SQLAlchemy's (teardowns run in reverse
    order of registration), so the session is still open."""

    @app.teardown_appcontext
    def _commit_if_read_only(exc: BaseException | None) -> None:
        if not db.session.registry.has():
            return  # no session was opened (a read-only page's reads: ``core.replica``)
        session = db.session()
        if exc is not None or wrote() or not session.in_transaction():
            return
        if not g.get(_IN_TRANSACTION):
            # a read-only page ran every statement outside transactions: no COMMIT is due, and
            # the session's close ends nothing on the database (psycopg then sends no ROLLBACK
            # and forgets no prepared statement); the two ends of a page's session cost
            # SQLAlchemy 0.13 ms instead of 0.19 ms
            return
        if session.new or session.dirty or session.deleted:  # a commit would flush them
            return
        # the session is removed right after: expiring what it loaded would be work for nothing
        session.expire_on_commit = False
        try:
            session.commit()
        except Exception:  # noqa: BLE001 - nothing was written: the close rolls back instead
            current_app.logger.warning("could not end a read-only transaction", exc_info=True)
