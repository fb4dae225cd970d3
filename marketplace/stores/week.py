"""A store's week and coming closed days as a page's statement reads them: two JSON lists beside
the page's row (``core.db.json_rows``) and the plain objects ``stores.hours`` reads from them.
Shared by the product page and the store page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import Date, bindparam

from marketplace.core.db import clock_of, day_of, decoded_rows, json_rows
from marketplace.stores.models import OpeningPeriod, Store, StoreClosedDate


@dataclass(frozen=True, slots=True)
class PeriodView:
    """An opening period, as ``stores.hours`` reads one."""

    weekday: int
    opens_at: time
    closes_at: time

    @property
    def crosses_midnight(self) -> bool:
        return self.closes_at <= self.opens_at


@dataclass(frozen=True, slots=True)
class ClosedDayView:
    day: date
    note: str | None = ""


def week_columns(dialect: str) -> tuple:
    """(the week's periods, the closed days from ``:closed_since`` on) of the store ``Store.id``
    of the statement, as two JSON list columns."""
    periods = json_rows(
        dialect,
        (OpeningPeriod.weekday, OpeningPeriod.opens_at, OpeningPeriod.closes_at),
        OpeningPeriod.store_id == Store.id,
    )
    closed = json_rows(
        dialect,
        (StoreClosedDate.day, StoreClosedDate.note),
        StoreClosedDate.store_id == Store.id,
        StoreClosedDate.day >= bindparam("closed_since", type_=Date),
    )
    return periods.label("periods"), closed.label("closed")


def week_from(periods, closed) -> tuple[tuple[PeriodView, ...], tuple[ClosedDayView, ...]]:
    """The periods (by day and opening) and closed days (by date) of ``week_columns``."""
    return (
        tuple(
            sorted(
                (
                    PeriodView(weekday, clock_of(opens), clock_of(closes))
                    for weekday, opens, closes in decoded_rows(periods)
                ),
                key=lambda period: (period.weekday, period.opens_at),
            )
        ),
        tuple(
            sorted(
                (ClosedDayView(day_of(day), note) for day, note in decoded_rows(closed)),
                key=lambda closed_day: closed_day.day,
            )
        ),
    )
