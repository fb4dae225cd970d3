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


#: the offices a formed KIM fills first
CORE_OFFICES = (Office.KETUA, Office.SEKRETARIS, Office.BENDAHARA)


@dataclass
class DirectoryRow:
    kecamatan: str
    kelurahan: str
    slug: str
    kim_name: str | None
    officers_filled: bool
    posts_30_days: int
    verified_stores: int
    aspirations_received: int
    aspirations_answered: int

    @property
    def state(self) -> str:
        """ "active" (formed, officers filled, posting), "formed" or "none"."""
        if self.kim_name is None:
            return "none"
        return "active" if self.officers_filled and self.posts_30_days else "formed"


def directory(now: datetime | None = None) -> list[DirectoryRow]:
    """Every kelurahan of the city with its KIM's state, in a handful of grouped queries."""
    from datetime import timedelta

    from marketplace.areas.services import all_kelurahan
    from marketplace.kim.models import Announcement

    now = now or utcnow()
    groups = {
        kelurahan_id: (group_id, name)
        for group_id, kelurahan_id, name in db.session.execute(
            select(KimGroup.id, KimGroup.kelurahan_id, KimGroup.name)
        )
    }
    filled: dict[int, int] = dict(
        db.session.execute(
            select(KimMember.kim_group_id, func.count(func.distinct(KimMember.office)))
            .where(KimMember.office.in_([str(o) for o in CORE_OFFICES]))
            .group_by(KimMember.kim_group_id)
        ).all()
    )
    posts: dict[int, int] = dict(
        db.session.execute(
            select(Announcement.kelurahan_id, func.count(Announcement.id))
            .where(
                Announcement.withdrawn.is_(False),
                Announcement.publish_at <= now,
                Announcement.publish_at > now - timedelta(days=30),
                Announcement.kelurahan_id.is_not(None),
            )
            .group_by(Announcement.kelurahan_id)
        ).all()
    )
    stores: dict[int, int] = dict(
        db.session.execute(
            select(Store.kelurahan_id, func.count(Store.id))
            .where(Store.status == StoreStatus.VERIFIED)
            .group_by(Store.kelurahan_id)
        ).all()
    )
    received: dict[int, int] = {}
    answered: dict[int, int] = {}
    for kelurahan_id, status, count in db.session.execute(
        select(Aspiration.kelurahan_id, Aspiration.status, func.count(Aspiration.id)).group_by(
            Aspiration.kelurahan_id, Aspiration.status
        )
    ):
        received[kelurahan_id] = received.get(kelurahan_id, 0) + count
        if status in (AspirationStatus.ANSWERED, AspirationStatus.CLOSED):
            answered[kelurahan_id] = answered.get(kelurahan_id, 0) + count
    rows = []
    for area in all_kelurahan():
        group_id, name = groups.get(area.id, (None, None))
        rows.append(
            DirectoryRow(
                kecamatan=area.kecamatan.name,
                kelurahan=area.name,
                slug=area.slug,
                kim_name=name,
                officers_filled=group_id is not None
                and filled.get(group_id, 0) == len(CORE_OFFICES),
                posts_30_days=posts.get(area.id, 0),
                verified_stores=stores.get(area.id, 0),
                aspirations_received=received.get(area.id, 0),
                aspirations_answered=answered.get(area.id, 0),
            )
        )
    return rows


def directory_csv(rows: list[DirectoryRow]) -> str:
    from marketplace.core.csvfile import csv_text

    return csv_text(
        (
            "kecamatan", "kelurahan", "kim", "pengurus_inti_lengkap", "pengumuman_30_hari",
            "toko_terverifikasi", "suara_warga_diterima", "suara_warga_dijawab",
        ),
        (
            (
                r.kecamatan, r.kelurahan, r.kim_name or "", "ya" if r.officers_filled else "tidak",
                r.posts_30_days, r.verified_stores, r.aspirations_received,
                r.aspirations_answered,
            )
            for r in rows
        ),
    )  # fmt: skip
