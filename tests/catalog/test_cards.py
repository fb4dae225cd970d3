"""A listing's cards are plain rows: they must say what the product itself says (price and sale,
stock left, sold out, rating, cover photo, store and kelurahan), on both databases."""

from datetime import UTC, datetime, timedelta

from marketplace.catalog import services
from marketplace.catalog.cards import ProductCard
from marketplace.catalog.models import DailyPortion, Product, ProductPhoto
from marketplace.core.db import jakarta_today, utcnow
from marketplace.extensions import db
from marketplace.stores.storefront import storefront_view


def _on_sale(create_product, store):
    """Soto Promo, 20,000 and 15,000 for the hour around now."""
    aware = datetime.now(UTC)
    return create_product(
        store,
        name="Soto Promo",
        price=20000,
        sale_price=15000,
        sale_starts_at=aware - timedelta(hours=1),
        sale_ends_at=aware + timedelta(hours=1),
    )


def _listed(**filters) -> dict[int, ProductCard]:
    page = services.browse_products(services.BrowseFilters(**filters), 1, 50)
    return {card.id: card for card in page.items}


def test_cards_say_what_the_products_say(create_store, create_product):
    today = jakarta_today()
    now = utcnow()
    aware = datetime.now(UTC)
    store = create_store(name="Warung Kartu", area="Cibodasari")
    made = {
        "plain": create_product(store, name="Nasi Uduk", price=15000),
        "on sale": _on_sale(create_product, store),
        "sale over": create_product(
            store,
            name="Soto Lewat",
            price=20000,
            sale_price=15000,
            sale_starts_at=aware - timedelta(days=2),
            sale_ends_at=aware - timedelta(days=1),
        ),
        "counted out": create_product(store, name="Es Dawet", stock_mode="counted", stock=0),
        "counted": create_product(store, name="Es Cendol", stock_mode="counted", stock=3),
        "daily out": create_product(store, name="Nasi Kuning", stock_mode="daily", daily_quota=5),
        "daily left": create_product(store, name="Bubur Ayam", stock_mode="daily", daily_quota=5),
        "daily tomorrow": create_product(store, name="Lontong", stock_mode="daily", daily_quota=2),
        "sold out": create_product(store, name="Gado-gado"),
        "rated": create_product(store, name="Sate Ayam", is_halal=True, lead_days=1),
    }
    tomorrow = today + timedelta(days=1)
    rated = made["rated"].id
    db.session.add_all(
        [
            DailyPortion(product_id=made["daily out"].id, day=today, taken=5),
            DailyPortion(product_id=made["daily left"].id, day=today, taken=2),
            DailyPortion(product_id=made["daily tomorrow"].id, day=tomorrow, taken=2),
            # two photos: the card shows the first by position, as the product page does
            ProductPhoto(product_id=rated, thumb="b-thumb.webp", large="b.webp", position=1),
            ProductPhoto(product_id=rated, thumb="a-thumb.webp", large="a.webp", position=0),
        ]
    )
    made["sold out"].is_sold_out = True
    made["rated"].rating_count, made["rated"].rating_sum = 3, 14
    db.session.flush()
    db.session.expire_all()

    cards = _listed()
    for label, product in made.items():
        product = db.session.get(Product, product.id)
        card = cards[product.id]
        assert (card.name, card.price, card.sale_price, card.is_halal, card.lead_days) == (
            product.name,
            product.price,
            product.sale_price,
            product.is_halal,
            product.lead_days,
        ), label
        assert card.on_sale(now) == product.on_sale(now), label
        assert card.price_at(now) == product.price_at(now), label
        assert card.portions_left(today) == product.portions_left(today), label
        assert card.is_available(today) == product.is_available(today), label
        assert card.is_available() == product.is_available(), label
        assert card.average_rating == product.average_rating, label
        assert (card.cover.thumb if card.cover else None) == (
            product.cover.thumb if product.cover else None
        ), label
        assert (card.store.name, card.store.slug, card.store.kelurahan.name) == (
            "Warung Kartu",
            store.slug,
            "Cibodasari",
        ), label
    # and the answers themselves, so that a rule wrong on both sides is caught too
    assert cards[made["on sale"].id].price_at(now) == 15000
    assert cards[made["sale over"].id].price_at(now) == 20000
    assert [cards[made[k].id].is_available(today) for k in ("counted out", "counted")] == [
        False,
        True,
    ]
    assert [cards[made[k].id].portions_left(today) for k in ("daily out", "daily left")] == [0, 3]
    assert cards[made["daily tomorrow"].id].portions_left(today) == 2
    assert not cards[made["sold out"].id].is_available(today)
    assert cards[made["rated"].id].average_rating == 4.7
    assert cards[made["rated"].id].cover.thumb == "a-thumb.webp"
    assert cards[made["plain"].id].cover is None

    # the home page's uncounted list, the lists of several stores (typed rows) and a store's
    # own page (its cards a JSON column of the store's row: times as text, flags as 0/1 on
    # SQLite) build the same cards
    uncounted = services.browse_products(services.BrowseFilters(), 1, 50, count=False)
    assert {card.id: card for card in uncounted.items} == cards
    by_store = services.products_by_store([store.id])[store.id]
    assert {card.id: card for card in by_store} == cards
    on_its_page = storefront_view(store.slug, today).products
    assert {card.id: card for card in on_its_page} == cards
    assert [card.id for card in on_its_page] == [card.id for card in by_store]
    sale = cards[made["on sale"].id]
    assert isinstance(sale.sale_starts_at, datetime)
    assert sale.sale_ends_at is not None


