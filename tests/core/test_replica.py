"""DATABASE_REPLICA_URL: the public pages read the replica, the seller's own pages the primary
(so a seller always sees their own change); writes never go to the replica."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from marketplace.catalog.models import Product
from marketplace.extensions import db
from tests.conftest import PG_ADMIN_DSN, build_schema, fresh_postgres, make_app, missing_service
from tests.factories import PASSWORD, seed_warung


@pytest.fixture
def primary_and_replica(tmp_path):
    with fresh_postgres("pkk_primary") as primary:
        app = make_app(primary, tmp_path / "uploads", PAGE_CACHE_URL="")
        build_schema(app)
        with app.app_context():
            _store, product = seed_warung(product_name="Nasi Uduk")
            db.session.commit()
            product_id = product.id
            db.session.remove()
            db.engine.dispose()
        # the replica: a copy of the primary, then lagging behind one change
        name = primary.rsplit("/", 1)[1]
        replica_name = f"{name}_replica"
        try:
            admin_connection = psycopg.connect(PG_ADMIN_DSN, autocommit=True)
        except psycopg.OperationalError as error:
            missing_service(f"PostgreSQL is not reachable: {error}")
        admin_connection.execute(f'CREATE DATABASE "{replica_name}" TEMPLATE "{name}"')
        replica = primary.rsplit("/", 1)[0] + "/" + replica_name
        try:
            engine = sa.create_engine(replica)
            with engine.begin() as connection:
                connection.execute(
                    sa.text("UPDATE products SET name = 'Nasi Uduk (salinan lama)' WHERE id = :id"),
                    {"id": product_id},
                )
            engine.dispose()
            yield primary, replica, product_id
        finally:
            admin_connection.execute(f'DROP DATABASE IF EXISTS "{replica_name}" WITH (FORCE)')
            admin_connection.close()


def test_public_pages_read_the_replica_and_sellers_the_primary(primary_and_replica, tmp_path):
    primary, replica, product_id = primary_and_replica
    app = make_app(
        primary,
        tmp_path / "uploads",
        PAGE_CACHE_URL="",
        SERVER_NAME=None,
        DATABASE_REPLICA_URL=replica.replace("postgresql+psycopg://", "postgresql://"),
    )
    visitor = app.test_client()
    public = visitor.get(f"/produk/{product_id}").get_data(as_text=True)
    assert "Nasi Uduk (salinan lama)" in public
    assert "Nasi Uduk (salinan lama)" in visitor.get("/cari?q=uduk").get_data(as_text=True)

    seller = app.test_client()
    assert seller.post("/akun/masuk", data={"login": "6281200000001", "password": PASSWORD})
    own = seller.get(f"/toko-saya/produk/{product_id}").get_data(as_text=True)
    assert 'value="Nasi Uduk"' in own
    assert "salinan lama" not in own

    # a write goes to the primary, never to the replica
    answer = seller.post(
        f"/toko-saya/produk/{product_id}",
        data={"name": "Nasi Uduk Betawi", "price": "15000", "category_id": "1"},
    )
    assert answer.status_code in (200, 302)
    with app.app_context():
        assert db.session.get(Product, product_id).name == "Nasi Uduk Betawi"
        replica_names = (
            db.session.execute(
                sa.text("SELECT name FROM products"), bind_arguments={"bind": db.engines["replica"]}
            )
            .scalars()
            .all()
        )
        assert replica_names == ["Nasi Uduk (salinan lama)"]
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def test_public_pages_read_outside_transactions_and_the_rest_inside(tmp_path):
    """A public page's statements run in autocommit (no BEGIN and COMMIT round trips around
    reads); a seller's page, and every write, in the request's transaction. The typo search
    still finds with pg_trgm's threshold, a setting of the connection (a SET LOCAL outside a
    transaction would do nothing)."""
    from psycopg.pq import TransactionStatus

    with fresh_postgres("pkk_autocommit") as url:
        app = make_app(url, tmp_path / "uploads", PAGE_CACHE_URL="", SERVER_NAME=None)
        build_schema(app)
        with app.app_context():
            _store, product = seed_warung(product_name="Sambal Bawang")
            db.session.commit()
            product_id = product.id
            engine = db.engine
        seen: list[tuple[str, bool]] = []

        @sa.event.listens_for(engine, "after_cursor_execute")
        def note(conn, cursor, statement, _parameters, _context, _executemany):
            status = conn.connection.dbapi_connection.info.transaction_status
            seen.append((statement.split()[0].upper(), status == TransactionStatus.INTRANS))

        try:
            visitor = app.test_client()
            for path in ("/", "/produk", f"/produk/{product_id}", "/toko/warung-bu-siti"):
                seen.clear()
                assert visitor.get(path).status_code == 200, path
                assert seen, path
                assert not any(in_transaction for _, in_transaction in seen), path
            seen.clear()
            typo = visitor.get("/cari?q=sambel").get_data(as_text=True)
            assert "Sambal Bawang" in typo  # found by the trigram index at the set threshold
            assert seen
            assert not any(in_transaction for _, in_transaction in seen)

            seller = app.test_client()
            assert seller.post("/akun/masuk", data={"login": "6281200000001", "password": PASSWORD})
            seen.clear()
            assert seller.get(f"/toko-saya/produk/{product_id}").status_code == 200
            assert seen
            assert all(in_transaction for _, in_transaction in seen)
        finally:
            sa.event.remove(engine, "after_cursor_execute", note)
            with app.app_context():
                db.session.remove()
                engine.dispose()


def test_a_write_in_a_read_only_page_goes_to_the_primary_in_a_transaction(app):
    """Should a public page's code ever run an INSERT, UPDATE or DELETE, it goes to the primary
    in the request's transaction (committed only if the request ends well), never outside one."""
    from flask import g

    from marketplace.core.replica import RoutingSession, autocommit

    with app.test_request_context("/produk"):
        session = RoutingSession(db)
        g.read_replica = True
        try:
            assert session.get_bind(clause=sa.select(Product)) is autocommit(db.engine)
            for statement in (
                sa.update(Product).values(name="x"),
                sa.insert(Product),
                sa.delete(Product),
            ):
                assert session.get_bind(clause=statement) is db.engine
        finally:
            g.read_replica = False
            session.close()
        assert RoutingSession(db).get_bind(clause=sa.select(Product)) is db.engine


