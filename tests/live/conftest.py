"""The marketplace as its users and attackers meet it: gunicorn with several workers on a
fresh PostgreSQL database, localstripe beside it, and real HTTP clients (one ``requests``
session per person, each on its own connections).

The test process seeds and inspects the same database through its own app (committed work,
no rolled-back transaction), and may kill the server's workers with SIGKILL.
"""

from __future__ import annotations

import pytest
import requests

from marketplace.extensions import db
from tests.conftest import build_schema, fresh_postgres, make_app
from tests.live.harness import live_env, spawn_gunicorn
from tests.stripe_fixtures import WEBHOOK_SECRET, running_localstripe


@pytest.fixture(scope="module")
def localstripe_url(tmp_path_factory):
    """A localstripe of the module's own: order ids of other test databases would otherwise share
    its search results."""
    yield from running_localstripe(tmp_path_factory.mktemp("live-localstripe"))


@pytest.fixture(scope="module")
def live_db_url():
    """A fresh PostgreSQL database for this module's server, dropped afterwards."""
    with fresh_postgres("pkk_live") as url:
        yield url


@pytest.fixture(scope="module")
def db_app(live_db_url, localstripe_url, tmp_path_factory):
    """The test's own view of the live database: seed through services, read what happened."""
    application = make_app(
        live_db_url,
        tmp_path_factory.mktemp("live-uploads"),
        TESTING=False,
        SERVER_NAME=None,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=localstripe_url,
    )
    build_schema(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def server(db_app, live_db_url, localstripe_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("live-instance")
    try:
        running = spawn_gunicorn(
            live_env(live_db_url, localstripe_url, WEBHOOK_SECRET, instance),
            instance / "gunicorn.log",
        )
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        yield running
    finally:
        running.stop()
        text = running.log.read_text()
        assert "Traceback" not in text, text[-4000:]


@pytest.fixture
def stripe_delays(localstripe_url):
    """Slow localstripe's answers for one test (removed afterwards)."""

    def add(pattern: str, seconds: float, when: str = "before", method: str = "") -> None:
        requests.post(
            f"{localstripe_url}/_test/delays",
            json={"pattern": pattern, "seconds": seconds, "when": when, "method": method},
            auth=("sk_test_local", ""),
            timeout=5,
        ).raise_for_status()

    yield add
    requests.delete(f"{localstripe_url}/_test/delays", auth=("sk_test_local", ""), timeout=5)
