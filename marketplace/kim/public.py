"""What a resident sees of their kelurahan's KIM: who it is, what it published, whom it features,
and how it answers Suara Warga."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.core.db import utcnow
from marketplace.events import services as events
from marketplace.extensions import db
from marketplace.kim.announcements import published
from marketplace.kim.featured import current_featured
from marketplace.kim.models import (
    Aspiration,
    AspirationEvent,
    AspirationStatus,
    KimGroup,
    KimMember,
    Office,
    Training,
)
from marketplace.stores.models import Store, StoreStatus

#: offices in the order the KIM guideline lists them (the lurah, adviser, first)
OFFICE_ORDER = list(Office)


@dataclass
class AspirationFigures:
    received: int = 0
    answered: int = 0
    #: days from a message to its first answer, the middle one (None before any answer)
    median_days: float | None = None


@dataclass
class KimProfile:
    group: KimGroup | None
    officers: list[KimMember] = field(default_factory=list)
    contact_phone: str | None = None
    announcements: list = field(default_factory=list)
    events: list = field(default_factory=list)
    trainings: list = field(default_factory=list)
    featured: list = field(default_factory=list)
    verified_stores: int = 0
    aspirations: AspirationFigures = field(default_factory=AspirationFigures)


def aspiration_figures(kelurahan_id: int) -> AspirationFigures:
    received = db.session.scalar(
        select(func.count(Aspiration.id)).where(Aspiration.kelurahan_id == kelurahan_id)
    )
    first_answers = db.session.execute(
        select(Aspiration.created_at, func.min(AspirationEvent.created_at))
        .join(AspirationEvent, AspirationEvent.aspiration_id == Aspiration.id)
        .where(
            Aspiration.kelurahan_id == kelurahan_id,
            AspirationEvent.status == AspirationStatus.ANSWERED,
        )
        .group_by(Aspiration.id, Aspiration.created_at)
    ).all()
    days = [(answered - sent).total_seconds() / 86400 for sent, answered in first_answers]
    return AspirationFigures(
        received=received or 0,
        answered=len(days),
        median_days=round(median(days), 1) if days else None,
    )


def kim_profile(kelurahan_id: int, now: datetime | None = None) -> KimProfile:
    """Everything the public KIM page shows, for one kelurahan (its KIM may not be formed)."""
    now = now or utcnow()
    group = db.session.scalar(
        select(KimGroup)
        .where(KimGroup.kelurahan_id == kelurahan_id)
        .options(selectinload(KimGroup.members).selectinload(KimMember.user))
    )
    officers = sorted(
        group.members if group else [],
        key=lambda m: (OFFICE_ORDER.index(m.office) if m.office in OFFICE_ORDER else 99, m.name),
    )
    contact = next(
        (
            m.user.phone
            for office in (Office.KETUA, Office.SEKRETARIS)
            for m in officers
            if m.office == office and m.user is not None and m.user.phone
        ),
        None,
    )
    trainings = list(
        db.session.scalars(
            select(Training)
            .where(Training.kelurahan_id == kelurahan_id, Training.starts_at > now)
            .order_by(Training.starts_at)
            .limit(5)
        )
    )
    verified = db.session.scalar(
        select(func.count(Store.id)).where(
            Store.kelurahan_id == kelurahan_id, Store.status == StoreStatus.VERIFIED
        )
    )
    return KimProfile(
        group=group,
        officers=officers,
        contact_phone=contact,
        announcements=published(kelurahan_id=kelurahan_id, now=now, limit=5),
        events=events.upcoming(kelurahan_id=kelurahan_id)[:5],
        trainings=trainings,
        featured=current_featured(kelurahan_id, now=now),
        verified_stores=verified or 0,
        aspirations=aspiration_figures(kelurahan_id),
    )
