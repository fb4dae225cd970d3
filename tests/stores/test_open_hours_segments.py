"""The bits of "open now" (migration 0045, ``open_hours_segments``) stay the stores' periods:
after random edits, a bulk load, a store deleted, and two edits at once on two connections."""

from __future__ import annotations

import random
import threading
import time as clock
from datetime import time

import psycopg
import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.stores import services
from marketplace.stores.models import OpeningPeriod, Store
from tests.conftest import PG_ADMIN_DSN, build_schema, fresh_postgres, make_app
from tests.factories import add_user, build_store
from tests.stores.test_open_now_sql import _random_week

BULK = 200  # migration 0045's: more stores in one statement rebuild every segment

#: for each moment and store: is the store's bit in the segment that holds the moment what its
#: periods say at that moment (``open_hours_same_day``, ``open_hours_overnight``: the
#: conditions of "open now" on the periods themselves)? The moments: each minute a store opens
#: or closes, the minute before, midnight, and every 7th minute of the week.
WRONG_BITS = sa.text(
    """
WITH times AS (
    SELECT weekday AS day, opens_at AS at FROM opening_periods
    UNION SELECT weekday, closes_at FROM opening_periods
    UNION SELECT (weekday + 1) % 7, closes_at FROM opening_periods
), moments AS (
    SELECT day, at FROM times
    UNION SELECT day, at - interval '1 minute' FROM times
    UNION SELECT day, time '00:00' + n * interval '7 minutes'
          FROM generate_series(0, 6) AS day, generate_series(0, 205) AS n
), segment AS (
    SELECT m.day, m.at, s.same_day, s.overnight
    FROM moments m
    CROSS JOIN LATERAL (SELECT same_day, overnight FROM open_hours_segments
                        WHERE weekday = m.day AND starts <= m.at
                        ORDER BY starts DESC LIMIT 1) AS s
)
SELECT segment.day, segment.at, stores.id FROM segment CROSS JOIN stores
WHERE (CAST(:stores AS integer[]) IS NULL OR stores.id = ANY(CAST(:stores AS integer[])))
  AND (open_hours_bit(segment.same_day, stores.id)
          <> open_hours_same_day(stores.id, segment.day, segment.at)
       OR open_hours_bit(segment.overnight, stores.id)
          <> open_hours_overnight(stores.id, segment.day, segment.at))
LIMIT 5
"""
)


def _wrong_bits(connection=None, stores: list[int] | None = None) -> list:
    """Where the bits and the periods disagree, for every store or for ``stores`` (each one
    checked at every moment: a store costs some 2,000 pairs of calls)."""
    return list((connection or db.session).execute(WRONG_BITS, {"stores": stores}))


def _open_at(store_id: int, day: int, at: str) -> bool:
    """Whether the bits say ``store_id`` is inside a period begun on ``day`` at ``at``."""
    return bool(
        db.session.scalar(
            sa.text(
                "SELECT open_hours_bit((SELECT same_day FROM open_hours_segments"
                " WHERE weekday = :day AND starts <= CAST(:at AS time)"
                " ORDER BY starts DESC LIMIT 1), :store)"
            ),
            {"day": day, "at": at, "store": store_id},
        )
    )


@pytest.fixture
def postgres(dialect):
    if dialect != "postgresql":
        pytest.skip("the bits of 'open now' are PostgreSQL's (SQLite builds its sets each time)")


def test_the_bits_follow_random_edits_of_the_hours(postgres, create_store):
    rng = random.Random(20261205)
    stores = [create_store(name=f"Warung Jam {n}", periods=()) for n in range(10)]
    for store in stores:
        services.set_opening_hours(store, _random_week(rng))
    assert _wrong_bits() == []
    for _ in range(25):
        store = rng.choice(stores)
        week = [] if rng.random() < 0.15 else _random_week(rng)
        services.set_opening_hours(store, week)
        # an odd minute no other store uses: a segment split in two
        if week and rng.random() < 0.5:
            first = week[0]
            odd = services.PeriodData(first.weekday, time(first.opens_at.hour, 17), first.closes_at)
            services.set_opening_hours(store, [odd, *week[1:]])
    db.session.flush()
    assert _wrong_bits() == []
    gone = stores.pop()
    db.session.delete(gone)
    db.session.flush()
    assert _wrong_bits() == []
    # a store opened after the bits last grew, without periods: past their end, closed
    late = create_store(name="Warung Belum Buka", periods=())
    db.session.flush()
    assert not any(_open_at(late.id, day, "12:00") for day in range(7))
    assert _wrong_bits() == []


