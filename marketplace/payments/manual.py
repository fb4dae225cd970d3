"""QRIS and bank transfer straight to the seller: the seller registers their static QRIS
sticker or bank account; an order paid this way asks for an exact amount (a dynamic QRIS, or
the total plus a unique code), waits for the seller to confirm that the money is in, and
expires like an unpaid card order when nobody does. The cash book posts the income once, when
the seller confirms."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.books import services as books
from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.images import Uploads
from marketplace.core.money import format_rupiah
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import MANUAL_METHODS, Order, OrderStatus, PaymentMethod
from marketplace.payments import qris
from marketplace.payments.models import ManualPayment
from marketplace.stores.models import Store

#: banks (and digital banks) a kampung seller is likely to hold an account with
BANKS = (
    "BCA",
    "BRI",
    "BNI",
    "Mandiri",
    "BSI",
    "BTN",
    "CIMB Niaga",
    "Permata",
    "Danamon",
    "Bank DKI",
    "bank bjb",
    "Bank Banten",
    "BPD lain",
    "SeaBank",
    "Bank Jago",
    "blu (BCA Digital)",
    "Jenius (SMBC)",
    "Allo Bank",
    "Bank Neo Commerce",
    "Lainnya",
)
ACCOUNT_RE = re.compile(r"^\d{6,20}$")
#: the transfer codes: the last three digits of the amount tell open orders of a store apart
UNIQUE_CODES = range(1, 1000)
METHOD_LABELS = {PaymentMethod.QRIS: _l("QRIS"), PaymentMethod.TRANSFER: _l("Transfer bank")}


def _own(actor, store: Store) -> None:
    if not store.is_managed_by(actor):
        raise NotAllowed(_("Toko ini bukan milik Anda."))


# --- the seller's QRIS and account ---------------------------------------------------------


def read_sticker(payload: str = "", image: bytes | None = None) -> qris.Merchant:
    """What a sticker says (from its photo, or its pasted text), for the seller to confirm."""
    if image:
        payload = qris.decode_image(image)
    return qris.read_static(payload)


def save_qris(actor, store: Store, payload: str) -> qris.Merchant:
    """Keep the store's static QRIS (checked again: the confirmation page sent it back) and
    offer QRIS at checkout."""
    _own(actor, store)
    merchant = qris.read_static(payload)
    store.qris_payload = merchant.payload
    store.qris_merchant_name = merchant.name[:25]
    store.qris_nmid = merchant.nmid[:20]
    store.qris_issuer = merchant.issuer[:40]
    store.accepts_qris = True
    db.session.flush()
    return merchant


def set_accepts(actor, store: Store, method: str, on: bool) -> None:
    """Offer (or stop offering) QRIS or transfer at checkout; what was registered is kept."""
    _own(actor, store)
    if method == PaymentMethod.QRIS:
        if on and not store.qris_payload:
            raise DomainError(_("Daftarkan QRIS toko dulu."))
        store.accepts_qris = on
    elif method == PaymentMethod.TRANSFER:
        if on and not store.bank_account_number:
            raise DomainError(_("Isi rekening bank toko dulu."))
        store.accepts_transfer = on
    else:
        raise DomainError(_("Pilih QRIS atau transfer bank."))
    db.session.flush()


def save_bank_account(actor, store: Store, bank: str, number: str, holder: str) -> None:
    """The account buyers transfer to; transfer is offered at checkout from now on."""
    _own(actor, store)
    if bank not in BANKS:
        raise DomainError(_("Pilih bank dari daftar."))
    number = re.sub(r"[\s.-]", "", number or "")
    if not ACCOUNT_RE.match(number):
        raise DomainError(_("Nomor rekening hanya angka, 6 sampai 20 digit."))
    holder = " ".join((holder or "").split())
    if not 2 <= len(holder) <= 120:
        raise DomainError(_("Tulis nama pemilik rekening seperti di buku tabungan."))
    store.bank_name, store.bank_account_number, store.bank_account_holder = bank, number, holder
    store.accepts_transfer = True
    db.session.flush()


# --- an order paid this way ----------------------------------------------------------------


def _free_code(store_id: int) -> int:
    """The smallest transfer code no open transfer order of the store uses. The caller
    (orders.place_order) holds the store's row lock, so two orders placed at once cannot take
    the same code."""
    used = set(
        db.session.scalars(
            select(ManualPayment.unique_code)
            .join(Order, Order.id == ManualPayment.order_id)
            .where(
                ManualPayment.store_id == store_id,
                ManualPayment.method == PaymentMethod.TRANSFER,
                Order.status == OrderStatus.AWAITING_PAYMENT,
            )
        )
    )
    code = next((c for c in UNIQUE_CODES if c not in used), None)
    if code is None:
        raise DomainError(_("Terlalu banyak transfer yang belum dikonfirmasi toko ini."))
    return code


def check_method(store: Store, method: str, total: int) -> None:
    """Refuse a QRIS or transfer checkout the store cannot take (called before anything is
    written)."""
    if method == PaymentMethod.QRIS:
        if not store.takes_qris:
            raise DomainError(_("Toko ini belum menerima QRIS."))
        if total > qris.MAX_AMOUNT:
            raise DomainError(_("Pembayaran QRIS maksimal Rp10.000.000. Pilih cara bayar lain."))
    elif method == PaymentMethod.TRANSFER and not store.takes_transfer:
        raise DomainError(_("Toko ini belum menerima transfer bank."))


def start(order: Order, now=None) -> ManualPayment:
    """Write what the buyer of a new QRIS or transfer order is asked to pay, and until when.
    Runs in the order's transaction; the order has its id."""
    store = order.store
    now = now or utcnow()
    payment = ManualPayment(order_id=order.id, store_id=store.id, method=order.payment_method)
    if order.payment_method == PaymentMethod.QRIS:
        payment.amount = order.total
        payment.qris_payload = qris.dynamic(store.qris_payload, order.total)
        payment.merchant_name = store.qris_merchant_name
    else:
        payment.unique_code = _free_code(store.id)
        payment.amount = order.total + payment.unique_code
        payment.bank_name = store.bank_name
        payment.account_number = store.bank_account_number
        payment.account_holder = store.bank_account_holder
    order.expires_at = now + timedelta(minutes=current_app.config["MANUAL_PAYMENT_MINUTES"])
    db.session.add(payment)
    db.session.flush()
    return payment