def test_a_store_page_lists_its_visible_products_in_the_sellers_order(create_store, create_product):
    store = create_store()
    other = create_store()
    first = create_product(store, name="Kedua")
    second = create_product(store, name="Pertama")
    hidden = create_product(store, name="Tersembunyi")
    create_product(other, name="Toko Lain")
    first.position, second.position, hidden.is_hidden = 2, 1, True
    db.session.flush()
    today = jakarta_today()
    assert [c.name for c in storefront_view(store.slug, today).products] == ["Pertama", "Kedua"]
    grouped = services.products_by_store([store.id, other.id])
    assert [c.id for c in grouped[store.id]] == [second.id, first.id]
    assert [c.name for c in grouped[other.id]] == ["Toko Lain"]
    assert services.products_by_store([]) == {}


def test_the_card_markup_shows_each_rule_and_escapes_every_value(
    client, create_store, create_product
):
    """The cards are written in Python (catalog/card_markup.py), not by Jinja: what a card
    says, and that nothing typed by a seller comes out as markup, in both languages."""
    store = create_store(name='Warung "<b>Bu</b>" & Co', area="Cibodasari")
    hostile = create_product(store, name="<script>alert(1)</script> & Nasi", price=12000)
    _on_sale(create_product, store)
    ordered = create_product(store, name="Tumpeng", price=250000, lead_days=2, is_halal=True)
    create_product(store, name="Es Dawet", stock_mode="counted", stock=0)
    db.session.add(ProductPhoto(product_id=hostile.id, thumb="h-thumb.webp", large="h.webp"))
    ordered.rating_count, ordered.rating_sum = 3, 14
    db.session.commit()

    def cards(text: str) -> dict[str, str]:
        found = {}
        for item in text.split('<li class="card product-card">')[1:]:
            item = item.split("</li>")[0]
            title = item.split("<h3>")[1].split("</h3>")[0]
            found[title] = item
        return found

    page = client.get("/produk").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "<b>Bu</b>" not in page
    shown = cards(page)
    assert set(shown) == {
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Nasi",
        "Soto Promo",
        "Tumpeng",
        "Es Dawet",
    }
    first = shown["&lt;script&gt;alert(1)&lt;/script&gt; &amp; Nasi"]
    assert f'href="/produk/{hostile.id}"' in first
    assert 'alt="Foto &lt;script&gt;alert(1)&lt;/script&gt; &amp; Nasi"' in first
    assert "h-thumb.webp" in first
    assert "Rp12.000" in first
    assert f'href="/toko/{store.slug}"' in first
    assert "Warung &#34;&lt;b&gt;Bu&lt;/b&gt;&#34; &amp; Co</a> · Cibodasari" in first
    assert 'aria-label="Harga biasa">Rp20.000</del>' in shown["Soto Promo"]
    assert '<span class="price sale">Rp15.000</span>' in shown["Soto Promo"]
    assert "img-placeholder" in shown["Soto Promo"]
    tumpeng = shown["Tumpeng"]
    assert "Pesan H-2" in tumpeng
    assert "badge-halal" in tumpeng
    assert "★ 4.7</span>" in tumpeng
    assert "(3)" in tumpeng
    assert "badge-closed" not in tumpeng
    assert "Habis" in shown["Es Dawet"]
    assert "Pesan H-" not in shown["Es Dawet"]
    assert "★" not in shown["Es Dawet"]

    client.post("/bahasa", data={"lang": "en", "next": "/"})
    english = cards(client.get("/produk").get_data(as_text=True))
    assert "Order 2 days ahead" in english["Tumpeng"]
    assert 'aria-label="Regular price"' in english["Soto Promo"]
    assert "Sold out" in english["Es Dawet"]
    assert "Photo of &lt;script&gt;" in english["&lt;script&gt;alert(1)&lt;/script&gt; &amp; Nasi"]
