"""Followers: customers follow stores; the seller gets a ready-made WhatsApp broadcast."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError
from marketplace.core.money import format_rupiah
from marketplace.extensions import db
from marketplace.promotions.models import DiscountCode, StoreFollow
from marketplace.stores.models import Store


def is_following(user: User | None, store: Store) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(StoreFollow.id).where(
                StoreFollow.user_id == user.id, StoreFollow.store_id == store.id
            )
        )
        is not None
    )


def follow(user: User, store: Store) -> None:
    """Follow a public store (following twice is the same as once)."""
    if not store.is_public:
        raise DomainError(_("Toko ini belum dapat diikuti."))
    if not is_following(user, store):
        db.session.add(StoreFollow(user_id=user.id, store_id=store.id))
        db.session.flush()


def unfollow(user: User, store: Store) -> None:
    follow_row = db.session.scalar(
        select(StoreFollow).where(StoreFollow.user_id == user.id, StoreFollow.store_id == store.id)
    )
    if follow_row is not None:
        db.session.delete(follow_row)
        db.session.flush()


def follower_count(store: Store) -> int:
    return db.session.scalar(
        select(func.count(StoreFollow.id)).where(StoreFollow.store_id == store.id)
    )


def followed_stores(user: User) -> list[Store]:
    return list(
        db.session.scalars(
            select(Store)
            .join(StoreFollow, StoreFollow.store_id == Store.id)
            .where(StoreFollow.user_id == user.id)
            .options(selectinload(Store.kelurahan))
            .order_by(StoreFollow.created_at.desc())
        )
    )


def pre_orders(store_ids: list[int]) -> list[Product]:
    """Products taking pre-orders (a lead time) in the followed stores, newest first."""
    if not store_ids:
        return []
    return list(
        db.session.scalars(
            select(Product)
            .where(
                Product.store_id.in_(store_ids),
                Product.lead_days > 0,
                Product.is_hidden.is_(False),
                Product.is_sold_out.is_(False),
            )
            .options(selectinload(Product.store))
            .order_by(Product.created_at.desc())
            .limit(20)
        )
    )


def active_codes(store: Store) -> list[DiscountCode]:
    now = utcnow()
    return [
        code
        for code in db.session.scalars(
            select(DiscountCode).where(
                DiscountCode.store_id == store.id, DiscountCode.is_active.is_(True)
            )
        )
        if (code.starts_at is None or code.starts_at <= now)
        and (code.ends_at is None or now < code.ends_at)
        and not code.is_used_up
    ]


def broadcast_text(store: Store, link: str) -> str:
    """A WhatsApp message the seller sends to their own contacts: pre-orders and promo codes."""
    lines = [
        _(
            "Halo! %(store)s sekarang bisa dipesan online di Pasar Kampung Kuliner.",
            store=store.name,
        )
    ]
    for product in pre_orders([store.id])[:5]:
        lines.append(
            ngettext(
                "• Pre-order %(name)s (%(price)s), pesan H-%(num)d",
                "• Pre-order %(name)s (%(price)s), pesan H-%(num)d",
                product.lead_days,
                name=product.name,
                price=format_rupiah(product.price_at()),
            )
        )
    for code in active_codes(store)[:3]:
        off = f"{code.value}%" if code.kind == "percent" else format_rupiah(code.value)
        lines.append(_("• Pakai kode %(code)s: potongan %(off)s", code=code.code, off=off))
    lines.append(_("Pesan di sini: %(link)s", link=link))
    return "\n".join(lines)
