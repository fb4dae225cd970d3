"""Low-stock and daily-quota alerts on the seller's dashboard."""

from marketplace.catalog.services import low_stock
from tests.order_fixtures import add_to_cart


def test_low_stock_and_daily_quota_alerts(client, shop, cart, checkout, create_product, login):
    store = shop["store"]
    # Teh Manis: 5 counted; Nasi Uduk: 10 a day (alert at 3 left)
    assert low_stock([store.id])[store.id] == []
    add_to_cart(cart, shop["teh"], [], 2)
    add_to_cart(cart, shop["uduk"], [o.id for o in shop["uduk"].option_groups[1].options[:1]], 7)
    checkout(cart, store)
    alerts = {p.name: left for p, left in low_stock([store.id])[store.id]}
    assert alerts == {"Teh Manis": 3, "Nasi Uduk": 3}
    login(store.owner)
    page = client.get("/toko-saya").get_data(as_text=True)
    assert "Stok menipis" in page
    assert "sisa 3" in page
