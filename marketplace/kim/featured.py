"""Featured vendors ("UMKM unggulan"): scheduled slots, shown only while they run."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import DateTime, Integer, Select, Text, bindparam, cast, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import ColumnElement

from marketplace.accounts.models import User
from marketplace.core.db import JAKARTA, decoded_rows, json_rows, run_read, to_utc_naive, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.kim.models import FeaturedSlot, FeaturedSlotLog
from marketplace.stores.hours import not_paused_at
from marketplace.stores.models import VERIFIED_SQL, Store, StoreStatus
from marketplace.stores.refs import StoreRef, store_ref


def _log(actor: User, action: str, slot: FeaturedSlot | None, details: str) -> None:
    db.session.add(
        FeaturedSlotLog(
            slot_id=slot.id if slot else None,
            actor_id=actor.id,
            action=action,
            details=details[:1000],
        )
    )


def _scope(actor: User, store: Store, city_wide: bool) -> int | None:
    """The kelurahan a slot belongs to; KIM admins only feature stores of their kelurahan."""
    if city_wide:
        if not actor.is_city_admin:
            raise NotAllowed(_("Hanya admin kota yang dapat mengatur unggulan se-kota."))
        return None
    if not actor.can_moderate_kelurahan(store.kelurahan_id):
        raise NotAllowed(_("Anda hanya dapat menampilkan toko di kelurahan Anda."))
    return store.kelurahan_id


def schedule_slot(
    actor: User,
    store: Store,
    headline: str,
    starts: datetime,
    ends: datetime,
    position: int = 1,
    city_wide: bool = False,
) -> FeaturedSlot:
    """Feature a verified store between ``starts`` and ``ends`` (Asia/Jakarta or aware)."""
    kelurahan_id = _scope(actor, store, city_wide)
    if store.status != StoreStatus.VERIFIED:
        raise DomainError(_("Hanya toko terverifikasi yang dapat menjadi unggulan."))
    headline = (headline or "").strip()
    if not headline:
        raise DomainError(_("Tulis judul singkat, misalnya 'Nasi uduk terlaris'."))
    start_utc, end_utc = to_utc_naive(starts), to_utc_naive(ends)
    if end_utc <= start_utc:
        raise DomainError(_("Waktu selesai harus setelah waktu mulai."))
    if not 1 <= position <= 99:
        raise DomainError(_("Urutan antara 1 dan 99."))
    slot = FeaturedSlot(
        store_id=store.id,
        kelurahan_id=kelurahan_id,
        headline=headline[:120],
        position=position,
        starts_at=start_utc,
        ends_at=end_utc,
        created_by_id=actor.id,
    )
    db.session.add(slot)
    db.session.flush()
    _log(
        actor,
        "create",
        slot,
        f"{store.name}: {headline} {start_utc:%Y-%m-%d %H:%M}–"
        f"{end_utc:%Y-%m-%d %H:%M} UTC, #{position}",
    )
    db.session.flush()
    return slot


def can_manage(actor: User, slot: FeaturedSlot) -> bool:
    if slot.kelurahan_id is None:
        return actor.is_city_admin
    return actor.can_moderate_kelurahan(slot.kelurahan_id)


def remove_slot(actor: User, slot: FeaturedSlot) -> None:
    """Take a slot down (logged)."""
    if not can_manage(actor, slot):
        raise NotAllowed(_("Anda hanya dapat mengatur unggulan kelurahan Anda."))
    _log(actor, "delete", slot, f"{slot.store.name}: {slot.headline}")
    db.session.delete(slot)
    db.session.flush()


@dataclass(frozen=True, slots=True)
class FeaturedView:
    """A slot running now as the home, kelurahan and KIM pages show it."""

    id: int
    headline: str
    store_id: int
    store: StoreRef


@functools.cache
def _featured_statement(in_kelurahan: bool) -> Select:
    """The slots running at ``:now`` of stores verified and not paused then, best position
    first (city-wide before kelurahan slots); ``in_kelurahan``: those of ``:kelurahan_id``.
    Made once per process, run with each request's values."""
    now = bindparam("now", type_=DateTime)
    query = (
        select(
            FeaturedSlot.id,
            FeaturedSlot.headline,
            FeaturedSlot.store_id,
            Store.name,
            Store.slug,
            Store.kelurahan_id,
        )
        .join(FeaturedSlot.store)
        .where(
            FeaturedSlot.starts_at <= now,
            FeaturedSlot.ends_at > now,
            Store.status == VERIFIED_SQL,
            not_paused_at(now),
        )
        .order_by(*_featured_order())
    )
    if in_kelurahan:
        query = query.where(FeaturedSlot.kelurahan_id == bindparam("kelurahan_id", type_=Integer))
    return query


