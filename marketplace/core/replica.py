"""Read-only pages from a PostgreSQL replica, by configuration (DATABASE_REPLICA_URL).

The public pages that the page cache serves (home, listings, search, product, store, kelurahan,
announcements) only read: while such a view runs, every statement of the request's session goes
to the replica, except the writes of a flush, which always go to the primary. Everything else
(sign-in, carts, checkout, the seller's and the KIM's pages) reads the primary, so nobody reads
their own write from a replica that has not caught up yet. Without DATABASE_REPLICA_URL all goes
to the primary.
"""

from __future__ import annotations

from functools import wraps

from flask import g, has_app_context
from flask_sqlalchemy.session import Session

REPLICA = "replica"


class RoutingSession(Session):
    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and not self._flushing and has_app_context() and g.get("read_replica"):
            engine = self._db.engines.get(REPLICA)
            if engine is not None:
                return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def reads_replica(view):
    """Run ``view`` with its reads on the replica (when one is configured)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.read_replica = True
        try:
            return view(*args, **kwargs)
        finally:
            g.read_replica = False

    return wrapper
