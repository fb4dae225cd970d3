"""The demo kampung at 360 px: screenshots of the main pages for a reviewer (written to
build/screenshots/360/), and the weight of each public page's first view (≤ 100 KB in ≤ 15
requests, empty cache, compressed as a phone's browser asks)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.demo_site import demo_urls, sign_in_demo

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "build" / "screenshots" / "360"))
FIRST_VIEW_BUDGET = 100 * 1024
FIRST_VIEW_REQUESTS = 15


SELLER_PAGES = ("pesanan", "produk", "buku-kas")


def seller_store_id(app) -> int:
    from sqlalchemy import select

    from marketplace.accounts.models import User
    from marketplace.demo import data
    from marketplace.extensions import db
    from marketplace.stores.models import Store

    phone = "62" + data.PEOPLE["seller"][1][1:]
    with app.app_context():
        return db.session.scalar(
            select(Store.id).join(User, Store.owner_id == User.id).where(User.phone == phone)
        )


def _sign_in(page, base, login):
    sign_in_demo(page, base, login)


def test_first_view_of_public_pages_is_light(demo, browser):
    base, app = demo
    heavy = []
    for name, url in demo_urls(app).items():
        context = browser.new_context(**PHONE)  # an empty cache for each page
        page = context.new_page()
        sizes = []

        def finished(request, sizes=sizes):
            measured = request.sizes()
            sizes.append(measured["responseBodySize"] + measured["responseHeadersSize"])

        page.on("requestfinished", finished)
        page.goto(base + url, wait_until="networkidle")
        total = sum(sizes)
        print(f"{name:14} {url:30} {len(sizes):3} requests {total / 1024:6.1f} KB")
        if total > FIRST_VIEW_BUDGET or len(sizes) > FIRST_VIEW_REQUESTS:
            heavy.append(f"{url}: {total / 1024:.1f} KB in {len(sizes)} requests")
        context.close()
    assert not heavy, "\n".join(heavy)


def test_screenshots_of_the_main_pages_at_360_px(demo, browser):
    from marketplace.demo import data

    base, app = demo
    SHOTS.mkdir(parents=True, exist_ok=True)
    taken = []

    def shoot(page, name, url):
        page.goto(base + url)
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
        taken.append(path)

    context = browser.new_context(**{**PHONE, "device_scale_factor": 1})
    page = context.new_page()
    for name, url in demo_urls(app).items():
        shoot(page, name, url)
    shoot(page, "komponen", "/_komponen")
    # a guest's cart and checkout
    page.goto(base + demo_urls(app)["produk"])
    page.get_by_role("button", name="Tambah ke keranjang").click()
    shoot(page, "keranjang", "/keranjang")
    page.get_by_role("link", name="Pesan dari").first.click()
    page.screenshot(path=str(SHOTS / "checkout.png"), full_page=True)
    taken.append(SHOTS / "checkout.png")
    context.close()

    store = seller_store_id(app)
    for who, pages in (
        ("seller", ("/toko-saya", *(f"/toko-saya/{store}/{p}" for p in SELLER_PAGES))),
        ("kim_admin", ("/kim/", "/kim/toko", "/kim/dampak")),
    ):
        context = browser.new_context(**{**PHONE, "device_scale_factor": 1})
        page = context.new_page()
        _sign_in(page, base, data.PEOPLE[who][1])
        for url in pages:
            shoot(page, f"{who}-{url.strip('/').replace('/', '-') or 'home'}", url)
        context.close()
    assert all(path.stat().st_size > 5_000 for path in taken)
    print(f"{len(taken)} screenshots in {SHOTS}")
