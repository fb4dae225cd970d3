"""Promotion rules: the discount arithmetic, why a code does not apply, and atomic redemption."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from marketplace.core.db import to_jakarta, to_utc_naive, upsert, utcnow
from marketplace.core.errors import DomainError
from marketplace.core.money import format_rupiah
from marketplace.core.pagecache import TOLD, public_change
from marketplace.extensions import db
from marketplace.promotions.models import (
    Campaign,
    CampaignStore,
    CodeUse,
    DiscountCode,
    DiscountKind,
    Redemption,
)
from marketplace.stores.models import Store

CODE_RE = re.compile(r"^[A-Z0-9-]{3,30}$")


@dataclass
class CodeData:
    code: str
    kind: str
    value: int
    min_spend: int = 0
    max_discount: int | None = None
    starts_at: datetime | None = None  # Asia/Jakarta (naive) or aware
    ends_at: datetime | None = None
    total_limit: int | None = None
    per_customer_limit: int | None = None
    is_active: bool = True


def discount_amount(kind: str, value: int, subtotal: int, max_discount: int | None = None) -> int:
    """Whole Rupiah off ``subtotal``: percent rounded half up, capped, never above the subtotal."""
    if subtotal <= 0:
        return 0
    if kind == DiscountKind.PERCENT:
        amount = (subtotal * value + 50) // 100
    else:
        amount = value
    if max_discount is not None:
        amount = min(amount, max_discount)
    return max(0, min(amount, subtotal))


def normalize_code(text: str) -> str:
    return re.sub(r"\s+", "", (text or "").upper())


def find_code(store: Store, text: str) -> DiscountCode | None:
    """The store's own code, else a code of a campaign the store joined."""
    text = normalize_code(text)
    own = db.session.scalar(
        select(DiscountCode).where(DiscountCode.store_id == store.id, DiscountCode.code == text)
    )
    if own is not None:
        return own
    return db.session.scalar(
        select(DiscountCode)
        .join(CampaignStore, CampaignStore.campaign_id == DiscountCode.campaign_id)
        .where(CampaignStore.store_id == store.id, DiscountCode.code == text)
        .order_by(DiscountCode.id)
        .limit(1)
    )


def _owned_code(owner: Store | Campaign, text: str) -> DiscountCode | None:
    column = DiscountCode.campaign_id if isinstance(owner, Campaign) else DiscountCode.store_id
    return db.session.scalar(
        select(DiscountCode).where(column == owner.id, DiscountCode.code == text)
    )


def code_window(code: DiscountCode) -> tuple[datetime | None, datetime | None]:
    """When the code applies (UTC): its own window, inside its campaign's for a campaign code."""
    starts, ends = code.starts_at, code.ends_at
    if code.campaign is not None:
        starts = max(starts or code.campaign.starts_at, code.campaign.starts_at)
        ends = min(ends or code.campaign.ends_at, code.campaign.ends_at)
    return starts, ends


def customer_keys(user, phone: str) -> list[str]:
    """Who a per-customer limit counts: the WhatsApp number, and the account when signed in
    (a second account or a guest checkout with the same number shares the number's count)."""
    keys = [f"p{phone}"]
    if user is not None and getattr(user, "id", None):
        keys.append(f"u{user.id}")
    return keys


def _uses_of(code: DiscountCode, keys: list[str]) -> int:
    return db.session.scalar(
        select(func.coalesce(func.max(CodeUse.used), 0)).where(
            CodeUse.code_id == code.id, CodeUse.customer_key.in_(keys)
        )
    )


def check_code(
    code: DiscountCode | None, subtotal: int, keys: list[str], now: datetime | None = None
) -> int:
    """The discount ``code`` gives on ``subtotal``, or a DomainError that says why not."""
    now = now or utcnow()
    if code is None:
        raise DomainError(_("Kode promo tidak dikenal di toko ini."))
    if not code.is_active:
        raise DomainError(_("Kode promo sedang tidak aktif."))
    starts, ends = code_window(code)
    if starts is not None and now < starts:
        raise DomainError(
            _(
                "Kode berlaku mulai %(when)s.",
                when=format_datetime(to_jakarta(starts), "d MMM yyyy, HH.mm"),
            )
        )
    if ends is not None and now >= ends:
        raise DomainError(_("Kode sudah berakhir."))
    if subtotal < code.min_spend:
        raise DomainError(
            _("Kode ini untuk minimal belanja %(min)s.", min=format_rupiah(code.min_spend))
        )
    if code.is_used_up:
        raise DomainError(_("Kode sudah habis."))
    if code.per_customer_limit is not None and _uses_of(code, keys) >= code.per_customer_limit:
        raise DomainError(_("Anda sudah memakai kode ini sebanyak batasnya."))
    return discount_amount(code.kind, code.value, subtotal, code.max_discount)


def _take_customer_use(code: DiscountCode, key: str) -> bool:
    """Count one use for ``key`` if the per-customer limit allows: one guarded upsert, so of
    ten checkouts with the same number at once only the allowed number pass."""
    table = CodeUse.__table__
    limit = code.per_customer_limit
    statement = (
        upsert(table)
        .values(code_id=code.id, customer_key=key, used=1)
        .on_conflict_do_update(
            index_elements=[table.c.code_id, table.c.customer_key],
            set_={"used": table.c.used + 1},
            where=(table.c.used + 1 <= limit) if limit is not None else None,
        )
        .returning(table.c.used)
    )
    used = db.session.execute(statement).scalar()
    return used is not None and (limit is None or used <= limit)


