"""Order rules: pickup/delivery times, placing an order, its life cycle, sweeps and recaps."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from marketplace.areas.models import Kelurahan
from marketplace.books import services as books
from marketplace.catalog.stock import release_stock, reserve_stock
from marketplace.core.db import JAKARTA, to_jakarta, to_utc_naive, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.jobs import after_commit, periodic
from marketplace.core.money import format_rupiah
from marketplace.core.phone import InvalidPhone, normalize_phone
from marketplace.core.web import public_url
from marketplace.events import services as events
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.orders import states
from marketplace.orders.cart import CartGroup, view_cart
from marketplace.orders.models import (
    MANUAL_METHODS,
    OPEN_STATUSES,
    Fulfilment,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)
from marketplace.orders.notifications import notify_status
from marketplace.payments import gateway, stripe_client
from marketplace.promotions import services as promotions
from marketplace.stores.hours import availability
from marketplace.stores.models import Store

SLOT_MINUTES = 30
#: the first slot today is at least this far from now (time to cook)
PREPARATION_MINUTES = 30
SLOT_DAYS = 7
#: a time the checkout page offered can still be chosen this long after the page was shown: a
#: buyer typing their name across a half hour must not lose the first pickup time to the clock
#: (the seller still has PREPARATION_MINUTES - OFFER_GRACE_MINUTES to cook)
OFFER_GRACE_MINUTES = 10
#: Stripe lets a card authorisation lapse after about seven days
AUTHORISATION_DAYS = 7


@dataclass
class CheckoutData:
    checkout_token: str
    name: str
    phone: str
    fulfilment: str
    fulfil_at: str
    payment_method: str = PaymentMethod.CASH
    email: str = ""
    note: str = ""
    address: str = ""
    rt: str = ""
    rw: str = ""
    kelurahan_id: int | None = None
    landmark: str = ""
    discount_code: str = ""
    #: a pre-order picked up at the store's booth of this event
    event_id: int | None = None


def order_link(order: Order) -> str:
    return public_url("orders.show", token=order.token)


def _booked_per_day(store: Store, first: date, last: date) -> Counter:
    rows = db.session.execute(
        select(Order.fulfil_date, func.count(Order.id))
        .where(
            Order.store_id == store.id,
            Order.fulfil_date.between(first, last),
            Order.status.notin_([OrderStatus.REJECTED, OrderStatus.CANCELLED]),
        )
        .group_by(Order.fulfil_date)
    )
    return Counter(dict(rows.all()))


def _opening_periods(
    store: Store, day: date, event: Event | None
) -> list[tuple[datetime, datetime]]:
    """(start, end) of the day's opening periods (aware Asia/Jakarta): the event's hours at its
    booth, otherwise the store's weekly hours."""
    if event is not None:
        if not event.starts_on <= day <= event.ends_on:
            return []
        return [
            (
                datetime.combine(day, event.opens_at, tzinfo=JAKARTA),
                datetime.combine(day, event.closes_at, tzinfo=JAKARTA),
            )
        ]
    periods = []
    for period in sorted(
        (p for p in store.periods if p.weekday == day.weekday()), key=lambda p: p.opens_at
    ):
        end_day = day + timedelta(days=1) if period.crosses_midnight else day
        periods.append(
            (
                datetime.combine(day, period.opens_at, tzinfo=JAKARTA),
                datetime.combine(end_day, period.closes_at, tzinfo=JAKARTA),
            )
        )
    return periods


