"""Store rules: opening, editing, hours, pausing, credentials and verification."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from slugify import slugify
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.areas.models import Kelurahan
from marketplace.core.db import jakarta_today, to_utc_naive, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.images import Uploads
from marketplace.core.jobs import periodic
from marketplace.core.phone import InvalidPhone, normalize_phone
from marketplace.extensions import db
from marketplace.stores import states
from marketplace.stores.models import (
    CredentialKind,
    OpeningPeriod,
    Store,
    StoreClosedDate,
    StoreCredential,
    StoreStatus,
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RW_RE = re.compile(r"^\d{1,3}$")
RESERVED_SLUGS = {"baru", "saya", "kelola", "new", "admin"}


@dataclass
class StoreData:
    name: str
    whatsapp: str
    address: str
    rt: str
    rw: str
    kelurahan_id: int
    story: str = ""
    slug: str = ""
    landmark: str = ""
    latitude: float | None = None
    longitude: float | None = None
    offers_pickup: bool = True
    offers_delivery: bool = False
    delivery_fee: int = 0
    delivery_rws: str = ""
    delivery_kelurahan_ids: tuple[int, ...] = ()
    daily_capacity: int | None = None
    delivery_promo_min: int | None = None
    delivery_promo_fee: int | None = None
    cash_on_pickup: bool = True
    card_on_pickup: bool = True
    cash_on_delivery: bool = True
    card_on_delivery: bool = True


#: (kind, number, expires_on); an empty number removes the credential
CredentialData = tuple[str, str, date | None]


@dataclass
class PeriodData:
    weekday: int
    opens_at: time
    closes_at: time


def _unique_slug(base: str, store_id: int | None = None) -> str:
    base = slugify(base, max_length=120) or "toko"
    candidate, n = base, 1
    while True:
        existing = db.session.scalar(select(Store.id).where(Store.slug == candidate))
        if existing is None or existing == store_id:
            return candidate
        n += 1
        candidate = f"{base}-{n}"


def _normalize_rws(raw: str) -> str:
    parts = [p.strip() for p in re.split(r"[,\s]+", raw or "") if p.strip()]
    for part in parts:
        if not RW_RE.match(part):
            raise DomainError(_("Daftar RW hanya berisi nomor, dipisah koma, misalnya 01, 02, 05."))
    return ",".join(sorted({p.zfill(2) for p in parts}))


def _apply(store: Store, data: StoreData) -> None:
    if not data.name.strip():
        raise DomainError(_("Nama toko wajib diisi."))
    try:
        whatsapp = normalize_phone(data.whatsapp)
    except InvalidPhone as exc:
        raise DomainError(_("Nomor WhatsApp tidak valid. Contoh: 0812-3456-7890.")) from exc
    kelurahan = db.session.get(Kelurahan, data.kelurahan_id)
    if kelurahan is None:
        raise DomainError(_("Pilih kelurahan dari daftar."))
    if not (data.offers_pickup or data.offers_delivery):
        raise DomainError(_("Pilih minimal satu cara: ambil di tempat atau diantar."))
    if data.offers_pickup and not (data.cash_on_pickup or data.card_on_pickup):
        raise DomainError(_("Pilih minimal satu cara bayar untuk ambil di tempat."))
    if data.offers_delivery and not (data.cash_on_delivery or data.card_on_delivery):
        raise DomainError(_("Pilih minimal satu cara bayar untuk pesanan antar."))
    if (data.delivery_promo_fee or 0) < 0 or (data.delivery_promo_min or 0) < 0:
        raise DomainError(_("Promo ongkir tidak boleh negatif."))
    if data.delivery_promo_min is not None and (data.delivery_promo_fee or 0) > data.delivery_fee:
        raise DomainError(_("Ongkir promo harus lebih murah dari ongkir biasa."))
    if data.daily_capacity is not None and not 1 <= data.daily_capacity <= 10_000:
        raise DomainError(_("Maksimal pesanan per hari antara 1 dan 10.000, atau kosongkan."))
    if data.delivery_fee < 0:
        raise DomainError(_("Ongkos kirim tidak boleh negatif."))
    if (data.latitude is None) != (data.longitude is None):
        raise DomainError(_("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya."))
    if data.latitude is not None and not (
        -90 <= data.latitude <= 90 and -180 <= data.longitude <= 180
    ):
        raise DomainError(_("Koordinat peta tidak valid."))
    if data.slug:
        slug = data.slug.strip().lower()
        if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS or len(slug) > 120:
            raise DomainError(
                _(
                    "Alamat toko hanya boleh huruf kecil, angka dan tanda minus, "
                    "misalnya warung-bu-siti."
                )
            )
        owner = db.session.scalar(select(Store.id).where(Store.slug == slug))
        if owner is not None and owner != store.id:
            raise DomainError(_("Alamat toko itu sudah dipakai toko lain. Pilih yang lain."))
    else:
        slug = store.slug or _unique_slug(data.name, store.id)
    delivery_kelurahan = []
    if data.delivery_kelurahan_ids:
        delivery_kelurahan = list(
            db.session.scalars(
                select(Kelurahan).where(Kelurahan.id.in_(data.delivery_kelurahan_ids))
            )
        )
    store.name = data.name.strip()
    store.slug = slug
    store.story = (data.story or "").strip()
    store.whatsapp = whatsapp
    store.address = data.address.strip()
    store.rt = data.rt.strip().zfill(3)
    store.rw = data.rw.strip().zfill(3)
    store.kelurahan_id = kelurahan.id
    store.landmark = (data.landmark or "").strip()
    store.latitude = data.latitude
    store.longitude = data.longitude
    store.offers_pickup = data.offers_pickup
    store.offers_delivery = data.offers_delivery
    store.delivery_fee = data.delivery_fee
    store.daily_capacity = data.daily_capacity
    store.delivery_promo_min = data.delivery_promo_min
    store.delivery_promo_fee = (
        data.delivery_promo_fee if data.delivery_promo_min is not None else None
    )
    for flag in ("cash_on_pickup", "card_on_pickup", "cash_on_delivery", "card_on_delivery"):
        setattr(store, flag, getattr(data, flag))
    store.delivery_rws = _normalize_rws(data.delivery_rws)
    store.delivery_kelurahan = delivery_kelurahan


def _apply_extras(store: Store, credentials, logo, uploads: Uploads | None) -> None:
    for kind, number, expires_on in credentials:
        set_credential(store, kind, number, expires_on)
    if logo is not None and uploads is not None:
        set_logo(store, logo, uploads)


def open_store(
    owner: User,
    data: StoreData,
    credentials: Iterable[CredentialData] = (),
    logo=None,
    uploads: Uploads | None = None,
) -> Store:
    """Open a new store for ``owner``; it waits for the KIM's verification."""
    if owner.role not in (Role.CUSTOMER, Role.SELLER):
        raise NotAllowed(_("Akun admin tidak dapat membuka toko."))
    store = Store(owner_id=owner.id, story="")
    _apply(store, data)
    db.session.add(store)
    states.transition(store, StoreStatus.PENDING, owner)
    owner.role = Role.SELLER
    _apply_extras(store, credentials, logo, uploads)
    db.session.flush()
    return store


