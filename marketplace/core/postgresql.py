"""PostgreSQL connections: a pooled connection the server has closed is never handed out.

SQLAlchemy's ``pool_pre_ping`` would find one by sending ``SELECT 1`` on every checkout: a round
trip to the server for each page, as many as the page's own statements on most public pages.
A connection that PostgreSQL ends while it waits in the pool (a restart, a failover,
``pg_terminate_backend``, ``idle_session_timeout``) is told so: the server writes its last
message ("terminating connection…") and closes the socket. Until then an idle connection's
socket has nothing to read, since every answer to this process's statements has been read. So
the check at checkout asks the operating system whether the socket has anything to read, without
waiting and without a round trip; if it has, the pool drops that connection and opens another
(SQLAlchemy's ``DisconnectionError``).

A connection cut without a word (a network path gone silent) is not seen at checkout: its first
statement fails, SQLAlchemy invalidates every connection of the pool opened before it, and the
request ends with the "server busy" page; the next request opens a new connection.
"""

from __future__ import annotations

import select

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError


def closed_by_server(dbapi_connection) -> bool:
    """Whether the server has closed (or written to) this idle psycopg connection."""
    if dbapi_connection.closed:
        return True
    try:
        fd = dbapi_connection.fileno()
    except Exception:  # noqa: BLE001 - psycopg: "the connection is lost"
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def configure_postgresql(engine: Engine) -> None:
    """Check each pooled connection of a PostgreSQL ``engine`` as it is checked out."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, _record, _proxy):
        if closed_by_server(dbapi_connection):
            # the pool closes it and checks out another (up to three tries)
            raise DisconnectionError("the server closed this pooled connection")
