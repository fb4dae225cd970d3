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

psycopg turns a statement's ``%(name)s`` placeholders into PostgreSQL's ``$1`` on every
execution, and remembers the result only for statements under 4 KB. A search page's statement
is 9-12 KB (its word, store and filter CTEs): parsing it again cost ~70-100 us a request, ten
times the remembered lookup. The bound is raised for this process (``remember_long_statements``):
the statements an app runs are few and the same strings every time, and psycopg's memory of
them stays a 128-entry LRU.
"""

from __future__ import annotations

import re
import select

import psycopg._queries
from sqlalchemy import event, text
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


#: the longest statement whose placeholders psycopg converts once and remembers
LONGEST_REMEMBERED_STATEMENT = 64 * 1024


def remember_long_statements() -> None:
    """Let psycopg remember the conversion of statements up to LONGEST_REMEMBERED_STATEMENT
    bytes (its own bound is 4 KB; psycopg has no public setting for it)."""
    bound = psycopg._queries.MAX_CACHED_STATEMENT_LENGTH
    psycopg._queries.MAX_CACHED_STATEMENT_LENGTH = max(bound, LONGEST_REMEMBERED_STATEMENT)


def configure_postgresql(engine: Engine) -> None:
    """Check each pooled connection of a PostgreSQL ``engine`` as it is checked out; remember
    long statements' conversions."""
    if engine.dialect.name != "postgresql":
        return
    remember_long_statements()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, _record, _proxy):
        if closed_by_server(dbapi_connection):
            # the pool closes it and checks out another (up to three tries)
            raise DisconnectionError("the server closed this pooled connection")


#: a setting's name as this app writes them (``config.database_settings``): never quoted
_SETTING_NAME = re.compile(r"[a-z_]+(\.[a-z_]+)?")


def set_on_database(connection, settings: list[tuple[str, str]]) -> list[str]:
    """Make ``settings`` (name, value) the defaults of the database ``connection`` is on, for
    the sessions opened after (``ALTER DATABASE … SET``): the settings a connection could not
    bring with it through a pooler in transaction mode. The caller commits. Returns what was
    run."""
    done = []
    for name, value in settings:
        if not _SETTING_NAME.fullmatch(name):
            raise ValueError(f"not a setting's name: {name!r}")
        alter = f"'ALTER DATABASE %I SET {name} = %L', current_database(), CAST(:value AS text)"
        statement = connection.scalar(text(f"SELECT format({alter})"), {"value": str(value)})
        connection.exec_driver_sql(statement)  # no parameters: a % in it stays as it is
        done.append(statement)
    return done
