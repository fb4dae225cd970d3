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
            return autocommit(self._db.engines.get(REPLICA) or primary)
        return primary


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

    return wrapper