def available_slots(
    store: Store, lead_days: int, now: datetime | None = None, event: Event | None = None
) -> list[datetime]:
    """Pickup/delivery times (aware, Asia/Jakarta) inside the store's opening periods, or inside
    the event's opening hours for a pre-order picked up at the store's booth.

    Respects the longest lead time in the cart, closed dates (not at an event), a pause and the
    store's daily capacity; shown as the day they happen, not the day of the order.
    """
    now_jkt = to_jakarta(now or utcnow())
    earliest = now_jkt + timedelta(minutes=PREPARATION_MINUTES)
    first_day = now_jkt.date() + timedelta(days=lead_days)
    last_day = event.ends_on if event is not None else first_day + timedelta(days=SLOT_DAYS - 1)
    if store.is_paused:
        if store.paused_until is None:
            return []
        earliest = max(earliest, to_jakarta(store.paused_until))
    closed = {c.day for c in store.closed_dates} if event is None else set()
    booked = _booked_per_day(store, first_day, last_day) if store.daily_capacity else Counter()
    slots: list[datetime] = []
    day = first_day
    while day <= last_day:
        full = store.daily_capacity and booked[day] >= store.daily_capacity
        if day not in closed and not full:
            for moment, end in _opening_periods(store, day, event):
                while moment < end:
                    if moment >= earliest:
                        slots.append(moment)
                    moment += timedelta(minutes=SLOT_MINUTES)
        day += timedelta(days=1)
    return slots


def lead_days_for(group: CartGroup) -> int:
    return max((row.product.lead_days for row in group.rows if row.product), default=0)


def _delivery_allowed(store: Store, kelurahan_id: int | None, rw: str) -> bool:
    if kelurahan_id is None:
        return False
    served = {k.id for k in store.delivery_kelurahan} | {store.kelurahan_id}
    if kelurahan_id not in served:
        return False
    if kelurahan_id == store.kelurahan_id and store.delivery_rw_list:
        return rw.strip().zfill(2)[-2:] in {r[-2:] for r in store.delivery_rw_list}
    return True


def find_by_checkout_token(token: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.checkout_token == token))


def _check_customer(data: CheckoutData) -> tuple[str, str, str | None]:
    name = (data.name or "").strip()
    if not name:
        raise DomainError(_("Nama pemesan wajib diisi."))
    try:
        phone = normalize_phone(data.phone)
    except InvalidPhone as exc:
        raise DomainError(_("Nomor WhatsApp tidak valid. Contoh: 0812-3456-7890.")) from exc
    return name[:120], phone, (data.email or "").strip().lower() or None


def booth_event(store: Store, event_id: int | None) -> Event | None:
    """The event whose booth the order is picked up at (the store must have a booth there)."""
    if not event_id:
        return None
    event = db.session.get(Event, event_id)
    if event is None or not events.takes_part(event, store):
        raise DomainError(_("Toko ini tidak membuka booth di acara itu."))
    return event


def _check_fulfilment(
    store: Store, group: CartGroup, data: CheckoutData, now, event: Event | None
) -> datetime:
    if event is not None and data.fulfilment != Fulfilment.PICKUP:
        raise DomainError(_("Pre-order acara diambil di booth, tidak diantar."))
    if data.fulfilment == Fulfilment.PICKUP and event is None and not store.offers_pickup:
        raise DomainError(_("Toko ini tidak melayani ambil di tempat."))
    if data.fulfilment == Fulfilment.DELIVERY:
        if not store.offers_delivery:
            raise DomainError(_("Toko ini tidak melayani antar."))
        if (
            not (data.address or "").strip()
            or not (data.rt or "").strip()
            or not (data.rw or "").strip()
        ):
            raise DomainError(_("Isi alamat antar lengkap dengan RT dan RW."))
        if db.session.get(Kelurahan, data.kelurahan_id or 0) is None:
            raise DomainError(_("Pilih kelurahan alamat antar."))
        if not _delivery_allowed(store, data.kelurahan_id, data.rw):
            raise DomainError(_("Maaf, alamat itu di luar daerah antar toko ini."))
    elif data.fulfilment != Fulfilment.PICKUP:
        raise DomainError(_("Pilih ambil di tempat atau diantar."))
    if data.payment_method not in set(PaymentMethod) or not store.accepts(
        data.fulfilment, data.payment_method
    ):
        raise DomainError(_("Pilih cara bayar yang tersedia."))
    if data.payment_method == PaymentMethod.CARD and not stripe_client.is_configured():
        raise DomainError(_("Pembayaran kartu belum tersedia. Pilih bayar di tempat."))
    try:
        chosen = datetime.fromisoformat(data.fulfil_at)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Pilih waktu dari daftar.")) from exc
    if chosen.tzinfo is None:
        chosen = chosen.replace(tzinfo=JAKARTA)
    lead_days = lead_days_for(group)
    if chosen not in available_slots(store, lead_days, now, event):
        shown = (now or utcnow()) - timedelta(minutes=OFFER_GRACE_MINUTES)
        if chosen not in available_slots(store, lead_days, shown, event):
            raise DomainError(_("Waktu itu tidak tersedia lagi. Pilih waktu lain."))
    return chosen


