"""The SQL filter "open now" and ``availability`` give the same answer, store by store, over
random weeks (periods that run past midnight, closed dates, pauses with and without an end)."""

import random
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.core.db import JAKARTA
from marketplace.extensions import db
from marketplace.stores import services
from marketplace.stores.hours import accepting_orders_clause, availability
from marketplace.stores.models import Store, StoreStatus
from tests.statements import scans_of

MOMENTS = 60


def _random_week(rng: random.Random) -> list[services.PeriodData]:
    periods = []
    for day in range(7):
        if rng.random() < 0.2:
            continue  # closed that weekday
        if rng.random() < 0.25:  # a night stall: opens in the evening, closes after midnight
            periods.append(
                services.PeriodData(day, time(rng.randint(17, 22)), time(rng.randint(0, 3), 30))
            )
            continue
        opens = rng.randint(0, 12)
        closes = rng.randint(opens + 1, 23)
        periods.append(services.PeriodData(day, time(opens, rng.choice((0, 30))), time(closes)))
        if closes < 20 and rng.random() < 0.4:  # a second period in the evening
            periods.append(services.PeriodData(day, time(closes + 1), time(23, 59)))
    return periods


def test_the_sql_filter_agrees_with_availability(create_store, create_product):
    rng = random.Random(20261203)
    start = datetime(2026, 12, 7, 0, 0, tzinfo=JAKARTA)  # a Monday
    stores = []
    for n in range(12):
        store = create_store(name=f"Warung Acak {n}", status=StoreStatus.VERIFIED)
        services.set_opening_hours(store, _random_week(rng))
        closed = sorted({(start + timedelta(days=rng.randint(0, 7))).date() for _ in range(2)})
        services.set_closed_dates(store, [(day, "libur") for day in closed], today=start.date())
        if n % 4 == 1:
            store.is_paused, store.paused_until = True, None
        elif n % 4 == 2:
            store.is_paused = True
            store.paused_until = (start + timedelta(days=3)).astimezone(UTC).replace(tzinfo=None)
        stores.append(store)
    stores.append(create_store(name="Warung Menunggu", status=StoreStatus.PENDING))
    for store in stores:
        create_product(store, name=f"Nasi {store.name}")
    db.session.flush()
    ids = [s.id for s in stores]
    checked = 0
    for _ in range(MOMENTS):
        moment = start + timedelta(minutes=rng.randint(0, 8 * 24 * 60))
        expected = {s.id for s in stores if availability(s, moment).accepting_orders}
        found = set(
            db.session.scalars(
                select(Store.id).where(Store.id.in_(ids), accepting_orders_clause(Store.id, moment))
            )
        )
        assert found == expected, moment.isoformat()
        # the listings ask it of each product's store, with or without the store joined
        of_products = select(Product.store_id).where(
            Product.store_id.in_(ids), accepting_orders_clause(Product.store_id, moment)
        )
        assert set(db.session.scalars(of_products)) == expected, moment.isoformat()
        joined = of_products.join(Product.store).where(Store.name.is_not(None))
        assert set(db.session.scalars(joined)) == expected, moment.isoformat()
        checked += len(expected)
    assert checked > 0, "no moment had an open store: the comparison proved nothing"


def test_the_filter_is_sets_built_once_not_a_probe_per_period(dialect):
    """The filter "open now" is worked out once per statement, not probed per period: the
    stores with a period now (on PostgreSQL one row of bits, the segment of the week that holds
    the clock, not a set of ~3,000 stores built from their periods), less those closed on that
    date (not an anti-join probing the closed dates once per opening period), less those that
    cannot take orders. Their status is SQL text: as a parameter, a prepared statement's
    generic plan could not match the partial index ``ix_stores_unverified`` and read every
    store (~0.5 ms at 5,000)."""
    statement = str(
        select(Store.id)
        .where(accepting_orders_clause(Store.id))
        .compile(db.engine, compile_kwargs={})
    )
    assert "open_store.status != 'verified'" in statement, statement
    assert statement.count("NOT IN (SELECT store_closed_dates.store_id") == 2, statement
    assert "EXISTS" not in statement, statement
    if dialect == "postgresql":
        # its two strings of bits, and whether any store is inside a period (a one-time filter)
        assert statement.count("FROM open_hours_segments") == 3, statement
        assert "opening_periods" not in statement, statement
    else:
        assert statement.count("FROM opening_periods") == 2, statement


def test_with_no_store_open_no_product_is_read(dialect, create_store, create_product):
    """Whether any store is inside an opening period now is checked once, before the rows (a
    one-time filter on PostgreSQL): at night, when none is, "open now" reads no product at all,
    where it read every product (or every posting of a word searched) to keep none."""
    if dialect != "postgresql":
        pytest.skip("a plan of PostgreSQL's")
    store = create_store(name="Warung Siang", status=StoreStatus.VERIFIED)
    services.set_opening_hours(store, [services.PeriodData(d, time(8), time(17)) for d in range(7)])
    create_product(store, name="Nasi Siang")
    db.session.flush()

    def products_read(moment: datetime) -> tuple[list[int], int]:
        statement = select(Product.id).where(
            Product.listed, accepting_orders_clause(Product.store_id, moment)
        )
        compiled = statement.compile(db.engine)
        driver = db.session.connection().connection.driver_connection
        with driver.cursor() as cursor:
            cursor.execute(compiled.string, compiled.params)
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + compiled.string, compiled.params)
            plan = cursor.fetchone()[0][0]["Plan"]
        scans = scans_of(plan, "products")
        assert scans, plan
        return ids, sum(node["Actual Loops"] for node in scans)

    noon = datetime(2026, 12, 7, 12, 0, tzinfo=JAKARTA)
    night = datetime(2026, 12, 7, 3, 0, tzinfo=JAKARTA)
    ids, loops = products_read(noon)
    assert ids, "open at noon: the store's product is found"
    assert loops >= 1
    ids, loops = products_read(night)
    assert ids == []
    assert loops == 0, "nobody open: not one product read"
