"""Campaigns run by a KIM or the city ("Festival Kuliner Uwung Jaya"): a page and dates, stores
that join, and optional campaign codes valid at every store that joined."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.core.db import to_utc_naive, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.promotions.models import Campaign, CampaignStore, DiscountCode
from marketplace.stores.models import Store


@dataclass
class CampaignData:
    title: str
    starts_at: datetime  # Asia/Jakarta (naive) or aware
    ends_at: datetime
    description: str = ""


def save_campaign(actor: User, data: CampaignData, campaign: Campaign | None = None) -> Campaign:
    """Start (or change) a campaign of the actor's kelurahan, or of the whole city."""
    if campaign is None:
        area = actor.organiser_area()
        if area is None:
            raise NotAllowed(_("Hanya admin KIM yang dapat membuat kampanye."))
        campaign = Campaign(kim_group_id=area[0], kelurahan_id=area[1], created_by_id=actor.id)
    elif not campaign.is_managed_by(actor):
        raise NotAllowed(_("Anda hanya dapat mengelola kampanye KIM Anda."))
    title = (data.title or "").strip()
    if not title:
        raise DomainError(_("Nama kampanye wajib diisi."))
    if data.starts_at is None or data.ends_at is None:
        raise DomainError(_("Isi waktu mulai dan selesai kampanye."))
    starts, ends = to_utc_naive(data.starts_at), to_utc_naive(data.ends_at)
    if ends <= starts:
        raise DomainError(_("Waktu selesai harus setelah waktu mulai."))
    if ends <= utcnow():
        raise DomainError(_("Kampanye harus berakhir di masa depan."))
    campaign.title, campaign.description = title[:160], (data.description or "").strip()
    campaign.starts_at, campaign.ends_at = starts, ends
    if campaign.id is None:
        db.session.add(campaign)
    db.session.flush()
    return campaign


def can_join(store: Store, campaign: Campaign) -> bool:
    """A kelurahan's campaign is for its stores; a city campaign for every store."""
    return campaign.kelurahan_id is None or campaign.kelurahan_id == store.kelurahan_id


def _membership(campaign: Campaign, store: Store) -> CampaignStore | None:
    return db.session.scalar(
        select(CampaignStore).where(
            CampaignStore.campaign_id == campaign.id, CampaignStore.store_id == store.id
        )
    )


def join_campaign(seller: User, campaign: Campaign, store: Store) -> CampaignStore:
    """The seller's store takes part: its products show on the campaign page, its codes apply."""
    if not store.is_managed_by(seller):
        raise NotAllowed(_("Toko ini bukan milik Anda."))
    if not store.is_public:
        raise DomainError(_("Hanya toko terverifikasi yang dapat ikut kampanye."))
    if not can_join(store, campaign):
        raise DomainError(_("Kampanye ini untuk toko di kelurahan penyelenggara."))
    if campaign.ends_at <= utcnow():
        raise DomainError(_("Kampanye ini sudah berakhir."))
    member = _membership(campaign, store)
    if member is None:
        member = CampaignStore(campaign_id=campaign.id, store_id=store.id)
        db.session.add(member)
        db.session.flush()
    return member


def leave_campaign(seller: User, campaign: Campaign, store: Store) -> None:
    if not store.is_managed_by(seller):
        raise NotAllowed(_("Toko ini bukan milik Anda."))
    member = _membership(campaign, store)
    if member is not None:
        db.session.delete(member)
        db.session.flush()


def member_stores(campaign: Campaign) -> list[Store]:
    """Verified stores that joined, with their kelurahan (one query)."""
    return list(
        db.session.scalars(
            select(Store)
            .join(CampaignStore)
            .where(CampaignStore.campaign_id == campaign.id, Store.status == "verified")
            .options(selectinload(Store.kelurahan))
            .order_by(Store.name)
        )
    )


def joined_store_ids(campaign: Campaign, stores: list[Store]) -> set[int]:
    if not stores:
        return set()
    return set(
        db.session.scalars(
            select(CampaignStore.store_id).where(
                CampaignStore.campaign_id == campaign.id,
                CampaignStore.store_id.in_([s.id for s in stores]),
            )
        )
    )


def campaign_codes(campaign: Campaign) -> list[DiscountCode]:
    return list(
        db.session.scalars(
            select(DiscountCode)
            .where(DiscountCode.campaign_id == campaign.id)
            .order_by(DiscountCode.id)
        )
    )


def current(now: datetime | None = None) -> list[Campaign]:
    """Campaigns running now or still to come, soonest first."""
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.ends_at > (now or utcnow()))
            .options(selectinload(Campaign.kelurahan))
            .order_by(Campaign.starts_at, Campaign.id)
        )
    )


def managed(actor: User) -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.starts_at.desc(), Campaign.id.desc())
    if not actor.is_city_admin:
        query = query.where(Campaign.kim_group_id == actor.kim_group_id)
    return list(db.session.scalars(query))


def running_for_stores(store_ids: list[int], now: datetime | None = None) -> list[Campaign]:
    """Campaigns that have started, not ended, and that any of these stores joined."""
    if not store_ids:
        return []
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Campaign)
            .join(CampaignStore)
            .where(
                CampaignStore.store_id.in_(store_ids),
                Campaign.starts_at <= now,
                Campaign.ends_at > now,
            )
            .distinct()
            .order_by(Campaign.starts_at.desc())
        )
    )
