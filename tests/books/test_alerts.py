"""Low-stock and daily-quota alerts on the seller's dashboard."""

from datetime import datetime, time

from marketplace.catalog.services import low_stock
from marketplace.core.db import JAKARTA, jakarta_today, to_utc_naive
from tests.order_fixtures import add_to_cart


def test_low_stock_and_daily_quota_alerts(client, shop, cart, checkout, create_product, login):
    store = shop["store"]
    # Teh Manis: 5 counted; Nasi Uduk: 10 a day (alert at 3 left)
    assert low_stock([store.id])[store.id] == []
    add_to_cart(cart, shop["teh"], [], 2)
    add_to_cart(cart, shop["uduk"], [o.id for o in shop["uduk"].option_groups[1].options[:1]], 7)
    # ordered this morning for today, whatever time the test runs (late in the evening the first
    # free slot would be tomorrow, and today's portions untouched)
    morning = to_utc_naive(datetime.combine(jakarta_today(), time(8, 0), tzinfo=JAKARTA))
    order = checkout(cart, store, now=morning)
    assert order.fulfil_date == jakarta_today()
    alerts = {p.name: left for p, left in low_stock([store.id])[store.id]}
    assert alerts == {"Teh Manis": 3, "Nasi Uduk": 3}
    login(store.owner)
    page = client.get("/toko-saya").get_data(as_text=True)
    assert "Stok menipis" in page
    assert "sisa 3" in page
