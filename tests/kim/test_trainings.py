"""Trainings: capacity, registration by sellers, attendance by the KIM, shown on the storefront."""

from datetime import timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.core.db import to_jakarta, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.kim import trainings as service


@pytest.fixture
def kim_admin(create_user, create_kim_group):
    return create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))


def soon(days=3):
    return to_jakarta(utcnow()).replace(tzinfo=None) + timedelta(days=days)


def test_capacity_registration_attendance_and_profile(
    client, kim_admin, create_user, create_store, login
):
    training = service.create_training(
        kim_admin, "Foto produk pakai HP", "foto produk", "Aula Kelurahan", soon(), capacity=2
    )
    sellers = [create_user(Role.SELLER) for _ in range(3)]
    first = service.register(sellers[0], training)
    service.register(sellers[1], training)
    with pytest.raises(DomainError, match="penuh"):
        service.register(sellers[2], training)
    with pytest.raises(DomainError, match="sudah terdaftar"):
        service.register(sellers[0], training)
    with pytest.raises(NotAllowed):  # admins do not take seats
        service.register(create_user(Role.CITY_ADMIN), training)
    service.mark_attendance(kim_admin, first, True)
    assert [t.title for t in service.attended_by(sellers[0].id)] == ["Foto produk pakai HP"]
    store = create_store(owner=sellers[0])
    assert "Foto produk pakai HP" in client.get(f"/toko/{store.slug}").get_data(as_text=True)


def test_attendee_list_is_for_the_kim_only(client, kim_admin, create_user, create_kim_group, login):
    training = service.create_training(
        kim_admin, "Pembukuan sederhana", "pembukuan", "Balai RW", soon(), capacity=10
    )
    seller = create_user(Role.SELLER, name="Bu Peserta")
    service.register(seller, training)
    login(kim_admin)
    assert "Bu Peserta" in client.get(f"/kim/pelatihan/{training.id}").get_data(as_text=True)
    client.post("/akun/keluar")
    assert "Bu Peserta" not in client.get("/pelatihan").get_data(as_text=True)
    other = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Cibodasari"))
    login(other)
    assert client.get(f"/kim/pelatihan/{training.id}").status_code == 403


def test_seller_registers_over_http(client, kim_admin, create_user, login):
    training = service.create_training(
        kim_admin,
        "Sertifikasi halal gratis",
        "sertifikasi halal",
        "Kantor Kelurahan",
        soon(),
        capacity=5,
    )
    login(create_user(Role.SELLER))
    client.post(f"/pelatihan/{training.id}/daftar")
    assert len(training.registrations) == 1
    assert "Anda terdaftar" in client.get("/pelatihan").get_data(as_text=True)


def test_bad_trainings_are_refused(kim_admin, create_user):
    with pytest.raises(DomainError, match="masa depan"):
        service.create_training(kim_admin, "Lampau", "x", "y", soon(-1), 5)
    with pytest.raises(DomainError, match="Kapasitas"):
        service.create_training(kim_admin, "Nol", "x", "y", soon(), 0)
    with pytest.raises(NotAllowed):
        service.create_training(create_user(Role.SELLER), "Bukan KIM", "x", "y", soon(), 5)


def test_a_resident_planning_a_business_takes_a_seat(client, create_user, login, kim_admin):
    training = service.create_training(
        kim_admin, "Mulai usaha kuliner", "perizinan PIRT", "Balai warga", soon(), 2
    )
    resident = create_user(Role.CUSTOMER, name="Calon Pengusaha")
    assert "Masuk untuk mendaftar" in client.get("/pelatihan").get_data(as_text=True)
    login(resident)
    response = client.post(f"/pelatihan/{training.id}/daftar")
    assert response.status_code == 302
    assert [r.user_id for r in training.registrations] == [resident.id]
    assert "Anda terdaftar" in client.get("/pelatihan").get_data(as_text=True)
