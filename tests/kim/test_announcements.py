"""Announcements: sanitising, publishing windows, links that stay correct, feeds, reports."""

from datetime import timedelta
from xml.etree import ElementTree as ET  # noqa: S405 - parsing our own feed in a test

import pytest

from marketplace.accounts.models import Role
from marketplace.core.db import to_jakarta, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.markdown import render_markdown
from marketplace.extensions import db
from marketplace.kim import announcements as service
from marketplace.kim.models import Announcement, AnnouncementReport
from marketplace.stores.services import pause_store

ATOM = "{http://www.w3.org/2005/Atom}"


def _elements(html: str) -> tuple[set[str], list[tuple[str, str]]]:
    from html.parser import HTMLParser

    found: tuple[set[str], list] = (set(), [])

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found[0].add(tag)
            found[1].extend((name, value or "") for name, value in attrs)

    Collect().feed(html)
    return found


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[klik](javascript:alert(1))",
        "[klik](JaVaScRiPt:alert(1))",
        "[klik](  javascript:alert(1))",
        '<iframe src="https://evil.example"></iframe>',
        "[klik](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="javascript:alert(1)">x</a>',
        "![x](javascript:alert(1))",
        "[a](<javascript:alert(1)>)",
        '<svg onload="alert(1)">',
        "[x](vbscript:msgbox)",
    ],
)
def test_markdown_never_renders_active_content(evil):
    html = render_markdown(f"Halo warga!\n\n{evil}\n\n**Bazar** hari Minggu.")
    tags, attributes = _elements(html)
    # Whatever was typed, only harmless elements and attributes come out (the rest is text).
    assert tags <= {"p", "strong", "em", "a", "code"}, (evil, html)
    for name, value in attributes:
        assert not name.startswith("on"), (evil, html)
        if name in ("href", "src"):
            assert value.startswith(("http://", "https://", "mailto:")), (evil, html)
    assert "<strong>Bazar</strong>" in html


def test_markdown_keeps_safe_links():
    html = render_markdown("[Daftar NIB](https://oss.go.id) dan [surat](mailto:kim@example.id)")
    assert 'href="https://oss.go.id"' in html
    assert 'rel="noopener nofollow ugc"' in html
    assert 'href="mailto:kim@example.id"' in html


@pytest.fixture
def kim_admin(create_user, create_kim_group):
    return create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))


def data(**fields):
    base = dict(
        kind="acara",
        title="Bazar Kuliner Uwung Jaya",
        summary="Bazar hari Minggu",
        body="Datang ke **lapangan** RW 05.",
        source="Kelurahan Uwung Jaya",
    )
    base.update(fields)
    return service.AnnouncementData(**base)


def test_publish_window_and_pinning(kim_admin):
    now = to_jakarta(utcnow()).replace(tzinfo=None)
    live = service.save_announcement(kim_admin, data(title="Sedang tayang"))
    future = service.save_announcement(
        kim_admin, data(title="Nanti", publish_at=now + timedelta(days=1))
    )
    ended = service.save_announcement(
        kim_admin,
        data(
            title="Selesai",
            publish_at=now - timedelta(days=2),
            unpublish_at=now - timedelta(days=1),
        ),
    )
    pinned = service.save_announcement(
        kim_admin, data(title="Penting", pinned=True, publish_at=now - timedelta(days=3))
    )
    withdrawn = service.save_announcement(kim_admin, data(title="Ditarik"))
    withdrawn.withdrawn = True
    db.session.flush()
    shown = service.published()
    assert [a.title for a in shown] == ["Penting", "Sedang tayang"]
    # the home page's cards: the same announcements in the same order, read as plain copies
    cards = service.latest_cards(30)
    assert [(c.id, c.kind, c.title, c.summary, c.pinned, c.publish_at) for c in cards] == [
        (a.id, a.kind, a.title, a.summary, a.pinned, a.publish_at) for a in shown
    ]
    assert cards[0].kim_group.name == pinned.kim_group.name
    assert cards[0].kelurahan.name == pinned.kelurahan.name
    assert [c.title for c in service.latest_cards(1)] == ["Penting"]
    assert live.kelurahan_id == kim_admin.kim_group.kelurahan_id
    assert not future.is_published(utcnow())
    assert not ended.is_published(utcnow())
    assert pinned.body_html.startswith("<p>")


def test_bad_input_is_refused(kim_admin):
    for fields, message in (
        ({"title": " "}, "Judul"),
        ({"source": ""}, "sumber"),
        ({"kind": "gosip"}, "jenis"),
    ):
        with pytest.raises(DomainError, match=message):
            service.save_announcement(kim_admin, data(**fields))


def test_scoping(kim_admin, create_user, create_kim_group):
    item = service.save_announcement(kim_admin, data())
    other = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Cibodasari"))
    with pytest.raises(NotAllowed):
        service.save_announcement(other, data(), item)
    with pytest.raises(NotAllowed):
        service.save_announcement(kim_admin, data(city_wide=True))
    with pytest.raises(NotAllowed):
        service.save_announcement(create_user(Role.SELLER), data())
    city = create_user(Role.CITY_ADMIN)
    city_item = service.save_announcement(city, data(title="Program KUR"))
    assert city_item.kelurahan_id is None
    assert service.can_manage(city, item)


def test_links_stay_correct_when_stores_change(client, kim_admin, create_store, create_product):
    store = create_store(name="Warung Tautan")
    product = create_product(store, name="Klepon Tautan", price=10000)
    item = service.save_announcement(
        kim_admin, data(store_ids=[store.id], product_ids=[product.id])
    )
    page = client.get(f"/pengumuman/{item.id}").get_data(as_text=True)
    assert "Warung Tautan" in page
    assert "Rp10.000" in page
    pause_store(store, "Sakit", None)
    product.price = 12000
    page = client.get(f"/pengumuman/{item.id}").get_data(as_text=True)
    assert "Tutup sementara" in page
    assert "Rp12.000" in page
    assert 'property="og:title"' in page
    assert "https://wa.me/?text=" in page
    assert "Sumber: Kelurahan Uwung Jaya, diverifikasi oleh KIM Uwung Jaya" in page


