"""PostgreSQL connections: a sized pool, a statement timeout that turns a runaway query into a
"server busy" page (503) instead of a hung worker, no parallel workers per query."""

from __future__ import annotations

import time

import psycopg
import pytest
import sqlalchemy as sa

from marketplace.config import ConfigError, database_settings, engine_options, load_config
from marketplace.core.postgresql import closed_by_server, set_on_database
from marketplace.extensions import db
from tests.conftest import make_app


def test_postgresql_connections_get_a_pool_and_a_timeout():
    config = {
        **load_config(),
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/pasar",
        "DATABASE_POOL_SIZE": 8,
        "DATABASE_MAX_OVERFLOW": 2,
        "DATABASE_STATEMENT_TIMEOUT_MS": 3000,
    }
    options = engine_options(config)
    assert (options["pool_size"], options["max_overflow"]) == (8, 2)
    assert "-c statement_timeout=3000" in options["connect_args"]["options"]
    assert "-c max_parallel_workers_per_gather=0" in options["connect_args"]["options"]
    sqlite = engine_options({**config, "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"})
    assert "connect_args" not in sqlite


def test_through_a_pooler_in_transaction_mode_nothing_is_prepared_or_sent_at_connection():
    """DATABASE_POOLER=transaction (PgBouncer's transaction mode, tests/live/test_pooler.py):
    psycopg never prepares a statement on the server, and the settings are the database's
    (``flask database-settings``), not startup options; any other value is refused."""
    config = {
        **load_config(),
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://pooler:6432/pasar",
        "DATABASE_POOLER": "transaction",
    }
    connect_args = engine_options(config)["connect_args"]
    assert connect_args["prepare_threshold"] is None
    assert "options" not in connect_args
    names = [name for name, _value in database_settings(config)]
    assert names[:2] == ["statement_timeout", "max_parallel_workers_per_gather"]
    assert "pg_trgm.similarity_threshold" in names
    with pytest.raises(ConfigError, match="DATABASE_POOLER"):
        engine_options({**config, "DATABASE_POOLER": "statement"})


def test_the_database_settings_are_set_on_the_database(postgres_url):
    """``set_on_database``: each setting as ALTER DATABASE on the connection's database, its
    value quoted; a name that is not one is refused before anything runs."""
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            done = set_on_database(connection, [("statement_timeout", "1234")])
            assert done == [f"ALTER DATABASE {engine.url.database} SET statement_timeout = '1234'"]
            with pytest.raises(ValueError, match="not a setting"):
                set_on_database(connection, [("statement_timeout; DROP TABLE x", "1")])
            connection.rollback()  # the fixture's database keeps its own settings
    finally:
        engine.dispose()


def test_a_statement_past_the_timeout_is_a_busy_page(postgres_url, tmp_path):
    app = make_app(postgres_url, tmp_path, DATABASE_STATEMENT_TIMEOUT_MS=100)

    @app.route("/_lambat")
    def slow():
        db.session.execute(sa.text("SELECT pg_sleep(2)"))
        return "selesai"

    with app.app_context():
        assert db.session.scalar(sa.text("SHOW statement_timeout")) == "100ms"
        assert db.session.scalar(sa.text("SHOW max_parallel_workers_per_gather")) == "0"
        db.session.rollback()
    response = app.test_client().get("/_lambat")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Server sedang sibuk" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT 1")) == 1  # the connection is usable again
        db.session.remove()
        db.engine.dispose()


def test_a_connection_the_server_ended_is_replaced_without_a_round_trip(postgres_url, tmp_path):
    """A pooled connection that PostgreSQL ended while it was idle (a restart, a failover) is
    not handed to the next request: the check at checkout sees the closed socket (no SELECT 1
    sent each time: pool_pre_ping is off) and the pool opens another."""
    app = make_app(postgres_url, tmp_path)

    @app.route("/_pid")
    def pid():
        return str(db.session.scalar(sa.text("SELECT pg_backend_pid()")))

    client = app.test_client()
    with app.app_context():
        assert db.engine.pool._pre_ping is False
    first = client.get("/_pid")
    assert first.status_code == 200
    ended = int(first.get_data(as_text=True))
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (ended,)).fetchone()[0]
        deadline = time.monotonic() + 5
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (ended,)).fetchone():
            assert time.monotonic() < deadline
            time.sleep(0.02)
    second = client.get("/_pid")
    assert second.status_code == 200
    assert int(second.get_data(as_text=True)) != ended
    # a healthy idle connection is not taken for a closed one
    third = client.get("/_pid")
    assert third.get_data() == second.get_data()
    with app.app_context():
        db.engine.dispose()


def test_a_healthy_idle_connection_has_nothing_to_read(postgres_url):
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("SELECT 1").fetchall()
        assert not closed_by_server(connection)
    assert closed_by_server(connection)  # closed by us


