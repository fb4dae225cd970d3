"""Followers see pre-orders and KIM news of the stores they follow; sellers get a broadcast."""

from marketplace.accounts.models import Role
from marketplace.kim import announcements
from marketplace.promotions import followers
from marketplace.promotions import services as promos


def test_follow_and_see_pre_orders_and_news(
    client, create_user, create_store, create_product, create_kim_group, login
):
    store = create_store(name="Kue Bunda")
    create_product(store, name="Nastar Lebaran", price=95000, lead_days=2)
    create_product(store, name="Roti Biasa", price=5000)
    kim = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    announcements.save_announcement(
        kim,
        announcements.AnnouncementData(
            kind="acara",
            title="Festival Kue",
            summary="Kue Lebaran",
            body="Datang ya",
            source="KIM",
            store_ids=[store.id],
        ),
    )
    customer = create_user()
    login(customer)
    client.post(f"/toko/{store.slug}/ikuti")
    client.post(f"/toko/{store.slug}/ikuti")  # twice is once
    assert followers.follower_count(store) == 1
    page = client.get("/diikuti").get_data(as_text=True)
    assert "Nastar Lebaran" in page
    assert "Roti Biasa" not in page
    assert "Festival Kue" in page
    client.post(f"/toko/{store.slug}/ikuti", data={"stop": "1"})
    assert followers.follower_count(store) == 0


def test_pending_store_cannot_be_followed(client, create_user, create_store, login):
    store = create_store(status="pending")
    login(create_user())
    assert client.post(f"/toko/{store.slug}/ikuti").status_code == 404


def test_seller_broadcast_text(client, create_store, create_product, login):
    store = create_store(name="Kue Bunda")
    create_product(store, name="Nastar Lebaran", price=95000, lead_days=2)
    promos.save_code(store, promos.CodeData(code="LEBARAN", kind="fixed", value=10000))
    login(store.owner)
    page = client.get(f"/toko-saya/{store.id}/siaran").get_data(as_text=True)
    assert "Pre-order Nastar Lebaran (Rp95.000), pesan H-2" in page
    assert "Pakai kode LEBARAN: potongan Rp10.000" in page
    assert "https://wa.me/?text=" in page
