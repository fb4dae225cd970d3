"""Announcements: typed, sanitised, scheduled, linked to stores/products/codes, reportable."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import DateTime, Integer, Select, and_, bindparam, literal_column, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import Role, User
from marketplace.areas.models import Kelurahan
from marketplace.areas.services import KelurahanRef, kelurahan_by_id
from marketplace.catalog.models import Product
from marketplace.core.db import run_read, to_utc_naive, upsert, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.images import Uploads
from marketplace.core.markdown import render_markdown
from marketplace.events import services as events
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.kim.models import (
    Announcement,
    AnnouncementCorrection,
    AnnouncementKind,
    AnnouncementLink,
    AnnouncementReport,
    CircularRead,
    KimGroup,
)
from marketplace.promotions import campaigns
from marketplace.promotions.models import Campaign, DiscountCode
from marketplace.stores.models import Store, StoreStatus
from marketplace.stores.services import moderated_stores


@dataclass
class AnnouncementData:
    kind: str
    title: str
    summary: str
    body: str
    source: str
    publish_at: datetime | None = None  # Asia/Jakarta or aware; None = now
    unpublish_at: datetime | None = None
    pinned: bool = False
    city_wide: bool = False
    store_ids: list[int] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)
    code_ids: list[int] = field(default_factory=list)
    campaign_ids: list[int] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)
    #: for the city admin: "city", "kecamatan" (kecamatan_id), "kelurahan" (target_ids) or
    #: "kim" (an internal circular to the KIM admins)
    audience: str = "city"
    kecamatan_id: int | None = None
    target_ids: list[int] = field(default_factory=list)


AUDIENCES = ("city", "kecamatan", "kelurahan", "kim")


def _audience(actor: User, data: AnnouncementData, kelurahan_id: int | None):
    """(the kelurahan a city post is for — none: the whole city —, internal circular?)."""
    audience = data.audience or "city"
    if audience not in AUDIENCES:
        raise DomainError(_("Pilih untuk siapa pengumuman ini."))
    if audience == "city":
        return [], False
    if not actor.is_city_admin or kelurahan_id is not None:
        raise NotAllowed(_("Hanya admin kota yang memilih sasaran dan mengirim edaran."))
    if audience == "kim":
        return [], True
    if audience == "kecamatan":
        found = list(
            db.session.scalars(
                select(Kelurahan).where(Kelurahan.kecamatan_id == (data.kecamatan_id or -1))
            )
        )
        if not found:
            raise DomainError(_("Pilih kecamatan dari daftar."))
        return found, False
    wanted = {i for i in data.target_ids if i}
    found = list(db.session.scalars(select(Kelurahan).where(Kelurahan.id.in_(wanted or {-1}))))
    if not found or len(found) != len(wanted):
        raise DomainError(_("Pilih kelurahan sasaran dari daftar."))
    return found, False


def _area_of(actor: User, city_wide: bool) -> tuple[int | None, int | None]:
    """(kim_group_id, kelurahan_id) the actor publishes for."""
    if actor.is_city_admin:
        return None, None
    if not actor.is_kim_admin or actor.kim_group is None:
        raise NotAllowed(_("Hanya admin KIM yang dapat menerbitkan pengumuman."))
    if city_wide:
        raise NotAllowed(_("Hanya admin kota yang menerbitkan pengumuman se-kota."))
    return actor.kim_group_id, actor.kim_group.kelurahan_id


def can_manage(actor: User, item: Announcement) -> bool:
    return bool(actor and actor.is_authenticated and actor.acts_for_group(item.kim_group_id))


def _links(actor: User, data: AnnouncementData, kelurahan_id: int | None) -> list[AnnouncementLink]:
    """The links of an announcement, each checked here against the actor's area: a KIM links
    only the stores, products and codes of its own kelurahan, whatever ids a form posts."""

    def in_scope(store: Store | None) -> Store:
        if store is None or store.status != StoreStatus.VERIFIED:
            raise DomainError(_("Hanya toko terverifikasi yang dapat ditautkan."))
        if not actor.can_moderate_kelurahan(store.kelurahan_id):
            raise NotAllowed(
                _("Anda hanya dapat menautkan toko, produk dan kode promo dari kelurahan Anda.")
            )
        return store

    links = []
    for store_id in dict.fromkeys(data.store_ids):
        links.append(AnnouncementLink(store_id=in_scope(db.session.get(Store, store_id)).id))
    for product_id in dict.fromkeys(data.product_ids):
        product = db.session.get(Product, product_id)
        if product is None or product.is_hidden:
            raise DomainError(_("Produk yang ditautkan tidak ditemukan."))
        in_scope(product.store)
        links.append(AnnouncementLink(product_id=product.id))
    for code_id in dict.fromkeys(data.code_ids):
        code = db.session.get(DiscountCode, code_id)
        if code is None or code.store_id is None:
            raise DomainError(_("Kode promo yang ditautkan tidak ditemukan."))
        in_scope(code.store)
        links.append(AnnouncementLink(code_id=code.id))
    for campaign_id in data.campaign_ids:
        if db.session.get(Campaign, campaign_id) is None:
            raise DomainError(_("Kampanye yang ditautkan tidak ditemukan."))
        links.append(AnnouncementLink(campaign_id=campaign_id))
    for event_id in data.event_ids:
        if db.session.get(Event, event_id) is None:
            raise DomainError(_("Acara yang ditautkan tidak ditemukan."))
        links.append(AnnouncementLink(event_id=event_id))
    return links


def save_announcement(
    actor: User,
    data: AnnouncementData,
    item: Announcement | None = None,
    cover=None,
    uploads: Uploads | None = None,
) -> Announcement:
    """Publish or edit an announcement for the actor's kelurahan (or the city)."""
    if item is not None and not can_manage(actor, item):
        raise NotAllowed(_("Anda hanya dapat mengubah pengumuman KIM Anda."))
    group_id, kelurahan_id = (
        (item.kim_group_id, item.kelurahan_id)
        if item is not None
        else _area_of(actor, data.city_wide)
    )
    if data.kind not in set(AnnouncementKind):
        raise DomainError(_("Pilih jenis pengumuman."))
    for value, message in (
        (data.title, _("Judul wajib diisi.")),
        (data.summary, _("Ringkasan wajib diisi.")),
        (data.body, _("Isi pengumuman wajib diisi.")),
        (data.source, _("Tuliskan sumber informasinya.")),
    ):
        if not (value or "").strip():
            raise DomainError(message)
    publish = to_utc_naive(data.publish_at) if data.publish_at else utcnow()
    unpublish = to_utc_naive(data.unpublish_at) if data.unpublish_at else None
    if unpublish is not None and unpublish <= publish:
        raise DomainError(_("Waktu tayang berakhir harus setelah waktu terbit."))
    if item is None:
        item = Announcement(kim_group_id=group_id, kelurahan_id=kelurahan_id, author_id=actor.id)
        db.session.add(item)
    item.kind, item.title = data.kind, data.title.strip()[:160]
    item.summary, item.source = data.summary.strip()[:300], data.source.strip()[:160]
    item.body_md = data.body
    item.body_html = render_markdown(data.body)
    item.publish_at, item.unpublish_at, item.pinned = publish, unpublish, data.pinned
    item.links = _links(actor, data, kelurahan_id)
    targets, internal = _audience(actor, data, kelurahan_id)
    item.targets, item.audience = targets, "kim" if internal else "public"
    if cover is not None and uploads is not None:
        stored = uploads.store(cover)
        uploads.delete(item.cover_thumb, item.cover_large)
        item.cover_thumb, item.cover_large = stored.thumb, stored.large
    db.session.flush()
    return item


