"""Office orders (pesanan instansi): registering an office and the people who order for it, a
bulk order split over stores of a kelurahan, each store's quotation within its capacity for the
day, the purchase order, delivery with an invoice that becomes the store's receivable, payment
on terms with reminders, and what offices spent with local UMKM."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Role, User
from marketplace.areas.models import Kelurahan
from marketplace.books import credit
from marketplace.books.models import CreditCustomer, Method
from marketplace.core.db import JAKARTA, jakarta_today, to_jakarta, to_utc_naive, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.jobs import periodic
from marketplace.core.money import format_rupiah
from marketplace.core.phone import InvalidPhone, normalize_phone
from marketplace.core.web import public_url
from marketplace.extensions import db
from marketplace.institutions.models import (
    BulkOrder,
    BulkShare,
    BulkStatus,
    Institution,
    InstitutionKind,
    InstitutionMember,
    ShareStatus,
)
from marketplace.outbox import services as outbox
from marketplace.push import services as push
from marketplace.stores.models import Store, StoreStatus

TERMS = (0, 7, 14, 30)
BULK_LABELS = {
    BulkStatus.REQUESTED: _l("Menunggu penawaran toko"),
    BulkStatus.ORDERED: _l("Surat pesanan dikirim"),
    BulkStatus.DELIVERED: _l("Diantar, menunggu pembayaran"),
    BulkStatus.PAID: _l("Lunas"),
    BulkStatus.CANCELLED: _l("Dibatalkan"),
}
SHARE_LABELS = {
    ShareStatus.INVITED: _l("Menunggu penawaran"),
    ShareStatus.QUOTED: _l("Penawaran masuk"),
    ShareStatus.DECLINED: _l("Ditolak toko"),
    ShareStatus.ORDERED: _l("Surat pesanan"),
    ShareStatus.DELIVERED: _l("Diantar, ditagih"),
    ShareStatus.PAID: _l("Lunas"),
    ShareStatus.CANCELLED: _l("Dibatalkan"),
}
MAX_BOXES = 5000
MAX_BUDGET = 1_000_000
#: an office orders at least this long before the delivery (time to shop and cook)
LEAD_HOURS = 12
#: a reminder goes out this many days before an invoice is due, and again once overdue
REMIND_DAYS_BEFORE = 3
NPWP_RE = re.compile(r"^\d{15,16}$")


# --- offices and the people who order ----------------------------------------------------


@dataclass
class InstitutionData:
    name: str
    kind: str
    address: str
    kelurahan_id: int | None
    phone: str
    email: str = ""
    npwp: str = ""


def _clean_institution(data: InstitutionData) -> dict:
    name = " ".join((data.name or "").split())
    if not 3 <= len(name) <= 160:
        raise DomainError(_("Tulis nama instansi (3–160 huruf)."))
    if data.kind not in set(InstitutionKind):
        raise DomainError(_("Pilih jenis instansi."))
    address = " ".join((data.address or "").split())
    if not 5 <= len(address) <= 255:
        raise DomainError(_("Tulis alamat instansi."))
    if db.session.get(Kelurahan, data.kelurahan_id or 0) is None:
        raise DomainError(_("Pilih kelurahan instansi."))
    try:
        phone = normalize_phone(data.phone)
    except InvalidPhone as exc:
        raise DomainError(_("Nomor WhatsApp tidak valid. Contoh: 0812-3456-7890.")) from exc
    npwp = re.sub(r"[\s.-]", "", data.npwp or "")
    if npwp and not NPWP_RE.match(npwp):
        raise DomainError(_("NPWP berisi 15 atau 16 angka (boleh dikosongkan)."))
    return {
        "name": name,
        "kind": data.kind,
        "address": address,
        "kelurahan_id": data.kelurahan_id,
        "phone": phone,
        "email": (data.email or "").strip().lower()[:254] or None,
        "npwp": npwp,
    }


def register(actor: User, data: InstitutionData) -> Institution:
    """Anyone signed in registers their office and administers it; the city or the KIM of its
    kelurahan verifies it before it orders."""
    institution = Institution(**_clean_institution(data))
    institution.members.append(InstitutionMember(user_id=actor.id, is_admin=True))
    db.session.add(institution)
    db.session.flush()
    return institution


def update(actor: User, institution: Institution, data: InstitutionData) -> None:
    if not institution.is_admin(actor):
        raise NotAllowed(_("Hanya pengelola instansi yang dapat mengubahnya."))
    for key, value in _clean_institution(data).items():
        setattr(institution, key, value)
    db.session.flush()


def add_member(actor: User, institution: Institution, phone: str) -> InstitutionMember:
    """Allow a person with an account (found by WhatsApp number) to order for the office."""
    if not institution.is_admin(actor):
        raise NotAllowed(_("Hanya pengelola instansi yang dapat menambah pemesan."))
    try:
        phone = normalize_phone(phone)
    except InvalidPhone as exc:
        raise DomainError(_("Nomor WhatsApp tidak valid. Contoh: 0812-3456-7890.")) from exc
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is None:
        raise DomainError(_("Belum ada akun dengan nomor itu. Minta ia mendaftar dulu."))
    if institution.has_member(user):
        raise DomainError(_("%(name)s sudah dapat memesan.", name=user.name))
    member = InstitutionMember(user_id=user.id)
    institution.members.append(member)
    db.session.flush()
    return member


def remove_member(actor: User, institution: Institution, member_id: int) -> None:
    if not institution.is_admin(actor):
        raise NotAllowed(_("Hanya pengelola instansi yang dapat menghapus pemesan."))
    member = next((m for m in institution.members if m.id == member_id), None)
    if member is None:
        raise DomainError(_("Pemesan tidak ditemukan."))
    if member.is_admin and sum(m.is_admin for m in institution.members) == 1:
        raise DomainError(_("Instansi perlu setidaknya satu pengelola."))
    institution.members.remove(member)
    db.session.flush()


def may_verify(user, institution: Institution) -> bool:
    if not user or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.CITY_ADMIN:
        return True
    group = getattr(user, "kim_group", None)
    return bool(
        user.role == Role.KIM_ADMIN
        and group is not None
        and group.kelurahan_id == institution.kelurahan_id
    )


def verify(actor: User, institution: Institution) -> None:
    if not may_verify(actor, institution):
        raise NotAllowed(_("Hanya admin kota atau KIM kelurahannya yang memverifikasi."))
    if institution.verified_at is None:
        institution.verified_at, institution.verified_by_id = utcnow(), actor.id
    db.session.flush()


def institutions_of(user: User) -> list[Institution]:
    return list(
        db.session.scalars(
            select(Institution)
            .join(InstitutionMember)
            .where(InstitutionMember.user_id == user.id)
            .order_by(Institution.name)
        )
    )


def to_verify(user: User) -> list[Institution]:
    """Offices waiting for this admin's verification (a KIM admin sees its kelurahan's)."""
    query = select(Institution).where(Institution.verified_at.is_(None))
    if user.role != Role.CITY_ADMIN:
        group = getattr(user, "kim_group", None)
        if group is None:
            return []
        query = query.where(Institution.kelurahan_id == group.kelurahan_id)
    return list(db.session.scalars(query.order_by(Institution.created_at)))


# --- the bulk order and its shares ---------------------------------------------------------


@dataclass
class BulkData:
    title: str
    deliver_at: datetime | None  # Asia/Jakarta (naive) or aware
    place: str
    kelurahan_id: int | None
    boxes: int | None
    budget_per_box: int | None
    terms_days: int = 14
    halal: bool = True
    vegetarian: bool = False
    no_msg: bool = False
    notes: str = ""


def local_stores(kelurahan_id: int) -> list[Store]:
    """The verified stores of a kelurahan an office can ask."""
    return list(
        db.session.scalars(
            select(Store)
            .where(Store.kelurahan_id == kelurahan_id, Store.status == StoreStatus.VERIFIED)
            .order_by(Store.name)
        )
    )


def split(boxes: int, parts: int) -> list[int]:
    """Boxes shared as evenly as possible: 60 over 2 is 30 + 30, 61 over 3 is 21 + 20 + 20."""
    if parts <= 0:
        return []
    base, extra = divmod(boxes, parts)
    return [base + (1 if n < extra else 0) for n in range(parts)]


def share_out(boxes: int | None, ticked: list[int], typed: dict[int, int]) -> dict[int, int]:
    """Boxes per ticked store: what was typed for a store, and what the typed ones leave split
    evenly over the stores left empty."""
    left = (boxes or 0) - sum(n for n in typed.values() if n > 0)
    rest = [store_id for store_id in ticked if store_id not in typed]
    shares = {store_id: typed[store_id] for store_id in ticked if store_id in typed}
    shares.update(zip(rest, split(max(left, 0), len(rest)), strict=True))
    return shares


def _member_only(actor, institution: Institution) -> None:
    if not institution.has_member(actor):
        raise NotAllowed(_("Anda tidak terdaftar sebagai pemesan instansi ini."))


def _check_bulk(data: BulkData, now: datetime) -> tuple[datetime, dict]:
    title = " ".join((data.title or "").split())
    if not 3 <= len(title) <= 160:
        raise DomainError(_("Tulis keperluannya, misalnya “Rapat koordinasi RW”."))
    if data.deliver_at is None:
        raise DomainError(_("Isi tanggal dan jam antar."))
    deliver_at = data.deliver_at
    if deliver_at.tzinfo is None:
        deliver_at = deliver_at.replace(tzinfo=JAKARTA)
    deliver_utc = to_utc_naive(deliver_at)
    if deliver_utc < now + timedelta(hours=LEAD_HOURS):
        raise DomainError(
            _("Pesan paling lambat %(hours)d jam sebelum waktu antar.", hours=LEAD_HOURS)
        )
    if deliver_utc > now + timedelta(days=90):
        raise DomainError(_("Waktu antar paling jauh 90 hari lagi."))
    place = " ".join((data.place or "").split())
    if not 5 <= len(place) <= 255:
        raise DomainError(_("Tulis tempat antar (gedung, ruang, alamat)."))
    if db.session.get(Kelurahan, data.kelurahan_id or 0) is None:
        raise DomainError(_("Pilih kelurahan tempat antar."))
    if not isinstance(data.boxes, int) or not 1 <= data.boxes <= MAX_BOXES:
        raise DomainError(_("Jumlah kotak antara 1 dan %(max)d.", max=MAX_BOXES))
    if not isinstance(data.budget_per_box, int) or not 1 <= data.budget_per_box <= MAX_BUDGET:
        raise DomainError(_("Anggaran per kotak antara Rp1 dan Rp1.000.000."))
    if data.terms_days not in TERMS:
        raise DomainError(_("Pilih jangka bayar: 0, 7, 14 atau 30 hari."))
    return deliver_utc, {
        "title": title,
        "place": place,
        "kelurahan_id": data.kelurahan_id,
        "boxes": data.boxes,
        "budget_per_box": data.budget_per_box,
        "terms_days": data.terms_days,
        "halal": bool(data.halal),
        "vegetarian": bool(data.vegetarian),
        "no_msg": bool(data.no_msg),
        "notes": (data.notes or "").strip()[:1000],
    }


def _check_stores(kelurahan_id: int, shares: dict[int, int]) -> None:
    local = {store.id for store in local_stores(kelurahan_id)}
    if not shares:
        raise DomainError(_("Pilih setidaknya satu toko."))
    if any(store_id not in local for store_id in shares):
        raise DomainError(_("Pilih toko terverifikasi di kelurahan tempat antar."))
    if any(not isinstance(n, int) or n <= 0 for n in shares.values()):
        raise DomainError(_("Setiap toko mendapat setidaknya 1 kotak."))


def request(
    actor: User,
    institution: Institution,
    data: BulkData,
    shares: dict[int, int],
    now: datetime | None = None,
) -> BulkOrder:
    """Send a bulk order to one store or split over several of the kelurahan: ``shares`` maps
    store id → boxes and adds up to the order's boxes. Each store is asked for its quotation."""
    _member_only(actor, institution)
    if not institution.is_verified:
        raise DomainError(_("Instansi ini belum diverifikasi admin kota atau KIM."))
    now = now or utcnow()
    deliver_at, fields = _check_bulk(data, now)
    _check_stores(fields["kelurahan_id"], shares)
    if sum(shares.values()) != fields["boxes"]:
        raise DomainError(
            _(
                "Bagian toko berjumlah %(sum)d kotak, pesanan %(boxes)d kotak.",
                sum=sum(shares.values()),
                boxes=fields["boxes"],
            )
        )
    bulk = BulkOrder(
        institution_id=institution.id,
        created_by_id=actor.id,
        deliver_at=deliver_at,
        deliver_date=to_jakarta(deliver_at).date(),
        status=BulkStatus.REQUESTED,
        **fields,
    )
    for store_id, boxes in sorted(shares.items()):
        bulk.shares.append(BulkShare(store_id=store_id, boxes=boxes))
    db.session.add(bulk)
    db.session.flush()
    for share in bulk.shares:
        _tell_store(share, _("Permintaan pesanan instansi %(number)s", number=bulk.number))
    return bulk


