"""KIM (Kelompok Informasi Masyarakat) groups and the offices their members hold."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.areas.models import Kelurahan
from marketplace.catalog.models import Product
from marketplace.core.db import TimestampMixin, utcnow
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.promotions.models import Campaign, DiscountCode
from marketplace.stores.models import Store


class Office(StrEnum):
    """Offices of the KIM guideline."""

    PENASEHAT = "penasehat"
    KETUA = "ketua"
    SEKRETARIS = "sekretaris"
    BENDAHARA = "bendahara"
    KOORDINATOR_PENGOLAHAN = "koordinator_pengolahan"
    KOORDINATOR_PENYEBARAN = "koordinator_penyebaran"
    ANGGOTA = "anggota"


class KimGroup(TimestampMixin, db.Model):
    __tablename__ = "kim_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    kelurahan: Mapped[Kelurahan] = relationship()
    members: Mapped[list[KimMember]] = relationship(
        back_populates="group", order_by="KimMember.id", cascade="all, delete-orphan"
    )


class KimMember(db.Model):
    __tablename__ = "kim_members"
    __table_args__ = (
        CheckConstraint(
            "office IN ('penasehat', 'ketua', 'sekretaris', 'bendahara', "
            "'koordinator_pengolahan', 'koordinator_penyebaran', 'anggota')",
            name="office_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kim_group_id: Mapped[int] = mapped_column(ForeignKey("kim_groups.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    office: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: appointed by the KIM to accompany its UMKM (records mentoring visits)
    is_mentor: Mapped[bool] = mapped_column(default=False, server_default=false())

    group: Mapped[KimGroup] = relationship(back_populates="members")
    #: the member's account, when their phone matched one (their WhatsApp is the KIM's contact)
    user: Mapped[User | None] = relationship()


class FeaturedSlot(db.Model):
    """A store shown as "UMKM unggulan" on the home page (city-wide) or its kelurahan page."""

    __tablename__ = "featured_slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("position BETWEEN 1 AND 99", name="position_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    #: None: the home page (city admin); otherwise the kelurahan page and the home page list
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    headline: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=1)
    #: UTC window; the slot disappears by itself at ``ends_at``
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    store: Mapped[Store] = relationship()
    kelurahan: Mapped[Kelurahan | None] = relationship()


class FeaturedSlotLog(db.Model):
    """Every change to featured slots: who, when, what."""

    __tablename__ = "featured_slot_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("featured_slots.id", ondelete="SET NULL")
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User] = relationship()


class AnnouncementKind(StrEnum):
    NEWS = "berita"
    EVENT = "acara"
    TRAINING = "pelatihan"
    PROGRAMME = "program"
    #: a hoax clarification (kim.factcheck): claim, verdict, explanation, sources
    CLARIFICATION = "klarifikasi"


class Announcement(TimestampMixin, db.Model):
    """News, events, trainings and government programmes published by a KIM (or the city)."""

    __tablename__ = "announcements"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('berita', 'acara', 'pelatihan', 'program', 'klarifikasi')",
            name="kind_known",
        ),
        CheckConstraint(
            "unpublish_at IS NULL OR unpublish_at > publish_at", name="unpublish_after_publish"
        ),
        CheckConstraint("audience IN ('public', 'kim')", name="audience_known"),
        UniqueConstraint("relayed_from_id", "kim_group_id", name="uq_announcements_relay_once"),
        CheckConstraint(
            "verdict IS NULL OR verdict IN "
            "('hoaks', 'disinformasi', 'misinformasi', 'benar', 'belum_terbukti')",
            name="verdict_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the publishing KIM; None when the city (Diskominfo) publishes
    kim_group_id: Mapped[int | None] = mapped_column(ForeignKey("kim_groups.id"), index=True)
    #: the area it concerns; None means the whole city
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(300))
    body_md: Mapped[str] = mapped_column(Text)
    #: body rendered from Markdown and sanitised when saved
    body_html: Mapped[str] = mapped_column(Text)
    #: where the information comes from ("Kelurahan Uwung Jaya", "Dinas Koperasi")
    source: Mapped[str] = mapped_column(String(160))
    cover_thumb: Mapped[str | None] = mapped_column(String(80))
    cover_large: Mapped[str | None] = mapped_column(String(80))
    publish_at: Mapped[datetime] = mapped_column(index=True)
    unpublish_at: Mapped[datetime | None]
    pinned: Mapped[bool] = mapped_column(default=False)
    #: taken down by moderation (a report found it wrong or misleading)
    withdrawn: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: a hoax clarification ("klarifikasi"): the claim as it circulates, its screenshot and
    #: the verdict (see kim.factcheck.VERDICTS)
    claim: Mapped[str | None] = mapped_column(Text)
    claim_thumb: Mapped[str | None] = mapped_column(String(80))
    claim_large: Mapped[str | None] = mapped_column(String(80))
    verdict: Mapped[str | None] = mapped_column(String(20))
    #: "public", or "kim": an internal circular to the KIM admins (with read receipts)
    audience: Mapped[str] = mapped_column(String(10), default="public", server_default="public")
    #: the city post a KIM relayed to its residents with a local note
    relayed_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcements.id", ondelete="SET NULL")
    )

    kim_group: Mapped[KimGroup | None] = relationship()
    kelurahan: Mapped[Kelurahan | None] = relationship()
    author: Mapped[User] = relationship()
    links: Mapped[list[AnnouncementLink]] = relationship(
        back_populates="announcement", cascade="all, delete-orphan", order_by="AnnouncementLink.id"
    )

    relayed_from: Mapped[Announcement | None] = relationship(remote_side=[id])
    #: the kelurahan a city post is for; none means the whole city
    targets: Mapped[list[Kelurahan]] = relationship(secondary="announcement_targets")
    sources: Mapped[list[AnnouncementSource]] = relationship(
        cascade="all, delete-orphan", order_by="AnnouncementSource.id"
    )
    corrections: Mapped[list[AnnouncementCorrection]] = relationship(
        cascade="all, delete-orphan", order_by="AnnouncementCorrection.created_at"
    )

    def is_published(self, now: datetime) -> bool:
        return (
            not self.withdrawn
            and self.publish_at <= now
            and (self.unpublish_at is None or now < self.unpublish_at)
        )

    @property
    def moderation_kelurahan_id(self) -> int | None:
        return self.kim_group.kelurahan_id if self.kim_group else self.kelurahan_id


class AnnouncementLink(db.Model):
    """A card under an announcement: a store, a product, a promo code, a campaign or an event."""

    __tablename__ = "announcement_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("discount_codes.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))

    announcement: Mapped[Announcement] = relationship(back_populates="links")
    store: Mapped[Store | None] = relationship()
    product: Mapped[Product | None] = relationship()
    code: Mapped[DiscountCode | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    event: Mapped[Event | None] = relationship()


announcement_targets = db.Table(
    "announcement_targets",
    db.Column(
        "announcement_id",
        ForeignKey("announcements.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    db.Column("kelurahan_id", ForeignKey("kelurahan.id"), primary_key=True, index=True),
)


class CircularRead(db.Model):
    """A KIM admin opened an internal circular (its read receipt)."""

    __tablename__ = "circular_reads"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class AnnouncementSource(db.Model):
    """A source a clarification rests on; official ones (government sites) are marked."""

    __tablename__ = "announcement_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(160))
    url: Mapped[str] = mapped_column(String(500))
    official: Mapped[bool] = mapped_column(default=False)


class AnnouncementCorrection(db.Model):
    """A "Ralat": what changed in an announcement and when, with the text as it was before."""

    __tablename__ = "announcement_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcement_reports.id", ondelete="SET NULL")
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text)
    previous_summary: Mapped[str] = mapped_column(String(300))
    previous_body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnnouncementReport(db.Model):
    """A resident's report that an announcement is wrong or misleading (anti-hoax)."""

    __tablename__ = "announcement_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    #: open, dismissed, corrected, unpublished
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the clarification that answered this report
    clarification_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcements.id", ondelete="SET NULL")
    )

    announcement: Mapped[Announcement] = relationship(foreign_keys=[announcement_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    clarification: Mapped[Announcement | None] = relationship(foreign_keys=[clarification_id])


class AspirationStatus(StrEnum):
    RECEIVED = "diterima"
    FORWARDED = "diteruskan"
    ANSWERED = "dijawab"
    CLOSED = "ditutup"


class Aspiration(TimestampMixin, db.Model):
    """ "Suara Warga": a resident's aspiration, suggestion or complaint to their KIM."""

    __tablename__ = "aspirations"
    __table_args__ = (
        CheckConstraint("category IN ('aspirasi', 'saran', 'keluhan')", name="category_known"),
        CheckConstraint(
            "forwarded_to IS NULL OR forwarded_to IN ('kelurahan', 'kecamatan', "
            "'dinas_koperasi_ukm', 'dinas_perdagangan', 'diskominfo', 'lainnya')",
            name="forward_target_known",
        ),
        CheckConstraint(
            "status IN ('diterima', 'diteruskan', 'dijawab', 'ditutup')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    photo_thumb: Mapped[str | None] = mapped_column(String(80))
    photo_large: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default=AspirationStatus.RECEIVED, index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    #: answered aspirations may be shown publicly, without the resident's name or contact
    published: Mapped[bool] = mapped_column(default=False)
    #: the office the KIM forwarded it to (kim.aspirations.TARGETS), and when
    forwarded_to: Mapped[str | None] = mapped_column(String(30))
    forwarded_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    kelurahan: Mapped[Kelurahan] = relationship()
    events: Mapped[list[AspirationEvent]] = relationship(
        back_populates="aspiration", order_by="AspirationEvent.id", cascade="all, delete-orphan"
    )


class AspirationEvent(db.Model):
    """Each status change of an aspiration: who, when, which status, the note."""

    __tablename__ = "aspiration_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    aspiration_id: Mapped[int] = mapped_column(
        ForeignKey("aspirations.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    aspiration: Mapped[Aspiration] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()


class Training(TimestampMixin, db.Model):
    """A pelatihan for sellers (bookkeeping, product photos, halal certification, ...)."""

    __tablename__ = "trainings"
    __table_args__ = (CheckConstraint("capacity > 0", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kim_group_id: Mapped[int | None] = mapped_column(ForeignKey("kim_groups.id"), index=True)
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    topic: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    capacity: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    kim_group: Mapped[KimGroup | None] = relationship()
    registrations: Mapped[list[TrainingRegistration]] = relationship(
        back_populates="training",
        cascade="all, delete-orphan",
        order_by="TrainingRegistration.id",
    )


class TrainingRegistration(db.Model):
    __tablename__ = "training_registrations"
    __table_args__ = (
        UniqueConstraint("training_id", "user_id", name="uq_training_registrations_seller"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    attended: Mapped[bool] = mapped_column(default=False)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    training: Mapped[Training] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class MentoringVisit(db.Model):
    """Pendampingan: a KIM's visit or advice to a store, which its seller confirms."""

    __tablename__ = "mentoring_visits"
    __table_args__ = (
        CheckConstraint(
            "topic IN ('produk', 'harga', 'tempat', 'promosi', 'pembukuan', 'perizinan')",
            name="topic_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    visited_on: Mapped[date]
    topic: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str] = mapped_column(String(300), default="")
    next_step_on: Mapped[date | None]
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship()
    mentor: Mapped[User] = relationship()


class StoreClaim(db.Model):
    """The single-use link that hands a store a KIM opened over to its resident."""

    __tablename__ = "store_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    #: sha256 of the link's secret (the secret itself is only in the message to the resident)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship()
