from __future__ import annotations

from datetime import datetime

import pytest

from marketplace.orders import services
from marketplace.orders.cart import SessionCart, add_to_cart
from marketplace.orders.services import CheckoutData, available_slots


@pytest.fixture
def shop(create_store, create_product):
    """A verified, always-open store with pickup and delivery, and a few products."""
    store = create_store(offers_delivery=True, delivery_fee=5000, name="Warung Bu Siti")
    uduk = create_product(store, name="Nasi Uduk", price=15000, stock_mode="daily", daily_quota=10)
    from marketplace.catalog.services import save_option_group

    save_option_group(uduk, "Tambahan", "Telur +3000\nTempe +2000", True, False)
    save_option_group(uduk, "Level", "Pedas\nTidak pedas", False, True)
    teh = create_product(store, name="Teh Manis", price=4000, stock_mode="counted", stock=5)
    return {"store": store, "uduk": uduk, "teh": teh}


def options(product, *names):
    return [o.id for g in product.option_groups for o in g.options if o.name in names]


@pytest.fixture
def cart():
    return SessionCart({})


@pytest.fixture
def checkout():
    """Place an order for one store from a cart, with sensible defaults."""

    def place(
        cart,
        store,
        token="tok-1",  # noqa: S107 - a checkout token, not a secret
        customer=None,
        now: datetime | None = None,
        **fields,
    ):
        slot = available_slots(store, 0, now)[0]
        data = CheckoutData(
            checkout_token=token,
            name=fields.pop("name", "Dewi"),
            phone=fields.pop("phone", "081300001111"),
            fulfilment=fields.pop("fulfilment", "pickup"),
            fulfil_at=fields.pop("fulfil_at", slot.isoformat()),
            **fields,
        )
        return services.place_order(cart, store.id, data, customer, now)

    return place


def submit_checkout(client, store_id: int, page: str, method: str, **extra):
    """Post the checkout page ``page`` (as the browser got it) for pickup at its first time."""
    import re

    token = re.search(r'name="checkout_token"[^>]*value="([^"]+)"', page).group(1)
    slot = re.search(r'<option value="([^"]+)"', page.split('name="fulfil_at"')[1]).group(1)
    data = {
        "checkout_token": token,
        "name": "Dewi",
        "phone": "081300001111",
        "fulfilment": "pickup",
        "fulfil_at": slot,
        "payment_method": method,
    }
    return client.post(f"/keranjang/toko/{store_id}/pesan", data={**data, **extra})


__all__ = ["add_to_cart", "options", "submit_checkout"]
