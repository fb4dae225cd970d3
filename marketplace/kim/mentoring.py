"""Pendampingan UMKM: a KIM records its visits and advice to a store (the marketing mix and the
paperwork), the seller sees and confirms them, and the impact dashboard counts mentored stores
and their sales before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.core.db import jakarta_today, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.kim.models import KimGroup, KimMember, MentoringVisit
from marketplace.stores.models import Store, StoreStatus

TOPICS = {
    "produk": _l("Produk"),
    "harga": _l("Harga"),
    "tempat": _l("Tempat"),
    "promosi": _l("Promosi"),
    "pembukuan": _l("Pembukuan"),
    "perizinan": _l("Perizinan (NIB, PIRT, halal)"),
}


@dataclass
class VisitData:
    visited_on: date | None
    topic: str
    notes: str
    next_step: str = ""
    next_step_on: date | None = None


def can_mentor(actor: User, store: Store) -> bool:
    """The KIM of the store's kelurahan (its admins and the members it appointed as mentors),
    or the city admin."""
    if not (actor and actor.is_authenticated):
        return False
    if actor.can_moderate_kelurahan(store.kelurahan_id):
        return True
    return store.kelurahan_id in mentored_kelurahan(actor)


def mentored_kelurahan(actor: User) -> set[int]:
    """The kelurahan whose KIM appointed the actor as a mentor."""
    return set(
        db.session.scalars(
            select(KimGroup.kelurahan_id)
            .join(KimMember, KimMember.kim_group_id == KimGroup.id)
            .where(KimMember.user_id == actor.id, KimMember.is_mentor.is_(True))
        )
    )


def stores_to_mentor(actor: User) -> list[Store]:
    """Verified stores the actor may accompany."""
    query = select(Store).where(Store.status == StoreStatus.VERIFIED).order_by(Store.name)
    if actor.is_city_admin:
        return list(db.session.scalars(query))
    areas = mentored_kelurahan(actor)
    if actor.is_kim_admin and actor.kim_group is not None:
        areas.add(actor.kim_group.kelurahan_id)
    return list(db.session.scalars(query.where(Store.kelurahan_id.in_(areas or {-1}))))


def record_visit(actor: User, store: Store, data: VisitData) -> MentoringVisit:
    if not can_mentor(actor, store):
        raise NotAllowed(_("Anda hanya dapat mendampingi toko di kelurahan Anda."))
    if data.topic not in TOPICS:
        raise DomainError(_("Pilih topik pendampingan."))
    notes = (data.notes or "").strip()
    if len(notes) < 10:
        raise DomainError(_("Tuliskan catatan pendampingan (minimal 10 huruf)."))
    today = jakarta_today()
    visited = data.visited_on or today
    if visited > today:
        raise DomainError(_("Tanggal kunjungan tidak boleh di masa depan."))
    if data.next_step_on is not None and data.next_step_on < visited:
        raise DomainError(_("Tanggal langkah berikutnya harus sesudah kunjungan."))
    visit = MentoringVisit(
        store_id=store.id,
        mentor_id=actor.id,
        visited_on=visited,
        topic=data.topic,
        notes=notes[:4000],
        next_step=(data.next_step or "").strip()[:300],
        next_step_on=data.next_step_on,
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def confirm(seller: User, visit: MentoringVisit) -> None:
    """The seller confirms the visit happened as written (once)."""
    if not visit.store.is_managed_by(seller):
        raise NotAllowed(_("Hanya pemilik toko yang dapat mengonfirmasi."))
    locked = db.session.get(MentoringVisit, visit.id, with_for_update=True)
    if locked.confirmed_at is None:
        locked.confirmed_at = utcnow()
    db.session.flush()


def visits_of(store: Store) -> list[MentoringVisit]:
    return list(
        db.session.scalars(
            select(MentoringVisit)
            .where(MentoringVisit.store_id == store.id)
            .options(joinedload(MentoringVisit.mentor))
            .order_by(MentoringVisit.visited_on.desc(), MentoringVisit.id.desc())
        )
    )
