"""The compact header, the bottom bar of each role, the Akun page, the KIM's store list and the
development-only component page."""

import re

import pytest

from marketplace.accounts.models import Role
from marketplace.stores.models import StoreStatus


def bottom_bar(page: str) -> list[str]:
    """The labels of the bottom navigation bar, in order."""
    nav = page.split('class="bottom-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r"</svg><span>([^<]+)</span>", nav)


def test_a_guest_sees_the_customer_bar_and_a_three_item_header(client):
    page = client.get("/").get_data(as_text=True)
    assert bottom_bar(page) == ["Beranda", "Cari", "Keranjang", "Pesanan", "Akun"]
    header = page.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    # brand, search, cart and account: nothing else fights for the top of a phone screen
    assert len(re.findall(r"<a ", header)) == 3
    assert 'role="search"' in header
    assert 'aria-current="page"' in page.split('class="bottom-nav"', 1)[1]


def test_the_cart_count_is_shown_in_the_header_and_the_bar(client, create_store, create_product):
    product = create_product(create_store())
    client.post("/keranjang/tambah", data={"product_id": product.id, "jumlah": "3"})
    page = client.get("/").get_data(as_text=True)
    assert "Keranjang, 3 barang" in page
    assert '<span class="count" aria-label="3 barang di keranjang">3</span>' in page


def test_the_bar_is_remembered_per_inputs_never_across_them(client, create_store, create_product):
    """The bar and the footer are rendered once per language and inputs and then remembered
    (core.templating.fragment): the current page, the cart's count and the language each give
    their own bar, and one visitor's never shows for another."""

    def bar(path: str) -> str:
        return client.get(path).get_data(as_text=True).split('class="bottom-nav"', 1)[1]

    def current(nav: str) -> list[str]:
        return re.findall(r'aria-current="page">\s*<svg[^>]*>.*?</svg><span>([^<]+)', nav, re.S)

    assert current(bar("/")) == ["Beranda"]
    assert current(bar("/produk")) == ["Cari"]
    assert current(bar("/keranjang")) == ["Keranjang"]
    assert current(bar("/")) == ["Beranda"]
    assert 'class="count"' not in bar("/")
    product = create_product(create_store())
    for quantity, total in ((1, 1), (2, 3)):
        client.post("/keranjang/tambah", data={"product_id": product.id, "jumlah": str(quantity)})
        assert f'aria-label="{total} barang di keranjang">{total}</span>' in bar("/")
    # another visitor, with an empty cart, on a page the first one has seen
    other = client.application.test_client()
    assert 'class="count"' not in other.get("/").get_data(as_text=True)
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    english = client.get("/").get_data(as_text=True)
    assert bottom_bar(english) == ["Home", "Search", "Cart", "Orders", "Account"]
    assert "All products" in english.split('class="site-footer"', 1)[1]
    assert bottom_bar(other.get("/").get_data(as_text=True))[0] == "Beranda"


def test_the_header_and_footer_are_remembered_with_each_page_s_words_and_path(client):
    """The header and the footer are rendered once per language and cart count
    (core.templating.fragment) with holes for what each page has of its own: the words in the
    search box and the path the language form returns to, put in escaped on every page."""

    def box(page: str) -> str:
        return re.search(r'<input id="q" name="q"[^>]*value="([^"]*)"', page).group(1)

    def back_to(page: str) -> str:
        return re.search(r'<input type="hidden" name="next" value="([^"]*)"', page).group(1)

    for words, shown in (
        ("nasi uduk", "nasi uduk"),
        ('"><script>alert(1)</script>', "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("es teh", "es teh"),
        # the stand-in of a hole, typed: printed as typed, not filled
        ("\ue000q\ue001 & \ue000next\ue001", "\ue000q\ue001 &amp; \ue000next\ue001"),
    ):
        page = client.get("/cari", query_string={"q": words}).get_data(as_text=True)
        assert box(page) == shown
        assert back_to(page).startswith("/cari?q=")
        assert "<script>alert" not in page
    home = client.get("/").get_data(as_text=True)
    assert (box(home), back_to(home)) == ("", "/?")
    assert back_to(client.get("/produk?urut=name").get_data(as_text=True)) == "/produk?urut=name"
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    english = client.get("/cari?q=sate").get_data(as_text=True)
    assert box(english) == "sate"
    assert 'placeholder="Search food…"' in english
    assert 'lang="en" aria-pressed="true"' in english


def test_a_seller_sees_orders_products_cash_book_and_store(
    client, create_store, create_user, login
):
    seller = create_user(Role.SELLER)
    store = create_store(owner=seller)
    login(seller)
    page = client.get("/toko-saya").get_data(as_text=True)
    assert bottom_bar(page) == ["Pesanan", "Produk", "Buku Kas", "Toko"]
    assert f'href="/toko-saya/{store.id}/pesanan"' in page
    assert f'href="/toko-saya/{store.id}/buku-kas"' in page


def test_a_seller_without_a_store_is_sent_to_open_one(client, create_user, login):
    login(create_user(Role.SELLER))
    page = client.get("/").get_data(as_text=True)
    assert bottom_bar(page) == ["Pesanan", "Produk", "Buku Kas", "Toko"]
    assert page.count('href="/toko-saya/baru"') >= 3


@pytest.mark.parametrize("role", [Role.KIM_ADMIN, Role.CITY_ADMIN])
def test_kim_and_city_admins_see_panel_announcements_stores_impact(
    client, create_user, create_kim_group, login, role
):
    group = create_kim_group("Uwung Jaya") if role == Role.KIM_ADMIN else None
    login(create_user(role, kim_group=group))
    page = client.get("/kim/").get_data(as_text=True)
    assert bottom_bar(page) == ["Panel", "Pengumuman", "Toko", "Dampak"]


def test_the_kim_store_list_shows_its_own_kelurahan(
    client, create_store, create_user, create_kim_group, login
):
    pending = create_store(status=StoreStatus.PENDING, name="Warung Menunggu")
    verified = create_store(name="Warung Terverifikasi")
    elsewhere = create_store(area="Cibodasari", name="Warung Kelurahan Lain")
    login(create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya")))
    page = client.get("/kim/toko").get_data(as_text=True)
    assert f'href="/kim/toko/{pending.id}"' in page
    assert f'href="/toko/{verified.slug}"' in page
    assert elsewhere.name not in page


def test_the_account_page_for_guests_and_members(client, create_user, login):
    page = client.get("/akun/").get_data(as_text=True)
    assert 'href="/akun/masuk"' in page
    assert 'href="/akun/daftar?jual=1"' in page
    signup = client.get("/akun/daftar?jual=1").get_data(as_text=True)
    (tick,) = re.findall(r"<input[^>]*wants_to_sell[^>]*>", signup)
    assert "checked" in tick
    login(create_user(Role.CUSTOMER, name="Dewi Pembeli"))
    page = client.get("/akun/").get_data(as_text=True)
    assert "Dewi Pembeli" in page
    assert 'action="/akun/keluar"' in page


def test_the_component_page_exists_only_outside_production(app, client):
    page = client.get("/_komponen")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for piece in ("seg", "choice", "rows", "reflow", "action-bar", "toasts", "empty", "skeleton"):
        assert f'class="{piece}' in html or f' {piece}"' in html, piece
    app.config["ENV_NAME"] = "production"
    try:
        assert client.get("/_komponen").status_code == 404
    finally:
        app.config["ENV_NAME"] = "development"


def test_robots_keep_search_engines_out_of_private_pages(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /toko-saya" in text
    assert "Disallow: /kim/" in text
    assert "Disallow: /produk" not in text


def test_static_files_carry_their_hash_and_are_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    (css,) = re.findall(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page)

    def cache_control(url: str) -> str:
        answer = client.get(url)
        try:
            assert answer.status_code == 200
            return answer.headers.get("Cache-Control", "")
        finally:
            answer.close()

    assert "max-age=31536000" in cache_control(css)
    assert "immutable" in cache_control(css)
    # an old or missing hash is not kept for long
    assert "immutable" not in cache_control("/static/css/app.css?v=000000000000")
    assert "immutable" not in cache_control("/static/css/app.css")


@pytest.mark.parametrize(
    ("endpoint", "stand_in", "values"),
    [
        ("catalog.product", {"product_id": 987654321}, [1, 42, 10**12]),
        (
            "stores.storefront",
            {"slug": "stand-in-store"},
            ["warung-bu-siti", "kopi_2", "dapur ibu", "sate/kambing", "ñasi", "a?b=c", "x#y"],
        ),
        (
            "main.media",
            {"name": "stand/in.webp"},
            ["ab/cd/ef.webp", "foto.jpg", "a b/c.webp", "%2e%2e/x", "q?.webp", "é/ü.webp"],
        ),
    ],
)
def test_a_url_maker_builds_what_url_for_builds(app, endpoint, stand_in, values):
    """A listing's cards build their links from one path with a stand-in in it; every value,
    plain or one that must be escaped, gets the path url_for gives it."""
    from flask import url_for

    from marketplace.core.templating import url_maker

    with app.test_request_context("/"):
        make = url_maker(endpoint, **stand_in)
        (name,) = stand_in
        for value in values:
            assert make(value) == url_for(endpoint, **{name: value}), value
