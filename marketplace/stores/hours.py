"""Opening hours: the one function that says whether a store is open at a moment (Asia/Jakarta)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Time,
    and_,
    bindparam,
    column,
    func,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.orm import aliased

from marketplace.core.db import JAKARTA, dialect_name, to_jakarta, utcnow
from marketplace.stores.models import (
    VERIFIED_SQL,
    OpeningPeriod,
    Store,
    StoreClosedDate,
)


@cache
def _open_store():
    """The store of an opening period in "open now", under its own name (the query around may
    join stores). Made once: a new alias per query costs more to build than the query's SQL."""
    return aliased(Store, name="open_store")


#: how far ahead the next opening is looked for (a week plus a few closed dates)
LOOKAHEAD_DAYS = 21


@dataclass(frozen=True)
class Availability:
    is_open: bool
    is_paused: bool
    accepting_orders: bool
    pause_reason: str | None
    #: next opening moment (aware, Asia/Jakarta) when closed now
    next_open: datetime | None
    #: when the current period ends (aware, Asia/Jakarta) when open now
    closes_at: datetime | None


def _intervals(periods: Iterable[OpeningPeriod], around: datetime, closed: set[date]):
    """Yield (start, end) aware Jakarta intervals from the day before ``around`` onwards.

    A period belongs to the day it starts on; on a closed date it does not happen.
    """
    first = around.date() - timedelta(days=1)
    by_day: dict[int, list[OpeningPeriod]] = {}
    for period in periods:
        by_day.setdefault(period.weekday, []).append(period)
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = first + timedelta(days=offset)
        if day in closed:
            continue
        for period in sorted(by_day.get(day.weekday(), []), key=lambda p: p.opens_at):
            start = datetime.combine(day, period.opens_at, tzinfo=JAKARTA)
            end_day = day + timedelta(days=1) if period.crosses_midnight else day
            yield start, datetime.combine(end_day, period.closes_at, tzinfo=JAKARTA)


def _aware_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (naive means UTC, as stored)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _pause_state(store: Store, at_utc: datetime) -> tuple[bool, datetime | None]:
    if not store.is_paused:
        return False, None
    if store.paused_until is None:
        return True, None
    until = store.paused_until.replace(tzinfo=UTC)
    return (until > at_utc), until


def week_hours(periods: Iterable[OpeningPeriod]) -> list[tuple[int, str]]:
    """Each weekday (0 Monday ... 6 Sunday) with its opening periods as a store's page shows
    them ("07.00–14.00, 17.00–21.00", in the order given; "" on a day it is closed). Grouped in
    one pass: the page's template filtered every period for each day (14 filter calls through
    Jinja, a tenth of a store page's rendering)."""
    days: list[list[str]] = [[] for _ in range(7)]
    for period in periods:
        if 0 <= period.weekday < 7:
            days[period.weekday].append(f"{period.opens_at:%H.%M}–{period.closes_at:%H.%M}")
    return [(day, ", ".join(times)) for day, times in enumerate(days)]


def availability(store: Store, at: datetime | None = None) -> Availability:
    """Tell whether ``store`` is open and accepting orders at ``at`` (default: now)."""
    moment = at or utcnow()
    at_utc = _aware_utc(moment)
    now = to_jakarta(at_utc)
    paused, paused_until = _pause_state(store, at_utc)
    closed = {c.day for c in store.closed_dates}
    intervals = sorted(_intervals(store.periods, now, closed))
    current = next(((s, e) for s, e in intervals if s <= now < e), None)
    is_open = current is not None and not paused

    next_open = None
    if not is_open:
        earliest = now
        if paused and paused_until is not None:
            earliest = max(now, to_jakarta(paused_until))
        for start, end in intervals:
            if paused and paused_until is None:
                break
            if start <= earliest < end and earliest > now:
                next_open = earliest
                break
            if start > earliest:
                next_open = start
                break
    return Availability(
        is_open=is_open,
        is_paused=paused,
        accepting_orders=is_open and store.is_public,
        pause_reason=store.pause_reason if paused else None,
        next_open=next_open,
        closes_at=current[1] if is_open and current else None,
    )


def accepting_orders_params(at: datetime | None = None) -> dict:
    """The values of ``accepting_orders``'s bind parameters at ``at`` (default: now): today's
    and yesterday's dates and weekdays and the clock in Asia/Jakarta, the moment in UTC."""
    moment = at or utcnow()
    at_utc = _aware_utc(moment)
    now = to_jakarta(at_utc)
    today = now.date()
    yesterday = today - timedelta(days=1)
    return {
        "open_today": today,
        "open_weekday": today.weekday(),
        "open_yesterday": yesterday,
        "open_prev_weekday": yesterday.weekday(),
        "open_clock": now.time(),
        "open_at": at_utc.replace(tzinfo=None),
    }


#: the segments of the week within which the same stores are inside an opening period, with
#: their bits (PostgreSQL; migration 0045 and its triggers keep them)
OPEN_HOURS_SEGMENTS = table(
    "open_hours_segments",
    column("weekday", Integer),
    column("starts", Time),
    column("same_day"),
    column("overnight"),
)


