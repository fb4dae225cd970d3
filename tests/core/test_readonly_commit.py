"""A request that only read ends with COMMIT (psycopg keeps its prepared statements); anything
that wrote, or failed, still ends with ROLLBACK and keeps nothing."""

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from marketplace.catalog.models import Category
from marketplace.core.readonly import wrote
from marketplace.extensions import db
from tests.conftest import build_schema, fresh_postgres, make_app
from tests.factories import seed_warung


def _category_count(slug: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Category.slug == slug))


@pytest.fixture
def commits():
    """How many session transactions were committed while the test ran."""
    seen = []

    def note(session):
        seen.append(session)

    event.listen(sa.orm.Session, "after_commit", note)
    yield seen
    event.remove(sa.orm.Session, "after_commit", note)


def test_a_request_that_only_read_in_a_transaction_ends_with_a_commit(client, commits):
    assert client.get("/direktori-kim.csv").status_code == 200  # not a cached public page
    assert len(commits) == 1


def test_a_public_page_read_outside_transactions_ends_nothing(tmp_path, commits):
    """The public pages read in autocommit (``core.replica``): there is no transaction to
    commit, and the session's close sends nothing either, so a pooled connection keeps what
    psycopg prepared. (The suite's own sessions run in a transaction rolled back after each
    test: this one is a real application on a database of its own.)"""
    with fresh_postgres("pkk_autocommit") as url:
        app = make_app(url, tmp_path / "uploads", PAGE_CACHE_URL="")
        build_schema(app)
        with app.app_context():
            seed_warung()
            db.session.commit()
            engine = db.engine
        commits.clear()
        try:
            visitor = app.test_client()
            for _ in range(8):  # psycopg prepares a statement on its sixth run
                assert visitor.get("/produk").status_code == 200
            assert commits == []
            # SQLAlchemy's pool still "rolls back" a returned connection: in autocommit psycopg
            # sends no ROLLBACK and keeps its prepared statements
            with app.app_context():
                prepared = db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
                db.session.remove()
                db.engine.dispose()
        finally:
            engine.dispose()
        assert prepared >= 1


def test_the_read_only_commit_does_not_expire_what_the_request_loaded(app, commits):
    """Expiring every loaded object is work for nothing when the session is removed next."""
    with app.app_context():
        db.session.add(Category(name="Dibaca", slug="dibaca"))
        db.session.commit()
    with app.app_context():
        loaded = db.session.scalar(sa.select(Category).where(Category.slug == "dibaca"))
    assert len(commits) == 2
    assert not sa.inspect(loaded).expired_attributes
    assert loaded.name == "Dibaca"  # read from memory: the session is gone


def test_a_write_left_uncommitted_is_rolled_back(app, commits):
    with app.app_context():
        db.session.add(Category(name="Tidak jadi", slug="tidak-jadi"))
        db.session.flush()
        assert wrote()
    assert _category_count("tidak-jadi") == 0
    assert commits == []


def test_an_unflushed_change_is_never_flushed_by_the_commit(app, commits):
    with app.app_context():
        db.session.scalar(sa.select(sa.func.count()).select_from(Category))  # a read
        db.session.add(Category(name="Belum dikirim", slug="belum-dikirim"))
        assert not wrote()
    assert _category_count("belum-dikirim") == 0
    assert commits == []


def _read_then_fail(app) -> None:
    with app.app_context():
        db.session.scalar(sa.select(sa.func.count()).select_from(Category))
        raise RuntimeError("the view failed")


def test_a_failed_request_is_rolled_back(app, commits):
    with pytest.raises(RuntimeError, match="the view failed"):
        _read_then_fail(app)
    assert commits == []


def test_what_counts_as_a_write(app, dialect):
    statements = {
        "SELECT 1": False,
        "WITH c AS (SELECT 1 AS n) SELECT n FROM c": False,
        "UPDATE categories SET position = position WHERE 1 = 0": True,
        "DELETE FROM categories WHERE 1 = 0": True,
    }
    if dialect == "postgresql":
        statements |= {
            "select id from categories where id = 1 for update": False,
            "SET LOCAL plan_cache_mode = force_custom_plan": False,
            # a SET without LOCAL would outlive the transaction on the pooled connection
            "SET statement_timeout = 1234": True,
            "WITH moved AS (UPDATE categories SET position = position WHERE 1 = 0 RETURNING id)"
            " SELECT count(*) FROM moved": True,
        }
    for statement, is_write in statements.items():
        with app.app_context():
            db.session.execute(sa.text(statement))
            assert wrote() is is_write, statement


def test_a_session_setting_does_not_outlive_the_request(app, dialect):
    if dialect != "postgresql":
        pytest.skip(reason="SET is PostgreSQL's")
    with app.app_context():
        db.session.execute(sa.text("SET statement_timeout = 1234"))
    assert db.session.scalar(sa.text("SHOW statement_timeout")) != "1234ms"


def test_a_pooled_connection_keeps_its_prepared_statements(client, dialect):
    if dialect != "postgresql":
        pytest.skip(reason="prepared statements are psycopg's")
    for _ in range(8):  # psycopg prepares a statement on its fifth run
        assert client.get("/produk").status_code == 200
    prepared = db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared >= 1
