"""Base model pieces and time helpers: stored in UTC, shown in Asia/Jakarta."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import BigInteger, Integer, func
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


class CountedPagination(SelectPagination):
    """A page of a select whose total arrives with its rows (``count(*) OVER ()``): one
    statement instead of two. Only a page past the end, which has no rows to carry the total,
    asks for the count on its own."""

    def _query_items(self) -> list:
        statement = (
            self._query_args["select"]
            .add_columns(func.count().over())
            .limit(self.per_page)
            .offset(self._query_offset)
        )
        rows = self._query_args["session"].execute(statement).all()
        self._counted = rows[0][-1] if rows else None
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        if self._counted is not None:
            return self._counted
        if self.page == 1:
            return 0
        return super()._query_count()


def paginate_counted(statement, page: int, per_page: int) -> CountedPagination:
    """``db.paginate`` in one statement (see CountedPagination); a page below 1 is page 1."""
    return CountedPagination(
        select=statement,
        session=db.session(),
        page=max(page or 1, 1),
        per_page=per_page,
        error_out=False,
    )
