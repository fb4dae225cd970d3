"""Event rules: the KIM schedules a bazaar, stores apply for a booth within the quota (a
waitlist when it is full), the KIM decides, and after the event it sees the sales per store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Role, User
from marketplace.core.db import jakarta_today, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.events.models import HOLDING, BoothApplication, BoothStatus, Event
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.stores.models import Store

MAX_EVENT_DAYS = 31


@dataclass
class EventData:
    title: str
    place: str
    starts_on: date
    ends_on: date
    opens_at: time
    closes_at: time
    booth_quota: int
    description: str = ""


def _check(data: EventData, today: date) -> None:
    if not (data.title or "").strip() or not (data.place or "").strip():
        raise DomainError(_("Isi nama acara dan tempatnya."))
    if data.ends_on < data.starts_on:
        raise DomainError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."))
    if data.ends_on < today:
        raise DomainError(_("Acara harus berlangsung hari ini atau nanti."))
    if (data.ends_on - data.starts_on).days >= MAX_EVENT_DAYS:
        raise DomainError(_("Acara paling lama %(days)d hari.", days=MAX_EVENT_DAYS))
    if data.closes_at <= data.opens_at:
        raise DomainError(_("Jam tutup harus setelah jam buka."))
    if not 1 <= data.booth_quota <= 500:
        raise DomainError(_("Kuota booth antara 1 dan 500."))


def save_event(actor: User, data: EventData, event: Event | None = None) -> Event:
    """Schedule (or change) an event of the actor's KIM, or of the city for the city admin."""
    if event is None:
        area = actor.organiser_area()
        if area is None:
            raise NotAllowed(_("Hanya admin KIM yang dapat mengadakan acara."))
        event = Event(kim_group_id=area[0], kelurahan_id=area[1], created_by_id=actor.id)
    elif not event.is_managed_by(actor):
        raise NotAllowed(_("Anda hanya dapat mengelola acara KIM Anda."))
    _check(data, jakarta_today())
    accepted = _accepted(event) if event.id is not None else 0
    if data.booth_quota < accepted:
        raise DomainError(
            _("Sudah %(n)d booth diterima; kuota tidak boleh lebih kecil.", n=accepted)
        )
    event.title, event.place = data.title.strip()[:160], data.place.strip()[:200]
    event.description = (data.description or "").strip()
    event.starts_on, event.ends_on = data.starts_on, data.ends_on
    event.opens_at, event.closes_at = data.opens_at, data.closes_at
    event.booth_quota = data.booth_quota
    if event.id is None:
        db.session.add(event)
    db.session.flush()
    _move_up_waitlist(event)
    return event


def _lock(event: Event) -> Event:
    """Lock the event row: applications and decisions on one event happen one at a time."""
    return db.session.scalar(select(Event).where(Event.id == event.id).with_for_update())


def _holding(event: Event) -> int:
    return db.session.scalar(
        select(func.count(BoothApplication.id)).where(
            BoothApplication.event_id == event.id, BoothApplication.status.in_(list(HOLDING))
        )
    )


def _accepted(event: Event) -> int:
    return db.session.scalar(
        select(func.count(BoothApplication.id)).where(
            BoothApplication.event_id == event.id,
            BoothApplication.status == BoothStatus.ACCEPTED,
        )
    )


def _move_up_waitlist(event: Event) -> None:
    """Booths freed (a refusal, a withdrawal, a larger quota) go to the waitlist in order."""
    free = event.booth_quota - _holding(event)
    if free <= 0:
        return
    waiting = db.session.scalars(
        select(BoothApplication)
        .where(
            BoothApplication.event_id == event.id,
            BoothApplication.status == BoothStatus.WAITLISTED,
        )
        .order_by(BoothApplication.applied_at, BoothApplication.id)
        .limit(free)
    )
    for application in waiting:
        application.status = BoothStatus.PENDING
    db.session.flush()


def apply_for_booth(seller: User, event: Event, store: Store) -> BoothApplication:
    """Ask for a booth: pending while the quota has room, otherwise on the waitlist."""
    if not store.is_managed_by(seller):
        raise NotAllowed(_("Toko ini bukan milik Anda."))
    if not store.is_public:
        raise DomainError(_("Hanya toko terverifikasi yang dapat mendaftar booth."))
    event = _lock(event)
    if event.is_over(jakarta_today()):
        raise DomainError(_("Acara ini sudah selesai."))
    application = db.session.scalar(
        select(BoothApplication).where(
            BoothApplication.event_id == event.id, BoothApplication.store_id == store.id
        )
    )
    if application is not None and application.status not in (
        BoothStatus.WITHDRAWN,
        BoothStatus.REJECTED,
    ):
        raise DomainError(_("Toko ini sudah mendaftar di acara ini."))
    if application is not None and application.status == BoothStatus.REJECTED:
        raise DomainError(_("Pendaftaran toko ini sudah ditolak panitia."))
    status = BoothStatus.WAITLISTED if _holding(event) >= event.booth_quota else BoothStatus.PENDING
    if application is None:
        application = BoothApplication(event_id=event.id, store_id=store.id)
        db.session.add(application)
    application.status, application.applied_at, application.note = status, utcnow(), ""
    application.decided_by_id = application.decided_at = None
    db.session.flush()
    return application


