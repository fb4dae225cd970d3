"""Suara Warga: residents write to their kelurahan's KIM, which answers and tracks the status."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.areas.models import Kelurahan
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


def can_handle(actor: User, item: Aspiration) -> bool:
    return bool(actor and actor.is_authenticated) and actor.can_moderate_kelurahan(
        item.kelurahan_id
    )


def respond(actor: User, item: Aspiration, status: str, note: str, publish: bool) -> None:
    """The KIM answers and sets the status; answered ones may be published anonymously."""
    if not can_handle(actor, item):
        raise NotAllowed(_("Anda hanya dapat menangani suara warga kelurahan Anda."))
    if status not in set(AspirationStatus):
        raise DomainError(_("Pilih status."))
    note = (note or "").strip()
    if status == AspirationStatus.ANSWERED and not note:
        raise DomainError(_("Tuliskan jawaban untuk warga."))
    if publish and not (note or item.answer):
        raise DomainError(_("Hanya aspirasi yang sudah dijawab dapat ditampilkan."))
    item.status = status
    if note and status == AspirationStatus.ANSWERED:
        item.answer = note[:4000]
    item.published = publish
    item.events.append(AspirationEvent(actor_id=actor.id, status=status, note=note[:4000]))
    db.session.flush()


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