def test_atom_feed_is_xml_with_published_items_only(client, kim_admin):
    now = to_jakarta(utcnow()).replace(tzinfo=None)
    service.save_announcement(kim_admin, data(title="Tayang <&> sekarang"))
    service.save_announcement(
        kim_admin, data(title="Belum tayang", publish_at=now + timedelta(days=1))
    )
    for url in ("/pengumuman/feed.xml", "/kelurahan/uwung-jaya/pengumuman.xml"):
        response = client.get(url)
        assert response.mimetype == "application/atom+xml"
        root = ET.fromstring(response.data)  # noqa: S314 - our own feed
        assert root.tag == f"{ATOM}feed"
        titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
        assert titles == ["Tayang <&> sekarang"]
    assert client.get("/kelurahan/tidak-ada/pengumuman.xml").status_code == 404


def test_unpublished_announcement_is_hidden_from_the_public(client, kim_admin):
    now = to_jakarta(utcnow()).replace(tzinfo=None)
    item = service.save_announcement(kim_admin, data(publish_at=now + timedelta(days=1)))
    assert client.get(f"/pengumuman/{item.id}").status_code == 404


def test_residents_report_and_kim_moderates(
    client, kim_admin, create_user, create_kim_group, login
):
    item = service.save_announcement(kim_admin, data())
    response = client.post(
        f"/pengumuman/{item.id}/lapor", data={"reason": "Tanggalnya salah, bukan Minggu"}
    )
    assert response.status_code == 302
    entry = AnnouncementReport.query.filter_by(announcement_id=item.id).one()
    other = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Cibodasari"))
    with pytest.raises(NotAllowed):
        service.moderate(other, entry, "unpublished", "")
    login(kim_admin)
    assert "Tanggalnya salah" in client.get("/kim/laporan").get_data(as_text=True)
    client.post(f"/kim/laporan/{entry.id}", data={"action": "unpublished", "note": "Diperbaiki"})
    assert entry.status == "unpublished"
    assert entry.handled_by_id == kim_admin.id
    assert entry.handled_at is not None
    assert db.session.get(Announcement, item.id).withdrawn
    client.post("/akun/keluar")
    assert client.get(f"/pengumuman/{item.id}").status_code == 404
    with pytest.raises(DomainError, match="sudah ditangani"):
        service.moderate(kim_admin, entry, "dismissed", "")


def test_home_page_lists_latest_announcements(client, kim_admin):
    service.save_announcement(kim_admin, data(title="Pelatihan foto produk", kind="pelatihan"))
    home = client.get("/").get_data(as_text=True)
    assert "Pengumuman terbaru" in home
    assert "Pelatihan foto produk" in home
    assert kim_admin.kim_group.name in home  # who published it, and where
    assert f"· {kim_admin.kim_group.kelurahan.name} ·" in home
    listing = client.get("/pengumuman?jenis=pelatihan").get_data(as_text=True)
    assert "Pelatihan foto produk" in listing
    assert "Pelatihan foto produk" not in client.get("/pengumuman?jenis=berita").get_data(
        as_text=True
    )


def test_kim_publishes_over_http(client, kim_admin, login, create_store):
    store = create_store()
    login(kim_admin)
    response = client.post(
        "/kim/pengumuman",
        data={
            "kind": "acara",
            "title": "Festival Kuliner",
            "summary": "Festival di RW 05",
            "body": "Hadir **semua** UMKM",
            "source": "KIM Uwung Jaya",
            "store_ids": [str(store.id)],
        },
    )
    assert response.status_code == 302
    item = Announcement.query.filter_by(title="Festival Kuliner").one()
    assert [link.store_id for link in item.links] == [store.id]
    response = client.post(
        "/kim/pengumuman",
        data={"kind": "acara", "title": "", "summary": "x", "body": "x", "source": "x"},
    )
    assert response.status_code == 400


def test_a_kim_links_only_its_own_kelurahan(client, kim_admin, login, create_store, count_rows):
    from marketplace.promotions import services as promos

    mine = create_store()
    theirs = create_store(area="Cibodasari")
    their_code = promos.save_code(theirs, promos.CodeData(code="HEMAT10", kind="percent", value=10))
    db.session.flush()
    before = count_rows(Announcement)
    login(kim_admin)
    for field, value in (("store_ids", theirs.id), ("code_ids", their_code.id)):
        response = client.post(
            "/kim/pengumuman",
            data={
                "kind": "acara",
                "title": "Bazar",
                "summary": "Bazar",
                "body": "Bazar",
                "source": "KIM Uwung Jaya",
                "store_ids": [str(mine.id)],
                field: [str(value)],
            },
        )
        assert response.status_code in (400, 403), field
        assert count_rows(Announcement) == before
    with pytest.raises(NotAllowed):
        service.save_announcement(kim_admin, data(store_ids=[theirs.id]))


def test_a_control_character_does_not_break_the_feed(client, kim_admin):
    item = service.save_announcement(kim_admin, data(title="Bazar", summary="Bazar Minggu"))
    # written before such characters were refused at input, or by another route into the table
    item.title, item.summary = "Bazar\x0b Minggu\x1f", "Ringkas\x08an"
    db.session.flush()
    response = client.get("/pengumuman/feed.xml")
    root = ET.fromstring(response.data)  # noqa: S314 - our own feed
    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == ["Bazar Minggu"]
