"""Seller side: the order board, actions on an order and the daily production recap."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.core.db import jakarta_today
from marketplace.core.permissions import get_owned_or_404
from marketplace.core.web import public_url, run_service
from marketplace.institutions import services as institutions
from marketplace.orders import services
from marketplace.orders.forms import RejectOrderForm
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.notifications import seller_to_customer_message
from marketplace.orders.states import LABELS
from marketplace.payments import manual
from marketplace.push import services as push
from marketplace.stores.models import Store

bp = Blueprint("order_board", __name__, url_prefix="/toko-saya")
ACTIVE = (
    OrderStatus.NEW,
    OrderStatus.ACCEPTED,
    OrderStatus.READY,
    OrderStatus.OUT_FOR_DELIVERY,
    OrderStatus.ON_HOLD,
    OrderStatus.AWAITING_PAYMENT,
)


def _own_store(store_id: int) -> Store:
    return get_owned_or_404(Store, store_id, "is_managed_by", current_user)


def _own_order(order_id: int) -> Order:
    return get_owned_or_404(Order, order_id, "is_managed_by", current_user)


@bp.route("/<int:store_id>/pesanan")
@login_required
def board(store_id: int):
    store = _own_store(store_id)
    orders = services.store_orders(store, ACTIVE)
    return render_template(
        "order_board/board.html",
        store=store,
        orders=orders,
        labels=LABELS,
        reject_form=RejectOrderForm(),
        to_check=manual.awaiting(store),
        office_shares=institutions.waiting_on_store(store),
        new_count=_new_for(store),
        vapid_public_key=push.public_key(),
    )


def _new_for(store: Store) -> int:
    """What rings the board: new orders, and office requests waiting for a quotation."""
    return services.new_order_count([store.id]) + institutions.asked_count(store)


@bp.route("/<int:store_id>/pesanan/jumlah")
@login_required
def count(store_id: int):
    return {"new": _new_for(_own_store(store_id))}


@bp.route("/pesanan/<int:order_id>")
@login_required
def detail(order_id: int):
    order = _own_order(order_id)
    link = public_url("orders.show", token=order.token)
    return render_template(
        "order_board/detail.html",
        order=order,
        labels=LABELS,
        reject_form=RejectOrderForm(),
        payment=manual.payment_of(order) if order.payment_method in ("qris", "transfer") else None,
        wa_message=seller_to_customer_message(order, link),
    )


def _act(order_id: int, service, message: str, *args):
    order = _own_order(order_id)
    ok, _result = run_service(service, order, current_user, *args)
    if ok:
        flash(message % {"id": order.id}, "success")
    if request.form.get("next") == "detail":
        return redirect(url_for("order_board.detail", order_id=order.id))
    return redirect(url_for("order_board.board", store_id=order.store_id))


@bp.route("/pesanan/<int:order_id>/terima", methods=["POST"])
@login_required
def accept(order_id: int):
    return _act(order_id, services.accept_order, _("Pesanan #%(id)d diterima."))


@bp.route("/pesanan/<int:order_id>/siap", methods=["POST"])
@login_required
def ready(order_id: int):
    return _act(order_id, services.mark_ready, _("Pesanan #%(id)d siap."))


@bp.route("/pesanan/<int:order_id>/selesai", methods=["POST"])
@login_required
def complete(order_id: int):
    return _act(order_id, services.complete_order, _("Pesanan #%(id)d selesai."))


@bp.route("/pesanan/<int:order_id>/tolak", methods=["POST"])
@login_required
def reject(order_id: int):
    form = RejectOrderForm()
    form.validate()
    return _act(
        order_id, services.reject_order, _("Pesanan #%(id)d ditolak."), form.reason.data or ""
    )


@bp.route("/<int:store_id>/rekap")
@login_required
def recap(store_id: int):
    store = _own_store(store_id)
    try:
        day = date.fromisoformat(request.args.get("tanggal", ""))
    except ValueError:
        day = jakarta_today()
    return render_template(
        "order_board/recap.html",
        store=store,
        day=day,
        rows=services.production_recap(store, day),
        office_boxes=institutions.boxes_for_day(store, day),
    )
