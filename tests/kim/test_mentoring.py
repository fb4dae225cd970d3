"""Pendampingan: the KIM records visits and advice to a store, the seller confirms them, and the
impact dashboard counts mentored stores and their sales before and after the first visit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.core.db import jakarta_today
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.kim import impact, mentoring


@pytest.fixture
def kim_admin(create_user, create_kim_group):
    return create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))


def visit(**fields) -> mentoring.VisitData:
    return mentoring.VisitData(
        visited_on=fields.pop("visited_on", jakarta_today()),
        topic=fields.pop("topic", "pembukuan"),
        notes=fields.pop("notes", "Mulai pisahkan uang usaha dan uang rumah di buku kas."),
        next_step=fields.pop("next_step", "Catat semua belanja bahan seminggu"),
        next_step_on=fields.pop("next_step_on", jakarta_today() + timedelta(days=7)),
    )


def test_the_kim_records_and_the_seller_confirms(client, kim_admin, create_store, login):
    store = create_store()
    login(kim_admin)
    page = client.post(
        f"/kim/toko/{store.id}/pendampingan",
        data={
            "topic": "perizinan",
            "notes": "Bantu daftar NIB lewat OSS, bawa KTP minggu depan.",
            "next_step": "Daftar NIB",
        },
    )
    assert page.status_code == 302
    (recorded,) = mentoring.visits_of(store)
    assert (recorded.topic, recorded.visited_on, recorded.confirmed_at) == (
        "perizinan",
        jakarta_today(),
        None,
    )
    client.post("/akun/keluar")
    login(store.owner)
    mine = client.get(f"/toko-saya/{store.id}/pendampingan").get_data(as_text=True)
    assert "Bantu daftar NIB" in mine
    assert "Belum dikonfirmasi" in mine
    client.post(f"/toko-saya/pendampingan/{recorded.id}/konfirmasi")
    assert recorded.confirmed_at is not None
    assert "Dikonfirmasi penjual" in client.get(f"/toko-saya/{store.id}/pendampingan").get_data(
        as_text=True
    )


def test_only_the_stores_kim_mentors_and_only_its_owner_confirms(
    kim_admin, create_user, create_kim_group, create_store
):
    store = create_store()
    elsewhere = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Sukasari"))
    with pytest.raises(NotAllowed):
        mentoring.record_visit(elsewhere, store, visit())
    recorded = mentoring.record_visit(kim_admin, store, visit())
    with pytest.raises(NotAllowed):
        mentoring.confirm(create_user(Role.SELLER), recorded)
    for fields, message in (
        ({"topic": "cuaca"}, "topik"),
        ({"notes": "ok"}, "minimal 10"),
        ({"visited_on": jakarta_today() + timedelta(days=2)}, "masa depan"),
        ({"next_step_on": jakarta_today() - timedelta(days=3)}, "sesudah kunjungan"),
    ):
        with pytest.raises(DomainError, match=message):
            mentoring.record_visit(kim_admin, store, visit(**fields))


def test_the_impact_dashboard_counts_mentored_stores(client, kim_admin, create_store, login):
    stores = [create_store() for _ in range(3)]
    assert impact.mentoring_effect(kim_admin) is None
    for store in stores:
        mentoring.record_visit(kim_admin, store, visit())
    mentoring.record_visit(kim_admin, stores[0], visit(topic="promosi"))
    assert impact.mentored_stores(kim_admin) == 3
    effect = impact.mentoring_effect(kim_admin)
    assert (effect.stores, effect.before, effect.after) == (3, 0, 0)
    login(kim_admin)
    page = client.get("/kim/dampak").get_data(as_text=True)
    assert "3 toko sudah didampingi" in page


def test_a_member_the_kim_appoints_mentors_its_stores(
    client, kim_admin, create_user, create_kim_group, create_store, login
):
    from marketplace.kim import services as kim_services

    store = create_store()
    volunteer = create_user(Role.CUSTOMER, name="Kak Rina", phone="6281377778888")
    member = kim_services.add_member(
        kim_admin, kim_admin.kim_group, "Kak Rina", "koordinator_penyebaran", "081377778888"
    )
    assert not mentoring.can_mentor(volunteer, store)
    login(kim_admin)
    client.post(f"/kim/anggota/{member.id}/pendamping")
    assert member.is_mentor
    client.post("/akun/keluar")
    login(volunteer)
    assert "Pendampingan UMKM" in client.get("/akun/").get_data(as_text=True)
    assert store.name in client.get("/kim/pendampingan").get_data(as_text=True)
    answer = client.post(
        f"/kim/toko/{store.id}/pendampingan",
        data={"topic": "promosi", "notes": "Foto produk di tempat terang, pasang di WhatsApp."},
    )
    assert answer.status_code == 302
    assert mentoring.visits_of(store)[0].mentor_id == volunteer.id
    # not in another kelurahan, and not once the KIM stops the appointment
    elsewhere = create_store(area="Sukasari")
    assert client.get(f"/kim/toko/{elsewhere.id}/pendampingan").status_code in (403, 404)
    kim_services.set_mentor(kim_admin, member, False)
    assert not mentoring.can_mentor(volunteer, store)
    unlinked = kim_services.add_member(kim_admin, kim_admin.kim_group, "Tanpa Akun", "anggota")
    with pytest.raises(DomainError, match="perlu akun"):
        kim_services.set_mentor(kim_admin, unlinked, True)
    other_admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Sukasari"))
    with pytest.raises(NotAllowed):
        kim_services.set_mentor(other_admin, member, True)
