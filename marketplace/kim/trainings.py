"""Trainings: the KIM schedules them, sellers register within the capacity, the KIM marks
attendance, and a seller's profile shows the trainings attended."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.core.db import to_utc_naive, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.kim.models import Training, TrainingRegistration


def can_manage(actor: User, training: Training) -> bool:
    return bool(actor and actor.is_authenticated and actor.acts_for_group(training.kim_group_id))


def create_training(
    actor: User,
    title: str,
    topic: str,
    place: str,
    starts_at: datetime,
    capacity: int,
    description: str = "",
) -> Training:
    """Schedule a training for the actor's kelurahan (or the city)."""
    area = actor.organiser_area()
    if area is None:
        raise NotAllowed(_("Hanya admin KIM yang dapat mengadakan pelatihan."))
    if not all((value or "").strip() for value in (title, topic, place)):
        raise DomainError(_("Isi judul, topik dan tempat pelatihan."))
    if not 1 <= capacity <= 1000:
        raise DomainError(_("Kapasitas antara 1 dan 1000 peserta."))
    starts = to_utc_naive(starts_at)
    if starts <= utcnow():
        raise DomainError(_("Waktu pelatihan harus di masa depan."))
    training = Training(
        kim_group_id=area[0],
        kelurahan_id=area[1],
        title=title.strip()[:160],
        topic=topic.strip()[:120],
        place=place.strip()[:200],
        description=(description or "").strip(),
        starts_at=starts,
        capacity=capacity,
        created_by_id=actor.id,
    )
    db.session.add(training)
    db.session.flush()
    return training


def register(seller: User, training: Training) -> TrainingRegistration:
    """A seller, or a resident who plans to start a business, takes a seat; the training row is
    locked so the capacity holds under races."""
    if seller.role not in (Role.SELLER, Role.CUSTOMER):
        raise NotAllowed(_("Pelatihan ini untuk penjual dan warga yang ingin mulai usaha."))
    locked = db.session.scalar(select(Training).where(Training.id == training.id).with_for_update())
    if locked.starts_at <= utcnow():
        raise DomainError(_("Pendaftaran sudah ditutup."))
    if db.session.scalar(
        select(TrainingRegistration.id).where(
            TrainingRegistration.training_id == training.id,
            TrainingRegistration.user_id == seller.id,
        )
    ):
        raise DomainError(_("Anda sudah terdaftar."))
    taken = db.session.scalar(
        select(func.count(TrainingRegistration.id)).where(
            TrainingRegistration.training_id == training.id
        )
    )
    if taken >= locked.capacity:
        raise DomainError(_("Kuota pelatihan sudah penuh."))
    registration = TrainingRegistration(training_id=training.id, user_id=seller.id)
    db.session.add(registration)
    db.session.flush()
    return registration


def mark_attendance(actor: User, registration: TrainingRegistration, attended: bool) -> None:
    if not can_manage(actor, registration.training):
        raise NotAllowed(_("Anda hanya dapat mengelola pelatihan KIM Anda."))
    registration.attended = attended
    registration.marked_by_id = actor.id
    db.session.flush()


def upcoming(now: datetime | None = None) -> list[Training]:
    return list(
        db.session.scalars(
            select(Training)
            .where(Training.starts_at > (now or utcnow()))
            .order_by(Training.starts_at)
        )
    )


def attended_by(user_id: int) -> list[Training]:
    """Trainings a seller attended (shown on their store page), latest first."""
    return list(
        db.session.scalars(
            select(Training)
            .join(TrainingRegistration)
            .where(*attended_where(user_id))
            .order_by(Training.starts_at.desc())
        )
    )


def attended_where(user_id) -> tuple:
    """The conditions of a training (joined to its registrations) that the user ``user_id`` (a
    value or a column) attended."""
    return (
        TrainingRegistration.training_id == Training.id,
        TrainingRegistration.user_id == user_id,
        TrainingRegistration.attended.is_(True),
    )


def managed(actor: User) -> list[Training]:
    query = select(Training).order_by(Training.starts_at.desc()).limit(100)
    if not actor.is_city_admin:
        query = query.where(Training.kim_group_id == actor.kim_group_id)
    return list(db.session.scalars(query))
