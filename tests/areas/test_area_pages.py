"""The home page and a kelurahan's page: what they list, and that PostgreSQL plans their
statements once per connection, not on every request."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.core.db import to_jakarta, utcnow
from marketplace.extensions import db
from marketplace.kim import featured
from marketplace.stores.services import pause_store
from tests.statements import QueryCounter


def _section(page: str, heading: str) -> str:
    """The part of ``page`` from its heading ``heading`` to the next heading."""
    start = page.index(heading)
    end = page.find("<h2", start + len(heading))
    return page[start : end if end > 0 else len(page)]


def test_home_lists_the_newest_verified_stores_with_their_kelurahan(client, create_store):
    older = create_store(name="Warung Lama")
    pending = create_store(name="Warung Belum Diverifikasi", status="pending")
    newer = create_store(name="Warung Baru", area="Cibodasari")
    older.verified_at = utcnow() - timedelta(days=3)
    newer.verified_at = utcnow() - timedelta(days=1)
    db.session.commit()
    stores = _section(client.get("/").get_data(as_text=True), "Toko terverifikasi KIM")
    names = re.findall(r'<a href="/toko/[^"]+">([^<]+)</a>', stores)
    assert names == ["Warung Baru", "Warung Lama"]
    assert pending.name not in stores
    assert f'href="/toko/{newer.slug}"' in stores
    assert "· Cibodasari" in stores
    assert "· Uwung Jaya" in stores


@pytest.mark.parametrize("with_products", [True, False], ids=["carried", "on-their-own"])
def test_kelurahan_page_lists_its_verified_stores_by_name_and_its_featured(
    client, create_store, create_user, create_kim_group, create_product, with_products
):
    """With products, the stores and the featured ride on the products' statement; with none,
    they are read on their own: the page shows the same either way."""
    zahra = create_store(name="Warung Zahra")
    if with_products:
        create_product(zahra, name="Nasi Uduk Betawi")
    asep = create_store(name="Dapur Asep")
    create_store(name="Warung Belum Diverifikasi", status="pending")
    create_store(name="Warung Tetangga", area="Cibodasari")
    kim_admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    start = to_jakarta(utcnow()) - timedelta(hours=1)
    end = start + timedelta(hours=3)
    featured.schedule_slot(kim_admin, zahra, "Nasi uduk terlaris", start, end)
    featured.schedule_slot(kim_admin, asep, "Libur dulu", start, end)
    pause_store(asep, "Libur", None)  # a paused store is not featured
    db.session.commit()
    page = client.get(f"/kelurahan/{zahra.kelurahan.slug}").get_data(as_text=True)
    stores = _section(page, "<h2>Toko</h2>")
    assert re.findall(r'<a href="/toko/[^"]+">([^<]+)</a>', stores) == [
        "Dapur Asep",
        "Warung Zahra",
    ]
    shown = _section(page, "UMKM unggulan")
    assert "Warung Zahra" in shown
    assert "Nasi uduk terlaris" in shown
    assert "· Uwung Jaya" in shown
    assert "Libur dulu" not in shown
    assert ("Nasi Uduk Betawi" in page) is with_products


def test_kelurahan_page_with_products_is_one_statement(
    client, create_store, create_product, create_user, create_kim_group
):
    """The products, the kelurahan's verified stores and its featured slots: one statement,
    on the first page and a later one."""
    store = create_store(name="Warung Zahra")
    create_store(name="Dapur Asep")
    for n in range(30):
        create_product(store, name=f"Kue Bolu {n}")
    kim_admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    start = to_jakarta(utcnow()) - timedelta(hours=1)
    featured.schedule_slot(kim_admin, store, "Bolu terlaris", start, start + timedelta(hours=3))
    db.session.commit()
    for path in (f"/kelurahan/{store.kelurahan.slug}", f"/kelurahan/{store.kelurahan.slug}?page=2"):
        client.get(path)  # warm: the process's copies of areas and categories
        with QueryCounter(db.engine) as counter:
            page = client.get(path).get_data(as_text=True)
        assert counter.count == 1, path
        assert "Bolu terlaris" in _section(page, "UMKM unggulan")
        stores = _section(page, "<h2>Toko</h2>")
        assert re.findall(r'<a href="/toko/[^"]+">([^<]+)</a>', stores) == [
            "Dapur Asep",
            "Warung Zahra",
        ]


def test_home_and_kelurahan_pages_are_planned_once_per_connection(
    client, create_store, create_product, dialect
):
    """psycopg prepares a statement run five times, and PostgreSQL then keeps one plan for
    every value when it costs no more than the plans it made for each run's values. Values it
    cannot know when planning once (the page size, a LIMIT, the stock modes as parameters)
    made every statement of these pages look dearer planned once, and they were planned on
    every request instead (a kelurahan's listing 1.0 ms instead of 0.5 ms at 100k)."""
    if dialect != "postgresql":
        pytest.skip("prepared statements and their plans are PostgreSQL's")
    store = create_store()
    for n in range(3):
        create_product(store, name=f"Kue Bolu {n}")
    db.session.commit()
    db.session.execute(sa.text("DEALLOCATE ALL"))
    # psycopg prepares a statement at its 6th run; PostgreSQL plans the first 5 runs of a
    # prepared statement for their values, then decides
    for _ in range(14):
        for path in ("/", f"/kelurahan/{store.kelurahan.slug}"):
            assert client.get(path).status_code == 200
    plans = db.session.execute(
        sa.text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
    ).all()
    # the home page's products, stores, featured and announcements; the kelurahan's products
    # (carrying its stores and featured)
    assert len(plans) >= 5, plans
    for statement, generic, custom in plans:
        assert generic >= 2, (statement, generic, custom)
        assert custom <= 5, (statement, generic, custom)
        # what the planner must know is SQL text (a test catalogue is too small for its choice
        # to show the difference): every LIMIT a number, every stock mode a word
        assert not re.search(r"LIMIT \(?(\$|SELECT)", statement), statement
        assert not re.search(r"stock_mode = \$", statement), statement
    listing = next(text for text, *_ in plans if "kelurahan_id = $" in text and "WITH top" in text)
    assert "LIMIT 24" in listing


def test_a_kelurahans_stores_are_walked_in_name_order_from_their_index(dialect, create_store):
    """The verified stores of a kelurahan by name are read in that order from
    ix_stores_verified_kelurahan_name (migration 0050): no sort, and on PostgreSQL no table
    block (the slug is in the index)."""
    from marketplace.stores.refs import _in_kelurahan_statement, verified_in_kelurahan

    first = create_store(name="Warung Bu Rini")
    create_store(name="Dapur Pak Joko")
    create_store(name="Angkringan Belum", status="pending")
    db.session.commit()
    kelurahan_id = first.kelurahan_id
    assert [s.name for s in verified_in_kelurahan(kelurahan_id)] == [
        "Dapur Pak Joko",
        "Warung Bu Rini",
    ]
    connection = db.session.connection()
    compiled = _in_kelurahan_statement().compile(db.engine)
    if dialect == "postgresql":
        # a few test rows: make every other way dearer than the index
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        # and a sort: with few stores in the statistics (a run that analysed the table early)
        # another index and a sort of its one row looked as cheap
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        explain, params = "EXPLAIN " + compiled.string, {"kelurahan_id": kelurahan_id}
    else:
        explain, params = "EXPLAIN QUERY PLAN " + compiled.string, (kelurahan_id,)
    plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(explain, params))
    assert "ix_stores_verified_kelurahan_name" in plan, plan
    assert "Sort" not in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    if dialect == "postgresql":
        assert "Index Only Scan" in plan, plan
