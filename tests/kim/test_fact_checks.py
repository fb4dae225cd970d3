"""Hoax clarifications, Ralat and Cek fakta: a KIM answers the claim residents reported with a
verdict, an explanation and sources (official ones marked), the reporters are told; an upheld
report puts a visible Ralat on the announcement with its earlier text kept; the Atom feed says
so; the city and each kelurahan list their fact checks."""

from __future__ import annotations

from xml.etree import ElementTree as ET  # noqa: S405 - parsing our own feed in a test

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.kim import announcements, factcheck
from marketplace.kim.models import Announcement, AnnouncementReport
from marketplace.orders.models import Notification
from marketplace.push.models import PushSubscription

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def kim_admin(create_user, create_kim_group):
    return create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))


def news(admin, **fields):
    return announcements.save_announcement(
        admin,
        announcements.AnnouncementData(
            kind=fields.pop("kind", "berita"),
            title=fields.pop("title", "Bantuan modal UMKM dibuka"),
            summary=fields.pop("summary", "Pendaftaran sampai Minggu"),
            body=fields.pop("body", "Daftar di kantor kelurahan."),
            source="KIM Uwung Jaya",
        ),
    )


def clarification(**fields) -> factcheck.ClarificationData:
    return factcheck.ClarificationData(
        title=fields.pop("title", "Tidak benar: bantuan Rp5 juta lewat tautan WhatsApp"),
        claim=fields.pop("claim", "Daftar bantuan UMKM Rp5 juta cukup klik tautan bit.ly/xyz"),
        verdict=fields.pop("verdict", "hoaks"),
        explanation=fields.pop("explanation", "Pendaftaran hanya di kantor kelurahan."),
        source="KIM Uwung Jaya",
        sources=fields.pop(
            "sources",
            "Pemkot Tangerang | https://tangerangkota.go.id/berita/1\n"
            "https://cekfakta.example.com/bantuan",
        ),
        **fields,
    )


def test_a_clarification_answers_reports_and_tells_the_reporters(client, kim_admin, create_user):
    rumour = news(kim_admin)
    reporter = create_user(Role.CUSTOMER, email="dewi@example.com")
    db.session.add(
        PushSubscription(
            user_id=reporter.id,
            endpoint="https://fcm.googleapis.com/fcm/send/abc",
            p256dh="p" * 20,
            auth="a" * 10,
        )
    )
    report = announcements.report(rumour, reporter, "Ada pesan berantai bantuan Rp5 juta")
    anonymous = announcements.report(rumour, None, "Pesan berantai yang sama, apakah benar?")
    item = factcheck.save_clarification(
        kim_admin, clarification(report_ids=[report.id, anonymous.id])
    )
    assert item.kind == "klarifikasi"
    assert (report.status, report.clarification_id) == ("clarified", item.id)
    assert anonymous.status == "clarified"
    sources = [(s.label, s.official) for s in item.sources]
    assert sources == [("Pemkot Tangerang", True), ("cekfakta.example.com", False)]
    told = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [m.channel for m in told] == ["push", "email"]
    assert told[1].recipient == "dewi@example.com"
    assert f"/pengumuman/{item.id}" in told[1].body
    assert "Hoaks" in told[1].subject

    page = client.get(f"/pengumuman/{item.id}").get_data(as_text=True)
    assert "verdict-hoaks" in page
    assert "Klaim yang beredar" in page
    assert "bit.ly/xyz" in page
    assert "resmi" in page

    # answered once: a second clarification does not tell them again
    again = factcheck.save_clarification(kim_admin, clarification(report_ids=[report.id]))
    assert again.id != item.id
    assert db.session.scalar(select(db.func.count(Notification.id))) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"verdict": "mungkin"}, "Pilih putusan"),
        ({"claim": "pendek"}, "klaim yang beredar"),
        ({"sources": ""}, "minimal satu sumber"),
        ({"sources": "javascript:alert(1)"}, "bukan alamat web"),
        ({"sources": "Berita | ftp://contoh.go.id/x"}, "bukan alamat web"),
    ],
)
def test_a_clarification_needs_a_verdict_a_claim_and_sources(kim_admin, fields, message):
    before = db.session.scalar(select(db.func.count(Announcement.id)))
    with pytest.raises(DomainError, match=message):
        factcheck.save_clarification(kim_admin, clarification(**fields))
    assert db.session.scalar(select(db.func.count(Announcement.id))) == before


