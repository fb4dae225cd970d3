"""Read-only pages: outside transactions, and from a PostgreSQL replica by configuration
(DATABASE_REPLICA_URL).

The public pages that the page cache serves (home, listings, search, product, store, kelurahan,
announcements) only read. While such a view runs, every statement of the request's session runs
in autocommit, each one on its own as PostgreSQL runs it in a READ COMMITTED transaction anyway
(each statement of one sees what was committed when it started), without the BEGIN and COMMIT
round trips of a transaction that writes nothing; and it goes to the replica when one is
configured. The writes of a flush, and any INSERT, UPDATE or DELETE statement, always go to the
primary in the request's transaction. Everything else (sign-in, carts, checkout, the seller's and
the KIM's pages) reads the primary in a transaction, so nobody reads their own write from a
replica that has not caught up yet. Without DATABASE_REPLICA_URL all goes to the primary.
"""

from __future__ import annotations

from functools import wraps
from weakref import WeakKeyDictionary

from flask import g, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy.engine import Engine

REPLICA = "replica"

#: each engine's twin that runs statements in autocommit (the same pool of connections)
_AUTOCOMMIT: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


def autocommit(engine: Engine) -> Engine:
    twin = _AUTOCOMMIT.get(engine)
    if twin is None:
        twin = _AUTOCOMMIT[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return twin


def read_engine(engines: dict, primary: Engine) -> Engine:
    """What a read-only page reads: the replica when one is configured, else ``primary``, in
    autocommit."""
    return autocommit(engines.get(REPLICA) or primary)


class RoutingSession(Session):
    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        primary = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if (
            bind is None
            and not self._flushing
            and not getattr(clause, "is_dml", False)
            and has_app_context()
            and g.get("read_replica")
        ):
            return read_engine(self._db.engines, primary)
        return primary


#: where a read-only page keeps the connection its plain reads run on (``page_connection``)
_PAGE_CONNECTION = "read_page_connection"


def page_connection(db):
    """The connection of a read-only page's plain reads (``core.db.run_read``), or None when
    they run on the session's. On such a page of the app's own sessions: a connection of
    ``read_engine``, taken from the pool at the first read and given back when the view
    returns or fails (``reads_replica``). The session is not opened for them: its
    transaction's bookkeeping, begun and closed around the one connection it would hand over,
    cost more than the pool (~60 us a page). A session bound to a connection of its own (the
    tests' transaction, which the pages must see into) keeps its reads."""
    if not has_app_context() or not g.get("read_replica"):
        return None
    held = g.get(_PAGE_CONNECTION)
    if held is None:
        factory = db.session.session_factory
        if not issubclass(factory.class_, RoutingSession) or factory.kw.get("bind") is not None:
            return None
        held = read_engine(db.engines, db.engine).connect()
        setattr(g, _PAGE_CONNECTION, held)
    return held


def release_page_connection() -> None:
    """Give the connection ``page_connection`` kept back to the pool."""
    held = g.pop(_PAGE_CONNECTION, None) if has_app_context() else None
    if held is not None:
        held.close()


def reads_replica(view):
    """Run ``view`` as a read-only page: its reads outside transactions, on the replica when
    one is configured."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.read_replica = True
        try:
            return view(*args, **kwargs)
        finally:
            g.read_replica = False
            release_page_connection()

    return wrapper
