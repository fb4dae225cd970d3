"""Stock is taken with conditional updates and given back exactly."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.catalog.models import DailyPortion, Product, StockMode
from marketplace.catalog.stock import OutOfStock, release_stock, reserve_stock
from marketplace.core.db import jakarta_today
from marketplace.extensions import db


def test_counted_stock_is_taken_and_refused_when_short(create_store, create_product):
    product = create_product(create_store(), stock_mode=StockMode.COUNTED, stock=5)
    reserve_stock({product.id: 3}, jakarta_today())
    assert db.session.get(Product, product.id).stock == 2
    with pytest.raises(OutOfStock, match="tinggal 2"):
        reserve_stock({product.id: 3}, jakarta_today())
    assert db.session.get(Product, product.id).stock == 2
    release_stock({product.id: 3}, jakarta_today())
    assert db.session.get(Product, product.id).stock == 5


def test_daily_portions_are_per_day(create_store, create_product):
    product = create_product(create_store(), stock_mode=StockMode.DAILY, daily_quota=4)
    today, tomorrow = jakarta_today(), jakarta_today() + timedelta(days=1)
    reserve_stock({product.id: 4}, today)
    with pytest.raises(OutOfStock, match="sudah habis"):
        reserve_stock({product.id: 1}, today)
    reserve_stock({product.id: 4}, tomorrow)
    with pytest.raises(OutOfStock):
        reserve_stock({product.id: 5}, today + timedelta(days=2))
    release_stock({product.id: 2}, today)
    taken = db.session.scalar(
        sa.select(DailyPortion.taken).where(
            DailyPortion.product_id == product.id, DailyPortion.day == today
        )
    )
    assert taken == 2


def test_unlimited_products_take_nothing(create_store, create_product):
    product = create_product(create_store())
    reserve_stock({product.id: 1000}, jakarta_today())
    assert db.session.get(Product, product.id).stock is None


def test_a_failed_line_leaves_nothing_taken_when_rolled_back(create_store, create_product):
    store = create_store()
    plenty = create_product(store, name="Banyak", stock_mode=StockMode.COUNTED, stock=10)
    short = create_product(store, name="Sedikit", stock_mode=StockMode.COUNTED, stock=1)
    savepoint = db.session.begin_nested()
    with pytest.raises(OutOfStock):
        reserve_stock({plenty.id: 2, short.id: 2}, jakarta_today())
    savepoint.rollback()
    assert db.session.get(Product, plenty.id).stock == 10


def test_database_refuses_negative_portions(create_store, create_product):
    product = create_product(create_store(), stock_mode=StockMode.DAILY, daily_quota=3)
    db.session.add(DailyPortion(product_id=product.id, day=jakarta_today(), taken=1))
    db.session.flush()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(DailyPortion).values(taken=-1))
