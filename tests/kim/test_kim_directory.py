"""The city's KIM directory: every kelurahan, whether its KIM is formed, its core officers
filled, its posts of the last 30 days, its verified stores and answered Suara Warga; CSV."""

from __future__ import annotations

import csv
import io

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.kim import announcements, services


def test_the_directory_lists_every_kelurahan_and_its_kim(
    client, create_user, create_kim_group, create_store
):
    active = create_kim_group("Uwung Jaya")
    create_kim_group("Sukasari")  # formed, nothing else yet
    admin = create_user(Role.KIM_ADMIN, kim_group=active)
    for name, office in (("Pak Ahmad", "ketua"), ("Siti", "sekretaris"), ("Dewi", "bendahara")):
        services.add_member(admin, active, name, office)
    announcements.save_announcement(
        admin,
        announcements.AnnouncementData(
            kind="berita", title="Bazar", summary="Sabtu", body="Datang.", source="KIM"
        ),
    )
    create_store(name="Warung Bu Siti")
    db.session.flush()

    page = client.get("/direktori-kim").get_data(as_text=True)
    assert "2 dari 104 kelurahan sudah membentuk KIM; 1 aktif" in page
    assert 'class="kim-tile kim-active"><a href="/kelurahan/uwung-jaya/kim">' in page
    assert 'class="kim-tile kim-formed"><a href="/kelurahan/sukasari/kim">' in page
    assert page.count('class="kim-tile kim-none"') == 102

    response = client.get("/direktori-kim.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 104
    uwung = next(r for r in rows if r["kelurahan"] == "Uwung Jaya")
    assert uwung["kim"] == active.name
    assert uwung["pengurus_inti_lengkap"] == "ya"
    assert uwung["pengumuman_30_hari"] == "1"
    assert uwung["toko_terverifikasi"] == "1"
    sukasari = next(r for r in rows if r["kelurahan"] == "Sukasari")
    assert (sukasari["pengurus_inti_lengkap"], sukasari["pengumuman_30_hari"]) == ("tidak", "0")
