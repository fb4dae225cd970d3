"""The footer's language switch in Chromium: it has no CSRF token (public pages are the same
bytes for every visitor), so the browser's own Fetch Metadata guards it: our page's form
switches the language, another site's form posting to it is refused."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

pytestmark = pytest.mark.e2e


@pytest.fixture
def other_site(live_server):
    """A page on another origin (another port of 127.0.0.1) with a form posting to /bahasa."""
    html = (
        f'<form method="post" action="{live_server}/bahasa">'
        '<input type="hidden" name="lang" value="en"><input type="hidden" name="next" value="/">'
        '<button type="submit">Menang hadiah!</button></form>'
    )

    def app(environ, start_response):
        return Response(html, mimetype="text/html")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_the_footer_switches_the_language_and_another_site_cannot(phone, live_server, other_site):
    page = phone()
    page.goto(other_site)
    page.get_by_role("button", name="Menang hadiah!").click()
    assert "kedaluwarsa atau tidak sah" in page.content()
    page.goto(live_server + "/produk")
    assert page.get_by_role("link", name="Semua produk").first.is_visible()
    page.get_by_role("button", name="English").click()
    page.wait_for_url(live_server + "/produk")
    assert page.get_by_role("link", name="All products").first.is_visible()
    page.get_by_role("button", name="Bahasa Indonesia").click()
    assert page.get_by_role("link", name="Semua produk").first.is_visible()
