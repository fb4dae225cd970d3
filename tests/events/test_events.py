"""Bazaars and exhibitions: booth quota and waitlist, scoping, pre-orders at the booth, recap."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.core.db import JAKARTA, jakarta_today, to_jakarta
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.events import services
from marketplace.events.models import BoothStatus
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.services import CheckoutData
from tests.order_fixtures import add_to_cart


@pytest.fixture
def kim_admin(create_user, create_kim_group):
    return create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))


def event_data(quota=2, days_ahead=3, length=2, **fields) -> services.EventData:
    first = jakarta_today() + timedelta(days=days_ahead)
    return services.EventData(
        title=fields.pop("title", "Bazar Kuliner Uwung Jaya"),
        place=fields.pop("place", "Lapangan RW 03, Uwung Jaya"),
        starts_on=first,
        ends_on=first + timedelta(days=length - 1),
        opens_at=fields.pop("opens_at", time(16, 0)),
        closes_at=fields.pop("closes_at", time(21, 0)),
        booth_quota=quota,
        **fields,
    )


def test_booth_quota_waitlist_and_moving_up(kim_admin, create_store):
    # Given a bazaar with two booths and four stores applying
    event = services.save_event(kim_admin, event_data(quota=2))
    stores = [create_store(name=f"Warung {n}") for n in range(4)]
    applied = [services.apply_for_booth(s.owner, event, s) for s in stores]
    # Then the first two wait for a decision and the others are on the waitlist, in order
    assert [a.status for a in applied] == ["pending", "pending", "waitlisted", "waitlisted"]
    # When the KIM accepts one and refuses the other
    services.accept_booth(kim_admin, applied[0])
    services.reject_booth(kim_admin, applied[1], "Menu sama dengan peserta lain")
    # Then the first on the waitlist moves up, the second keeps waiting
    assert [a.status for a in applied] == ["accepted", "rejected", "pending", "waitlisted"]
    services.accept_booth(kim_admin, applied[2])
    # A full quota refuses another acceptance, even of a waitlisted store
    with pytest.raises(DomainError, match="penuh"):
        services.accept_booth(kim_admin, applied[3])
    # When an accepted store withdraws, the waitlist moves up again
    services.withdraw_booth(stores[0].owner, applied[0])
    assert applied[3].status == BoothStatus.PENDING
    services.accept_booth(kim_admin, applied[3])
    assert {s.name for s in services.participants(event)} == {"Warung 2", "Warung 3"}


def test_applications_are_checked(kim_admin, create_store, create_user):
    event = services.save_event(kim_admin, event_data(quota=1))
    store = create_store()
    services.apply_for_booth(store.owner, event, store)
    with pytest.raises(DomainError, match="sudah mendaftar"):
        services.apply_for_booth(store.owner, event, store)
    with pytest.raises(NotAllowed):
        services.apply_for_booth(create_user(Role.SELLER), event, store)
    pending = create_store(status="pending")
    with pytest.raises(DomainError, match="terverifikasi"):
        services.apply_for_booth(pending.owner, event, pending)
    # A withdrawn application may apply again: it joins the back of the queue
    application = services.applications_of(store.owner, event)[0]
    services.withdraw_booth(store.owner, application)
    assert services.apply_for_booth(store.owner, event, store).status == BoothStatus.PENDING


def test_quota_cannot_drop_below_accepted_booths(kim_admin, create_store):
    event = services.save_event(kim_admin, event_data(quota=2))
    for store in (create_store(), create_store()):
        services.accept_booth(kim_admin, services.apply_for_booth(store.owner, event, store))
    with pytest.raises(DomainError, match="kuota"):
        services.save_event(kim_admin, event_data(quota=1), event)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": " "}, "nama acara"),
        ({"closes_at": time(9, 0), "opens_at": time(10, 0)}, "Jam tutup"),
        ({"days_ahead": -5, "length": 1}, "hari ini atau nanti"),
        ({"length": 40}, "paling lama"),
        ({"quota": 0}, "Kuota"),
    ],
)
def test_bad_events_are_refused(kim_admin, change, message):
    with pytest.raises(DomainError, match=message):
        services.save_event(kim_admin, event_data(**change))


def test_only_the_organising_kim_decides(kim_admin, create_user, create_kim_group, create_store):
    event = services.save_event(kim_admin, event_data())
    store = create_store()
    application = services.apply_for_booth(store.owner, event, store)
    other = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Cibodasari"))
    for attempt in (
        lambda: services.accept_booth(other, application),
        lambda: services.reject_booth(other, application, "Tidak"),
        lambda: services.save_event(other, event_data(), event),
        lambda: services.save_event(create_user(Role.SELLER), event_data()),
    ):
        with pytest.raises(NotAllowed):
            attempt()
    assert application.status == BoothStatus.PENDING
    city = create_user(Role.CITY_ADMIN)
    services.accept_booth(city, application)
    assert application.status == BoothStatus.ACCEPTED


def booth_slots(store, event, now=None):
    return orders.available_slots(store, 0, now, event=event)


def test_booth_slots_follow_the_event_days_and_hours(kim_admin, create_store):
    event = services.save_event(kim_admin, event_data(length=2))
    store = create_store()
    slots = booth_slots(store, event)
    assert {s.date() for s in slots} == {event.starts_on, event.ends_on}
    assert min(s.timetz() for s in slots) == time(16, 0, tzinfo=JAKARTA)
    assert max(s.timetz() for s in slots) == time(20, 30, tzinfo=JAKARTA)
    # During the event's last evening only the later times are left
    during = datetime.combine(event.ends_on, time(18, 10), tzinfo=JAKARTA)
    later = booth_slots(store, event, now=during)
    assert later[0] == datetime.combine(event.ends_on, time(19, 0), tzinfo=JAKARTA)


def test_pre_order_at_the_event_takes_its_pickup_point_and_time(
    kim_admin, shop, cart, client, login
):
    # Given a store with a booth at the bazaar
    store = shop["store"]
    event = services.save_event(kim_admin, event_data())
    services.accept_booth(kim_admin, services.apply_for_booth(store.owner, event, store))
    add_to_cart(cart, shop["teh"], [], 2)
    slot = booth_slots(store, event)[3]
    # When a resident pre-orders for pickup at the booth
    order = orders.place_order(
        cart,
        store.id,
        CheckoutData(
            checkout_token="bazar-1",
            name="Dewi",
            phone="081300001111",
            fulfilment="pickup",
            fulfil_at=slot.isoformat(),
            event_id=event.id,
        ),
    )
    # Then the order's pickup point and time are the event's
    assert order.event_id == event.id
    assert to_jakarta(order.fulfil_at) == slot
    assert order.fulfil_date == event.starts_on
    page = client.get(f"/pesanan/{order.token}").get_data(as_text=True)
    assert "Lapangan RW 03, Uwung Jaya" in page
    assert "Ambil di booth acara" in page
    # And the KIM's recap counts it for the store
    recap = services.sales_recap(event)
    assert [(r.store.id, r.orders, r.completed, r.sales) for r in recap] == [(store.id, 1, 0, 8000)]
    orders.accept_order(order, store.owner)
    orders.mark_ready(order, store.owner)
    orders.complete_order(order, store.owner)
    assert services.sales_recap(event)[0].completed == 1


def test_pre_order_needs_a_booth_and_an_event_time(kim_admin, shop, cart, create_store):
    store = shop["store"]
    event = services.save_event(kim_admin, event_data())
    add_to_cart(cart, shop["teh"], [], 1)

    def place(fulfil_at, token, **fields):
        return orders.place_order(
            cart,
            store.id,
            CheckoutData(
                checkout_token=token,
                name="Dewi",
                phone="081300001111",
                fulfilment=fields.pop("fulfilment", "pickup"),
                fulfil_at=fulfil_at,
                event_id=event.id,
                **fields,
            ),
        )

    event_time = booth_slots(store, event)[0].isoformat()
    with pytest.raises(DomainError, match="tidak membuka booth"):
        place(event_time, "t1")
    services.accept_booth(kim_admin, services.apply_for_booth(store.owner, event, store))
    shop_time = orders.available_slots(store, 0)[0].isoformat()
    with pytest.raises(DomainError, match="tidak tersedia"):
        place(shop_time, "t2")
    with pytest.raises(DomainError, match="diambil di booth"):
        place(event_time, "t3", fulfilment="delivery")
    assert db.session.scalar(db.select(db.func.count()).select_from(orders.Order)) == 0


def test_event_pages_and_checkout_over_http(kim_admin, shop, client, login, create_store):
    store = shop["store"]
    login(kim_admin)
    response = client.post(
        "/kim/acara",
        data={
            "title": "Pameran UMKM Uwung Jaya",
            "place": "Aula Kelurahan",
            "starts_on": (jakarta_today() + timedelta(days=2)).isoformat(),
            "ends_on": (jakarta_today() + timedelta(days=3)).isoformat(),
            "opens_at": "09:00",
            "closes_at": "15:00",
            "booth_quota": "5",
        },
    )
    assert response.status_code == 302
    event = services.managed(kim_admin)[0]
    bad = client.post("/kim/acara", data={"title": "X", "place": "Y", "booth_quota": "abc"})
    assert bad.status_code == 400
    client.post("/akun/keluar")
    # The seller applies from the event page; the KIM accepts from its panel
    login(store.owner)
    client.post(f"/acara/{event.id}/booth", data={"store_id": store.id})
    application = services.applications_of(store.owner, event)[0]
    assert application.status == BoothStatus.PENDING
    client.post("/akun/keluar")
    login(kim_admin)
    client.post(f"/kim/acara/booth/{application.id}/terima")
    assert application.status == BoothStatus.ACCEPTED
    client.post("/akun/keluar")
    # A resident sees the store's products on the event page and pre-orders at the booth
    page = client.get(f"/acara/{event.id}").get_data(as_text=True)
    assert store.name in page
    assert "Teh Manis" in page
    client.post("/keranjang/tambah", data={"product_id": shop["teh"].id, "jumlah": "1"})
    assert "ambil di booth Pameran UMKM" in client.get("/keranjang").get_data(as_text=True)
    form = client.get(f"/keranjang/toko/{store.id}/pesan?acara={event.id}")
    assert "Aula Kelurahan" in form.get_data(as_text=True)
    slot = booth_slots(store, event)[0]
    with client.session_transaction() as session:
        token = session["checkout_tokens"][str(store.id)]
    response = client.post(
        f"/keranjang/toko/{store.id}/pesan?acara={event.id}",
        data={
            "checkout_token": token,
            "name": "Dewi",
            "phone": "081300001111",
            "fulfilment": "delivery",  # ignored: a booth pre-order is picked up
            "fulfil_at": slot.isoformat(),
            "payment_method": "cash",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    order = orders.find_by_checkout_token(token)
    assert order.event_id == event.id
    assert order.fulfilment == "pickup"
    # The KIM sees the sale in the recap
    login(kim_admin)
    assert "Rp4.000" in client.get(f"/kim/acara/{event.id}").get_data(as_text=True)


def test_a_finished_event_takes_no_applications(kim_admin, create_store):
    event = services.save_event(kim_admin, event_data(days_ahead=0, length=1))
    event.starts_on = event.ends_on = jakarta_today() - timedelta(days=3)
    store = create_store()
    with pytest.raises(DomainError, match="sudah selesai"):
        services.apply_for_booth(store.owner, event, store)
    assert services.upcoming() == []
