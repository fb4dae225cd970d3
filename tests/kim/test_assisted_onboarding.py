"""Assisted onboarding: a KIM admin opens a store for a resident who is not online, manages it
meanwhile, and the resident claims it with a single-use link; then the KIM's hands are off."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.kim import assisted
from marketplace.kim.models import StoreClaim
from marketplace.stores.services import StoreData
from tests.factories import kelurahan


@pytest.fixture
def kim_admin(create_user, create_kim_group):
    return create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))


def basics(**fields) -> StoreData:
    return StoreData(
        name=fields.pop("name", "Dapur Mak Ijah"),
        whatsapp=fields.pop("whatsapp", "081299990000"),
        address="Jl. Melati 3",
        rt="001",
        rw="003",
        kelurahan_id=fields.pop("kelurahan_id", kelurahan("Uwung Jaya").id),
        **fields,
    )


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_the_kim_opens_manages_and_the_resident_takes_over(client, kim_admin, login):
    login(kim_admin)
    page = client.post(
        "/kim/toko-baru",
        data={
            "resident_name": "Mak Ijah",
            "resident_phone": "0812-9999-0000",
            "name": "Dapur Mak Ijah",
            "whatsapp": "081299990000",
            "kelurahan_id": "Uwung Jaya",
            "address": "Jl. Melati 3",
            "rt": "001",
            "rw": "003",
            "offers_pickup": "y",
        },
    ).get_data(as_text=True)
    link = re.search(r"<code>([^<]+)</code>", page).group(1)
    assert "/kim/klaim/" in link
    from marketplace.stores.models import Store

    store = Store.query.filter_by(name="Dapur Mak Ijah").one()
    assert store.assisted_by_id == kim_admin.kim_group_id
    assert store.owner.phone == "6281299990000"
    # meanwhile the KIM manages it: hours, products
    assert client.get(f"/toko-saya/{store.id}/jam").status_code == 200
    assert client.get(f"/toko-saya/{store.id}/produk/baru").status_code == 200
    client.post("/akun/keluar")

    claim_page = client.get(f"/kim/klaim/{token_of(link)}")
    assert "Dapur Mak Ijah" in claim_page.get_data(as_text=True)
    weak = client.post(f"/kim/klaim/{token_of(link)}", data={"new": "123", "confirm": "123"})
    assert weak.status_code == 400
    taken = client.post(
        f"/kim/klaim/{token_of(link)}",
        data={"new": "rahasia-mak-ijah", "confirm": "rahasia-mak-ijah"},
    )
    assert taken.status_code == 302
    db.session.refresh(store)
    assert store.assisted_by_id is None
    assert client.get("/toko-saya").status_code == 200  # signed in as the owner now
    client.post("/akun/keluar")
    answer = client.post(
        "/akun/masuk", data={"login": "081299990000", "password": "rahasia-mak-ijah"}
    )
    assert answer.status_code == 302
    client.post("/akun/keluar")
    # single use; and the KIM no longer edits the store
    assert client.get(f"/kim/klaim/{token_of(link)}").status_code == 404
    login(kim_admin)
    assert client.get(f"/toko-saya/{store.id}/jam").status_code in (403, 404)


def test_links_expire_and_a_new_one_replaces_the_old(kim_admin):
    store, first = assisted.open_for_resident(kim_admin, "Mak Ijah", "081299990000", basics())
    second = assisted.new_claim_link(kim_admin, store)
    with pytest.raises(DomainError, match="kedaluwarsa"):
        assisted.claim(token_of(first), "rahasia-mak-ijah")
    StoreClaim.query.filter_by(store_id=store.id, used_at=None).update(
        {"expires_at": utcnow() - timedelta(minutes=1)}
    )
    with pytest.raises(DomainError, match="kedaluwarsa"):
        assisted.claim(token_of(second), "rahasia-mak-ijah")
    with pytest.raises(DomainError, match="kedaluwarsa"):
        assisted.claim("tebakan-acak", "rahasia-mak-ijah")


def test_only_for_new_residents_of_the_kims_own_kelurahan(kim_admin, create_user, create_kim_group):
    with pytest.raises(NotAllowed):
        assisted.open_for_resident(
            kim_admin, "Pak Budi", "081211112222", basics(kelurahan_id=kelurahan("Sukasari").id)
        )
    existing = create_user(Role.CUSTOMER, phone="6281233334444")
    with pytest.raises(DomainError, match="sudah punya akun"):
        assisted.open_for_resident(kim_admin, "Bu Ani", existing.phone, basics())
    store, _link = assisted.open_for_resident(kim_admin, "Mak Ijah", "081299990000", basics())
    other = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Sukasari"))
    assert not store.is_managed_by(other)
    with pytest.raises(NotAllowed):
        assisted.new_claim_link(other, store)
    with pytest.raises(NotAllowed):
        assisted.open_for_resident(create_user(Role.SELLER), "X", "081255556666", basics())
