"""Base model pieces and time helpers: stored in UTC, shown in Asia/Jakarta."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Annotated
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Integer, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.replica import page_connection
from marketplace.extensions import db

JAKARTA = ZoneInfo("Asia/Jakarta")

#: a money column: whole Rupiah in a 64-bit integer (a 32-bit one overflows at Rp21 juta × 100
#: in Stripe's minor units, and at 99 × Rp100 juta in one order). SQLite's INTEGER is 64-bit.
Rupiah = Annotated[int, mapped_column(BigInteger().with_variant(Integer(), "sqlite"))]


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime (how the database keeps it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_jakarta(moment: datetime) -> datetime:
    """Convert a naive-UTC (or aware) datetime to an aware Asia/Jakarta datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(JAKARTA)


def jakarta_wall_clock(moment: datetime | None) -> datetime | None:
    """A stored UTC time as naive Asia/Jakarta, the way date-time form fields show it."""
    return to_jakarta(moment).replace(tzinfo=None) if moment is not None else None


def to_utc_naive(moment: datetime) -> datetime:
    """Convert an aware datetime (naive means Asia/Jakarta) to naive UTC for storage."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=JAKARTA)
    return moment.astimezone(UTC).replace(tzinfo=None)


def jakarta_today(now: datetime | None = None) -> date:
    """Return today's date in Asia/Jakarta."""
    return to_jakarta(now or utcnow()).date()


class Rated:
    """The average of review totals (``rating_count``, ``rating_sum``), for a model or a plain
    row carrying them."""

    rating_count: int
    rating_sum: int

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None


class RatedMixin(Rated):
    """Review totals kept by the service that writes a review, in the same transaction."""

    #: visible (not hidden) ratings and their sum: the average is ``rating_sum / rating_count``
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


__all__ = [
    "JAKARTA",
    "Rated",
    "RatedMixin",
    "TimestampMixin",
    "db",
    "dialect_name",
    "jakarta_today",
    "jakarta_wall_clock",
    "to_jakarta",
    "to_utc_naive",
    "utcnow",
]


def dialect_name() -> str:
    """The running database's kind ("postgresql" or "sqlite"): the app's engine's, which a
    replica shares, read without asking the session for its bind (~3 µs, a few times a page)."""
    return db.engine.dialect.name


def upsert(table):
    """INSERT … ON CONFLICT for the session's database (PostgreSQL or SQLite): the guarded
    counters (daily portions, code uses) are one such statement each."""
    dialect = dialect_name()
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def run_read(statement, params: dict | None = None, prepare: bool | None = None) -> Rows:
    """The rows of a statement that only reads plain columns, run on the session's connection
    (its transaction, or the read-only pages' autocommit and replica: ``core.replica``).

    On PostgreSQL the statement, compiled once per process, goes straight to psycopg's cursor
    and its rows come back as psycopg's tuples: without SQLAlchemy's work per statement
    (execution context, result metadata, row objects), which for a listing's 24 rows of 25
    columns cost as much as the rest of the page's database work (~0.4 ms). The engine's
    cursor events still see the statement (statement counts, the read-only commit), a
    database error is SQLAlchemy's (a timeout is the "server busy" page) and a lost connection
    leaves the pool. A statement that needs SQLAlchemy at run time (a list expanded into an
    IN, a value converted on the way in) and SQLite run the ordinary way.

    ``prepare=False``: PostgreSQL plans the statement for these values, never once for all
    values (psycopg prepares a statement run a few times, and PostgreSQL may then keep a plan
    made without the values)."""
    connection = page_connection(db) or db.session.connection()
    compiled = _compiled(statement, connection.dialect)
    if compiled is None:
        return Rows(connection.execute(statement, params or {}).all())
    values = compiled.construct_params(params or {})
    sql = compiled.string
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor:
            context = ReadContext(compiled, sql, values, cursor)
            events = connection.dispatch
            events.before_cursor_execute(connection, cursor, sql, values, context, False)
            cursor.execute(sql, values, prepare=prepare)
            rows = cursor.fetchall()
            events.after_cursor_execute(connection, cursor, sql, values, context, False)
    except connection.dialect.loaded_dbapi.Error as error:
        lost = connection.dialect.is_disconnect(error, driver, None)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql, values, error, connection.dialect.loaded_dbapi.Error, connection_invalidated=lost
        ) from error
    return Rows(rows)


class ReadContext:
    """What the engine's cursor events see as the execution context of a ``run_read``
    statement (the listeners of the tests, Flask-SQLAlchemy's recorded queries): its compiled
    form, always found in the process's cache."""

    cache_hit = CacheStats.CACHE_HIT
    executemany = False
    isinsert = isupdate = isdelete = False

    def __init__(self, compiled, statement: str, parameters: dict, cursor) -> None:
        self.compiled = compiled
        self.statement = statement
        self.parameters = [parameters]
        self.cursor = cursor


class Rows(list):
    """The rows ``run_read`` read, with the result methods its callers use."""

    def all(self) -> Rows:
        return self

    def first(self):
        return self[0] if self else None

    def one(self):
        if len(self) != 1:
            raise NoResultFound("expected one row") if not self else MultipleResultsFound()
        return self[0]


#: each statement ``run_read`` ran on PostgreSQL, compiled (or None: it runs the ordinary way)
_COMPILED: WeakKeyDictionary = WeakKeyDictionary()
#: how many statements ``run_read`` has compiled (a statement made anew for each request would
#: be compiled each time: the tests watch this)
compilations = 0


def _compiled(statement, dialect):
    if dialect.name != "postgresql":
        return None
    try:
        return _COMPILED[statement]
    except KeyError:
        pass
    global compilations  # noqa: PLW0603 - a counter the tests read
    compilations += 1
    compiled = statement.compile(dialect=dialect)
    # an IN list expanded at run time, or values SQLAlchemy converts on the way in
    if compiled.post_compile_params or compiled._bind_processors:
        compiled = None
    _COMPILED[statement] = compiled
    return compiled


def json_rows(dialect: str, columns: tuple, *where):
    """A scalar subquery: the rows of ``columns`` matching ``where`` as a JSON list of lists
    (empty when none), in no particular order (give each row what it is sorted by); read it
    with ``decoded_rows``. It lets one statement bring a page's few lists beside its row."""
    if dialect == "postgresql":
        rows = func.coalesce(
            func.json_agg(func.json_build_array(*columns)), literal_column("'[]'::json")
        )
    else:
        rows = func.json_group_array(func.json_array(*columns))
    return select(rows).where(*where).scalar_subquery()


def decoded_rows(value) -> list:
    """The rows of a ``json_rows`` column: PostgreSQL's driver decodes JSON, SQLite's gives
    its text."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def day_of(value) -> date:
    """A date from a ``json_rows`` list: PostgreSQL's JSON writes it as text, as SQLite does."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def clock_of(value) -> time:
    """A time of day from a ``json_rows`` list (text in JSON)."""
    return value if isinstance(value, time) else time.fromisoformat(value)


@dataclass
class Page:
    """One page of ``per_page`` items of a list of ``total`` (None: not counted).
    ``open_ended``: the list was counted through this page and one past it only: there is a
    next page, how many more is not known (``total`` counts through the next one)."""

    items: list
    page: int
    per_page: int
    total: int | None
    open_ended: bool = False

    @property
    def pages(self) -> int:
        """The number of pages; open-ended, those known: up to the next."""
        if self.open_ended:
            return self.page + 1
        return max(1, -(-(self.total or 0) // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        return self.page + 1