def _public_at(now) -> tuple:
    """The conditions of an announcement the public sees at ``now`` (naive UTC: a value or a
    bind parameter)."""
    return (
        Announcement.audience == "public",
        Announcement.withdrawn.is_(False),
        Announcement.publish_at <= now,
        or_(Announcement.unpublish_at.is_(None), Announcement.unpublish_at > now),
    )


#: pinned first, then newest first
_PUBLISHED_ORDER = (
    Announcement.pinned.desc(),
    Announcement.publish_at.desc(),
    Announcement.id.desc(),
)


def published(
    kind: str | None = None,
    kelurahan_id: int | None = None,
    now: datetime | None = None,
    limit: int = 30,
) -> list[Announcement]:
    """Published announcements, pinned first, newest first; an area also gets city-wide ones."""
    query = (
        select(Announcement)
        .where(*_public_at(now or utcnow()))
        .options(joinedload(Announcement.kim_group), joinedload(Announcement.kelurahan))
        .order_by(*_PUBLISHED_ORDER)
        .limit(limit)
    )
    if kind:
        query = query.where(Announcement.kind == kind)
    if kelurahan_id:
        # its own, and the city's that are for the whole city or name this kelurahan
        query = query.where(
            or_(
                Announcement.kelurahan_id == kelurahan_id,
                and_(
                    Announcement.kelurahan_id.is_(None),
                    or_(
                        ~Announcement.targets.any(),
                        Announcement.targets.any(Kelurahan.id == kelurahan_id),
                    ),
                ),
            )
        )
    return list(db.session.scalars(query))


@dataclass(frozen=True, slots=True)
class GroupName:
    name: str


