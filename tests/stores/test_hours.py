"""Opening hours at the edges, in Asia/Jakarta whatever the server's time zone."""

import os
import time as systime
from datetime import datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from marketplace.core.db import to_utc_naive
from marketplace.stores.hours import availability

JKT = ZoneInfo("Asia/Jakarta")


def make_store(periods, paused=False, paused_until=None, public=True, closed=()):
    return SimpleNamespace(
        closed_dates=[SimpleNamespace(day=day, note="") for day in closed],
        periods=[
            SimpleNamespace(weekday=d, opens_at=o, closes_at=c, crosses_midnight=c <= o)
            for d, o, c in periods
        ],
        is_paused=paused,
        paused_until=paused_until,
        pause_reason="Libur" if paused else None,
        is_public=public,
    )


# 2026-11-30 is a Monday (weekday 0).
def at(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=JKT)


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Tokyo"])
def server_tz(request):
    """The server's own time zone must not matter."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    systime.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    systime.tzset()


MORNING_EVENING = [(0, time(6), time(10)), (0, time(16), time(21))]


@pytest.mark.usefixtures("server_tz")
@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(30, 5, 59), False),
        (at(30, 6, 0), True),
        (at(30, 9, 59), True),
        (at(30, 10, 0), False),  # closing time is exclusive
        (at(30, 15, 59), False),
        (at(30, 16, 0), True),
        (at(30, 21, 0), False),
    ],
)
def test_two_periods_a_day_edges(moment, is_open):
    state = availability(make_store(MORNING_EVENING), moment)
    assert state.is_open is is_open
    assert state.accepting_orders is is_open


@pytest.mark.usefixtures("server_tz")
def test_closed_shows_next_opening_same_day():
    state = availability(make_store(MORNING_EVENING), at(30, 10, 0))
    assert state.next_open == at(30, 16, 0)


def test_next_opening_skips_closed_days():
    # Open Monday only: on Tuesday the next opening is next Monday 06:00.
    state = availability(make_store(MORNING_EVENING), at(30, 22, 0).replace(day=1, month=12))
    assert state.next_open == datetime(2026, 12, 7, 6, 0, tzinfo=JKT)


@pytest.mark.usefixtures("server_tz")
def test_period_across_midnight():
    # Friday (weekday 4) 18:00 – 02:00; 2026-12-04 is a Friday.
    store = make_store([(4, time(18), time(2))])
    assert availability(store, datetime(2026, 12, 4, 23, 30, tzinfo=JKT)).is_open
    assert availability(store, datetime(2026, 12, 5, 1, 59, tzinfo=JKT)).is_open
    assert not availability(store, datetime(2026, 12, 5, 2, 0, tzinfo=JKT)).is_open
    assert not availability(store, datetime(2026, 12, 4, 17, 59, tzinfo=JKT)).is_open


def test_utc_naive_input_is_read_as_utc():
    # 23:00 UTC on Sunday is 06:00 Monday in Jakarta.
    store = make_store(MORNING_EVENING)
    assert availability(store, datetime(2026, 11, 29, 23, 0)).is_open
    assert not availability(store, datetime(2026, 11, 29, 22, 59)).is_open


@pytest.mark.usefixtures("server_tz")
def test_pause_with_automatic_reopen():
    until = to_utc_naive(at(30, 8, 0))
    store = make_store(MORNING_EVENING, paused=True, paused_until=until)
    during = availability(store, at(30, 7, 0))
    assert not during.is_open
    assert during.is_paused
    assert during.pause_reason == "Libur"
    assert during.next_open == at(30, 8, 0)
    after = availability(store, at(30, 8, 0))
    assert after.is_open
    assert not after.is_paused


def test_pause_until_outside_hours_reopens_at_next_period():
    store = make_store(MORNING_EVENING, paused=True, paused_until=to_utc_naive(at(30, 12, 0)))
    assert availability(store, at(30, 7, 0)).next_open == at(30, 16, 0)


def test_pause_without_end_has_no_next_opening():
    store = make_store(MORNING_EVENING, paused=True)
    state = availability(store, at(30, 7, 0))
    assert not state.is_open
    assert state.next_open is None


def test_unverified_store_is_open_but_not_accepting_orders():
    state = availability(make_store(MORNING_EVENING, public=False), at(30, 7, 0))
    assert state.is_open
    assert not state.accepting_orders


def test_store_without_hours_is_closed():
    state = availability(make_store([]), at(30, 7, 0))
    assert not state.is_open
    assert state.next_open is None


def test_closed_date_overrides_weekly_hours():
    # Monday 2026-11-30 is a holiday: the next opening is the following Monday.
    from datetime import date

    store = make_store(MORNING_EVENING, closed=[date(2026, 11, 30)])
    state = availability(store, at(30, 7, 0))
    assert not state.is_open
    assert state.next_open == datetime(2026, 12, 7, 6, 0, tzinfo=JKT)


def test_period_started_before_a_closed_date_runs_to_its_end():
    from datetime import date

    # Friday 18:00-02:00; Saturday 2026-12-05 closed: Friday night still runs past midnight.
    store = make_store([(4, time(18), time(2))], closed=[date(2026, 12, 5)])
    assert availability(store, datetime(2026, 12, 5, 1, 0, tzinfo=JKT)).is_open
