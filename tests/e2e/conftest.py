"""Browser journeys: Debian's Chromium driven by Playwright against a live server on 127.0.0.1."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import build_schema, make_app, missing_service

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "id-ID",
    "timezone_id": "Asia/Jakarta",
    # the journeys test pages and forms; the service worker has its own test (test_pwa.py)
    "service_workers": "block",
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        missing_service(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def live_app(tmp_path):
    """A real app on a fresh SQLite database, with CSRF on, as a user would meet it."""
    app = make_app(
        f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        tmp_path / "uploads",
        WTF_CSRF_ENABLED=True,
        TESTING=False,
        SERVER_NAME=None,
    )
    build_schema(app)
    return app


@contextmanager
def serving(wsgi_app):
    """``wsgi_app`` served on a free port of 127.0.0.1 in a thread: yields its base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(live_app):
    with serving(live_app) as base:
        yield base
    with live_app.app_context():
        from marketplace.extensions import db

        db.engine.dispose()


@pytest.fixture
def phone(browser):
    """Open a new phone-sized browsing context (each is its own person)."""
    contexts = []

    def open_context():
        context = browser.new_context(**PHONE)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo kampung (`flask seed-demo`) on 127.0.0.1: ``(base_url, app)``."""
    from tests.e2e.demo_site import demo_site

    with demo_site(tmp_path_factory.mktemp("demo")) as (base, app):
        yield base, app


def sign_in(page, base, login):
    """Sign ``page`` in on the server at ``base`` as ``login`` (the tests' password)."""
    page.goto(f"{base}/akun/masuk")
    page.get_by_label("Nomor WhatsApp atau e-mail").fill(login)
    page.get_by_label("Kata sandi").fill("rahasia123")
    page.get_by_role("button", name="Masuk").click()