def current_featured(
    kelurahan_id: int | None = None, now: datetime | None = None, limit: int = 6
) -> list[FeaturedView]:
    """Slots running now, best position first, one per store; paused or unverified stores are
    left out.

    ``kelurahan_id`` None gives the home page: city-wide slots, then kelurahan slots.
    """
    params = featured_params(kelurahan_id, now)
    rows = run_read(_featured_statement(kelurahan_id is not None), params)
    return _shown(rows, limit)


def featured_params(kelurahan_id: int | None = None, now: datetime | None = None) -> dict:
    """The values of the featured statement's (and ``featured_column``'s) parameters."""
    now = now or utcnow()
    if now.tzinfo is not None:  # stored as naive UTC, as utcnow() gives it
        now = now.astimezone(UTC).replace(tzinfo=None)
    params = {"now": now}
    if kelurahan_id is not None:
        params["kelurahan_id"] = kelurahan_id
    return params


def _shown(rows, limit: int) -> list[FeaturedView]:
    """The slots to show of ``rows`` (slot id, headline, store id, store name, slug and
    kelurahan id; best first): one per store, at most ``limit``."""
    shown, seen = [], set()
    for slot_id, headline, store_id, *store in rows:
        if store_id in seen:
            continue
        seen.add(store_id)
        shown.append(FeaturedView(slot_id, headline, store_id, store_ref(*store[:3])))
        if len(shown) >= limit:
            break
    return shown


@functools.cache
def featured_column(dialect: str) -> ColumnElement:
    """The slots of ``:kelurahan_id`` running at ``:now`` (``featured_params``) as one column
    (JSON text, each slot numbered in its order), for a kelurahan's listing to carry beside its
    cards (``catalog.services.browse_products``); read it with ``featured_from_column``."""
    numbered = (
        _featured_statement(True)
        .order_by(None)
        .add_columns(func.row_number().over(order_by=_featured_order()))
        .subquery("kelurahan_featured")
    )
    return cast(json_rows(dialect, tuple(numbered.c)), Text).label("kelurahan_featured")


def featured_from_column(value, limit: int = 6) -> list[FeaturedView]:
    """``current_featured`` of a kelurahan, from the value of its ``featured_column``."""
    return _shown(sorted(decoded_rows(value), key=lambda row: row[-1]), limit)


def _featured_order() -> tuple:
    # city-wide slots before a kelurahan's, then by position
    return (FeaturedSlot.kelurahan_id.is_not(None), FeaturedSlot.position, FeaturedSlot.id)


def rotate(
    actor: User, kelurahan_id: int, first_day: date, days: int, per_day: int, headline: str
) -> list[FeaturedSlot]:
    """Fair rotation: spread daily slots among the kelurahan's verified stores, least featured
    first, so that every store gets its turn before any gets a second one."""
    if not actor.can_moderate_kelurahan(kelurahan_id):
        raise NotAllowed(_("Anda hanya dapat mengatur unggulan kelurahan Anda."))
    if not 1 <= days <= 60 or not 1 <= per_day <= 10:
        raise DomainError(_("Rotasi 1–60 hari, 1–10 toko per hari."))
    featured_count = (
        select(FeaturedSlot.store_id, func.count(FeaturedSlot.id).label("times"))
        .group_by(FeaturedSlot.store_id)
        .subquery()
    )
    candidates = list(
        db.session.scalars(
            select(Store)
            .outerjoin(featured_count, featured_count.c.store_id == Store.id)
            .where(
                Store.kelurahan_id == kelurahan_id,
                Store.status == StoreStatus.VERIFIED,
                or_(Store.is_paused.is_(False), Store.paused_until.is_not(None)),
            )
            .order_by(func.coalesce(featured_count.c.times, 0), Store.id)
        )
    )
    if not candidates:
        raise DomainError(_("Belum ada toko terverifikasi di kelurahan ini."))
    slots, turn = [], 0
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        start = datetime.combine(day, datetime.min.time(), tzinfo=JAKARTA)
        for position in range(1, min(per_day, len(candidates)) + 1):
            store = candidates[turn % len(candidates)]
            turn += 1
            slots.append(
                schedule_slot(actor, store, headline, start, start + timedelta(days=1), position)
            )
    return slots


def slots_for(actor: User) -> list[FeaturedSlot]:
    query = (
        select(FeaturedSlot)
        .where(FeaturedSlot.ends_at > utcnow())
        .order_by(FeaturedSlot.starts_at, FeaturedSlot.position)
    )
    if not actor.is_city_admin:
        query = query.where(FeaturedSlot.kelurahan_id == actor.kim_group.kelurahan_id)
    return list(db.session.scalars(query))


def log_for(actor: User, limit: int = 50) -> list[FeaturedSlotLog]:
    query = (
        select(FeaturedSlotLog)
        .options(selectinload(FeaturedSlotLog.actor))
        .order_by(FeaturedSlotLog.id.desc())
        .limit(limit)
    )
    if not actor.is_city_admin:
        query = query.join(User, User.id == FeaturedSlotLog.actor_id).where(
            User.kim_group_id == actor.kim_group_id
        )
    return list(db.session.scalars(query))