def accepting_orders(
    store_id, values: dict | None = None, dialect: str | None = None
) -> ColumnElement[bool]:
    """The SQL twin of ``availability(store, at).accepting_orders`` for the store whose id is in
    the column ``store_id`` (``Product.store_id``, ``Store.id``), to filter many rows in one
    query, with the moment as bind parameters (``accepting_orders_params``): a statement made
    of it can be kept and run again at any moment. Inside a period that started today or
    started yesterday and runs past midnight, on a day that is not one of the store's closed
    dates, and not among the stores that cannot take orders (not verified, or paused now). (The
    tests hold the two to the same answer over random weeks.)

    Nothing of it depends on the row but the store: PostgreSQL works each part out once per
    statement and checks each row against it. Whether a store is inside a period is one bit of
    the segment of the week that holds the clock (``open_hours_segments``, one row read); on
    SQLite it is a set of the stores inside one, built from that weekday's periods. The closed
    dates of the day, and the stores that cannot take orders, are sets checked by hash: the few
    (a partial index each: unverified, paused), not the thousands that can.

    With ``values`` (``accepting_orders_params``), the parameters carry them; ``dialect``: the
    database's the statement is for (the session's by default)."""

    def param(name: str, column):
        if values is None:
            return bindparam(name, type_=column.type)  # required: a run without it fails
        return bindparam(name, values[name], type_=column.type)

    clock = param("open_clock", OpeningPeriod.opens_at)

    def not_closed(day: str):
        return store_id.not_in(
            select(StoreClosedDate.store_id)
            .where(StoreClosedDate.day == param(day, StoreClosedDate.day))
            .correlate(None)
        )

    if (dialect or dialect_name()) == "postgresql":
        segments = OPEN_HOURS_SEGMENTS

        def now(value):
            # ``value`` of the segment that holds the clock: one row, read once per statement
            return (
                select(value)
                .where(
                    segments.c.weekday == param("open_weekday", OpeningPeriod.weekday),
                    segments.c.starts <= clock,
                )
                .order_by(segments.c.starts.desc())
                .limit(1)
                .scalar_subquery()
            )

        def inside(bits):
            return func.open_hours_bit(now(bits), store_id, type_=Boolean)

        today = and_(inside(segments.c.same_day), not_closed("open_today"))
        yesterday = and_(inside(segments.c.overnight), not_closed("open_yesterday"))
        # whether any store is inside a period now: it depends on no row, so PostgreSQL checks
        # it once, before the rows (a one-time filter). At night, when none is, a search that
        # asks for "open now" then reads none of its word's postings, not every one of them
        # to keep none (~2 ms for "ayam" at 100k)
        gate = [now(func.bit_count(segments.c.same_day) + func.bit_count(segments.c.overnight) > 0)]
    else:
        gate = []
        overnight = OpeningPeriod.closes_at <= OpeningPeriod.opens_at

        def stores_in_period(weekday: str, *period):
            return store_id.in_(
                select(OpeningPeriod.store_id)
                .where(OpeningPeriod.weekday == param(weekday, OpeningPeriod.weekday), *period)
                .correlate(None)
            )

        today = and_(
            stores_in_period(
                "open_weekday",
                OpeningPeriod.opens_at <= clock,
                or_(OpeningPeriod.closes_at > clock, overnight),
            ),
            not_closed("open_today"),
        )
        yesterday = and_(
            stores_in_period("open_prev_weekday", overnight, OpeningPeriod.closes_at > clock),
            not_closed("open_yesterday"),
        )
    store = _open_store()
    at = param("open_at", Store.paused_until)
    cannot_take_orders = (
        select(store.id)
        # the status as SQL text, not a parameter: a prepared statement's generic plan then
        # still matches the partial index's predicate (with a parameter it read every store)
        .where(or_(store.status != VERIFIED_SQL, _paused(store, at)))
        .correlate(None)
    )
    return and_(*gate, or_(today, yesterday), store_id.not_in(cannot_take_orders))


def accepting_orders_clause(store_id, at: datetime | None = None) -> ColumnElement[bool]:
    """``accepting_orders`` at ``at`` (default: now), its parameters filled in."""
    return accepting_orders(store_id, accepting_orders_params(at))


def _paused(store, at_utc):
    """Paused at ``at_utc`` (naive UTC: a value or a bind parameter)."""
    return and_(
        store.is_paused,  # as the partial index says it (ix_stores_paused), not "IS TRUE"
        or_(store.paused_until.is_(None), store.paused_until > at_utc),
    )


def paused_clause(at: datetime, store=Store):
    """The SQL twin of ``availability(store, at).is_paused`` (``store``: Store or an alias)."""
    at_utc = _aware_utc(at)
    return _paused(store, at_utc.replace(tzinfo=None))


def not_paused_clause(at: datetime | None = None, store=Store):
    """The SQL twin of ``not availability(store, at).is_paused`` (``store``: Store or an alias)."""
    return not_(paused_clause(at or utcnow(), store))


def not_paused_at(at_utc, store=Store):
    """``not_paused_clause`` at ``at_utc``, a bind parameter of a naive UTC time (a statement
    made once and run at any time)."""
    return not_(_paused(store, at_utc))