def _lock_bulk(bulk_id: int) -> BulkOrder:
    bulk = db.session.scalar(
        select(BulkOrder)
        .where(BulkOrder.id == bulk_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if bulk is None:
        raise DomainError(_("Pesanan instansi tidak ditemukan."))
    return bulk


def _lock_shares(bulk: BulkOrder) -> list[BulkShare]:
    """Every share of a locked bulk order, locked too (a quotation cannot change under a
    purchase order or a cancellation)."""
    return list(
        db.session.scalars(
            select(BulkShare)
            .where(BulkShare.bulk_order_id == bulk.id)
            .order_by(BulkShare.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _lock_share(share_id: int) -> BulkShare:
    share = db.session.scalar(
        select(BulkShare)
        .where(BulkShare.id == share_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if share is None:
        raise DomainError(_("Bagian pesanan tidak ditemukan."))
    return share


def _seller_only(actor, share: BulkShare) -> None:
    if not share.is_managed_by(actor):
        raise NotAllowed(_("Pesanan ini bukan untuk toko Anda."))


def boxes_booked(store_id: int, day: date, except_share: int | None = None) -> int:
    """Office boxes the store has taken on for a day (quoted, ordered, delivered)."""
    query = (
        select(func.coalesce(func.sum(BulkShare.boxes), 0))
        .join(BulkOrder)
        .where(
            BulkShare.store_id == store_id,
            BulkOrder.deliver_date == day,
            BulkShare.status.in_(ShareStatus.holding_capacity()),
        )
    )
    if except_share is not None:
        query = query.where(BulkShare.id != except_share)
    return int(db.session.scalar(query))


def quote(
    actor: User, share: BulkShare, price_per_box: int | None, day_capacity: int | None, menu: str
) -> BulkShare:
    """The store confirms its share: its price per box (within the office's budget), the menu,
    and how many office boxes it can make that day in all — its other office orders that day
    and this share must fit. Quotes of one store are made one at a time (store row lock)."""
    _seller_only(actor, share)
    # locks in one order everywhere: the store, the bulk order, its shares
    db.session.execute(select(Store.id).where(Store.id == share.store_id).with_for_update())
    bulk = _lock_bulk(share.bulk_order_id)
    share = _lock_share(share.id)
    if bulk.status != BulkStatus.REQUESTED or share.status not in (
        ShareStatus.INVITED,
        ShareStatus.QUOTED,
    ):
        raise DomainError(_("Penawaran untuk pesanan ini sudah ditutup."))
    if not isinstance(price_per_box, int) or price_per_box <= 0:
        raise DomainError(_("Tulis harga per kotak."))
    if price_per_box > bulk.budget_per_box:
        raise DomainError(
            _(
                "Harga per kotak melebihi anggaran instansi (%(budget)s).",
                budget=format_rupiah(bulk.budget_per_box),
            )
        )
    if not isinstance(day_capacity, int) or not 1 <= day_capacity <= MAX_BOXES:
        raise DomainError(_("Tulis berapa kotak yang sanggup Anda buat hari itu."))
    booked = boxes_booked(share.store_id, bulk.deliver_date, except_share=share.id)
    if booked + share.boxes > day_capacity:
        raise DomainError(
            _(
                "Kapasitas %(cap)d kotak tidak cukup: %(booked)d kotak pesanan instansi lain di "
                "hari itu ditambah %(boxes)d kotak ini.",
                cap=day_capacity,
                booked=booked,
                boxes=share.boxes,
            )
        )
    menu = (menu or "").strip()
    if not 3 <= len(menu) <= 1000:
        raise DomainError(_("Tulis isi kotaknya, misalnya “Lemper, risol, kue lapis, air”."))
    share.price_per_box, share.day_capacity, share.menu = price_per_box, day_capacity, menu
    share.status, share.quoted_at = ShareStatus.QUOTED, utcnow()
    db.session.flush()
    return share


def decline(actor: User, share: BulkShare, reason: str) -> None:
    """The store cannot take its share (full that day, no such menu); the office can give the
    boxes to another store."""
    _seller_only(actor, share)
    _lock_bulk(share.bulk_order_id)
    share = _lock_share(share.id)
    if share.bulk_order.status != BulkStatus.REQUESTED or share.status not in (
        ShareStatus.INVITED,
        ShareStatus.QUOTED,
    ):
        raise DomainError(_("Pesanan ini tidak dapat ditolak lagi di sini."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tuliskan alasan untuk instansi."))
    share.status, share.decline_reason = ShareStatus.DECLINED, reason[:500]
    db.session.flush()


def add_store(actor: User, bulk: BulkOrder, store_id: int, boxes: int) -> BulkShare:
    """Give boxes that no store holds (declined ones) to another store of the kelurahan."""
    _member_only(actor, bulk.institution)
    bulk = _lock_bulk(bulk.id)
    if bulk.status != BulkStatus.REQUESTED:
        raise DomainError(_("Pesanan ini sudah tidak menerima toko baru."))
    _check_stores(bulk.kelurahan_id, {store_id: boxes})
    held = sum(s.boxes for s in bulk.shares if s.status not in ShareStatus.gone())
    if held + boxes > bulk.boxes:
        raise DomainError(_("Hanya %(n)d kotak yang belum dibagi.", n=max(bulk.boxes - held, 0)))
    existing = next((s for s in bulk.shares if s.store_id == store_id), None)
    if existing is not None and existing.status not in ShareStatus.gone():
        raise DomainError(_("Toko itu sudah mendapat bagian."))
    if existing is not None:  # asked again after declining: a fresh invitation
        existing.boxes, existing.status = boxes, ShareStatus.INVITED
        existing.price_per_box = existing.day_capacity = existing.quoted_at = None
        existing.decline_reason = None
        share = existing
    else:
        share = BulkShare(store_id=store_id, boxes=boxes)
        bulk.shares.append(share)
    db.session.flush()
    _tell_store(share, _("Permintaan pesanan instansi %(number)s", number=bulk.number))
    return share


def unassigned(bulk: BulkOrder) -> int:
    return bulk.boxes - sum(s.boxes for s in bulk.shares if s.status not in ShareStatus.gone())


def place_purchase_order(actor: User, bulk: BulkOrder) -> None:
    """The office accepts the quotations: a purchase order to each store. Every box must be
    held by a store that quoted."""
    _member_only(actor, bulk.institution)
    bulk = _lock_bulk(bulk.id)
    if bulk.status != BulkStatus.REQUESTED:
        raise DomainError(_("Surat pesanan untuk pesanan ini sudah dibuat."))
    active = [s for s in _lock_shares(bulk) if s.status not in ShareStatus.gone()]
    if unassigned(bulk):
        raise DomainError(
            _("%(n)d kotak belum punya toko. Tambahkan toko dulu.", n=unassigned(bulk))
        )
    waiting = [s.store.name for s in active if s.status != ShareStatus.QUOTED]
    if waiting:
        raise DomainError(_("Menunggu penawaran dari: %(stores)s.", stores=", ".join(waiting)))
    now = utcnow()
    for share in active:
        share.status, share.ordered_at = ShareStatus.ORDERED, now
    bulk.status, bulk.ordered_at = BulkStatus.ORDERED, now
    db.session.flush()
    for share in active:
        _tell_store(share, _("Surat pesanan %(po)s", po=share.po_number))


def cancel(actor: User, bulk: BulkOrder, reason: str) -> None:
    """The office cancels before any delivery; every store is told."""
    _member_only(actor, bulk.institution)
    bulk = _lock_bulk(bulk.id)
    shares = _lock_shares(bulk)
    if bulk.status not in (BulkStatus.REQUESTED, BulkStatus.ORDERED) or any(
        s.status in (ShareStatus.DELIVERED, ShareStatus.PAID) for s in shares
    ):
        raise DomainError(_("Pesanan yang sudah diantar tidak dapat dibatalkan."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tuliskan alasan pembatalan untuk toko."))
    bulk.status, bulk.cancel_reason = BulkStatus.CANCELLED, reason[:500]
    for share in shares:
        if share.status not in ShareStatus.gone():
            share.status = ShareStatus.CANCELLED
            _tell_store(share, _("Pesanan instansi %(number)s dibatalkan", number=bulk.number))
    db.session.flush()


def _office_customer(actor: User, share: BulkShare, amount: int) -> CreditCustomer:
    """The office as a credit customer of the store, its limit raised to hold this invoice."""
    institution = share.bulk_order.institution
    store = share.store
    customer = db.session.scalar(
        select(CreditCustomer).where(
            CreditCustomer.store_id == store.id, CreditCustomer.institution_id == institution.id
        )
    )
    owed = credit.outstanding_of(customer) if customer is not None else 0
    limit = max(customer.credit_limit if customer else 0, owed + amount)
    return credit.save_customer(
        actor, store, institution.name, institution.phone, limit, institution_id=institution.id
    )


def deliver(actor: User, share: BulkShare, now: datetime | None = None) -> BulkShare:
    """The store delivered its share: the invoice is issued, due after the order's terms, and
    its amount becomes the store's receivable (a sale on credit in its books) — once."""
    _seller_only(actor, share)
    # the store first (locks in one order everywhere): the office's receivable at this store
    # is opened once however many of its orders are delivered at the same moment
    db.session.execute(select(Store.id).where(Store.id == share.store_id).with_for_update())
    bulk = _lock_bulk(share.bulk_order_id)
    share = _lock_share(share.id)
    if share.status != ShareStatus.ORDERED:
        raise DomainError(_("Hanya pesanan dengan surat pesanan yang dapat ditandai diantar."))
    now = now or utcnow()
    delivered_day = to_jakarta(now).date()
    share.status, share.delivered_at = ShareStatus.DELIVERED, now
    share.due_on = delivered_day + timedelta(days=bulk.terms_days)
    customer = _office_customer(actor, share, share.amount)
    debt = credit.sell_on_credit(
        actor,
        customer,
        credit.DebtData(
            amount=share.amount,
            description=_(
                "Tagihan %(invoice)s: %(title)s", invoice=share.invoice_number, title=bulk.title
            )[:200],
            due_on=share.due_on,
            occurred_at=now,
        ),
    )
    share.debt_id = debt.id
    if all(
        s.status in (*ShareStatus.gone(), ShareStatus.DELIVERED, ShareStatus.PAID)
        for s in bulk.shares
    ):
        bulk.status = BulkStatus.DELIVERED
    db.session.flush()
    _tell_office(
        bulk,
        _(
            "Tagihan %(invoice)s dari %(store)s",
            invoice=share.invoice_number,
            store=share.store.name,
        ),
        _(
            "%(store)s sudah mengantar %(boxes)d kotak. Tagihan %(amount)s, jatuh tempo "
            "%(due)s: %(link)s",
            store=share.store.name,
            boxes=share.boxes,
            amount=format_rupiah(share.amount),
            due=format_date(share.due_on, "d MMMM yyyy"),
            link=public_url("institutions.invoice", share_id=share.id),
        ),
        (_("Tagihan baru"), share),
    )
    return share


def report_payment(actor: User, share: BulkShare, reference: str) -> None:
    """The office says it transferred the invoice (the store confirms when the money is in)."""
    _member_only(actor, share.bulk_order.institution)
    share = _lock_share(share.id)
    if share.status != ShareStatus.DELIVERED:
        raise DomainError(_("Tagihan ini tidak menunggu pembayaran."))
    reference = " ".join((reference or "").split())
    if not 3 <= len(reference) <= 120:
        raise DomainError(_("Tulis nomor referensi atau keterangan transfer."))
    share.office_paid_at, share.office_reference = utcnow(), reference
    db.session.flush()
    _tell_store(
        share, _("Tagihan %(invoice)s sudah ditransfer instansi", invoice=share.invoice_number)
    )


def receive_payment(actor: User, share: BulkShare, method: str = Method.TRANSFER) -> None:
    """The store saw the invoice's money come in: the receivable is paid in its books (a cash
    book entry of the money received) and the invoice closed — once."""
    _seller_only(actor, share)
    bulk = _lock_bulk(share.bulk_order_id)
    share = _lock_share(share.id)
    if share.status != ShareStatus.DELIVERED or share.debt is None:
        raise DomainError(_("Tagihan ini sudah lunas atau belum diantar."))
    credit.pay_debt(actor, share.debt, share.debt.outstanding, method)
    share.status, share.paid_at = ShareStatus.PAID, utcnow()
    if all(s.status in (*ShareStatus.gone(), ShareStatus.PAID) for s in bulk.shares):
        bulk.status = BulkStatus.PAID
    db.session.flush()


# --- messages ------------------------------------------------------------------------------


def _tell_store(share: BulkShare, subject: str) -> None:
    """The seller hears of it as of a new order: by e-mail, a WhatsApp message (the Cloud API
    when configured, else a click-to-chat row), and a push to their phones."""
    store = db.session.get(Store, share.store_id)
    link = public_url("institutions.store_orders", store_id=store.id)
    if store.owner.email:
        outbox.queue("email", store.owner.email, subject, f"{subject}\n\n{link}")
    outbox.queue("whatsapp", store.whatsapp, subject, f"{subject}: {link}")
    outbox.queue_whatsapp(store.whatsapp, "pesanan_instansi_toko", [subject, link])
    shown = push.push_payload(
        subject,
        _("%(office)s · %(n)d kotak", office=share.bulk_order.institution.name, n=share.boxes),
        f"/toko-saya/{store.id}/pesanan-instansi",
        f"office-{share.id}",
    )
    push.notify_user(store.owner_id, subject, shown)


def _tell_office(bulk: BulkOrder, subject: str, body: str, invoice: tuple | None = None) -> None:
    """By e-mail when the office gave one, and WhatsApp: the Cloud API's invoice template when
    configured (``invoice``: its headline and the share), else a click-to-chat row."""
    institution = bulk.institution
    if institution.email:
        outbox.queue("email", institution.email, subject, body)
    outbox.queue("whatsapp", institution.phone, subject, body)
    if invoice is not None:
        headline, share = invoice
        outbox.queue_whatsapp(
            institution.phone,
            "tagihan_instansi",
            [
                headline,
                share.invoice_number,
                share.store.name,
                format_rupiah(share.amount),
                format_date(share.due_on, "d MMMM yyyy"),
                public_url("institutions.invoice", share_id=share.id),
            ],
        )


@periodic("institutions.remind", "SWEEP_SECONDS")
def remind_due(today: date | None = None) -> int:
    """Invoices not yet paid: one reminder to the office a few days before the due day, one
    more once it is overdue."""
    today = today or jakarta_today()
    due = list(
        db.session.scalars(
            select(BulkShare)
            .where(
                BulkShare.status == ShareStatus.DELIVERED,
                or_(
                    and_(
                        BulkShare.reminders_sent == 0,
                        BulkShare.due_on <= today + timedelta(days=REMIND_DAYS_BEFORE),
                    ),
                    and_(BulkShare.reminders_sent == 1, BulkShare.due_on < today),
                ),
            )
            .options(selectinload(BulkShare.bulk_order), selectinload(BulkShare.store))
            .with_for_update(skip_locked=True)
        )
    )
    for share in due:
        overdue = share.due_on < today
        subject = (
            _("Tagihan %(invoice)s lewat jatuh tempo", invoice=share.invoice_number)
            if overdue
            else _("Pengingat tagihan %(invoice)s", invoice=share.invoice_number)
        )
        body = _(
            "Tagihan %(invoice)s dari %(store)s sebesar %(amount)s jatuh tempo %(due)s. "
            "Rekening dan rincian: %(link)s",
            invoice=share.invoice_number,
            store=share.store.name,
            amount=format_rupiah(share.amount),
            due=format_date(share.due_on, "d MMMM yyyy"),
            link=public_url("institutions.invoice", share_id=share.id),
        )
        headline = _("Lewat jatuh tempo") if overdue else _("Pengingat")
        _tell_office(share.bulk_order, subject, body, (headline, share))
        share.reminders_sent = 2 if overdue else share.reminders_sent + 1
    db.session.flush()
    return len(due)


# --- lists and figures ---------------------------------------------------------------------


def bulk_orders_of(institution: Institution) -> list[BulkOrder]:
    return list(
        db.session.scalars(
            select(BulkOrder)
            .where(BulkOrder.institution_id == institution.id)
            .options(selectinload(BulkOrder.shares).selectinload(BulkShare.store))
            .order_by(BulkOrder.deliver_at.desc())
        )
    )


def shares_of(store: Store) -> list[BulkShare]:
    return list(
        db.session.scalars(
            select(BulkShare)
            .join(BulkOrder)
            .where(BulkShare.store_id == store.id)
            .options(selectinload(BulkShare.bulk_order).selectinload(BulkOrder.institution))
            .order_by(BulkOrder.deliver_at.desc())
        )
    )


def _upcoming_shares(store: Store, *conditions) -> list[BulkShare]:
    return list(
        db.session.scalars(
            select(BulkShare)
            .join(BulkOrder)
            .where(BulkShare.store_id == store.id, *conditions)
            .options(selectinload(BulkShare.bulk_order).selectinload(BulkOrder.institution))
            .order_by(BulkOrder.deliver_at, BulkShare.id)
        )
    )


def _asked(today: date):
    """An invitation the store can still answer: the order still asks, its day not past."""
    return and_(
        BulkShare.status == ShareStatus.INVITED,
        BulkOrder.status == BulkStatus.REQUESTED,
        BulkOrder.deliver_date >= today,
    )


def waiting_on_store(store: Store, today: date | None = None) -> list[BulkShare]:
    """The store's office orders that need it, for its order board: asked for a quotation, or
    ordered and not yet marked delivered (whatever the day: its invoice waits on it), soonest
    delivery first. A cancelled order's shares are cancelled with it."""
    today = today or jakarta_today()
    return _upcoming_shares(store, or_(_asked(today), BulkShare.status == ShareStatus.ORDERED))


def asked_count(store: Store, today: date | None = None) -> int:
    """Office requests waiting for the store's quotation (they ring its order board like new
    orders do)."""
    return db.session.scalar(
        select(func.count(BulkShare.id))
        .join(BulkOrder)
        .where(BulkShare.store_id == store.id, _asked(today or jakarta_today()))
    )


def boxes_for_day(store: Store, day: date) -> list[BulkShare]:
    """The office boxes the store makes for ``day`` (its purchase orders), for its production
    recap."""
    return _upcoming_shares(
        store, BulkShare.status == ShareStatus.ORDERED, BulkOrder.deliver_date == day
    )


def may_see_invoice(user, share: BulkShare) -> bool:
    if not user or not getattr(user, "is_authenticated", False):
        return False
    return (
        share.is_managed_by(user)
        or share.bulk_order.institution.has_member(user)
        or user.role == Role.CITY_ADMIN
    )


@dataclass
class SpendRow:
    month: str  # "2026-12"
    kelurahan: str
    kecamatan: str
    stores: int
    boxes: int
    amount: int


def spend_by_month(kelurahan_id: int | None = None, months: int = 12) -> list[SpendRow]:
    """What offices spent with local UMKM: delivered invoices per month (Asia/Jakarta) and per
    kelurahan of the store, newest month first."""
    since = to_utc_naive(
        datetime.combine(jakarta_today().replace(day=1), datetime.min.time(), tzinfo=JAKARTA)
    )
    for _step in range(months - 1):
        since = to_utc_naive(
            datetime.combine(
                (to_jakarta(since).date() - timedelta(days=1)).replace(day=1),
                datetime.min.time(),
                tzinfo=JAKARTA,
            )
        )
    query = (
        select(BulkShare, Store.kelurahan_id)
        .join(Store, Store.id == BulkShare.store_id)
        .where(
            BulkShare.status.in_((ShareStatus.DELIVERED, ShareStatus.PAID)),
            BulkShare.delivered_at >= since,
        )
    )
    if kelurahan_id is not None:
        query = query.where(Store.kelurahan_id == kelurahan_id)
    totals: dict[tuple[str, int], list] = {}
    for share, kel_id in db.session.execute(query):
        month = to_jakarta(share.delivered_at).strftime("%Y-%m")
        row = totals.setdefault((month, kel_id), [set(), 0, 0])
        row[0].add(share.store_id)
        row[1] += share.boxes
        row[2] += share.amount
    if not totals:
        return []
    names = {
        k.id: (k.name, k.kecamatan.name)
        for k in db.session.scalars(
            select(Kelurahan)
            .where(Kelurahan.id.in_({kel for _month, kel in totals}))
            .options(selectinload(Kelurahan.kecamatan))
        )
    }
    rows = sorted(
        (
            SpendRow(month, *names[kel], len(stores), boxes, amount)
            for (month, kel), (stores, boxes, amount) in totals.items()
        ),
        key=lambda row: (row.kecamatan, row.kelurahan),
    )
    rows.sort(key=lambda row: row.month, reverse=True)  # newest month first, places in order
    return rows