@dataclass(frozen=True, slots=True)
class AnnouncementCard:
    """An announcement as a list's card shows it (``templates/announcements/_card.html``)."""

    id: int
    kind: str
    title: str
    summary: str
    pinned: bool
    publish_at: datetime
    kim_group: GroupName | None
    kelurahan: KelurahanRef | None


@functools.cache
def _cards_statement(limit: int) -> Select:
    return (
        select(
            Announcement.id,
            Announcement.kind,
            Announcement.title,
            Announcement.summary,
            Announcement.pinned,
            Announcement.publish_at,
            KimGroup.name,
            Announcement.kelurahan_id,
        )
        .outerjoin(Announcement.kim_group)
        .where(*_public_at(bindparam("now", type_=DateTime)))
        .order_by(*_PUBLISHED_ORDER)
        .limit(literal_column(str(limit), Integer))  # a LIMIT PostgreSQL can plan for
    )


def latest_cards(limit: int) -> list[AnnouncementCard]:
    """The first ``limit`` of ``published()``, city-wide, as cards (the home page): one
    statement made once per process, and plain copies instead of announcements with their
    group and kelurahan loaded."""
    rows = run_read(_cards_statement(limit), {"now": utcnow()})
    return [
        AnnouncementCard(
            *row[:6],
            kim_group=GroupName(row[6]) if row[6] is not None else None,
            kelurahan=kelurahan_by_id(row[7]),
        )
        for row in rows
    ]


def circulars(actor: User) -> list[Announcement]:
    """The city's internal circulars to the KIM admins, newest first."""
    if not (actor.is_city_admin or actor.is_kim_admin):
        raise NotAllowed(_("Edaran hanya untuk admin KIM dan admin kota."))
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.audience == "kim", Announcement.withdrawn.is_(False))
            .order_by(Announcement.publish_at.desc(), Announcement.id.desc())
            .limit(100)
        )
    )


def circulars_read_by(actor: User) -> set[int]:
    """The circulars this admin has opened."""
    return set(
        db.session.scalars(
            select(CircularRead.announcement_id).where(CircularRead.user_id == actor.id)
        )
    )


def mark_read(actor: User, item: Announcement) -> None:
    """A KIM admin opened a circular: its read receipt (the first time counts)."""
    if not actor.is_kim_admin or item.audience != "kim":
        return
    statement = upsert(CircularRead.__table__).values(
        announcement_id=item.id, user_id=actor.id, read_at=utcnow()
    )
    db.session.execute(statement.on_conflict_do_nothing())
    db.session.flush()


def read_receipts(item: Announcement) -> list[tuple[User, datetime | None]]:
    """Every KIM admin and when they read the circular (None: not yet), unread first."""
    read = {
        r.user_id: r.read_at
        for r in db.session.scalars(
            select(CircularRead).where(CircularRead.announcement_id == item.id)
        )
    }
    admins = db.session.scalars(
        select(User)
        .where(User.role == Role.KIM_ADMIN)
        .options(selectinload(User.kim_group))
        .order_by(User.name)
    ).all()
    return sorted(((a, read.get(a.id)) for a in admins), key=lambda p: p[1] is not None)


def relay(actor: User, source: Announcement, note: str) -> Announcement:
    """A KIM passes a city post (or circular) on to its residents with a local note; the copy
    names where it came from and links to it."""
    if not actor.is_kim_admin or actor.kim_group is None:
        raise NotAllowed(_("Hanya admin KIM yang meneruskan ke warganya."))
    if source.kim_group_id is not None:
        raise DomainError(_("Hanya pengumuman dan edaran kota yang dapat diteruskan."))
    note = (note or "").strip()
    if len(note) < 10:
        raise DomainError(_("Tambahkan catatan untuk warga (minimal 10 huruf)."))
    group = actor.kim_group
    done = db.session.scalar(
        select(Announcement.id).where(
            Announcement.relayed_from_id == source.id, Announcement.kim_group_id == group.id
        )
    )
    if done is not None:
        raise DomainError(_("KIM Anda sudah meneruskan pengumuman ini."))
    copy = Announcement(
        kim_group_id=group.id,
        kelurahan_id=group.kelurahan_id,
        author_id=actor.id,
        kind=source.kind,
        title=source.title,
        summary=source.summary,
        body_md=note + "\n\n" + source.body_md,
        body_html=render_markdown(note) + source.body_html,
        source=source.source,
        publish_at=utcnow(),
        relayed_from_id=source.id,
        claim=source.claim,
        verdict=source.verdict,
    )
    try:
        with db.session.begin_nested():  # two clicks at once: the second finds the first
            db.session.add(copy)
    except IntegrityError as error:
        raise DomainError(_("KIM Anda sudah meneruskan pengumuman ini.")) from error
    return copy


