"""UMKM unggulan: scheduled windows, expiry by themselves, scoping, logging, fair rotation."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.core.db import jakarta_today, to_jakarta, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.kim import featured
from marketplace.kim.models import FeaturedSlot, FeaturedSlotLog
from marketplace.stores.services import pause_store


@pytest.fixture
def kim_admin(create_user, create_kim_group):
    return create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))


def window(hours_from_now: float, length_hours: float):
    start = to_jakarta(utcnow()) + timedelta(hours=hours_from_now)
    return start, start + timedelta(hours=length_hours)


def test_slot_shows_only_inside_its_window(kim_admin, create_store):
    store = create_store(name="Warung Unggul")
    start, end = window(-1, 2)
    featured.schedule_slot(kim_admin, store, "Terlaris", start, end)
    assert [s.store.name for s in featured.current_featured()] == ["Warung Unggul"]
    assert featured.current_featured(store.kelurahan_id)[0].headline == "Terlaris"
    later = utcnow() + timedelta(hours=2)
    assert featured.current_featured(now=later) == []  # expired by itself
    earlier = utcnow() - timedelta(hours=2)
    assert featured.current_featured(now=earlier) == []


def test_window_edges(kim_admin, create_store):
    store = create_store()
    start = datetime(2026, 12, 1, 8, 0)  # Asia/Jakarta
    slot = featured.schedule_slot(kim_admin, store, "Pagi", start, start + timedelta(hours=2))
    assert [s.id for s in featured.current_featured(now=slot.starts_at)] == [slot.id]
    last_second = slot.ends_at - timedelta(seconds=1)
    assert [s.id for s in featured.current_featured(now=last_second)] == [slot.id]
    assert featured.current_featured(now=slot.ends_at) == []


def test_paused_and_unverified_stores_are_not_shown(kim_admin, create_store):
    store = create_store()
    featured.schedule_slot(kim_admin, store, "Enak", *window(-1, 5))
    pause_store(store, "Libur", None)
    assert featured.current_featured() == []
    with pytest.raises(DomainError, match="terverifikasi"):
        featured.schedule_slot(kim_admin, create_store(status="pending"), "X", *window(0, 1))


def test_kim_admin_features_only_their_kelurahan(kim_admin, create_store, create_user):
    other = create_store(area="Cibodasari")
    with pytest.raises(NotAllowed):
        featured.schedule_slot(kim_admin, other, "Bukan wilayahku", *window(0, 1))
    with pytest.raises(NotAllowed):
        featured.schedule_slot(kim_admin, create_store(), "Se-kota", *window(0, 1), city_wide=True)
    city = create_user(Role.CITY_ADMIN)
    slot = featured.schedule_slot(city, other, "Pilihan kota", *window(0, 1), city_wide=True)
    assert slot.kelurahan_id is None
    with pytest.raises(NotAllowed):
        featured.remove_slot(kim_admin, slot)


def test_every_change_is_logged(kim_admin, create_store):
    slot = featured.schedule_slot(kim_admin, create_store(), "Catat", *window(0, 1))
    featured.remove_slot(kim_admin, slot)
    actions = [
        (entry.action, entry.actor_id)
        for entry in db.session.scalars(select(FeaturedSlotLog).order_by(FeaturedSlotLog.id))
    ]
    assert actions == [("create", kim_admin.id), ("delete", kim_admin.id)]


def test_fair_rotation_gives_everyone_a_turn(kim_admin, create_store):
    stores = [create_store(name=f"Warung {n}") for n in range(4)]
    slots = featured.rotate(
        kim_admin, stores[0].kelurahan_id, jakarta_today(), days=4, per_day=2, headline="Giliran"
    )
    counts = db.session.execute(
        select(FeaturedSlot.store_id, func.count()).group_by(FeaturedSlot.store_id)
    ).all()
    assert len(slots) == 8
    assert sorted(n for _store, n in counts) == [2, 2, 2, 2]
    today = featured.current_featured(stores[0].kelurahan_id)
    assert len(today) == 2


def test_featured_page_and_home_page(client, kim_admin, create_store, login):
    store = create_store(name="Dapur Juara")
    login(kim_admin)
    start, end = window(-1, 3)
    response = client.post(
        "/kim/unggulan",
        data={
            "store_id": store.id,
            "headline": "Juara lomba masak",
            "position": "1",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "UMKM unggulan" in home
    assert "Juara lomba masak" in home
    assert "Dapur Juara" in client.get("/kelurahan/uwung-jaya").get_data(as_text=True)
    response = client.post(
        "/kim/unggulan",
        data={
            "store_id": store.id,
            "headline": "Terbalik",
            "starts_at": end.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": start.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    assert "setelah waktu mulai" in response.get_data(as_text=True)