def place_order(
    cart,
    store_id: int,
    data: CheckoutData,
    customer=None,
    now: datetime | None = None,
    group: CartGroup | None = None,
) -> Order:
    """Turn the cart's lines of one store into an order: amounts from the database, stock taken
    in the same transaction, and the checkout token used once (a repeat returns the same order).

    ``group`` is the store's part of the cart when the caller has just read it in this
    transaction (the checkout page does), saving a second read."""
    existing = find_by_checkout_token(data.checkout_token)
    if existing is not None:
        return existing
    if not data.checkout_token or len(data.checkout_token) > 64:
        raise DomainError(_("Formulir pesanan tidak sah. Muat ulang halaman keranjang."))
    if group is None or group.store.id != store_id:
        group = next((g for g in view_cart(cart, now, customer) if g.store.id == store_id), None)
    if group is None or not group.rows:
        raise DomainError(_("Keranjang untuk toko ini kosong."))
    if group.problems:
        # Say which product changed (sold out, fewer left, new price); the cart stays as it is.
        raise DomainError(" ".join(row.problem_text for row in group.problems))
    store = group.store
    if not store.is_public:
        raise DomainError(_("Toko ini belum menerima pesanan."))
    name, phone, email = _check_customer(data)
    if store.daily_capacity or data.payment_method == PaymentMethod.TRANSFER:
        # Orders of a store with a daily capacity are placed one at a time (row lock on the
        # store), so the count behind the available days cannot be raced past the capacity;
        # transfer orders likewise, so two never take the same unique code. The store is
        # locked before the products, as everywhere.
        db.session.execute(select(Store.id).where(Store.id == store.id).with_for_update())
    event = booth_event(store, data.event_id)
    fulfil_at = _check_fulfilment(store, group, data, now, event)
    delivery = data.fulfilment == Fulfilment.DELIVERY
    subtotal = group.subtotal
    fee = store.delivery_fee_for(subtotal) if delivery else 0
    code, discount = None, 0
    if (data.discount_code or "").strip():
        code = promotions.find_code(store, data.discount_code)
        discount = promotions.check_code(
            code, subtotal, promotions.customer_keys(customer, phone), now
        )
    card = data.payment_method == PaymentMethod.CARD
    manual = data.payment_method in MANUAL_METHODS
    if manual:
        from marketplace.payments import manual as manual_payments

        manual_payments.check_method(store, data.payment_method, subtotal + fee - discount)
    if subtotal + fee - discount > current_app.config["MAX_ORDER_TOTAL"]:
        raise DomainError(
            _(
                "Total satu pesanan maksimal %(max)s. Kurangi jumlahnya atau pesan terpisah.",
                max=format_rupiah(current_app.config["MAX_ORDER_TOTAL"]),
            )
        )
    minimum = current_app.config["STRIPE_MIN_CHARGE_IDR"]
    if card and subtotal + fee - discount < minimum:
        # Refused before any call to Stripe.
        raise DomainError(
            _(
                "Pembayaran kartu minimal %(min)s. Tambah pesanan atau bayar di tempat.",
                min=format_rupiah(minimum),
            )
        )
    order = Order(
        token=secrets.token_urlsafe(32),
        checkout_token=data.checkout_token,
        store_id=store.id,
        customer_id=getattr(customer, "id", None),
        customer_name=name,
        customer_phone=phone,
        customer_email=email,
        note=(data.note or "").strip()[:500],
        fulfilment=data.fulfilment,
        fulfil_at=to_utc_naive(fulfil_at),
        fulfil_date=fulfil_at.date(),
        event_id=event.id if event is not None else None,
        delivery_address=(data.address or "").strip()[:255] if delivery else "",
        delivery_rt=(data.rt or "").strip().zfill(3)[:3] if delivery else "",
        delivery_rw=(data.rw or "").strip().zfill(3)[:3] if delivery else "",
        delivery_kelurahan_id=data.kelurahan_id if delivery else None,
        delivery_landmark=(data.landmark or "").strip()[:255] if delivery else "",
        payment_method=data.payment_method,
        status=None,
        subtotal=subtotal,
        delivery_fee=fee,
        discount=discount,
        total=subtotal + fee - discount,
        lines=[
            OrderLine(
                product_id=row.product.id,
                product_name=row.product.name,
                option_ids=",".join(map(str, row.item.option_ids)),
                options_text=row.options_text,
                unit_price=row.unit_price,
                quantity=row.item.quantity,
                line_total=row.line_total,
            )
            for row in group.rows
        ],
    )
    # Stock first, in this transaction; a second submission racing with the same checkout token
    # fails on its unique key when the order row is written, and its stock rolls back with it.
    reserve_stock(order.quantities(), order.fulfil_date)
    db.session.add(order)
    if card:
        timeout = timedelta(minutes=current_app.config["PAYMENT_TIMEOUT_MINUTES"])
        order.expires_at = (now or utcnow()) + timeout
    first_status = OrderStatus.AWAITING_PAYMENT if card or manual else OrderStatus.NEW
    event = states.transition(order, first_status, customer, actor_label=_("pembeli"))
    if manual:
        manual_payments.start(order, now)
    if code is not None:
        promotions.redeem(code, order.id, promotions.customer_keys(customer, phone), discount)
    cart.remove([row.item.key for row in group.rows])
    _announce(order, event, now)
    return order