def _uses_moved(limit: int | None, used_when_full: int) -> None:
    """A code's uses moved: the public pages show only whether it is used up (the campaign
    page), so they are refreshed only when that changed — it ran out (the count after a use),
    or a use came back to a code that had (the count before)."""
    if limit is not None and used_when_full >= limit:
        public_change(db.session)


def redeem(code: DiscountCode, order_id: int, keys: list[str], amount: int) -> None:
    """Count a use atomically: of ten orders racing for the last use, exactly one gets it; the
    per-customer limit is held the same way, per number and per account."""
    taken = db.session.execute(
        update(DiscountCode)
        .where(
            DiscountCode.id == code.id,
            DiscountCode.is_active.is_(True),
            (DiscountCode.total_limit.is_(None))
            | (DiscountCode.used_count < DiscountCode.total_limit),
        )
        .values(used_count=DiscountCode.used_count + 1)
        .returning(DiscountCode.used_count, DiscountCode.total_limit),
        execution_options=TOLD,
    ).first()
    db.session.expire(code, ["used_count"])
    if taken is None:
        raise DomainError(_("Kode sudah habis."))
    _uses_moved(taken.total_limit, taken.used_count)
    for key in keys:
        if not _take_customer_use(code, key):
            raise DomainError(_("Anda sudah memakai kode ini sebanyak batasnya."))
    db.session.add(
        Redemption(code_id=code.id, order_id=order_id, customer_key=",".join(keys), amount=amount)
    )
    db.session.flush()


def release(order_id: int) -> None:
    """Give a use back (an order cancelled before it was paid); at most once."""
    redemption = db.session.scalar(
        select(Redemption).where(Redemption.order_id == order_id, Redemption.released.is_(False))
    )
    if redemption is None:
        return
    redemption.released = True
    db.session.expire(redemption.code, ["used_count"])
    given_back = db.session.execute(
        update(DiscountCode)
        .where(DiscountCode.id == redemption.code_id, DiscountCode.used_count > 0)
        .values(used_count=DiscountCode.used_count - 1)
        .returning(DiscountCode.used_count, DiscountCode.total_limit),
        execution_options=TOLD,
    ).first()
    if given_back is not None:
        _uses_moved(given_back.total_limit, given_back.used_count + 1)
    db.session.execute(
        update(CodeUse)
        .where(
            CodeUse.code_id == redemption.code_id,
            CodeUse.customer_key.in_(redemption.customer_key.split(",")),
            CodeUse.used > 0,
        )
        .values(used=CodeUse.used - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def redemption_of(order_id: int) -> Redemption | None:
    return db.session.scalar(select(Redemption).where(Redemption.order_id == order_id))


def save_code(
    owner: Store | Campaign, data: CodeData, code: DiscountCode | None = None
) -> DiscountCode:
    """Create or change a discount code of a store, or of a campaign (valid at its stores)."""
    text = normalize_code(data.code)
    if not CODE_RE.match(text):
        raise DomainError(_("Kode 3–30 huruf/angka tanpa spasi, misalnya HEMAT10."))
    if data.kind not in set(DiscountKind):
        raise DomainError(_("Pilih jenis potongan."))
    if data.kind == DiscountKind.PERCENT and not 1 <= data.value <= 100:
        raise DomainError(_("Potongan persen antara 1 dan 100."))
    if data.kind == DiscountKind.FIXED and data.value <= 0:
        raise DomainError(_("Potongan Rupiah harus lebih dari 0."))
    starts = to_utc_naive(data.starts_at) if data.starts_at else None
    ends = to_utc_naive(data.ends_at) if data.ends_at else None
    if starts and ends and ends <= starts:
        raise DomainError(_("Waktu berakhir harus setelah waktu mulai."))
    for limit in (data.total_limit, data.per_customer_limit):
        if limit is not None and limit < 1:
            raise DomainError(_("Batas pemakaian minimal 1, atau kosongkan."))
    clash = _owned_code(owner, text)
    if clash is not None and clash is not code:
        if isinstance(owner, Campaign):
            raise DomainError(_("Kode itu sudah ada di kampanye ini."))
        raise DomainError(_("Kode itu sudah ada di toko Anda."))
    if code is None:
        code = (
            DiscountCode(campaign_id=owner.id, used_count=0)
            if isinstance(owner, Campaign)
            else DiscountCode(store_id=owner.id, used_count=0)
        )
        db.session.add(code)
    if data.total_limit is not None and data.total_limit < (code.used_count or 0):
        raise DomainError(_("Batas total tidak boleh di bawah pemakaian yang sudah terjadi."))
    code.code, code.kind, code.value = text, data.kind, data.value
    code.min_spend, code.max_discount = max(data.min_spend, 0), data.max_discount
    code.starts_at, code.ends_at = starts, ends
    code.total_limit, code.per_customer_limit = data.total_limit, data.per_customer_limit
    code.is_active = data.is_active
    db.session.flush()
    return code


def store_codes(store: Store) -> list[DiscountCode]:
    return list(
        db.session.scalars(
            select(DiscountCode).where(DiscountCode.store_id == store.id).order_by(DiscountCode.id)
        )
    )