def test_another_kelurahans_report_cannot_be_answered(kim_admin, create_user, create_kim_group):
    other_admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Sukasari"))
    elsewhere = announcements.report(news(other_admin), None, "Ini kabar bohong sepertinya")
    with pytest.raises(NotAllowed):
        factcheck.save_clarification(kim_admin, clarification(report_ids=[elsewhere.id]))
    assert elsewhere.status == "open"


def test_an_upheld_report_shows_a_ralat_and_keeps_the_old_text(client, kim_admin, login):
    item = news(kim_admin, summary="Pendaftaran sampai Minggu")
    report = announcements.report(item, None, "Tanggalnya salah, sampai Sabtu saja")
    with pytest.raises(DomainError, match="apa yang diralat"):
        announcements.moderate(kim_admin, report, "corrected", "")
    assert report.status == "open"
    login(kim_admin)
    answer = client.post(
        f"/kim/laporan/{report.id}",
        data={"action": "corrected", "note": "Batas pendaftaran Sabtu, bukan Minggu"},
    )
    assert answer.status_code == 302
    db.session.refresh(report)
    assert report.status == "corrected"
    announcements.save_announcement(
        kim_admin,
        announcements.AnnouncementData(
            kind="berita",
            title=item.title,
            summary="Pendaftaran sampai Sabtu",
            body="Daftar di kantor kelurahan.",
            source="KIM Uwung Jaya",
        ),
        item,
    )
    db.session.flush()
    page = client.get(f"/pengumuman/{item.id}").get_data(as_text=True)
    assert "Ralat" in page
    assert "Batas pendaftaran Sabtu, bukan Minggu" in page
    assert "Pendaftaran sampai Sabtu" in page  # the text now
    assert "Pendaftaran sampai Minggu" in page  # the text before, kept as history
    feed = ET.fromstring(client.get("/pengumuman/feed.xml").get_data())  # noqa: S314
    entry = next(e for e in feed.iter(f"{ATOM}entry") if item.title in e.find(f"{ATOM}title").text)
    assert entry.find(f"{ATOM}title").text.startswith("[Ralat]")
    assert "Batas pendaftaran Sabtu" in entry.find(f"{ATOM}summary").text


def test_fact_checks_are_listed_city_wide_and_per_kelurahan(
    client, kim_admin, create_user, create_kim_group
):
    here = factcheck.save_clarification(kim_admin, clarification(title="Cek: bantuan palsu"))
    other_admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Sukasari"))
    factcheck.save_clarification(
        other_admin, clarification(title="Cek: vaksin di pasar", verdict="benar")
    )
    news(kim_admin, title="Berita biasa")
    city = client.get("/cek-fakta").get_data(as_text=True)
    assert "Cek: bantuan palsu" in city
    assert "Cek: vaksin di pasar" in city
    assert "Berita biasa" not in city
    local = client.get("/kelurahan/uwung-jaya/cek-fakta").get_data(as_text=True)
    assert "Cek: bantuan palsu" in local
    assert "Cek: vaksin di pasar" not in local
    assert client.get("/kelurahan/tidak-ada/cek-fakta").status_code == 404
    # the generic edit page sends a clarification to its own form
    assert client.get(f"/pengumuman/{here.id}").status_code == 200


def test_kim_publishes_a_clarification_over_http(client, kim_admin, login):
    rumour = news(kim_admin)
    report = announcements.report(rumour, None, "Kabar ini menyesatkan warga")
    login(kim_admin)
    form = client.get("/kim/klarifikasi").get_data(as_text=True)
    assert "Kabar ini menyesatkan" in form  # the open reports to answer
    answer = client.post(
        "/kim/klarifikasi",
        data={
            "title": "Tidak benar: pendaftaran lewat tautan",
            "claim": "Daftar cukup klik tautan bit.ly/xyz",
            "verdict": "hoaks",
            "explanation": "Pendaftaran hanya di kantor kelurahan.",
            "sources": "Pemkot | https://tangerangkota.go.id/x",
            "source": "KIM Uwung Jaya",
            "report_ids": [str(report.id)],
        },
    )
    assert answer.status_code == 302
    db.session.refresh(report)
    assert report.status == "clarified"
    refused = client.post("/kim/klarifikasi", data={"title": "x", "verdict": "palsu"})
    assert refused.status_code == 400
    edit = client.get(f"/kim/pengumuman/{report.clarification_id}")
    assert edit.status_code == 302
    assert edit.headers["Location"].endswith(f"/kim/klarifikasi/{report.clarification_id}")
    assert AnnouncementReport.query.filter_by(status="open").count() == 0