def answer_deadline(store: Store, at: datetime | None = None) -> datetime:
    """Until when (UTC) the seller may answer a new order that reaches them at ``at``: the
    answer time counts from when the store is next open, so an order placed at night waits
    for the morning."""
    at = at or utcnow()
    state = availability(store, at)
    start = at if state.is_open or state.next_open is None else to_utc_naive(state.next_open)
    return max(start, at) + timedelta(minutes=current_app.config["ORDER_ACCEPT_TIMEOUT_MINUTES"])


def _announce(order: Order, event, now: datetime | None = None) -> None:
    """What follows a move: a new order's answer deadline, and the messages in the outbox."""
    if event.to_status == OrderStatus.NEW:
        order.answer_by = answer_deadline(order.store, now)
    notify_status(order, event, order_link(order))


def lock_order(order_id: int) -> Order:
    """The order, row-locked (SELECT … FOR UPDATE) and read fresh: every change of an order's
    state starts here, so two changes of one order wait for each other and the second sees
    what the first did. Lock order everywhere: the order, then its payment, then products by
    id."""
    order = db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise DomainError(_("Pesanan tidak ditemukan."))
    return order


def settle_after_commit(order: Order) -> None:
    """A card order's money follows its state once the change is committed (capture, void or
    refund); the state itself is the record, so reconciliation settles it after a crash."""
    if order.payment_method == PaymentMethod.CARD:
        after_commit("payments.settle", order.id)


def _move(
    order: Order, status: str, actor=None, reason: str | None = None, label: str = ""
) -> Order:
    """Lock the order, check the move under the lock, write it with its effects (stock and code
    back, notification recorded, money settled after commit). Returns the locked order."""
    order = lock_order(order.id)
    event = states.transition(order, status, actor, reason=reason, actor_label=label)
    if status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
        if not order.stock_released:
            release_stock(order.quantities(), order.fulfil_date)
            order.stock_released = True
        promotions.release(order.id)
        if order.payment_method in MANUAL_METHODS:
            books.post_manual_refund(order)
    _announce(order, event)
    settle_after_commit(order)
    return order


