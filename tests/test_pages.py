"""Public pages, error pages and the language switch."""

import pytest

from marketplace.accounts.models import Role
from tests.factories import PASSWORD


def test_public_pages_render(client, create_store, create_product):
    store = create_store()
    product = create_product(store, name="Klepon Gula Aren", price=10000)
    for url in [
        "/",
        "/produk",
        "/kategori/makanan-berat",
        "/kelurahan",
        "/kelurahan/uwung-jaya",
        f"/toko/{store.slug}",
        f"/produk/{product.id}",
        "/cari?q=klepon",
        "/akun/masuk",
        "/akun/daftar",
        "/akun/lupa-kata-sandi",
        "/healthz",
        "/acara",
        "/kampanye",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/produk/{product.id}").get_data(as_text=True)
    assert "Rp10.000" in page


def test_error_pages_speak_indonesian_then_english(client):
    response = client.get("/tidak-ada-halaman")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    response = client.get("/tidak-ada-halaman")
    assert "Page not found" in response.get_data(as_text=True)


def test_unknown_category_kelurahan_and_store_are_404(client):
    for url in [
        "/kategori/tidak-ada",
        "/kelurahan/tidak-ada",
        "/toko/tidak-ada",
        "/produk/999999",
        "/acara/999999",
        "/kampanye/999999",
    ]:
        assert client.get(url).status_code == 404, url


def test_language_switch_translates_the_interface(client):
    assert "Semua produk" in client.get("/").get_data(as_text=True)
    response = client.post("/bahasa", data={"lang": "en", "next": "/produk"})
    assert response.headers["Location"].endswith("/produk")
    assert "All products" in client.get("/").get_data(as_text=True)
    client.post("/bahasa", data={"lang": "xx", "next": "https://evil.example/"})
    assert "All products" in client.get("/").get_data(as_text=True)


CROSS_SITE = [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site's page too
    {"Origin": "https://evil.example"},
    {"Origin": "null"},  # a sandboxed frame
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "http://localhost:8080"},  # another port is another origin
]
SAME_ORIGIN = [
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    {"Sec-Fetch-Site": "none"},  # typed or bookmarked by the user
    {"Origin": "http://localhost"},  # a browser without Fetch Metadata
    {"Origin": "https://localhost"},  # …behind a TLS proxy that does not pass the scheme on
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_language_switch_posted_from_another_site_is_refused(client, headers):
    response = client.post("/bahasa", data={"lang": "en", "next": "/"}, headers=headers)
    assert response.status_code == 400
    assert "kedaluwarsa atau tidak sah" in response.get_data(as_text=True)
    assert "Semua produk" in client.get("/").get_data(as_text=True)  # still Indonesian


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_add_to_cart_posted_from_another_site_is_refused(
    client, create_store, create_product, headers
):
    product = create_product(create_store(), name="Klepon Gula Aren")
    response = client.post(
        "/keranjang/tambah", data={"product_id": product.id, "jumlah": "3"}, headers=headers
    )
    assert response.status_code == 400
    assert "Klepon Gula Aren" not in client.get("/keranjang").get_data(as_text=True)


@pytest.mark.parametrize("headers", SAME_ORIGIN)
def test_the_public_pages_forms_need_no_token_from_our_own_pages(
    app, create_store, create_product, headers, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    product = create_product(create_store(), name="Klepon Gula Aren")
    client = app.test_client()
    page = client.get(f"/produk/{product.id}").get_data(as_text=True)
    assert 'action="/bahasa"' in page
    assert 'action="/keranjang/tambah"' in page
    assert 'name="csrf_token"' not in page
    added = client.post(
        "/keranjang/tambah", data={"product_id": product.id, "jumlah": "2"}, headers=headers
    )
    assert added.status_code == 302
    assert "Klepon Gula Aren" in client.get("/keranjang").get_data(as_text=True)
    response = client.post("/bahasa", data={"lang": "en", "next": "/"}, headers=headers)
    assert response.status_code == 302
    assert "All products" in client.get("/").get_data(as_text=True)


def test_form_errors_in_english_after_switch(client):
    client.post("/bahasa", data={"lang": "en"})
    response = client.post("/akun/daftar", data={"name": "", "phone": "1", "password": "x"})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_no_external_assets_in_pages(client, create_store, create_product):
    create_product(create_store())
    html = client.get("/").get_data(as_text=True)
    for marker in ("cdn.", "unpkg", "googleapis", "cdnjs"):
        assert marker not in html


def test_kim_admin_lands_on_the_kim_panel(client, create_user, create_kim_group):
    admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group())
    response = client.post("/akun/masuk", data={"login": admin.phone, "password": PASSWORD})
    assert response.headers["Location"].endswith("/kim/")


def test_filter_options_mark_the_choice_and_escape_every_label(app):
    from dataclasses import dataclass

    from marketplace.core.templating import select_options

    @dataclass(frozen=True)
    class Choice:
        id: int
        name: str

        def label(self, locale):
            return f"{self.name} ({locale})"

    choices = (Choice(1, "Nasi"), Choice(2, "<b>Sate</b> & Co"), Choice(3, "Es"))
    with app.test_request_context("/"):
        html = str(select_options(choices, 2))
        assert html.count("<option") == 3
        assert '<option selected value="2">&lt;b&gt;Sate&lt;/b&gt; &amp; Co (id)</option>' in html
        assert str(select_options(choices, None)).count("selected") == 0
        assert str(select_options(choices, 99)).count("selected") == 0  # not a choice
        assert "selected" not in str(select_options(choices, 1)).split("</option>", 1)[1]


def test_the_filter_form_keeps_the_chosen_kelurahan_and_category(client, create_store):
    from markupsafe import escape

    from marketplace.areas.services import all_kelurahan
    from marketplace.catalog.services import category_refs

    create_store()
    area, category = all_kelurahan()[5], category_refs()[1]
    page = client.get(f"/produk?kelurahan={area.id}&kategori={category.id}").get_data(as_text=True)
    assert f'<option selected value="{area.id}">{escape(area.label)}</option>' in page
    assert f'<option selected value="{category.id}">{escape(category.name)}</option>' in page
    assert page.count("<option selected") == 2  # nothing else marked in the two lists
    client.post("/bahasa", data={"lang": "en"})
    page = client.get(f"/produk?kategori={category.id}").get_data(as_text=True)
    assert f'<option selected value="{category.id}">{escape(category.name_en)}</option>' in page
