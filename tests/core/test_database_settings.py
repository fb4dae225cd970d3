"""PostgreSQL connections: a sized pool, a statement timeout that turns a runaway query into a
"server busy" page (503) instead of a hung worker, no parallel workers per query."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.config import engine_options, load_config
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
