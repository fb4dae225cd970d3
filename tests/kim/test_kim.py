import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.areas import services as areas
from marketplace.areas.models import Kecamatan, Kelurahan
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.kim import services
from marketplace.kim.models import KimGroup
from tests.factories import kelurahan


def test_all_thirteen_kecamatan_and_104_kelurahan_are_seeded(app):
    names = set(db.session.scalars(select(Kecamatan.name)))
    assert names == {
        "Batuceper",
        "Benda",
        "Cibodas",
        "Ciledug",
        "Cipondoh",
        "Jatiuwung",
        "Karangtengah",
        "Karawaci",
        "Larangan",
        "Neglasari",
        "Periuk",
        "Pinang",
        "Tangerang",
    }
    assert db.session.scalar(select(func.count(Kelurahan.id))) == 104
    uwung = kelurahan("Uwung Jaya")
    assert (uwung.kecamatan.name, uwung.postal_code, uwung.code) == (
        "Cibodas",
        "15138",
        "36.71.09.1005",
    )
    assert kelurahan("Cibodasari").kecamatan.name == "Cibodas"


def test_seeding_again_adds_nothing(app):
    assert areas.seed_areas() == 0


def test_city_admin_adds_and_renames_a_kelurahan(client, create_user, login, count_rows):
    admin = create_user(Role.CITY_ADMIN)
    login(admin)
    cibodas = db.session.scalar(select(Kecamatan).where(Kecamatan.name == "Cibodas"))
    response = client.post(
        "/admin/wilayah",
        data={"kecamatan_id": cibodas.id, "name": "Uwung Baru", "postal_code": "15139"},
    )
    assert response.status_code == 302
    created = kelurahan("Uwung Baru")
    assert created.slug == "uwung-baru"
    before = count_rows(Kelurahan)
    response = client.post(
        "/admin/wilayah", data={"kecamatan_id": cibodas.id, "name": "Uwung Jaya"}
    )
    assert response.status_code == 400
    assert "sudah ada" in response.get_data(as_text=True)
    response = client.post(
        "/admin/wilayah", data={"kecamatan_id": cibodas.id, "name": "X", "postal_code": "12"}
    )
    assert response.status_code == 400
    assert count_rows(Kelurahan) == before
    response = client.post(f"/admin/wilayah/{created.id}", data={"name": "Uwung Permai"})
    assert response.status_code == 302
    assert created.name == "Uwung Permai"
    assert created.slug == "uwung-baru"  # links keep working


def test_kim_admin_cannot_change_areas(create_user, create_kim_group):
    admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group())
    with pytest.raises(NotAllowed):
        areas.rename_kelurahan(admin, kelurahan("Uwung Jaya"), "Baru")


def test_kim_offices_and_admins(client, create_user, login):
    city = create_user(Role.CITY_ADMIN)
    resident = create_user(Role.CUSTOMER, phone="6281355554444")
    login(city)
    response = client.post("/kim/grup/baru", data={"kelurahan_id": kelurahan("Cibodas Baru").id})
    assert response.status_code == 302
    group = db.session.scalar(
        select(KimGroup).where(KimGroup.kelurahan_id == kelurahan("Cibodas Baru").id)
    )
    assert group.name == "KIM Cibodas Baru"
    response = client.post("/kim/grup/baru", data={"kelurahan_id": kelurahan("Cibodas Baru").id})
    assert response.status_code == 400
    for office in (
        "penasehat",
        "ketua",
        "sekretaris",
        "bendahara",
        "koordinator_pengolahan",
        "koordinator_penyebaran",
    ):
        client.post(
            f"/kim/grup/{group.id}/anggota", data={"name": f"Bu {office}", "office": office}
        )
    assert {m.office for m in group.members} == {
        "penasehat",
        "ketua",
        "sekretaris",
        "bendahara",
        "koordinator_pengolahan",
        "koordinator_penyebaran",
    }
    client.post(f"/kim/grup/{group.id}/anggota", data={"name": "X", "office": "raja"})
    assert len(group.members) == 6
    client.post(f"/kim/grup/{group.id}/admin", data={"phone": "0813-5555-4444"})
    assert resident.role == Role.KIM_ADMIN
    assert resident.kim_group_id == group.id
    assert resident.can_moderate_kelurahan(group.kelurahan_id)
    assert not resident.can_moderate_kelurahan(kelurahan("Uwung Jaya").id)


def test_appointing_a_seller_or_unknown_number_is_refused(create_user, create_kim_group):
    city = create_user(Role.CITY_ADMIN)
    group = create_kim_group()
    seller = create_user(Role.SELLER)
    with pytest.raises(DomainError):
        services.appoint_admin(city, group, seller.phone)
    with pytest.raises(DomainError):
        services.appoint_admin(city, group, "0899-0000-0000")
    with pytest.raises(DomainError):
        services.appoint_admin(city, group, "bukan nomor")


def test_kim_admin_manages_only_their_group(create_user, create_kim_group):
    mine, theirs = create_kim_group("Uwung Jaya"), create_kim_group("Cibodasari")
    admin = create_user(Role.KIM_ADMIN, kim_group=mine)
    services.add_member(admin, mine, "Bu Ketua", "ketua")
    with pytest.raises(NotAllowed):
        services.add_member(admin, theirs, "Penyusup", "ketua")
    assert services.groups_for(admin) == [mine]
