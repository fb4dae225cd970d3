"""Every page speaks one language: a page rendered in English holds no Indonesian interface word,
and a page in Bahasa Indonesia no English one. The shop's own content (names of people, stores
and dishes) is chosen so that it contains none of the words looked for."""

from __future__ import annotations

import html
import re

import pytest

from marketplace.accounts.models import Role
from marketplace.orders.models import Order
from marketplace.stores.models import StoreStatus


def _words(block: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in block.split(",") if word.strip())


#: words of the interface that never belong in the other language's pages
INDONESIAN = _words(
    """
    Keranjang, Pesanan, Masuk, Daftar, Beranda, Cari, Harga, Simpan, Semua, Tambah, Belum,
    tidak, dengan, untuk, atau, yang, Produk, Ulasan, Hapus, Kembali, Jumlah, Bayar, tunai,
    Ambil, Diantar, Pengumuman, Pilih, Ubah, Tanggal, Kategori, Minggu, Senin, Buka, Tutup,
    Bahasa:, Akun, Menunggu, Terverifikasi, Pemasukan, Pengeluaran, Laporan, Toko saya,
    bintang
    """
)
ENGLISH = _words(
    """
    Cart, Orders, Sign in, Search, Price, Save, Store, Home, Account, Add, the, and, with,
    your, Product, Reviews, Delete, Back, Amount, Pay, Pickup, Delivery, Announcements,
    Choose, Edit, Date, Category, Sunday, Monday, Open, Closed, Language:, Waiting, Verified,
    Income, Expense, Report, star, Loading
    """
)
#: written the same in both languages (names, brands, codes)
BOTH = ("Bahasa Indonesia", "English", "WhatsApp", "KIM", "Pasar Kampung Kuliner")


def visible_text(page: str) -> str:
    """What a person reads or a screen reader says: text, labels, placeholders, alt texts."""
    page = re.sub(r"<(script|style|datalist)\b.*?</\1>", " ", page, flags=re.S)
    said = re.findall(r'(?:aria-label|placeholder|alt|title)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    text = html.unescape(" ".join([text, *said]))
    for name in BOTH:
        text = text.replace(name, " ")
    return text


def foreign_words(page: str, words) -> list[str]:
    text = visible_text(page)
    return sorted({w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)})


@pytest.fixture
def world(create_user, create_store, create_product, create_kim_group, client):
    seller = create_user(Role.SELLER, name="Siti Rahma")
    store = create_store(owner=seller, name="Warung Siti Rahma")
    create_store(status=StoreStatus.PENDING, name="Dapur Rahma")
    product = create_product(store, name="Nasi Kuning Rahma", price=12000)
    kim = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"), name="Rina")
    city = create_user(Role.CITY_ADMIN, name="Dedi")
    customer = create_user(Role.CUSTOMER, name="Dewi")
    return {
        "store": store,
        "product": product,
        "seller": seller,
        "kim": kim,
        "city": city,
        "customer": customer,
    }


def pages_of(world) -> dict[str, list[str]]:
    store, product = world["store"], world["product"]
    return {
        "anonymous": [
            "/",
            "/produk",
            "/cari?q=nasi",
            f"/produk/{product.id}",
            f"/toko/{store.slug}",
            "/keranjang",
            "/akun/",
            "/akun/masuk",
            "/akun/daftar",
            "/pengumuman",
            "/kelurahan",
            "/kelurahan/uwung-jaya",
            "/acara",
            "/kampanye",
            "/pelatihan",
            "/suara-warga",
            "/halaman-yang-tidak-ada",
        ],
        "seller": [
            "/toko-saya",
            "/toko-saya/baru",
            f"/toko-saya/{store.id}/ubah",
            f"/toko-saya/{store.id}/jam",
            f"/toko-saya/{store.id}/produk",
            f"/toko-saya/{store.id}/produk/baru",
            f"/toko-saya/produk/{product.id}",
            f"/toko-saya/{store.id}/pesanan",
            f"/toko-saya/{store.id}/buku-kas",
            f"/toko-saya/{store.id}/utang-piutang",
            f"/toko-saya/{store.id}/laporan-bulanan",
            f"/toko-saya/{store.id}/ulasan",
            f"/toko-saya/{store.id}/promo",
        ],
        "kim": ["/kim/", "/kim/toko", "/kim/dampak", "/kim/pengumuman", "/kim/unggulan"],
        "city": ["/kim/", "/admin/pesan/", "/admin/pembayaran-ditahan", "/admin/kategori/"],
    }


@pytest.mark.parametrize(("lang", "words"), [("en", INDONESIAN), ("id", ENGLISH)])
def test_each_page_speaks_one_language(client, login, world, lang, words):
    own = {"en": ENGLISH, "id": INDONESIAN}
    problems = []
    for who, urls in pages_of(world).items():
        if who != "anonymous":
            client.post("/akun/keluar")
            login(world[who])
        client.post("/bahasa", data={"lang": lang, "next": "/"})
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
            page = response.get_data(as_text=True)
            found = foreign_words(page, words)
            if found:
                problems.append(f"{who} {url}: {', '.join(found)}")
            if not foreign_words(page, own[lang]):
                problems.append(f"{who} {url}: no word of its own language (is it switched?)")
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_word_of_the_other_language():
    assert foreign_words("<p>Add to the cart</p>", ENGLISH) == ["Add", "the"]
    assert foreign_words('<button aria-label="Tambah">+</button>', INDONESIAN) == ["Tambah"]
    assert foreign_words("<script>Tambah</script><p>Pasar Kampung Kuliner</p>", INDONESIAN) == []


def test_an_order_page_speaks_one_language(client, world, checkout_order):
    order = checkout_order
    client.get(f"/pesanan/{order.token}")  # the confirmation, said in the language of checkout
    for lang, words in (("en", INDONESIAN), ("id", ENGLISH)):
        client.post("/bahasa", data={"lang": lang, "next": "/"})
        page = client.get(f"/pesanan/{order.token}").get_data(as_text=True)
        assert foreign_words(page, words) == [], lang


@pytest.fixture
def checkout_order(client, world) -> Order:
    from sqlalchemy import select

    from marketplace.extensions import db

    client.post("/keranjang/tambah", data={"product_id": world["product"].id, "jumlah": "1"})
    page = client.get(f"/keranjang/toko/{world['store'].id}/pesan").get_data(as_text=True)
    token = re.search(r'name="checkout_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="checkout_token"', page
    )
    slot = re.search(r'<option[^>]*value="([^"]+)"', page.split('name="fulfil_at"', 1)[1])
    response = client.post(
        f"/keranjang/toko/{world['store'].id}/pesan",
        data={
            "checkout_token": token.group(1),
            "name": "Dewi",
            "phone": "081300001111",
            "fulfilment": "pickup",
            "fulfil_at": slot.group(1),
            "payment_method": "cash",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalar(select(Order))
