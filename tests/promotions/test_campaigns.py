"""Campaigns by a KIM or the city: stores join, the page lists their products, campaign codes
apply at the stores that joined and only inside the campaign, followers see it start."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.core.db import to_jakarta, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.kim import announcements
from marketplace.promotions import campaigns as service
from marketplace.promotions import followers
from marketplace.promotions import services as promos
from tests.order_fixtures import add_to_cart


def jkt(delta: timedelta):
    """A naive Asia/Jakarta wall-clock time, the way the forms give it."""
    return to_jakarta(utcnow() + delta).replace(tzinfo=None)


@pytest.fixture
def kim_admin(create_user, create_kim_group):
    return create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))


@pytest.fixture
def festival(kim_admin):
    return service.save_campaign(
        kim_admin,
        service.CampaignData(
            title="Festival Kuliner Uwung Jaya",
            starts_at=jkt(timedelta(hours=-1)),
            ends_at=jkt(timedelta(days=7)),
            description="Seminggu kuliner kampung",
        ),
    )


def test_stores_join_and_the_page_lists_their_products(
    client, festival, shop, create_store, create_product
):
    store = shop["store"]
    service.join_campaign(store.owner, festival, store)
    service.join_campaign(store.owner, festival, store)  # twice is once
    elsewhere = create_store(area="Cibodasari", name="Warung Seberang")
    with pytest.raises(DomainError, match="kelurahan penyelenggara"):
        service.join_campaign(elsewhere.owner, festival, elsewhere)
    with pytest.raises(NotAllowed):
        service.join_campaign(elsewhere.owner, festival, store)
    page = client.get(f"/kampanye/{festival.id}").get_data(as_text=True)
    assert "Warung Bu Siti" in page
    assert "Nasi Uduk" in page
    assert "Teh Manis" in page
    assert "Warung Seberang" not in page
    assert "Festival Kuliner Uwung Jaya" in client.get("/kampanye").get_data(as_text=True)
    service.leave_campaign(store.owner, festival, store)
    assert service.member_stores(festival) == []


def test_campaign_code_applies_only_at_joined_stores(festival, shop, cart, checkout, create_store):
    # Given a campaign code of 20% up to Rp5.000
    code = promos.save_code(
        festival, promos.CodeData(code="FESTUJ", kind="percent", value=20, max_discount=5000)
    )
    store = shop["store"]
    other = create_store(name="Warung Lain")
    # A store that has not joined does not know the code
    assert promos.find_code(other, "festuj") is None
    add_to_cart(cart, shop["teh"], [], 5)  # Rp20.000
    with pytest.raises(DomainError, match="tidak dikenal"):
        checkout(cart, store, discount_code="FESTUJ")
    # When the store joins, the code applies there and is counted once
    service.join_campaign(store.owner, festival, store)
    order = checkout(cart, store, token="fest-1", discount_code="festuj")
    assert (order.subtotal, order.discount, order.total) == (20000, 4000, 16000)
    assert code.used_count == 1


def test_a_used_up_code_says_so_on_the_campaign_page(client, festival, shop, cart, checkout):
    promos.save_code(
        festival, promos.CodeData(code="FESTSATU", kind="fixed", value=2000, total_limit=1)
    )
    store = shop["store"]
    service.join_campaign(store.owner, festival, store)
    page = client.get(f"/kampanye/{festival.id}").get_data(as_text=True)
    assert "FESTSATU" in page
    assert "Kuota habis" not in page
    add_to_cart(cart, shop["teh"], [], 2)
    order = checkout(cart, store, token="fest-satu", discount_code="FESTSATU")
    assert "Kuota habis" in client.get(f"/kampanye/{festival.id}").get_data(as_text=True)
    promos.release(order.id)  # the order is cancelled unpaid: the use comes back
    assert "Kuota habis" not in client.get(f"/kampanye/{festival.id}").get_data(as_text=True)


def test_campaign_code_lives_inside_the_campaign_window(kim_admin, shop):
    later = service.save_campaign(
        kim_admin,
        service.CampaignData(
            title="Ramadan", starts_at=jkt(timedelta(days=2)), ends_at=jkt(timedelta(days=9))
        ),
    )
    store = shop["store"]
    service.join_campaign(store.owner, later, store)
    # The code's own window is open, but the campaign has not started yet
    code = promos.save_code(later, promos.CodeData(code="RAMADAN", kind="fixed", value=3000))
    with pytest.raises(DomainError, match="berlaku mulai"):
        promos.check_code(code, 20000, ["u1"])
    assert promos.check_code(code, 20000, ["u1"], now=later.starts_at) == 3000
    with pytest.raises(DomainError, match="berakhir"):
        promos.check_code(code, 20000, ["u1"], now=later.ends_at)


def test_campaign_codes_are_their_own_and_store_codes_win(festival, shop):
    store = shop["store"]
    service.join_campaign(store.owner, festival, store)
    promos.save_code(festival, promos.CodeData(code="HEMAT", kind="fixed", value=1000))
    with pytest.raises(DomainError, match="sudah ada di kampanye"):
        promos.save_code(festival, promos.CodeData(code="hemat", kind="fixed", value=2000))
    own = promos.save_code(store, promos.CodeData(code="HEMAT", kind="fixed", value=5000))
    assert promos.find_code(store, "HEMAT") == own
    assert promos.store_codes(store) == [own]


def test_only_the_organising_kim_manages_it(festival, create_user, create_kim_group, client, login):
    other = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Cibodasari"))
    data = service.CampaignData(
        title="Diambil alih", starts_at=jkt(timedelta(0)), ends_at=jkt(timedelta(days=1))
    )
    with pytest.raises(NotAllowed):
        service.save_campaign(other, data, festival)
    with pytest.raises(NotAllowed):
        service.save_campaign(create_user(Role.SELLER), data)
    login(other)
    assert client.get(f"/kim/kampanye/{festival.id}").status_code == 403
    response = client.post(
        f"/kim/kampanye/{festival.id}/kode",
        data={"code-code": "CURANG", "code-kind": "fixed", "code-value": "1000"},
    )
    assert response.status_code == 403
    assert service.campaign_codes(festival) == []
    assert festival.title == "Festival Kuliner Uwung Jaya"


def test_kim_runs_a_campaign_over_http(client, kim_admin, login):
    login(kim_admin)
    bad = client.post("/kim/kampanye", data={"title": "Tanpa tanggal"})
    assert bad.status_code == 400
    backwards = client.post(
        "/kim/kampanye",
        data={
            "title": "Terbalik",
            "starts_at": jkt(timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": jkt(timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert backwards.status_code == 400
    assert "setelah waktu mulai" in backwards.get_data(as_text=True)
    response = client.post(
        "/kim/kampanye",
        data={
            "title": "Pekan Jajanan",
            "starts_at": jkt(timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": jkt(timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    campaign = service.managed(kim_admin)[0]
    response = client.post(
        f"/kim/kampanye/{campaign.id}/kode",
        data={"code-code": "JAJAN", "code-kind": "percent", "code-value": "150"},
    )
    assert response.status_code == 400
    response = client.post(
        f"/kim/kampanye/{campaign.id}/kode",
        data={
            "code-code": "JAJAN",
            "code-kind": "percent",
            "code-value": "15",
            "code-is_active": "y",
        },
    )
    assert response.status_code == 302
    (code,) = service.campaign_codes(campaign)
    assert client.get(f"/toko-saya/promo/{code.id}").status_code == 404
    response = client.post(
        f"/kim/kampanye/kode/{code.id}", data={"code": "JAJAN", "kind": "fixed", "value": "2000"}
    )
    assert response.status_code == 302
    assert (code.kind, code.value, code.is_active) == ("fixed", 2000, False)


def test_seller_joins_over_http_and_followers_see_it(
    client, festival, shop, create_user, login, kim_admin
):
    store = shop["store"]
    login(store.owner)
    client.post(f"/kampanye/{festival.id}/ikut", data={"store_id": store.id})
    assert [s.id for s in service.member_stores(festival)] == [store.id]
    client.post("/akun/keluar")
    customer = create_user()
    followers.follow(customer, store)
    login(customer)
    assert "Festival Kuliner Uwung Jaya" in client.get("/diikuti").get_data(as_text=True)
    assert (
        client.post(f"/kampanye/{festival.id}/ikut", data={"store_id": store.id}).status_code == 403
    )


def test_announcement_links_a_campaign(client, festival, kim_admin):
    item = announcements.save_announcement(
        kim_admin,
        announcements.AnnouncementData(
            kind="acara",
            title="Ayo ke festival",
            summary="Festival",
            body="Datang",
            source="KIM Uwung Jaya",
            campaign_ids=[festival.id],
        ),
    )
    page = client.get(f"/pengumuman/{item.id}").get_data(as_text=True)
    assert f"/kampanye/{festival.id}" in page
    with pytest.raises(DomainError, match="Kampanye"):
        announcements.save_announcement(
            kim_admin,
            announcements.AnnouncementData(
                kind="acara", title="X", summary="X", body="X", source="X", campaign_ids=[999999]
            ),
        )
