import pytest
from sqlalchemy import select

from marketplace.catalog import services
from marketplace.catalog.models import Category, Product, StockMode
from marketplace.core.db import jakarta_today
from marketplace.core.errors import DomainError
from marketplace.extensions import db


def category_id(slug="makanan-berat") -> int:
    return db.session.scalar(select(Category.id).where(Category.slug == slug))


def product_form(**overrides):
    data = {
        "name": "Nasi Uduk Betawi",
        "category_id": str(category_id()),
        "price": "15.000",
        "description": "Nasi uduk santan",
        "stock_mode": "daily",
        "daily_quota": "40",
        "is_halal": "y",
        "lead_days": "0",
    }
    data.update(overrides)
    return data


def test_seller_creates_and_edits_a_product(client, create_store, login):
    store = create_store()
    login(store.owner)
    response = client.post(f"/toko-saya/{store.id}/produk/baru", data=product_form())
    assert response.status_code == 302
    product = db.session.scalar(select(Product).where(Product.store_id == store.id))
    assert (product.price, product.stock_mode, product.daily_quota) == (15000, "daily", 40)
    assert isinstance(product.price, int)
    response = client.post(
        f"/toko-saya/produk/{product.id}",
        data=product_form(price="Rp 17.500", stock_mode="counted", stock="5"),
    )
    assert response.status_code == 302
    assert (product.price, product.stock, product.daily_quota) == (17500, 5, None)


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("12rb", 12000),
        ("12 ribu", 12000),
        ("12k", 12000),
        ("1,5jt", 1_500_000),
        ("Rp 12.000", 12000),
    ],
)
def test_prices_are_read_as_indonesians_type_them(client, create_store, login, typed, saved):
    store = create_store()
    login(store.owner)
    response = client.post(f"/toko-saya/{store.id}/produk/baru", data=product_form(price=typed))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    product = db.session.scalar(select(Product).where(Product.store_id == store.id))
    assert product.price == saved