def accept_booth(actor: User, application: BoothApplication) -> None:
    """The KIM gives the store a booth, within the quota."""
    event = application.event
    if not event.is_managed_by(actor):
        raise NotAllowed(_("Anda hanya dapat mengelola acara KIM Anda."))
    event = _lock(event)
    if application.status not in (BoothStatus.PENDING, BoothStatus.WAITLISTED):
        raise DomainError(_("Pendaftaran ini tidak menunggu keputusan."))
    if _accepted(event) >= event.booth_quota:
        raise DomainError(_("Kuota booth sudah penuh."))
    if application.status == BoothStatus.WAITLISTED and _holding(event) >= event.booth_quota:
        raise DomainError(
            _("Kuota booth sudah terisi pendaftar lain. Putuskan yang menunggu lebih dulu.")
        )
    _decide(application, BoothStatus.ACCEPTED, actor)


def reject_booth(actor: User, application: BoothApplication, reason: str) -> None:
    """The KIM turns the application down (or takes back a booth); the waitlist moves up."""
    event = application.event
    if not event.is_managed_by(actor):
        raise NotAllowed(_("Anda hanya dapat mengelola acara KIM Anda."))
    _lock(event)
    if application.status in (BoothStatus.REJECTED, BoothStatus.WITHDRAWN):
        raise DomainError(_("Pendaftaran ini sudah tidak aktif."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tuliskan alasan penolakan untuk penjual."))
    application.note = reason[:500]
    _decide(application, BoothStatus.REJECTED, actor)
    _move_up_waitlist(event)


def withdraw_booth(seller: User, application: BoothApplication) -> None:
    """The seller gives up the application or the booth; the waitlist moves up."""
    if not application.is_managed_by(seller):
        raise NotAllowed(_("Toko ini bukan milik Anda."))
    _lock(application.event)
    if application.status in (BoothStatus.REJECTED, BoothStatus.WITHDRAWN):
        raise DomainError(_("Pendaftaran ini sudah tidak aktif."))
    _decide(application, BoothStatus.WITHDRAWN, seller)
    _move_up_waitlist(application.event)


def _decide(application: BoothApplication, status: str, actor: User) -> None:
    application.status = status
    application.decided_by_id, application.decided_at = actor.id, utcnow()
    db.session.flush()


def takes_part(event: Event, store: Store) -> bool:
    return (
        db.session.scalar(
            select(BoothApplication.id).where(
                BoothApplication.event_id == event.id,
                BoothApplication.store_id == store.id,
                BoothApplication.status == BoothStatus.ACCEPTED,
            )
        )
        is not None
    )


def booth_events(store: Store, today: date | None = None) -> list[Event]:
    """Events, today or later, where the store has a booth (for its pre-orders)."""
    today = today or jakarta_today()
    return list(
        db.session.scalars(
            select(Event)
            .join(BoothApplication)
            .where(
                BoothApplication.store_id == store.id,
                BoothApplication.status == BoothStatus.ACCEPTED,
                Event.ends_on >= today,
            )
            .order_by(Event.starts_on, Event.id)
        )
    )


def upcoming(today: date | None = None, kelurahan_id: int | None = None) -> list[Event]:
    query = (
        select(Event)
        .where(Event.ends_on >= (today or jakarta_today()))
        .options(selectinload(Event.kelurahan))
        .order_by(Event.starts_on, Event.id)
    )
    if kelurahan_id is not None:
        query = query.where(Event.kelurahan_id == kelurahan_id)
    return list(db.session.scalars(query))


def managed(actor: User) -> list[Event]:
    query = select(Event).order_by(Event.starts_on.desc(), Event.id.desc())
    if not actor.is_city_admin:
        query = query.where(Event.kim_group_id == actor.kim_group_id)
    return list(db.session.scalars(query))


def load_applications(event: Event) -> list[BoothApplication]:
    return list(
        db.session.scalars(
            select(BoothApplication)
            .where(BoothApplication.event_id == event.id)
            .options(selectinload(BoothApplication.store))
            .order_by(BoothApplication.applied_at, BoothApplication.id)
        )
    )


def participants(event: Event) -> list[Store]:
    return list(
        db.session.scalars(
            select(Store)
            .join(BoothApplication)
            .where(
                BoothApplication.event_id == event.id,
                BoothApplication.status == BoothStatus.ACCEPTED,
            )
            .options(selectinload(Store.kelurahan))
            .order_by(Store.name)
        )
    )


def applications_of(seller: User, event: Event) -> list[BoothApplication]:
    """The seller's own applications to this event (one per store)."""
    if (
        seller is None
        or not getattr(seller, "is_authenticated", False)
        or (seller.role != Role.SELLER)
    ):
        return []
    return list(
        db.session.scalars(
            select(BoothApplication)
            .join(Store)
            .where(BoothApplication.event_id == event.id, Store.owner_id == seller.id)
            .options(selectinload(BoothApplication.store))
        )
    )


@dataclass
class RecapRow:
    store: Store
    orders: int
    completed: int
    #: whole Rupiah of the orders not rejected or cancelled
    sales: int


def sales_recap(event: Event) -> list[RecapRow]:
    """Pre-orders of the event per store: how many, how many handed over, and the Rupiah."""
    counted = Order.status.notin_([OrderStatus.REJECTED, OrderStatus.CANCELLED])
    rows = db.session.execute(
        select(
            Order.store_id,
            func.count(Order.id),
            func.count(Order.id).filter(Order.status == OrderStatus.COMPLETED),
            func.coalesce(func.sum(Order.total), 0),
        )
        .where(Order.event_id == event.id, counted)
        .group_by(Order.store_id)
    ).all()
    ids = [row[0] for row in rows] or [-1]
    stores = {s.id: s for s in db.session.scalars(select(Store).where(Store.id.in_(ids)))}
    recap = [RecapRow(stores[sid], int(n), int(done), int(total)) for sid, n, done, total in rows]
    return sorted(recap, key=lambda r: (-r.sales, r.store.name))
