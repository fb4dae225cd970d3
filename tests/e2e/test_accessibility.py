"""axe-core finds no serious or critical accessibility problems on the main pages (phone size)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from marketplace.extensions import db
from tests.e2e.axe_check import serious_violations
from tests.e2e.conftest import sign_in
from tests.factories import add_user, build_store, jpeg_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture
def sample_store(live_app):
    """One verified store with a product, created through the services."""
    import io
    from datetime import time

    from marketplace.accounts.models import Role
    from marketplace.catalog import services as catalog
    from marketplace.core.images import Uploads

    with live_app.app_context():
        admin = add_user(Role.CITY_ADMIN, "6281100000009")
        owner = add_user(Role.SELLER, "6281100000008", "Bu Siti")
        store = build_store(
            owner,
            admin,
            "Warung Bu Siti",
            landmark="Dekat masjid",
            story="Nasi uduk sejak 1998",
            periods=[(d, time(6), time(21)) for d in range(7)],
        )
        category = catalog.categories()[0]
        product = catalog.create_product(
            store,
            catalog.ProductData(name="Nasi Uduk Betawi", category_id=category.id, price=15000),
            io.BytesIO(jpeg_bytes()),
            Uploads.from_config(live_app.config),
        )
        catalog.save_option_group(product, "Level pedas", "Level 0\nLevel 1", False, True)
        db.session.commit()
        return {"slug": store.slug, "product_id": product.id, "store_id": store.id}


def test_main_pages_have_no_serious_accessibility_violations(live_server, phone, sample_store):
    page = phone()
    axe = Axe()
    urls = [
        "/",
        "/produk",
        f"/toko/{sample_store['slug']}",
        f"/produk/{sample_store['product_id']}",
        "/cari?q=uduk",
        "/akun/masuk",
        "/akun/daftar",
        "/kelurahan/uwung-jaya",
        "/acara",
        "/kampanye",
    ]
    problems = []
    for url in urls:
        page.goto(live_server + url)
        problems += serious_violations(axe, page, url)
    assert not problems, "\n".join(problems)


def test_seller_pages_have_no_serious_accessibility_violations(live_server, phone, sample_store):
    page = phone()
    sign_in(page, live_server, "081100000008")
    axe = Axe()
    store = sample_store["store_id"]
    problems = []
    for url in (
        "/toko-saya",
        f"/toko-saya/{store}/buku-kas",
        f"/toko-saya/{store}/utang-piutang",
        f"/toko-saya/{store}/laporan-bulanan",
        f"/toko-saya/{store}/ulasan",
    ):
        page.goto(live_server + url)
        problems += serious_violations(axe, page, url)
    assert not problems, "\n".join(problems)


def test_back_office_pages_fit_a_phone_and_pass_axe(live_server, phone, sample_store):
    page = phone()
    sign_in(page, live_server, "081100000009")  # the city admin
    axe = Axe()
    problems = []
    for url in (
        "/kim/",
        "/kim/dampak",
        f"/kim/toko/{sample_store['store_id']}",
        "/kim/bantu-kata-sandi",
        "/admin/pesan/",
        "/admin/pembayaran-ditahan",
    ):
        page.goto(live_server + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            problems.append(f"{url}: {width} px wide on a 360 px screen")
        problems += serious_violations(axe, page, url)
    assert not problems, "\n".join(problems)