def payment_of(order: Order) -> ManualPayment | None:
    return db.session.scalar(select(ManualPayment).where(ManualPayment.order_id == order.id))


def _lock_payment(order_id: int) -> ManualPayment:
    payment = db.session.scalar(
        select(ManualPayment)
        .where(ManualPayment.order_id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if payment is None:
        raise DomainError(_("Pesanan ini tidak dibayar dengan QRIS atau transfer."))
    return payment


def claim_paid(order: Order, proof=None, uploads: Uploads | None = None, now=None) -> None:
    """The buyer says they paid (with a screenshot if they like): the seller is asked to check,
    and the order waits for them a little longer (once)."""
    now = now or utcnow()
    order = orders.lock_order(order.id)
    if order.payment_method not in MANUAL_METHODS:
        raise DomainError(_("Pesanan ini tidak dibayar dengan QRIS atau transfer."))
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise DomainError(_("Pesanan ini tidak sedang menunggu pembayaran."))
    payment = _lock_payment(order.id)
    if proof is not None and uploads is not None:
        stored = uploads.store(proof)
        if payment.proof_thumb:
            uploads.delete(payment.proof_thumb, payment.proof_large)
        payment.proof_thumb, payment.proof_large = stored.thumb, stored.large
    if payment.claimed_at is None:
        payment.claimed_at = now
        grace = now + timedelta(minutes=current_app.config["PAYMENT_CLAIM_GRACE_MINUTES"])
        order.expires_at = max(order.expires_at or now, grace)
    db.session.flush()


def confirm_received(order: Order, actor, now=None) -> None:
    """The seller saw the money in their account: the payment is confirmed, the order taken on
    and the income posted to the cash book, all once, under the order's and payment's locks —
    a second tap (or a second phone) finds it done."""
    if not order.is_managed_by(actor):
        raise NotAllowed(_("Pesanan ini bukan milik toko Anda."))
    order = orders.lock_order(order.id)
    if order.payment_method not in MANUAL_METHODS:
        raise DomainError(_("Pesanan ini tidak dibayar dengan QRIS atau transfer."))
    payment = _lock_payment(order.id)
    if payment.confirmed_at is not None:
        raise DomainError(_("Pembayaran pesanan #%(id)d sudah dikonfirmasi.", id=order.id))
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise DomainError(
            _(
                "Pesanan #%(id)d sudah tidak menunggu pembayaran (kedaluwarsa atau dibatalkan).",
                id=order.id,
            )
        )
    payment.confirmed_at = now or utcnow()
    payment.confirmed_by_id = actor.id
    books.post_manual_payment(order, payment.amount)
    orders.accept_paid(
        order,
        actor,
        _(
            "Pembayaran %(method)s %(amount)s diterima penjual.",
            method=METHOD_LABELS[order.payment_method],
            amount=format_rupiah(payment.amount),
        ),
    )


def awaiting(store: Store) -> dict[int, ManualPayment]:
    """The manual payments of the store's orders waiting on payment, by order id (one query)."""
    rows = db.session.scalars(
        select(ManualPayment)
        .join(Order, Order.id == ManualPayment.order_id)
        .where(ManualPayment.store_id == store.id, Order.status == OrderStatus.AWAITING_PAYMENT)
    )
    return {payment.order_id: payment for payment in rows}