def report(announcement: Announcement, reporter: User | None, reason: str) -> AnnouncementReport:
    """A resident reports an announcement as wrong or misleading."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise DomainError(_("Jelaskan apa yang salah (minimal 10 huruf)."))
    entry = AnnouncementReport(
        announcement_id=announcement.id,
        reason=reason[:2000],
        reporter_id=getattr(reporter, "id", None),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


MODERATION_ACTIONS = ("dismissed", "corrected", "unpublished")


def can_moderate(actor: User, entry: AnnouncementReport) -> bool:
    """The publishing KIM, the KIM of the area concerned and the city admin review a report."""
    return can_manage(actor, entry.announcement) or actor.can_moderate_kelurahan(
        entry.announcement.moderation_kelurahan_id
    )


@dataclass
class Linkable:
    stores: list[Store]
    products: list[Product]
    codes: list[DiscountCode]
    campaigns: list[Campaign]
    events: list[Event]


def linkable(actor: User) -> Linkable:
    """Stores, products and codes of the actor's area, and the campaigns and events still to
    come, that an announcement may link to."""
    stores = moderated_stores(actor)
    store_ids = [s.id for s in stores] or [-1]
    products = db.session.scalars(
        select(Product)
        .where(Product.store_id.in_(store_ids), Product.is_hidden.is_(False))
        .options(selectinload(Product.store))
        .order_by(Product.name)
    )
    codes = db.session.scalars(
        select(DiscountCode)
        .where(DiscountCode.store_id.in_(store_ids))
        .options(selectinload(DiscountCode.store))
        .order_by(DiscountCode.code)
    )
    return Linkable(stores, list(products), list(codes), campaigns.current(), events.upcoming())


def moderate(actor: User, entry: AnnouncementReport, action: str, note: str) -> None:
    """Dismiss a report, correct the announcement, or take it down; recorded.

    "Corrected" ("perlu diralat") puts a visible Ralat on the announcement saying what changes,
    and keeps its text as it was then; the KIM edits the announcement afterwards."""
    if not can_moderate(actor, entry):
        raise NotAllowed(_("Anda hanya dapat memeriksa laporan untuk kelurahan Anda."))
    if action not in MODERATION_ACTIONS:
        raise DomainError(_("Pilih tindakan."))
    db.session.refresh(entry, with_for_update=True)
    if entry.status != "open":
        raise DomainError(_("Laporan ini sudah ditangani."))
    note = (note or "").strip()[:2000]
    item = entry.announcement
    if action == "corrected":
        if len(note) < 10:
            raise DomainError(_("Tuliskan apa yang diralat (minimal 10 huruf)."))
        item.corrections.append(
            AnnouncementCorrection(
                report_id=entry.id,
                actor_id=actor.id,
                note=note,
                previous_summary=item.summary,
                previous_body_html=item.body_html,
            )
        )
        item.updated_at = utcnow()  # feeds show the entry as updated
    entry.status, entry.note = action, note or None
    entry.handled_by_id, entry.handled_at = actor.id, utcnow()
    if action == "unpublished":
        item.withdrawn = True
    db.session.flush()


def open_reports(actor: User) -> list[AnnouncementReport]:
    query = (
        select(AnnouncementReport)
        .join(AnnouncementReport.announcement)
        .where(AnnouncementReport.status == "open")
        .order_by(AnnouncementReport.created_at)
    )
    if not actor.is_city_admin:
        query = query.where(Announcement.kim_group_id == actor.kim_group_id)
    return list(db.session.scalars(query))


def managed(actor: User) -> list[Announcement]:
    query = select(Announcement).order_by(Announcement.publish_at.desc()).limit(100)
    if not actor.is_city_admin:
        query = query.where(Announcement.kim_group_id == actor.kim_group_id)
    return list(db.session.scalars(query))


def kelurahan_by_slug(slug: str) -> Kelurahan | None:
    return db.session.scalar(select(Kelurahan).where(Kelurahan.slug == slug))


def published_for_stores(store_ids: list[int], limit: int = 10) -> list[Announcement]:
    """Published announcements that link to any of these stores (news for their followers)."""
    if not store_ids:
        return []
    now = utcnow()
    return list(
        db.session.scalars(
            select(Announcement)
            .join(AnnouncementLink)
            .where(
                AnnouncementLink.store_id.in_(store_ids),
                Announcement.withdrawn.is_(False),
                Announcement.publish_at <= now,
                or_(Announcement.unpublish_at.is_(None), Announcement.unpublish_at > now),
            )
            .order_by(Announcement.publish_at.desc())
            .distinct()
            .limit(limit)
        )
    )
