"""Base model pieces and time helpers: stored in UTC, shown in Asia/Jakarta."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Integer, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

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
    "jakarta_today",
    "jakarta_wall_clock",
    "to_jakarta",
    "to_utc_naive",
    "utcnow",
]


def upsert(table):
    """INSERT … ON CONFLICT for the session's database (PostgreSQL or SQLite): the guarded
    counters (daily portions, code uses) are one such statement each."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def run_read(statement, params: dict | None = None):
    """Run a statement that only reads plain columns on the session's connection (its
    transaction, or the read-only pages' autocommit and replica: ``core.replica``), as Core:
    without the ORM's per-statement work (about 0.1 ms a statement), which rows of columns do
    not need. The rows are those ``db.session.execute`` gives."""
    return db.session.connection().execute(statement, params or {})


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


@dataclass
class Page:
    """One page of ``per_page`` items of a list of ``total`` (None: not counted)."""

    items: list
    page: int
    per_page: int
    total: int | None

    @property
    def pages(self) -> int:
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
