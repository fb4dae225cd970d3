"""Public pages, error pages and the language switch."""

import pytest

from marketplace.accounts.models import Role


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


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site's page too
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame
    ],
)
def test_a_language_switch_posted_from_another_site_is_refused(client, headers):
    response = client.post("/bahasa", data={"lang": "en", "next": "/"}, headers=headers)
    assert response.status_code == 400
    assert "kedaluwarsa atau tidak sah" in response.get_data(as_text=True)
    assert "Semua produk" in client.get("/").get_data(as_text=True)  # still Indonesian


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked by the user
        {"Origin": "http://localhost"},  # a browser without Fetch Metadata
    ],
)
def test_the_footer_language_switch_needs_no_token_from_our_own_pages(app, headers, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert 'action="/bahasa"' in page
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
    from tests.factories import PASSWORD

    admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group())
    response = client.post("/akun/masuk", data={"login": admin.phone, "password": PASSWORD})
    assert response.headers["Location"].endswith("/kim/")
