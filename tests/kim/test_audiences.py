"""Diskominfo → KIM → residents: the city posts to the whole city, a kecamatan, chosen kelurahan
or to the KIM admins only (an internal circular with read receipts); a KIM relays a city post to
its residents with a local note, the source kept visible."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.kim import announcements as service
from tests.conftest import build_schema, fresh_postgres, make_app
from tests.factories import add_user, kelurahan


def post(actor, **fields) -> service.Announcement:
    return service.save_announcement(
        actor,
        service.AnnouncementData(
            kind=fields.pop("kind", "program"),
            title=fields.pop("title", "Bantuan modal UMKM"),
            summary=fields.pop("summary", "Pendaftaran dibuka"),
            body=fields.pop("body", "Daftar di kelurahan."),
            source="Diskominfo",
            **fields,
        ),
    )


def titles(kelurahan_name: str | None = None) -> set[str]:
    area = kelurahan(kelurahan_name).id if kelurahan_name else None
    return {a.title for a in service.published(kelurahan_id=area)}


@pytest.fixture
def city(create_user):
    return create_user(Role.CITY_ADMIN)


def test_city_posts_reach_the_areas_they_name(city, create_user, create_kim_group):
    uwung = kelurahan("Uwung Jaya")
    post(city, title="Untuk semua")
    post(city, title="Untuk Cibodas", audience="kecamatan", kecamatan_id=uwung.kecamatan_id)
    post(city, title="Untuk Sukasari", audience="kelurahan", target_ids=[kelurahan("Sukasari").id])
    post(city, title="Edaran rapat KIM", audience="kim")
    assert titles("Uwung Jaya") == {"Untuk semua", "Untuk Cibodas"}
    assert titles("Sukasari") == {"Untuk semua", "Untuk Sukasari"}
    assert "Edaran rapat KIM" not in titles()
    kim_admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    with pytest.raises(NotAllowed):
        post(kim_admin, title="Coba", audience="kim")
    refused = [
        {"audience": "kecamatan", "kecamatan_id": 999999},
        {"audience": "kelurahan", "target_ids": [999999]},
        {"audience": "planet"},
    ]
    for fields in refused:
        with pytest.raises(DomainError):
            post(city, title="Salah", **fields)


def test_a_circular_is_internal_with_read_receipts(
    client, city, create_user, create_kim_group, login
):
    circular = post(city, title="Edaran rapat KIM", audience="kim")
    reader = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"), name="Ani")
    create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Sukasari"), name="Budi")
    db.session.commit()
    assert client.get(f"/pengumuman/{circular.id}").status_code == 404  # not public
    login(reader)
    listing = client.get("/kim/edaran").get_data(as_text=True)
    assert "Edaran rapat KIM" in listing
    assert "Baru" in listing
    assert client.get(f"/kim/edaran/{circular.id}").status_code == 200
    assert client.get(f"/kim/edaran/{circular.id}").status_code == 200  # twice: one receipt
    assert "Sudah dibaca" in client.get("/kim/edaran").get_data(as_text=True)
    client.post("/akun/keluar")
    receipts = dict((a.name, at) for a, at in service.read_receipts(circular))
    assert receipts["Ani"] is not None
    assert receipts["Budi"] is None
    login(city)
    page = client.get(f"/kim/edaran/{circular.id}").get_data(as_text=True)
    assert "1 dari 2 admin KIM sudah membaca" in page


def test_a_kim_relays_a_city_post_with_a_local_note(
    client, city, create_user, create_kim_group, login
):
    source = post(city, title="Pasar murah Sabtu", audience="kim")
    kim_admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    login(kim_admin)
    answer = client.post(
        f"/kim/pengumuman/{source.id}/teruskan",
        data={"note": "Warga Uwung Jaya berkumpul di balai RW 03 pukul 08.00."},
    )
    assert answer.status_code == 302
    here = service.published(kelurahan_id=kelurahan("Uwung Jaya").id)
    (relayed,) = [a for a in here if a.relayed_from_id == source.id]
    assert relayed.kim_group_id == kim_admin.kim_group_id
    page = client.get(f"/pengumuman/{relayed.id}").get_data(as_text=True)
    assert "Diteruskan dari Diskominfo Kota Tangerang" in page
    assert "balai RW 03" in page
    assert page.index("balai RW 03") < page.index("Daftar di kelurahan")
    with pytest.raises(DomainError, match="sudah meneruskan"):
        service.relay(kim_admin, source, "Sekali lagi untuk warga Uwung Jaya")
    own = post(kim_admin, title="Pengumuman KIM sendiri")
    other = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Sukasari"))
    with pytest.raises(DomainError, match="kota"):
        service.relay(other, own, "Catatan untuk warga Sukasari")


def test_the_city_admin_chooses_the_audience_in_the_form(client, city, login):
    login(city)
    sukasari = kelurahan("Sukasari")
    answer = client.post(
        "/kim/pengumuman",
        data={
            "kind": "program",
            "title": "Sosialisasi PIRT",
            "summary": "Untuk Sukasari",
            "body": "Di aula kelurahan.",
            "source": "Diskominfo",
            "send_to": "kelurahan",
            "target_ids": [str(sukasari.id)],
        },
    )
    assert answer.status_code == 302
    assert "Sosialisasi PIRT" in titles("Sukasari")
    assert "Sosialisasi PIRT" not in titles("Uwung Jaya")


def test_two_relays_at_once_make_one(tmp_path):
    """Several connections relay the same city post for one KIM at the same moment: exactly one
    copy is made, the others are told it is already done (PostgreSQL, real commits)."""
    import threading

    from marketplace.accounts.models import User
    from marketplace.kim.models import Announcement

    with fresh_postgres("pkk_relay") as url:
        app = make_app(url, tmp_path / "uploads", PAGE_CACHE_URL="")
        build_schema(app)
        with app.app_context():
            from marketplace.kim.services import ensure_group

            city_admin = add_user(Role.CITY_ADMIN, "6281100000009")
            group = ensure_group(kelurahan("Uwung Jaya"))
            kim_admin = add_user(Role.KIM_ADMIN, "6281100000008", kim_group_id=group.id)
            source = post(city_admin, title="Pasar murah Sabtu")
            db.session.commit()
            ids = (kim_admin.id, source.id)
        outcomes: list[str] = []
        barrier = threading.Barrier(6)

        def relay_once():
            with app.app_context():
                actor = db.session.get(User, ids[0])
                original = db.session.get(Announcement, ids[1])
                barrier.wait()
                try:
                    service.relay(actor, original, "Warga berkumpul di balai RW 03, ya.")
                    db.session.commit()
                    outcomes.append("relayed")
                except DomainError:
                    db.session.rollback()
                    outcomes.append("refused")
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=relay_once) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with app.app_context():
            copies = db.session.scalar(
                sa.select(sa.func.count(Announcement.id)).where(
                    Announcement.relayed_from_id == ids[1]
                )
            )
            db.session.remove()
            db.engine.dispose()
    assert sorted(outcomes) == ["refused"] * 5 + ["relayed"]
    assert copies == 1
