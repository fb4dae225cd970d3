"""Pages that travel on WhatsApp: stores, products, campaigns, events and announcements carry
link previews (Open Graph, Twitter cards) and share buttons, every address on BASE_URL whatever
Host the request named (a cached page is shared by everyone)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from io import BytesIO
from urllib.parse import quote

import pytest

from marketplace.accounts.models import Role
from marketplace.catalog import services as catalog
from marketplace.core.db import jakarta_today, to_jakarta, utcnow
from marketplace.core.images import Uploads
from marketplace.events import services as events
from marketplace.kim import announcements
from marketplace.promotions import campaigns
from tests.factories import jpeg_bytes

BASE = "http://localhost"  # the tests' BASE_URL


def meta(page: str, name: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', page)
    assert found, f"no {name}"
    return found.group(1)


def _jakarta(delta: timedelta) -> datetime:
    return to_jakarta(utcnow() + delta).replace(tzinfo=None)


@pytest.fixture
def shared(app, create_user, create_kim_group, create_store, create_product):
    admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    store = create_store(name="Warung Bu Siti")
    product = create_product(store, name="Nasi Uduk Betawi")
    catalog.add_photo(product, BytesIO(jpeg_bytes()), Uploads.from_config(app.config))
    campaign = campaigns.save_campaign(
        admin,
        campaigns.CampaignData(
            title="Festival Kuliner Uwung Jaya",
            starts_at=_jakarta(timedelta(hours=-1)),
            ends_at=_jakarta(timedelta(days=7)),
            description="Seminggu kuliner kampung",
        ),
    )
    first = jakarta_today() + timedelta(days=3)
    event = events.save_event(
        admin,
        events.EventData(
            title="Bazar Kuliner Uwung Jaya",
            place="Lapangan RW 03",
            starts_on=first,
            ends_on=first,
            opens_at=time(16),
            closes_at=time(21),
            booth_quota=5,
        ),
    )
    news = announcements.save_announcement(
        admin,
        announcements.AnnouncementData(
            kind="berita",
            title="Pelatihan foto produk",
            summary="Belajar memotret dagangan dengan ponsel",
            body="Di balai warga.",
            source="KIM Uwung Jaya",
        ),
    )
    return {
        f"/toko/{store.slug}": ("Warung Bu Siti", False),
        f"/produk/{product.id}": ("Nasi Uduk Betawi · Warung Bu Siti", True),
        f"/kampanye/{campaign.id}": ("Festival Kuliner Uwung Jaya", False),
        f"/acara/{event.id}": ("Bazar Kuliner Uwung Jaya", False),
        f"/pengumuman/{news.id}": ("Pelatihan foto produk", False),
    }


def test_shared_pages_carry_previews_and_share_buttons_on_base_url(client, shared):
    for path, (title, with_photo) in shared.items():
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert meta(page, "og:title") == title
        assert meta(page, "og:url") == BASE + path, path
        assert meta(page, "og:description")
        image = meta(page, "og:image")
        assert image.startswith(BASE + "/"), image
        assert meta(page, "twitter:card") == ("summary_large_image" if with_photo else "summary")
        if with_photo:
            assert image.startswith(BASE + "/media/")
        assert "evil.example" not in page
        # WhatsApp first, with the page's public address in the message
        share = page[page.index('class="share"') :]
        first_link = re.search(r'href="([^"]+)"', share).group(1)
        assert first_link.startswith("https://wa.me/?text=")
        assert quote(BASE + path) in first_link


def test_share_macros_speak_each_visitors_language_page_after_page(client, shared):
    """The share macros are imported once per process (they read only the environment's
    globals, not a page's context): each page still names the language it is shown in."""
    for lang, locale, label in (
        ("id", "id_ID", "Bagikan ke WhatsApp"),
        ("en", "en_US", "Share on WhatsApp"),
        ("id", "id_ID", "Bagikan ke WhatsApp"),
    ):
        client.post("/bahasa", data={"lang": lang, "next": "/"})
        for page_path in shared:
            page = client.get(page_path).get_data(as_text=True)
            assert meta(page, "og:locale") == locale, (lang, page_path)
            assert label in page, (lang, page_path)


def test_messages_that_leave_the_page_say_names_as_they_are(client, create_store, create_product):
    """A WhatsApp or Telegram message prefilled from the page says a name with "&" or quotes as
    it is written: the page's words are markup (the names in them escaped for HTML), the
    message is text. It said "Sate &amp; Gule" before."""
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    store = create_store(name="Sate & Gule Bu Ani", whatsapp="6281234567890")
    product = create_product(store, name='Nasi "Uduk" & Telur', price=15000)

    def messages(path: str) -> dict[str, str]:
        page = client.get(path).get_data(as_text=True)
        links = (unescape(href) for href in re.findall(r'href="(https://[^"]+)"', page))
        found = {}
        for link in links:
            parts = urlsplit(link)
            query = parse_qs(parts.query)
            if parts.netloc in ("wa.me", "t.me") and "text" in query:
                found[parts.netloc + parts.path] = query["text"][0]
        return found

    on_product = messages(f"/produk/{product.id}")
    order = on_product["wa.me/6281234567890"]
    assert order == 'Halo Sate & Gule Bu Ani, saya mau pesan Nasi "Uduk" & Telur (Rp15.000).'
    assert on_product["wa.me/"].startswith('Nasi "Uduk" & Telur dari Sate & Gule Bu Ani:')
    assert on_product["t.me/share/url"] == 'Nasi "Uduk" & Telur dari Sate & Gule Bu Ani:'
    on_store = messages(f"/toko/{store.slug}")
    assert on_store["wa.me/6281234567890"].startswith("Halo Sate & Gule Bu Ani, saya lihat")
    assert on_store["t.me/share/url"] == "Sate & Gule Bu Ani di Pasar Kampung Kuliner:"
    for text in (*on_product.values(), *on_store.values()):
        assert "&amp;" not in text, text
        assert "&#34;" not in text, text
