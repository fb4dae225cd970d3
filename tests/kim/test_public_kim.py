"""The KIM's public page: officers by office with the lurah as adviser, a WhatsApp contact, what
it published, whom it features, verified stores, and how fast it answers Suara Warga."""

from __future__ import annotations

from datetime import timedelta

from marketplace.accounts.models import Role
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.kim import announcements, services
from marketplace.kim.models import Aspiration, AspirationEvent, AspirationStatus
from marketplace.kim.public import aspiration_figures
from tests.factories import kelurahan


def test_the_kim_page_shows_who_it_is_and_what_it_does(
    client, create_user, create_kim_group, create_store
):
    group = create_kim_group("Uwung Jaya")
    admin = create_user(Role.KIM_ADMIN, kim_group=group, phone="6281311112222")
    services.add_member(admin, group, "Bu Lurah Rina", "penasehat")
    services.add_member(admin, group, "Pak Ahmad", "ketua", phone="081311112222")
    services.add_member(admin, group, "Siti", "sekretaris")
    create_store(name="Warung Bu Siti")
    create_store(name="Warung Belum", status="pending")
    announcements.save_announcement(
        admin,
        announcements.AnnouncementData(
            kind="berita",
            title="Bazar Sabtu ini",
            summary="Di lapangan RW 03",
            body="Datang ramai-ramai.",
            source="KIM Uwung Jaya",
        ),
    )
    db.session.flush()
    page = client.get("/kelurahan/uwung-jaya/kim").get_data(as_text=True)
    assert group.name in page
    adviser, chair, secretary = (
        page.index("Penasehat (Lurah)"),
        page.index("Ketua"),
        page.index("Sekretaris"),
    )
    assert adviser < chair < secretary  # the guideline's order
    assert "Bu Lurah Rina" in page
    assert "Pak Ahmad" in page
    assert "https://wa.me/6281311112222" in page
    assert "Bazar Sabtu ini" in page
    assert "Toko terverifikasi: <strong>1</strong>" in page
    assert "/kelurahan/uwung-jaya/pengumuman.xml" in page
    # linked from the kelurahan page and from the announcement
    assert "/kelurahan/uwung-jaya/kim" in client.get("/kelurahan/uwung-jaya").get_data(as_text=True)


def test_a_kelurahan_without_a_kim_says_so(client):
    page = client.get("/kelurahan/uwung-jaya/kim")
    assert page.status_code == 200
    assert "belum terbentuk" in page.get_data(as_text=True)
    assert client.get("/kelurahan/tidak-ada/kim").status_code == 404


def test_suara_warga_figures_count_and_take_the_median_time_to_answer(create_user):
    area = kelurahan("Uwung Jaya")
    resident = create_user(Role.CUSTOMER)
    start = utcnow() - timedelta(days=30)
    for n, answered_after in enumerate((1, 3, 8, None)):
        item = Aspiration(
            user_id=resident.id,
            kelurahan_id=area.id,
            category="saran",
            text=f"Usul {n}",
            status=AspirationStatus.ANSWERED if answered_after else AspirationStatus.RECEIVED,
            created_at=start,
        )
        db.session.add(item)
        db.session.flush()
        if answered_after:
            for later in (answered_after, answered_after + 2):  # only the first answer counts
                db.session.add(
                    AspirationEvent(
                        aspiration_id=item.id,
                        actor_id=resident.id,
                        status=AspirationStatus.ANSWERED,
                        created_at=start + timedelta(days=later),
                    )
                )
    db.session.flush()
    figures = aspiration_figures(area.id)
    assert (figures.received, figures.answered, figures.median_days) == (4, 3, 3.0)
