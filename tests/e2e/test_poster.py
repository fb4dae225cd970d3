"""The printed poster scans: Chromium renders the A6 poster and a QR reader finds the store's
address in the picture."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from marketplace.extensions import db
from tests.factories import seed_warung


def test_the_rendered_poster_scans_to_the_store(live_server, live_app, browser):
    with live_app.app_context():
        store, _product = seed_warung()
        db.session.commit()
        slug = store.slug
    page = browser.new_page(viewport={"width": 420, "height": 800})
    page.goto(f"{live_server}/toko/{slug}/poster?ukuran=a6")
    picture = page.locator("main.sheet").screenshot()
    page.close()
    found = [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(picture)))]
    assert found == [f"{live_app.config['BASE_URL']}/toko/{slug}"]