def test_a_public_page_reads_on_one_connection_given_back_when_the_view_returns(tmp_path):
    """A public page's plain reads (``core.db.run_read``) run on one connection taken from the
    pool without opening the session, given back when the view returns; after the database
    dropped the app's connections (a restart), the pages answer again."""
    with fresh_postgres("pkk_page_connection") as url:
        app = make_app(url, tmp_path / "uploads", PAGE_CACHE_URL="", SERVER_NAME=None)
        build_schema(app)
        with app.app_context():
            seed_warung(product_name="Sambal Bawang")
            db.session.commit()
            db.session.remove()
            engine = db.engine
        checkouts, transactions = [], []

        def checked_out(*_args):
            checkouts.append(engine.pool.checkedout())

        def began(*_args):
            transactions.append(1)

        sa.event.listen(engine.pool, "checkout", checked_out)
        sa.event.listen(sa.orm.Session, "after_transaction_create", began)
        try:
            visitor = app.test_client()
            visitor.get("/produk")  # the first visit fills the process's reference lists
            for path in ("/produk", "/cari?q=sambal", "/cari?q=sambel", "/produk?page=3"):
                for _ in range(3):
                    checkouts.clear()
                    transactions.clear()
                    page = visitor.get(path)
                    assert page.status_code == 200, path
                    assert checkouts == [1], path  # one connection, taken once
                    assert transactions == [], path  # the session was never opened
                    assert engine.pool.checkedout() == 0, path  # given back
            assert "Sambal Bawang" in visitor.get("/cari?q=sambel").get_data(as_text=True)

            # the database drops every connection of the app (a restart)
            with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (url.rsplit("/", 1)[1],),
                )
            answers = [visitor.get("/produk").status_code for _ in range(3)]
            assert set(answers) <= {200, 503}  # at worst "server busy, try again"
            assert answers[-1] == 200
            assert engine.pool.checkedout() == 0
        finally:
            sa.event.remove(engine.pool, "checkout", checked_out)
            sa.event.remove(sa.orm.Session, "after_transaction_create", began)
            with app.app_context():
                db.session.remove()
                engine.dispose()
