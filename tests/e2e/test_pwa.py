"""The installable app on a phone: the service worker takes control, and a page opened without
a connection shows the offline page instead of the browser's error."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e


def test_the_offline_page_appears_without_a_connection(browser, live_server):
    context = browser.new_context(**{**PHONE, "service_workers": "allow"})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/")
        # the service worker installs (caching the offline page) and takes control
        page.evaluate(
            """async () => {
                await navigator.serviceWorker.ready;
                if (!navigator.serviceWorker.controller) {
                    await new Promise((done) =>
                        navigator.serviceWorker.addEventListener("controllerchange", done));
                }
            }"""
        )
        context.set_offline(True)
        page.goto(f"{live_server}/produk")
        expect(page.get_by_role("heading", name="Tidak ada koneksi")).to_be_visible()
        context.set_offline(False)
        page.goto(f"{live_server}/produk")
        expect(page.get_by_role("heading", name="Tidak ada koneksi")).to_have_count(0)
    finally:
        context.close()