def test_a_price_below_rp500_is_saved_only_when_confirmed(client, create_store, login):
    store = create_store()
    login(store.owner)
    page = client.post(f"/toko-saya/{store.id}/produk/baru", data=product_form(price="300"))
    assert page.status_code == 400
    assert "Ya, harganya memang di bawah Rp500" in page.get_data(as_text=True)
    response = client.post(
        f"/toko-saya/{store.id}/produk/baru",
        data=product_form(price="300", confirm_low_price="y"),
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Product.price).where(Product.store_id == store.id)) == 300


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": ""}, "Wajib diisi"),
        ({"price": "mahal"}, "Tulis jumlah dengan angka"),
        ({"price": "12.5"}, "Tulis jumlah dengan angka"),
        ({"price": "12"}, "sangat murah"),  # "12" meant 12rb? asked, not saved
        ({"price": "999.999.999.999.999"}, "terlalu besar"),
        ({"price": "200.000.000"}, "Harga harus antara"),
        ({"category_id": "99999"}, "Pilih kategori"),
        ({"stock_mode": "counted", "stock": ""}, "Isi jumlah stok"),
        ({"stock_mode": "daily", "daily_quota": ""}, "porsi per hari"),
        ({"stock_mode": "gaib"}, "Pilihan tidak valid"),
        ({"lead_days": "99"}, "Angka harus antara"),
        ({"name": ""}, "Wajib diisi"),
    ],
)
def test_bad_product_input_gets_a_message_and_changes_nothing(
    client, create_store, login, count_rows, overrides, message
):
    store = create_store()
    login(store.owner)
    response = client.post(f"/toko-saya/{store.id}/produk/baru", data=product_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count_rows(Product) == (0,)


def test_sold_out_switch_hide_and_delete(client, create_store, create_product, login):
    store = create_store()
    product = create_product(store)
    login(store.owner)
    client.post(f"/toko-saya/produk/{product.id}/habis", data={"sold_out": "1"})
    assert product.is_sold_out
    assert not product.is_available()
    client.post(f"/toko-saya/produk/{product.id}/habis", data={"sold_out": "0"})
    assert product.is_available()
    client.post(f"/toko-saya/produk/{product.id}/sembunyikan", data={"hidden": "1"})
    assert product.is_hidden
    client.post("/akun/keluar")
    assert client.get(f"/produk/{product.id}").status_code == 404
    login(store.owner)
    product_id = product.id
    client.post(f"/toko-saya/produk/{product_id}/hapus")
    assert db.session.get(Product, product_id) is None


def test_reorder_products(client, create_store, create_product, login):
    store = create_store()
    a, b, c = (create_product(store, name=n) for n in ("A", "B", "C"))
    login(store.owner)
    client.post(f"/toko-saya/produk/{c.id}/pindah", data={"direction": "up"})
    names = [p.name for p in services.store_products(store, include_hidden=True)]
    assert names == ["A", "C", "B"]
    client.post(f"/toko-saya/produk/{a.id}/pindah", data={"direction": "up"})  # already first
    assert [p.name for p in services.store_products(store)] == ["A", "C", "B"]


def test_option_groups_from_lines(client, create_store, create_product, login):
    product = create_product(create_store())
    login(product.store.owner)
    client.post(
        f"/toko-saya/produk/{product.id}/pilihan",
        data={
            "name": "Tambahan",
            "options": "Tambah telur +3.000\nTempe | 2000\nKerupuk",
            "multiple": "y",
        },
    )
    group = product.option_groups[0]
    assert [(o.name, o.extra_price) for o in group.options] == [
        ("Tambah telur", 3000),
        ("Tempe", 2000),
        ("Kerupuk", 0),
    ]
    assert group.multiple
    assert not group.required
    option = group.options[0]
    client.post(f"/toko-saya/opsi/{option.id}/habis", data={"sold_out": "1"})
    assert option.is_sold_out
    # Editing keeps the sold-out mark of options that stay.
    client.post(
        f"/toko-saya/pilihan/{group.id}",
        data={
            "name": "Tambahan",
            "options": "Tambah telur +3500\nKeju +5000",
            "required_choice": "y",
        },
    )
    assert [(o.name, o.extra_price, o.is_sold_out) for o in group.options] == [
        ("Tambah telur", 3500, True),
        ("Keju", 5000, False),
    ]
    assert group.required
    client.post(f"/toko-saya/pilihan/{group.id}/hapus")
    assert product.option_groups == []


@pytest.mark.parametrize("lines", ["", "\n\n", "+3000", "Telur +99999999999999"])
def test_bad_option_lines_are_refused(create_store, create_product, lines):
    product = create_product(create_store())
    with pytest.raises(DomainError):
        services.save_option_group(product, "Tambahan", lines, False, False)
    assert product.option_groups == []


def test_daily_quota_resets_each_day_in_jakarta(create_store, create_product):
    from datetime import timedelta

    from marketplace.catalog.stock import reserve_stock

    product = create_product(create_store(), stock_mode=StockMode.DAILY, daily_quota=10)
    today = jakarta_today()
    reserve_stock({product.id: 10}, today)
    db.session.refresh(product)
    assert product.portions_left(today) == 0
    assert not product.is_available(today)
    assert product.portions_left(today + timedelta(days=1)) == 10


def test_negative_stock_is_refused_by_the_database(create_store, create_product):
    import sqlalchemy as sa

    product = create_product(create_store(), stock_mode=StockMode.COUNTED, stock=1)
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            db.session.execute(sa.update(Product).where(Product.id == product.id).values(stock=-1))


def test_product_page_shows_price_options_and_whatsapp(client, create_store, create_product):
    product = create_product(create_store(), name="Sate Maranggi", price=35000)
    services.save_option_group(product, "Pakai", "Lontong +5000\nNasi", False, True)
    page = client.get(f"/produk/{product.id}").get_data(as_text=True)
    assert "Rp35.000" in page
    assert "Lontong" in page
    assert "+Rp5.000" in page
    assert "https://wa.me/" in page


def test_products_of_pending_stores_are_invisible(client, create_store, create_product):
    product = create_product(create_store(status="pending"), name="Rahasia Dapur")
    assert client.get(f"/produk/{product.id}").status_code == 404
    assert "Rahasia Dapur" not in client.get("/produk").get_data(as_text=True)
    assert "Rahasia Dapur" not in client.get("/cari?q=rahasia").get_data(as_text=True)


@pytest.mark.parametrize(
    ("days", "indonesian", "english"),
    [(1, "Pesan H-1", "Order 1 day ahead"), (3, "Pesan H-3", "Order 3 days ahead")],
)
def test_lead_days_read_well_in_both_languages(
    client, create_store, create_product, days, indonesian, english
):
    product = create_product(create_store(), lead_days=days)
    assert indonesian in client.get(f"/produk/{product.id}").get_data(as_text=True)
    client.post("/bahasa", data={"lang": "en"})
    page = client.get(f"/produk/{product.id}").get_data(as_text=True)
    assert english in page
    assert "day(s)" not in page
