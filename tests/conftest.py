"""Shared fixtures: one app per database backend, a rolled-back transaction per test.

Every test that uses ``app`` runs twice: on SQLite and on PostgreSQL. PostgreSQL gets a fresh
database per run (``pkk_test_<random>``), dropped at the end. Without a reachable server the
PostgreSQL half is skipped, unless ``CI`` is set: then it fails.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from marketplace import create_app
from marketplace.extensions import db
from marketplace.push.services import generate_keys

PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = bool(os.environ.get("CI"))
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
VAPID = generate_keys()  # one VAPID key pair for the run


def missing_service(reason: str) -> None:
    """Skip with ``reason``; when CI is set, a missing service fails the run instead."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


@contextmanager
def fresh_postgres(prefix: str):
    """A new PostgreSQL database ``<prefix>_<random>`` (its SQLAlchemy URL), dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        missing_service(f"PostgreSQL is not reachable at {PG_ADMIN_DSN}: {exc}")
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this run, dropped at the end."""
    with fresh_postgres("pkk_test") as url:
        yield url


def make_app(database_url: str, upload_dir: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": str(upload_dir),
        "WTF_CSRF_ENABLED": False,
        # Limits are on, but high; tests/accounts/test_rate_limit.py lowers them.
        "AUTH_RATE_LIMIT": "1000 per minute",
        "ASPIRATION_RATE_LIMIT": "1000 per minute",
        "REVIEW_RATE_LIMIT": "1000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
        # links that leave the site are built on this, whatever Host a request names
        "BASE_URL": "http://localhost",
        "VAPID_PRIVATE_KEY": VAPID[0],
        "VAPID_PUBLIC_KEY": VAPID[1],
        "VAPID_SUBJECT": "mailto:test@pasar-kampung.test",
        # the local push services of the tests (plain HTTP on 127.0.0.1)
        "PUSH_SERVICE_HOSTS": ["127.0.0.1", "fcm.googleapis.com"],
    }
    config.update(overrides)
    return create_app(config)


def build_schema(app) -> None:
    """Schema through the migrations (proving they run), plus the reference data."""
    from marketplace.areas.services import seed_areas
    from marketplace.demo.seed import seed_categories

    with app.app_context():
        upgrade()
        seed_areas()
        seed_categories()
        db.session.commit()
        db.session.remove()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory, request):
    upload_dir = tmp_path_factory.mktemp(f"uploads-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    application = make_app(url, upload_dir)
    build_schema(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context (fresh ``g`` and DB session), like production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture(autouse=True)
def _transaction(request):
    """Run the test inside a transaction that is rolled back, sessions joining by SAVEPOINT."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
            # copies of categories and areas the test's (rolled back) writes may have made
            application.extensions.pop("reference_cache", None)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def dialect(app) -> str:
    return db.engine.dialect.name


@pytest.fixture
def count_rows():
    """Count rows of some models: used to prove that a refused request changed nothing."""

    def count(*models) -> tuple[int, ...]:
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models)

    return count


pytest_plugins = [
    "tests.factories",
    "tests.order_fixtures",
    "tests.stripe_fixtures",
    "tests.smtp_fixtures",
    "tests.whatsapp_fixtures",
    "tests.push_fixtures",
]


#: test servers whose leftovers the garbage collector meets later, during another test
SERVER_ARTIFACTS = ("tests/e2e/", "tests/live/")


def pytest_collection_modifyitems(items):
    """Pytest reports an unraisable ResourceWarning when the garbage collector finds a file or
    socket a test server left: Werkzeug's live server leaves a static file Chromium abandoned
    (a favicon it no longer needs), aiosmtpd's fake mail server leaves the connection of a
    worker killed mid-delivery when it stops. They are the test servers' artifacts, not ours,
    and they surface in whichever test runs when the collector does."""
    marker = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
    for item in items:
        if any(part in str(item.fspath).replace("\\", "/") for part in SERVER_ARTIFACTS):
            item.add_marker(marker)