def update_store(
    store: Store,
    actor: User,
    data: StoreData,
    credentials: Iterable[CredentialData] = (),
    logo=None,
    uploads: Uploads | None = None,
) -> Store:
    """Change a store's details; a rejected store goes back to the KIM for review."""
    moved = store.kelurahan_id != data.kelurahan_id
    _apply(store, data)
    _apply_extras(store, credentials, logo, uploads)
    if store.status == StoreStatus.REJECTED:
        states.transition(
            store, StoreStatus.PENDING, actor, reason=_("Diperbaiki dan diajukan ulang")
        )
    db.session.flush()
    if moved:  # its products are listed under the new kelurahan
        from marketplace.catalog.services import refresh_listed  # catalog builds on stores

        refresh_listed(store_id=store.id)
    return store


def set_logo(store: Store, stream, uploads: Uploads) -> None:
    """Replace the store's logo with a verified, resized upload."""
    stored = uploads.store(stream)
    uploads.delete(store.logo_thumb, store.logo_large)
    store.logo_thumb, store.logo_large = stored.thumb, stored.large
    db.session.flush()


def set_opening_hours(store: Store, periods: list[PeriodData]) -> None:
    """Replace the weekly opening periods; periods of one day must not overlap."""
    by_day: dict[int, list[PeriodData]] = {}
    for period in periods:
        if not 0 <= period.weekday <= 6:
            raise DomainError(_("Hari tidak valid."))
        if period.opens_at == period.closes_at:
            raise DomainError(_("Jam buka dan jam tutup tidak boleh sama."))
        by_day.setdefault(period.weekday, []).append(period)
    for day_periods in by_day.values():
        ordered = sorted(day_periods, key=lambda p: p.opens_at)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if earlier.closes_at <= earlier.opens_at or later.opens_at < earlier.closes_at:
                raise DomainError(_("Jam buka pada hari yang sama tidak boleh bertumpuk."))
    store.periods = [
        OpeningPeriod(weekday=p.weekday, opens_at=p.opens_at, closes_at=p.closes_at)
        for p in periods
    ]
    db.session.flush()


def parse_closed_dates(text: str) -> list[tuple[date, str]]:
    """Read one closed date per line: '2026-12-25 Libur Natal' or '25-12-2026'."""
    found: dict[date, str] = {}
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        first, _sep, note = line.partition(" ")
        day = None
        for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
            try:
                day = datetime.strptime(first, fmt).date()
                break
            except ValueError:
                continue
        if day is None:
            raise DomainError(
                _(
                    "Tanggal libur tidak dikenali: %(line)s. Contoh: 2026-12-25 Libur Natal",
                    line=line,
                )
            )
        found[day] = note.strip()[:120]
    if len(found) > 60:
        raise DomainError(_("Maksimal 60 tanggal libur."))
    return sorted(found.items())