def mark_paid(order: Order, label: str) -> None:
    """The card payment is authorised: the order reaches the seller as a new order."""
    _move(order, OrderStatus.NEW, reason=None, label=label)


def hold_for_review(order: Order, reason: str, label: str) -> None:
    """A payment did not match the order: keep it away from the seller until checked."""
    _move(order, OrderStatus.ON_HOLD, reason=reason, label=label)


def release_hold(order: Order, admin) -> None:
    """The city admin checked a held payment: the order reaches the seller."""
    _move(order, OrderStatus.NEW, admin, reason=_("Pembayaran diperiksa admin kota."))


def cancel_held(order: Order, admin, reason: str) -> None:
    """The city admin refuses a held payment: cancel, stock back, card voided or refunded."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tuliskan alasan pembatalan."))
    order = lock_order(order.id)
    if order.status != OrderStatus.ON_HOLD:
        raise DomainError(_("Pesanan ini tidak sedang ditahan."))
    _move(order, OrderStatus.CANCELLED, admin, reason=reason[:500])


def cancel_unpaid(order: Order, reason: str, label: str) -> None:
    """A card payment failed or was abandoned: cancel, give the stock back."""
    _move(order, OrderStatus.CANCELLED, reason=reason, label=label)


def _seller_only(order: Order, actor) -> None:
    if not order.is_managed_by(actor):
        raise NotAllowed(_("Pesanan ini bukan milik toko Anda."))


def accept_order(order: Order, actor) -> None:
    """The seller takes the order on; a card payment is captured after commit."""
    _seller_only(order, actor)
    order = lock_order(order.id)
    if order.status == OrderStatus.AWAITING_PAYMENT:
        raise DomainError(_("Pesanan ini belum dibayar. Periksa dulu apakah uangnya sudah masuk."))
    states.check_transition(order, OrderStatus.ACCEPTED)
    gateway.check_capturable(order)
    _move(order, OrderStatus.ACCEPTED, actor)


def accept_paid(order: Order, actor, reason: str) -> None:
    """A QRIS or transfer order whose money the seller saw come in is taken on (called by
    payments.manual.confirm_received under the order's lock, after the payment is recorded)."""
    _move(order, OrderStatus.ACCEPTED, actor, reason=reason)


def reject_order(order: Order, actor, reason: str) -> None:
    """The seller turns the order down, with a reason; stock comes back."""
    _seller_only(order, actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tuliskan alasan penolakan untuk pembeli."))
    order = lock_order(order.id)
    states.check_transition(order, OrderStatus.REJECTED)
    order.reject_reason = reason[:500]
    _move(order, OrderStatus.REJECTED, actor, reason=reason)


def mark_ready(order: Order, actor) -> None:
    """Ready for pickup, or out for delivery, by how the order is fulfilled."""
    _seller_only(order, actor)
    status = (
        OrderStatus.READY if order.fulfilment == Fulfilment.PICKUP else OrderStatus.OUT_FOR_DELIVERY
    )
    _move(order, status, actor)


def complete_order(order: Order, actor) -> None:
    """Handed over (and, for cash, paid: the income reaches the seller's cash book)."""
    _seller_only(order, actor)
    order = _move(order, OrderStatus.COMPLETED, actor)
    if order.payment_method == PaymentMethod.CASH:
        books.post_cash_completion(order)


def cancel_by_customer(order: Order, actor=None, reason: str = "") -> None:
    """The customer cancels before the seller accepts; stock comes back."""
    order = lock_order(order.id)
    if order.status not in (OrderStatus.NEW, OrderStatus.AWAITING_PAYMENT):
        raise DomainError(_("Pesanan yang sudah diterima penjual tidak dapat dibatalkan di sini."))
    if order.payment_method in MANUAL_METHODS:
        from marketplace.payments.manual import payment_of

        payment = payment_of(order)
        if payment is not None and payment.claimed_at is not None:
            raise DomainError(
                _("Anda sudah menyatakan membayar. Hubungi penjual untuk membatalkan.")
            )
    _move(
        order,
        OrderStatus.CANCELLED,
        actor,
        reason=(reason or "").strip()[:500] or None,
        label=_("pembeli"),
    )


def _due(query) -> list[Order]:
    """Orders a sweep acts on, locked; rows another process holds are left for the next run."""
    return list(db.session.scalars(query.with_for_update(skip_locked=True)))


@periodic("orders.sweep", "SWEEP_SECONDS")
def sweep(now: datetime | None = None) -> dict[str, int]:
    """Expire unpaid card orders; reject orders the seller left unanswered; cancel orders held
    for review whose card authorisation has lapsed (run on a schedule)."""
    now = now or utcnow()
    config = current_app.config
    expired = _due(
        select(Order).where(Order.status == OrderStatus.AWAITING_PAYMENT, Order.expires_at <= now)
    )
    for order in expired:
        _move(
            order,
            OrderStatus.CANCELLED,
            reason=_("Pembayaran tidak selesai tepat waktu."),
            label=_("sistem"),
        )
    deadline = now - timedelta(minutes=config["ORDER_ACCEPT_TIMEOUT_MINUTES"])
    unanswered = _due(
        select(Order).where(
            Order.status == OrderStatus.NEW,
            or_(
                Order.answer_by <= now,
                and_(Order.answer_by.is_(None), Order.created_at <= deadline),
            ),
        )
    )
    for order in unanswered:
        reason = _("Toko tidak menanggapi pesanan tepat waktu.")
        order.reject_reason = reason
        _move(order, OrderStatus.REJECTED, reason=reason, label=_("sistem"))
    lapsed = _due(
        select(Order).where(
            Order.status == OrderStatus.ON_HOLD,
            Order.created_at <= now - timedelta(days=AUTHORISATION_DAYS),
        )
    )
    for order in lapsed:
        _move(
            order,
            OrderStatus.CANCELLED,
            reason=_("Otorisasi kartu berakhir sebelum pembayaran diperiksa."),
            label=_("sistem"),
        )
    return {"expired": len(expired), "auto_rejected": len(unanswered), "lapsed": len(lapsed)}


def store_orders(store: Store, statuses=None) -> list[Order]:
    query = (
        select(Order)
        .where(Order.store_id == store.id)
        .options(selectinload(Order.lines))
        .order_by(Order.fulfil_at, Order.id)
    )
    if statuses:
        query = query.where(Order.status.in_(list(statuses)))
    return list(db.session.scalars(query))


def new_order_count(store_ids) -> int:
    """Orders waiting on the seller: new ones, and QRIS or transfer payments to check."""
    if not store_ids:
        return 0
    return db.session.scalar(
        select(func.count(Order.id)).where(
            Order.store_id.in_(list(store_ids)),
            or_(
                Order.status == OrderStatus.NEW,
                and_(
                    Order.status == OrderStatus.AWAITING_PAYMENT,
                    Order.payment_method.in_(MANUAL_METHODS),
                ),
            ),
        )
    )


def production_recap(store: Store, day: date) -> list[tuple[str, str, int]]:
    """How many of each product and option to prepare for the day's orders."""
    rows = db.session.execute(
        select(OrderLine.product_name, OrderLine.options_text, func.sum(OrderLine.quantity))
        .join(Order)
        .where(
            Order.store_id == store.id,
            Order.fulfil_date == day,
            Order.status.in_(
                [
                    OrderStatus.NEW,
                    OrderStatus.ACCEPTED,
                    OrderStatus.READY,
                    OrderStatus.OUT_FOR_DELIVERY,
                ]
            ),
        )
        .group_by(OrderLine.product_name, OrderLine.options_text)
        .order_by(OrderLine.product_name, OrderLine.options_text)
    )
    return [(name, options, int(total)) for name, options, total in rows]


def customer_orders(user) -> list[Order]:
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.customer_id == user.id)
            .options(selectinload(Order.store))
            .order_by(Order.created_at.desc())
        )
    )


def is_open(order: Order) -> bool:
    return order.status in OPEN_STATUSES