def test_a_bulk_load_rebuilds_every_segment(postgres, create_store):
    """One statement that gives many stores their hours (the demo data, a benchmark's catalogue)
    rebuilds the segments from the periods instead of setting each store's bit."""
    stores = [create_store(name=f"Warung Muat {n}", periods=()) for n in range(BULK + 1)]
    db.session.flush()
    ids = [store.id for store in stores]
    # one statement for all of them (a list of rows would be one statement per row)
    db.session.execute(
        sa.text(
            "INSERT INTO opening_periods (store_id, weekday, opens_at, closes_at)"
            " SELECT store.id, day, time '06:00' + (store.n % 5) * interval '1 hour'"
            "   + (store.n % 6) * interval '10 minutes',"
            "   CASE WHEN store.n % 4 = 0 THEN time '02:30'"
            "        ELSE time '20:00' + (store.n % 3) * interval '1 hour' END"
            " FROM unnest(CAST(:ids AS integer[])) WITH ORDINALITY AS store(id, n),"
            " generate_series(0, 6) AS day"
        ),
        {"ids": ids},
    )
    assert db.session.scalar(sa.select(sa.func.count()).where(OpeningPeriod.store_id.in_(ids)))
    # every store's hours come from one rule: one store in ten, each of its forms, is checked at
    # every moment (all 201 took ~8 s, near the statement timeout on a slow machine)
    assert _wrong_bits(stores=ids[::10]) == []
    assert _open_at(ids[0], 2, "12:00")  # 07:10 to 21:00
    assert not _open_at(ids[0], 2, "07:00")
    assert not _open_at(ids[3], 2, "09:00")  # 10:40 to 02:30
    assert _open_at(ids[3], 2, "23:00")


def test_two_sellers_saving_hours_at_once_both_land(tmp_path):
    """Two transactions on two connections, each splitting the same segment with a time of its
    own: the second waits for the first (the advisory lock), then sees its segment and bits."""
    with fresh_postgres("pkk_open_hours") as url:
        app = make_app(url, tmp_path / "uploads")
        build_schema(app)
        with app.app_context():
            admin = add_user(Role.CITY_ADMIN, "081200000001")
            ids = []
            for n in range(2):
                owner = add_user(Role.SELLER, f"08120000001{n}")
                ids.append(build_store(owner, admin, f"Warung Serentak {n}", periods=()).id)
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        first = psycopg.connect(dsn)
        second = psycopg.connect(dsn)
        errors: list[Exception] = []
        try:
            first.execute(
                "INSERT INTO opening_periods (store_id, weekday, opens_at, closes_at)"
                " VALUES (%s, 3, '09:13', '15:00')",
                (ids[0],),
            )

            def save_second():
                try:
                    second.execute(
                        "INSERT INTO opening_periods (store_id, weekday, opens_at, closes_at)"
                        " VALUES (%s, 3, '08:47', '14:21')",
                        (ids[1],),
                    )
                    second.commit()
                except Exception as exc:  # noqa: BLE001 - reported by the test below
                    errors.append(exc)

            waiting = threading.Thread(target=save_second)
            waiting.start()
            with psycopg.connect(PG_ADMIN_DSN) as watcher:
                deadline = clock.monotonic() + 10
                while clock.monotonic() < deadline:
                    blocked = watcher.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                        " AND wait_event_type = 'Lock'",
                        (url.rsplit("/", 1)[1],),
                    ).fetchone()[0]
                    if blocked:
                        break
                    clock.sleep(0.02)
            assert blocked, "the second edit did not wait for the first"
            first.commit()
            waiting.join(10)
            assert not waiting.is_alive()
            assert errors == []
            with app.app_context():
                assert _wrong_bits() == []
                assert _open_at(ids[0], 3, "09:13")
                assert not _open_at(ids[0], 3, "09:12")
                assert _open_at(ids[1], 3, "09:00")
                assert _open_at(ids[1], 3, "14:00")
                assert not _open_at(ids[1], 3, "14:21")
                db.session.remove()
                db.engine.dispose()
        finally:
            first.close()
            second.close()


def test_a_store_deleted_with_its_periods_leaves_no_bit(postgres, create_store):
    store = create_store(name="Warung Tutup Usaha")
    db.session.flush()
    store_id = store.id
    assert _open_at(store_id, 0, "08:00")
    db.session.execute(sa.delete(OpeningPeriod).where(OpeningPeriod.store_id == store_id))
    db.session.execute(sa.delete(Store).where(Store.id == store_id))
    assert not _open_at(store_id, 0, "08:00")
    assert _wrong_bits() == []
