"""Suara Warga: residents write to their kelurahan's KIM, which answers and tracks the status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import User
from marketplace.areas.models import Kelurahan
from marketplace.core.db import JAKARTA, to_utc_naive, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.images import Uploads
from marketplace.extensions import db
from marketplace.kim.models import Aspiration, AspirationEvent, AspirationStatus, KimGroup

CATEGORIES = ("aspirasi", "saran", "keluhan")
#: what residents and admins read for each kind and state of a message
CATEGORY_LABELS = {"aspirasi": _l("Aspirasi"), "saran": _l("Saran"), "keluhan": _l("Keluhan")}
STATUS_LABELS = {
    "diterima": _l("Diterima"),
    "diteruskan": _l("Diteruskan ke dinas terkait"),
    "dijawab": _l("Dijawab"),
    "ditutup": _l("Ditutup"),
}


def send(
    user: User,
    kelurahan_id: int,
    category: str,
    text: str,
    photo=None,
    uploads: Uploads | None = None,
) -> Aspiration:
    """Send an aspiration to the KIM of a kelurahan (the resident's own)."""
    area = db.session.get(Kelurahan, kelurahan_id)
    if area is None:
        raise DomainError(_("Pilih kelurahan Anda dari daftar."))
    if db.session.scalar(select(KimGroup.id).where(KimGroup.kelurahan_id == area.id)) is None:
        raise DomainError(_("Kelurahan ini belum punya KIM. Pilih kelurahan lain."))
    if category not in CATEGORIES:
        raise DomainError(_("Pilih jenis: aspirasi, saran atau keluhan."))
    text = (text or "").strip()
    if len(text) < 15:
        raise DomainError(_("Tuliskan lebih jelas (minimal 15 huruf)."))
    item = Aspiration(
        user_id=user.id,
        kelurahan_id=area.id,
        category=category,
        text=text[:4000],
        status=AspirationStatus.RECEIVED,
    )
    if photo is not None and uploads is not None:
        stored = uploads.store(photo)
        item.photo_thumb, item.photo_large = stored.thumb, stored.large
    db.session.add(item)
    db.session.flush()
    item.events.append(AspirationEvent(actor_id=user.id, status=AspirationStatus.RECEIVED))
    db.session.flush()
    return item


#: where a KIM forwards what it cannot answer itself
TARGETS = {
    "kelurahan": _l("Kelurahan"),
    "kecamatan": _l("Kecamatan"),
    "dinas_koperasi_ukm": _l("Dinas Koperasi dan UKM"),
    "dinas_perdagangan": _l("Dinas Perdagangan"),
    "diskominfo": _l("Diskominfo"),
    "lainnya": _l("Instansi lain"),
}


def can_handle(actor: User, item: Aspiration) -> bool:
    return bool(actor and actor.is_authenticated) and actor.can_moderate_kelurahan(
        item.kelurahan_id
    )


def respond(
    actor: User, item: Aspiration, status: str, note: str, publish: bool, target: str = ""
) -> None:
    """The KIM answers and sets the status; answered ones may be published anonymously. Setting
    it "forwarded" names the office it goes to (TARGETS), which the resident sees in their
    timeline and the city admin in the forwarded queue."""
    if not can_handle(actor, item):
        raise NotAllowed(_("Anda hanya dapat menangani suara warga kelurahan Anda."))
    if status not in set(AspirationStatus):
        raise DomainError(_("Pilih status."))
    note = (note or "").strip()
    if status == AspirationStatus.ANSWERED and not note:
        raise DomainError(_("Tuliskan jawaban untuk warga."))
    if status == AspirationStatus.FORWARDED and target not in TARGETS:
        raise DomainError(_("Pilih ke mana suara warga ini diteruskan."))
    if publish and not (note or item.answer):
        raise DomainError(_("Hanya aspirasi yang sudah dijawab dapat ditampilkan."))
    db.session.refresh(item, with_for_update=True)
    item.status = status
    if note and status == AspirationStatus.ANSWERED:
        item.answer = note[:4000]
    if status == AspirationStatus.FORWARDED:
        item.forwarded_to, item.forwarded_at = target, utcnow()
        note = f"{TARGETS[target]}: {note}" if note else str(TARGETS[target])
    item.published = publish
    item.events.append(AspirationEvent(actor_id=actor.id, status=status, note=note[:4000]))
    db.session.flush()


def forwarded(actor: User) -> list[Aspiration]:
    """What KIMs forwarded and nobody has answered yet, oldest first (the city admin's queue)."""
    if not actor.is_city_admin:
        raise NotAllowed(_("Hanya admin kota yang melihat semua suara warga yang diteruskan."))
    return list(
        db.session.scalars(
            select(Aspiration)
            .where(Aspiration.status == AspirationStatus.FORWARDED)
            .options(selectinload(Aspiration.events), joinedload(Aspiration.kelurahan))
            .order_by(Aspiration.forwarded_at, Aspiration.id)
        )
    )


@dataclass
class Recap:
    """A month of Suara Warga for one kelurahan (or the city): counts by kind and state."""

    month: date
    kelurahan: Kelurahan | None
    counts: dict[tuple[str, str], int]

    def count(self, category: str, status: str) -> int:
        return self.counts.get((category, status), 0)

    def total(self, category: str | None = None, status: str | None = None) -> int:
        return sum(
            n
            for (c, s), n in self.counts.items()
            if (category is None or c == category) and (status is None or s == status)
        )


def month_recap(actor: User, month: date, kelurahan_id: int | None) -> Recap:
    """The month's messages (by the day they were sent, Asia/Jakarta) by kind and state: what a
    KIM brings to the Musrenbang. A KIM admin sees its own kelurahan; the city admin any, or
    the whole city."""
    if not actor.is_city_admin:
        if actor.kim_group is None:
            raise NotAllowed(_("Hanya admin KIM atau admin kota."))
        kelurahan_id = actor.kim_group.kelurahan_id
    start = to_utc_naive(datetime.combine(month.replace(day=1), time(0), JAKARTA))
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = to_utc_naive(datetime.combine(following, time(0), JAKARTA))
    query = (
        select(Aspiration.category, Aspiration.status, func.count(Aspiration.id))
        .where(Aspiration.created_at >= start, Aspiration.created_at < end)
        .group_by(Aspiration.category, Aspiration.status)
    )
    if kelurahan_id:
        query = query.where(Aspiration.kelurahan_id == kelurahan_id)
    counts = {(c, s): n for c, s, n in db.session.execute(query)}
    area = db.session.get(Kelurahan, kelurahan_id) if kelurahan_id else None
    return Recap(month.replace(day=1), area, counts)


def recap_csv(recap: Recap) -> str:
    from marketplace.core.csvfile import csv_text

    statuses = list(STATUS_LABELS)
    return csv_text(
        ("jenis", *statuses, "jumlah"),
        [
            (str(CATEGORY_LABELS[c]), *(recap.count(c, s) for s in statuses), recap.total(c))
            for c in CATEGORIES
        ]
        + [("jumlah", *(recap.total(status=s) for s in statuses), recap.total())],
    )


def mine(user: User) -> list[Aspiration]:
    return list(
        db.session.scalars(
            select(Aspiration).where(Aspiration.user_id == user.id).order_by(Aspiration.id.desc())
        )
    )


def queue(actor: User) -> list[Aspiration]:
    query = select(Aspiration).order_by(
        Aspiration.status != AspirationStatus.RECEIVED, Aspiration.id.desc()
    )
    if not actor.is_city_admin:
        if actor.kim_group is None:
            return []
        query = query.where(Aspiration.kelurahan_id == actor.kim_group.kelurahan_id)
    return list(db.session.scalars(query))


def public(kelurahan_id: int | None = None) -> list[Aspiration]:
    query = (
        select(Aspiration)
        .where(Aspiration.published.is_(True), Aspiration.answer.is_not(None))
        .order_by(Aspiration.updated_at.desc())
        .limit(50)
    )
    if kelurahan_id:
        query = query.where(Aspiration.kelurahan_id == kelurahan_id)
    return list(db.session.scalars(query))
