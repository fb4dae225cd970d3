"""The two forms of the shared public pages in Chromium, the footer's language switch and "add
to cart": they carry no CSRF token (public pages are the same bytes for every visitor), so the
browser's own Fetch Metadata guards them: our pages' forms work, another site's forms posting to
them are refused."""

from __future__ import annotations

import pytest
from werkzeug.wrappers import Response

from marketplace.extensions import db
from tests.e2e.conftest import serving
from tests.factories import seed_warung

pytestmark = pytest.mark.e2e


@pytest.fixture
def other_site(live_server):
    """A page on another origin (another port of 127.0.0.1) with a form posting to /bahasa."""
    html = (
        f'<form method="post" action="{live_server}/bahasa">'
        '<input type="hidden" name="lang" value="en"><input type="hidden" name="next" value="/">'
        '<button type="submit">Menang hadiah!</button></form>'
        f'<form method="post" action="{live_server}/keranjang/tambah">'
        '<input type="hidden" name="product_id" value="1"><input type="hidden" name="jumlah" '
        'value="9"><button type="submit">Klaim voucher!</button></form>'
    )

    def app(environ, start_response):
        return Response(html, mimetype="text/html")(environ, start_response)

    with serving(app) as base:
        yield base + "/"


def test_the_footer_switches_the_language_and_another_site_cannot(
    phone, live_app, live_server, other_site
):
    with live_app.app_context():
        _store, product = seed_warung(owner_phone="6281100000008")
        db.session.commit()
        assert product.id == 1  # the forged form's product
    page = phone()
    page.goto(other_site)
    page.get_by_role("button", name="Menang hadiah!").click()
    assert "kedaluwarsa atau tidak sah" in page.content()
    page.goto(other_site)
    page.get_by_role("button", name="Klaim voucher!").click()
    assert "kedaluwarsa atau tidak sah" in page.content()
    page.goto(live_server + "/keranjang")
    assert "Nasi Uduk Betawi" not in page.content()  # nothing put in the cart
    # from our own product page the same form puts it in the cart
    page.goto(live_server + "/produk/1")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.wait_for_url(live_server + "/keranjang")
    assert "Nasi Uduk Betawi" in page.content()
    page.goto(live_server + "/produk")
    assert page.get_by_role("link", name="Semua produk").first.is_visible()
    page.get_by_role("button", name="English").click()
    page.wait_for_url(live_server + "/produk")
    assert page.get_by_role("link", name="All products").first.is_visible()
    page.get_by_role("button", name="Bahasa Indonesia").click()
    assert page.get_by_role("link", name="Semua produk").first.is_visible()
