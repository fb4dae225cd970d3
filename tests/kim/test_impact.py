"""The impact dashboard: aggregates per kelurahan and month, small groups not shown alone, a KIM
admin sees only their kelurahan and never one seller's books."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.books.statements import month_period
from marketplace.core.db import jakarta_today, utcnow
from marketplace.extensions import db
from marketplace.kim import impact, trainings
from marketplace.orders import services as orders
from marketplace.stores import services as stores
from tests.order_fixtures import add_to_cart


@pytest.fixture
def kampung(create_store, create_product, create_user, create_kim_group, cart, checkout):
    """Uwung Jaya: three stores with sales; Cibodasari: one store; Kebon Besar: two stores."""
    uwung = [create_store(area="Uwung Jaya", name=f"Uwung {n}") for n in range(3)]
    cibodasari = create_store(area="Cibodasari", name="Cibodasari 1")
    kebon = [create_store(area="Kebon Besar", name=f"Kebon {n}") for n in range(2)]
    stores.set_credential(uwung[0], "nib", "1234567890123", None)
    stores.set_credential(uwung[1], "halal", "ID000111", None)
    tokens = iter(range(100))

    def sell(store, phone, units):
        product = create_product(store, name=f"Kue {next(tokens)}", price=10000)
        add_to_cart(cart, product, [], units)
        order = checkout(cart, store, token=f"impact-{next(tokens)}", phone=phone)
        for step in (orders.accept_order, orders.mark_ready, orders.complete_order):
            step(order, store.owner)
        return order

    sell(uwung[0], "081300000001", 2)
    sell(uwung[0], "081300000001", 1)  # a repeat customer
    sell(uwung[1], "081300000002", 3)
    sell(cibodasari, "081300000003", 5)
    sell(kebon[0], "081300000004", 1)
    kim = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    training = trainings.create_training(
        kim, "Pembukuan", "pembukuan", "Aula", utcnow() + timedelta(days=1), 10
    )
    registration = trainings.register(uwung[0].owner, training)
    training.starts_at = utcnow() - timedelta(minutes=5)  # it has taken place since
    trainings.mark_attendance(kim, registration, True)
    db.session.flush()
    return {"kim": kim, "uwung": uwung}


def this_month():
    today = jakarta_today()
    return month_period(today.year, today.month)


def test_city_sees_each_large_area_and_the_small_ones_merged(kampung, create_user):
    figures = impact.area_figures(create_user(Role.CITY_ADMIN), this_month())
    rows = {r.name: r for r in figures.rows}
    uwung = rows["Uwung Jaya"]
    assert (uwung.stores, uwung.active, uwung.new, uwung.orders, uwung.sales) == (3, 2, 3, 3, 60000)
    assert uwung.repeat_customers == 1
    assert (uwung.nib, uwung.pirt, uwung.halal) == (1, 0, 1)
    assert (uwung.trainings, uwung.attendance) == (1, 1)
    # Cibodasari (1 store) and Kebon Besar (2) are never shown alone; together they make 3
    assert "Cibodasari" not in rows
    assert "Kebon Besar" not in rows
    merged = rows[""]
    assert (merged.stores, merged.orders, merged.sales) == (3, 2, 60000)
    assert figures.merged == 2


def test_kim_admin_sees_their_kelurahan_only(kampung, create_user, create_kim_group):
    figures = impact.area_figures(kampung["kim"], this_month())
    assert [r.name for r in figures.rows] == ["Uwung Jaya"]
    small = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Cibodasari"))
    lonely = impact.area_figures(small, this_month())
    assert lonely.rows == []
    assert lonely.hidden == 1
    assert impact.monthly_sales(small, this_month()) == []
    assert impact.training_effect(small) is None
    assert impact.monthly_sales(kampung["kim"], this_month())[-1][1] == 60000


def test_dashboard_page_and_csv(client, kampung, login):
    login(kampung["kim"])
    page = client.get("/kim/dampak").get_data(as_text=True)
    assert "Uwung Jaya" in page
    assert "Rp60.000" in page
    assert "Uwung 0" not in page  # no store is named: only aggregates
    body = client.get("/kim/dampak.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [(r["name"], int(r["sales"]), int(r["orders"])) for r in rows] == [
        ("Uwung Jaya", 60000, 3)
    ]
    assert client.get("/kim/dampak?bulan=2099-01").status_code == 200  # a bad month falls back


def test_training_effect_needs_three_stores(kampung, create_user):
    assert impact.training_effect(kampung["kim"]) is None  # one trained store only


def test_training_effect_sums_sales_before_and_after(
    kampung, create_store, create_product, cart, checkout
):
    kim, uwung = kampung["kim"], kampung["uwung"]
    training = trainings.create_training(
        kim, "Foto produk", "foto", "Aula", utcnow() + timedelta(days=1), 10
    )
    for store in uwung:
        trainings.mark_attendance(kim, trainings.register(store.owner, training), True)
    training.starts_at = utcnow() - timedelta(days=30)
    db.session.flush()
    trained_on = jakarta_today() - timedelta(days=30)
    # Sales before: Rp10.000 at each store, 10 days before the training
    for n, store in enumerate(uwung):
        product = create_product(store, name=f"Sebelum {n}", price=10000)
        add_to_cart(cart, product, [], 1)
        order = checkout(cart, store, token=f"before-{n}")
        for step in (orders.accept_order, orders.mark_ready, orders.complete_order):
            step(order, store.owner)
        order.fulfil_date = trained_on - timedelta(days=10)
    db.session.flush()
    effect = impact.training_effect(kim)
    # After: the fixture's sales of this month (Rp60.000); "first training" is this older one
    assert effect.stores == 3
    assert effect.before == 30000
    assert effect.after == 60000
    assert effect.change_percent == 100
