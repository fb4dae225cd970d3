"""axe-core finds no serious or critical accessibility problems on the main pages (phone size)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from marketplace.extensions import db
from tests.factories import kelurahan

pytestmark = pytest.mark.e2e


@pytest.fixture
def sample_store(live_app):
    """One verified store with a product, created through the services."""
    import io
    from datetime import time

    from marketplace.accounts.models import Role, User
    from marketplace.catalog import services as catalog
    from marketplace.core.images import Uploads
    from marketplace.stores import services as stores
    from tests.factories import jpeg_bytes, password_hash

    with live_app.app_context():
        admin = User(
            name="Admin", phone="6281100000009", role=Role.CITY_ADMIN, password_hash=password_hash()
        )
        owner = User(
            name="Bu Siti", phone="6281100000008", role=Role.SELLER, password_hash=password_hash()
        )
        db.session.add_all([admin, owner])
        db.session.flush()
        store = stores.open_store(
            owner,
            stores.StoreData(
                name="Warung Bu Siti",
                whatsapp="081100000008",
                address="Jl. Melati 3",
                rt="1",
                rw="2",
                kelurahan_id=kelurahan("Uwung Jaya").id,
                landmark="Dekat masjid",
                story="Nasi uduk sejak 1998",
            ),
        )
        stores.set_opening_hours(store, [stores.PeriodData(d, time(6), time(21)) for d in range(7)])
        stores.verify_store(store, admin)
        category = catalog.categories()[0]
        product = catalog.create_product(
            store,
            catalog.ProductData(name="Nasi Uduk Betawi", category_id=category.id, price=15000),
            io.BytesIO(jpeg_bytes()),
            Uploads.from_config(live_app.config),
        )
        catalog.save_option_group(product, "Level pedas", "Level 0\nLevel 1", False, True)
        db.session.commit()
        return {"slug": store.slug, "product_id": product.id}


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
    ]
    problems = []
    for url in urls:
        page.goto(live_server + url)
        results = axe.run(page)
        assert results.response["passes"], "axe must have checked something"
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"]][:3]
                problems.append(f"{url}: {violation['id']} ({violation['impact']}) {targets}")
    assert not problems, "\n".join(problems)