def test_run_read_gives_the_rows_sqlalchemy_gives(app, dialect):
    from datetime import date, time

    if dialect != "postgresql":
        pytest.skip("run_read's own way is PostgreSQL's (SQLite runs the ordinary way)")

    from marketplace.core.db import run_read

    statement = sa.select(
        sa.literal(7, sa.Integer).label("n"),
        sa.literal("Warung ’Bu’ Siti", sa.String).label("name"),
        sa.cast(sa.literal("2026-12-05"), sa.Date).label("day"),
        sa.literal(True, sa.Boolean).label("yes"),
        sa.null().label("empty"),
        sa.bindparam("wanted", type_=sa.Integer).label("wanted"),
    )
    with app.app_context():
        rows = run_read(statement, {"wanted": 3})
        expected = db.session.execute(statement, {"wanted": 3}).all()
        assert [tuple(r) for r in rows] == [tuple(r) for r in expected]
        assert rows.one()[:4] == (7, "Warung ’Bu’ Siti", date(2026, 12, 5), True)
        assert run_read(statement.where(sa.false()), {"wanted": 1}).first() is None
        # a list expanded into IN runs the ordinary way, with the same rows
        listed = sa.select(sa.literal(1)).where(
            sa.literal(2).in_(sa.bindparam("some", expanding=True))
        )
        assert len(run_read(listed, {"some": [1, 2]})) == 1
        assert run_read(sa.select(sa.literal(time(9, 30)))).one()[0] == time(9, 30)
        db.session.rollback()


def test_run_read_past_the_timeout_is_a_busy_page(postgres_url, tmp_path):
    from marketplace.core.db import run_read

    app = make_app(postgres_url, tmp_path, DATABASE_STATEMENT_TIMEOUT_MS=100)
    slow_statement = sa.select(sa.func.pg_sleep(2))

    @app.route("/_lambat_baca")
    def slow():
        run_read(slow_statement)
        return "selesai"

    response = app.test_client().get("/_lambat_baca")
    assert response.status_code == 503
    assert "Server sedang sibuk" in response.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_run_read_on_a_lost_connection_fails_once_and_the_pool_recovers(postgres_url, tmp_path):
    """The server ends the connection in the middle of a request: that request fails with
    SQLAlchemy's error (the connection invalidated, not handed out again); the next one reads."""
    from marketplace.core.db import run_read

    app = make_app(postgres_url, tmp_path)
    pid = sa.select(sa.func.pg_backend_pid())

    @app.route("/_putus")
    def cut():
        mine = run_read(pid).one()[0]
        with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (mine,))
        try:
            run_read(pid)
        except sa.exc.DBAPIError as error:
            return f"putus {error.connection_invalidated}"
        return "tidak putus"

    @app.route("/_pid_baca")
    def read_pid():
        return str(run_read(pid).one()[0])

    client = app.test_client()
    assert client.get("/_putus").get_data(as_text=True) == "putus True"
    assert client.get("/_pid_baca").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_a_public_page_whose_connection_is_lost_reads_on_another(postgres_url, tmp_path):
    """A read-only page's reads share one connection taken without the session
    (``core.replica.page_connection``): when the server ends it mid-page, that statement fails
    with the connection invalidated, the page's next statement reads on a new one, and the
    page gives its connection back; so does a page whose statement ran past the timeout."""
    from marketplace.core.db import run_read
    from marketplace.core.replica import reads_replica

    app = make_app(postgres_url, tmp_path, DATABASE_STATEMENT_TIMEOUT_MS=300)
    pid = sa.select(sa.func.pg_backend_pid())

    def cut():
        mine = run_read(pid).one()[0]
        assert run_read(pid).one()[0] == mine  # one connection for the page's reads
        with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (mine,))
        with pytest.raises(sa.exc.DBAPIError) as failed:
            run_read(pid)
        assert failed.value.connection_invalidated
        return str(run_read(pid).one()[0] != mine)

    def slow():
        run_read(sa.select(sa.func.pg_sleep(2)))
        return "selesai"

    app.add_url_rule("/_putus_publik", view_func=reads_replica(cut))
    app.add_url_rule("/_lambat_publik", view_func=reads_replica(slow))
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    assert client.get("/_putus_publik").get_data(as_text=True) == "True"
    assert engine.pool.checkedout() == 0
    assert client.get("/_lambat_publik").status_code == 503
    assert engine.pool.checkedout() == 0
    assert client.get("/_putus_publik").get_data(as_text=True) == "True"
    with app.app_context():
        db.engine.dispose()


def test_run_read_statements_are_seen_by_the_engine_s_listeners(postgres_url, tmp_path):
    """Flask-SQLAlchemy's recorded queries (a debugging aid) see run_read's statements."""
    from flask_sqlalchemy.record_queries import get_recorded_queries

    from marketplace.core.db import run_read

    app = make_app(postgres_url, tmp_path, SQLALCHEMY_RECORD_QUERIES=True)
    statement = sa.select(sa.literal(41, sa.Integer) + sa.bindparam("one", type_=sa.Integer))
    with app.test_request_context("/"):
        assert run_read(statement, {"one": 1}).one()[0] == 42
        (query,) = get_recorded_queries()
        assert "SELECT" in query.statement
        assert query.parameters == [{"param_1": 41, "one": 1}]
        assert query.end_time >= query.start_time
        db.session.rollback()
        db.engine.dispose()


def test_a_long_statement_is_converted_once(app, dialect):
    """A search page's statement (9-12 KB) has its placeholders converted by psycopg once per
    process, not on every request (psycopg's own bound is 4 KB)."""
    if dialect != "postgresql":
        pytest.skip("psycopg's statement conversion is PostgreSQL's")
    import psycopg._queries

    from marketplace.core.db import run_read

    padding = " AND ".join(f"{n} = {n}" for n in range(1200))
    statement = sa.select(sa.bindparam("wanted", type_=sa.Integer)).where(sa.text(padding))
    with app.app_context():
        run_read(statement, {"wanted": 1})
        before = psycopg._queries._query2pg.cache_info()
        assert run_read(statement, {"wanted": 2}).one() == (2,)
        after = psycopg._queries._query2pg.cache_info()
    assert len(padding) > 4096
    assert after.hits == before.hits + 1, (before, after)
    assert after.misses == before.misses