def set_closed_dates(store: Store, days: list[tuple[date, str]], today: date | None = None) -> None:
    """Replace the store's upcoming closed dates (past ones are dropped). A date kept keeps its
    row and takes the new note: the (store, day) key is never written twice in one flush."""
    today = today or jakarta_today()
    existing = {closed.day: closed for closed in store.closed_dates}
    kept = []
    for day, note in days:
        if day < today:
            continue
        closed = existing.get(day) or StoreClosedDate(day=day)
        closed.note = note
        kept.append(closed)
    store.closed_dates = kept
    db.session.flush()


def set_schedule(store: Store, periods: list[PeriodData], closed_dates_text: str) -> None:
    """Save the weekly hours and the closed dates together (one form, one transaction)."""
    set_opening_hours(store, periods)
    set_closed_dates(store, parse_closed_dates(closed_dates_text))


def pause_store(
    store: Store, reason: str, until: datetime | None, now: datetime | None = None
) -> None:
    """Close the store for a while ("tutup sementara"); ``until`` is Asia/Jakarta or aware."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tuliskan alasan tutup sementara, misalnya 'Libur Lebaran'."))
    until_utc = to_utc_naive(until) if until is not None else None
    if until_utc is not None and until_utc <= (now or utcnow()):
        raise DomainError(_("Waktu buka kembali harus di masa depan."))
    store.is_paused = True
    store.pause_reason = reason[:200]
    store.paused_until = until_utc
    db.session.flush()


def resume_store(store: Store) -> None:
    """End a pause now."""
    store.is_paused = False
    store.pause_reason = None
    store.paused_until = None
    db.session.flush()


@periodic("stores.reopen", "SWEEP_SECONDS")
def reopen_due(now: datetime | None = None) -> int:
    """Stores whose "tutup sementara" has run out are resumed (their pages already show them
    open; this keeps the stored flag true to the clock)."""
    due = list(
        db.session.scalars(
            select(Store).where(
                Store.is_paused.is_(True),
                Store.paused_until.is_not(None),
                Store.paused_until <= (now or utcnow()),
            )
        )
    )
    for store in due:
        resume_store(store)
    return len(due)


def set_credential(store: Store, kind: str, number: str, expires_on: date | None) -> None:
    """Add, change or (empty number) remove a NIB / PIRT / halal credential."""
    if kind not in set(CredentialKind):
        raise DomainError(_("Jenis izin tidak dikenal."))
    existing = next((c for c in store.credentials if c.kind == kind), None)
    number = (number or "").strip()
    if not number:
        if existing is not None:
            store.credentials.remove(existing)
        db.session.flush()
        return
    if existing is None:
        store.credentials.append(StoreCredential(kind=kind, number=number, expires_on=expires_on))
    else:
        existing.number, existing.expires_on = number, expires_on
    db.session.flush()


def verify_store(store: Store, actor: User) -> None:
    """Verify a pending store (KIM admin of its kelurahan, or the city admin)."""
    if not store.can_be_verified_by(actor):
        raise NotAllowed(_("Anda hanya dapat memverifikasi toko di kelurahan Anda."))
    states.transition(store, StoreStatus.VERIFIED, actor)


def reject_store(store: Store, actor: User, reason: str) -> None:
    """Reject a store with a reason the seller sees and can answer."""
    if not store.can_be_verified_by(actor):
        raise NotAllowed(_("Anda hanya dapat memverifikasi toko di kelurahan Anda."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tuliskan alasan penolakan agar penjual dapat memperbaikinya."))
    states.transition(store, StoreStatus.REJECTED, actor, reason=reason)


def stores_awaiting_verification(actor: User) -> list[Store]:
    """Pending stores the actor may verify."""
    query = select(Store).where(Store.status == StoreStatus.PENDING).order_by(Store.created_at)
    if not actor.is_city_admin:
        if actor.kim_group is None:
            return []
        query = query.where(Store.kelurahan_id == actor.kim_group.kelurahan_id)
    return list(db.session.scalars(query))


def stores_of(owner: User) -> list[Store]:
    return list(
        db.session.scalars(select(Store).where(Store.owner_id == owner.id).order_by(Store.id))
    )


def moderated_stores(actor: User) -> list[Store]:
    """Verified stores the actor moderates (their kelurahan; the city admin all)."""
    query = select(Store).where(Store.status == StoreStatus.VERIFIED).order_by(Store.name)
    if not actor.is_city_admin:
        if actor.kim_group is None:
            return []
        query = query.where(Store.kelurahan_id == actor.kim_group.kelurahan_id)
    return list(db.session.scalars(query))
