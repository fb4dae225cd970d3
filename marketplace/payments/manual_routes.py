"""QRIS and bank transfer: the seller's sticker and account, the buyer's "I paid", the seller's
"the money is in", and the pictures of one payment's QRIS."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.core.errors import DomainError
from marketplace.core.permissions import get_owned_or_404
from marketplace.core.qr import qr_png
from marketplace.core.web import (
    current_uploads,
    image_response,
    render_form,
    run_service,
    uploaded_file,
)
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments import manual
from marketplace.payments.forms import (
    BankAccountForm,
    PaymentClaimForm,
    QrisReadForm,
    QrisSaveForm,
)
from marketplace.stores.models import Store

bp = Blueprint("manual_pay", __name__)


def _own_store(store_id: int) -> Store:
    return get_owned_or_404(Store, store_id, "is_managed_by", current_user)


def _settings(store: Store, read_form=None, bank_form=None):
    bank_form = bank_form or BankAccountForm(
        data={
            "bank": store.bank_name,
            "number": store.bank_account_number,
            "holder": store.bank_account_holder,
        }
    )
    return render_form(
        "manual_pay/settings.html",
        read_form or QrisReadForm(),
        store=store,
        bank_form=bank_form,
    )


@bp.route("/toko-saya/<int:store_id>/pembayaran")
@login_required
def settings(store_id: int):
    return _settings(_own_store(store_id))


@bp.route("/toko-saya/<int:store_id>/pembayaran/qris/baca", methods=["POST"])
@login_required
def read_qris(store_id: int):
    """Read the sticker and show what it says; nothing is saved until the seller agrees."""
    store = _own_store(store_id)
    form = QrisReadForm()
    if not form.validate_on_submit():
        return _settings(store, read_form=form)
    photo = uploaded_file(form.photo)
    try:
        merchant = manual.read_sticker(form.payload.data or "", photo.read() if photo else None)
    except DomainError as error:
        form.payload.errors = [*form.payload.errors, error.message]
        return _settings(store, read_form=form)
    return render_template(
        "manual_pay/confirm_qris.html",
        store=store,
        merchant=merchant,
        # not from this request's fields: the read form's own ``payload`` is empty for a photo
        form=QrisSaveForm(formdata=None, data={"payload": merchant.payload}),
    )


@bp.route("/toko-saya/<int:store_id>/pembayaran/qris", methods=["POST"])
@login_required
def save_qris(store_id: int):
    store = _own_store(store_id)
    form = QrisSaveForm()
    if form.validate_on_submit():
        ok, merchant = run_service(manual.save_qris, current_user, store, form.payload.data)
        if ok:
            flash(
                _(
                    "QRIS %(name)s tersimpan. Pembeli kini dapat membayar dengan QRIS.",
                    name=merchant.name,
                ),
                "success",
            )
    else:
        flash(_("Baca ulang stiker QRIS Anda."), "error")
    return redirect(url_for("manual_pay.settings", store_id=store.id))


@bp.route("/toko-saya/<int:store_id>/pembayaran/rekening", methods=["POST"])
@login_required
def save_bank(store_id: int):
    store = _own_store(store_id)
    form = BankAccountForm()
    if form.validate_on_submit():
        ok, _result = run_service(
            manual.save_bank_account,
            current_user,
            store,
            form.bank.data or "",
            form.number.data or "",
            form.holder.data or "",
        )
        if ok:
            flash(_("Rekening tersimpan. Pembeli kini dapat membayar dengan transfer."), "success")
            return redirect(url_for("manual_pay.settings", store_id=store.id))
    return _settings(store, bank_form=form)


@bp.route("/toko-saya/<int:store_id>/pembayaran/<method>/<state>", methods=["POST"])
@login_required
def switch(store_id: int, method: str, state: str):
    store = _own_store(store_id)
    if method not in ("qris", "transfer") or state not in ("nyala", "mati"):
        abort(404)
    ok, _result = run_service(manual.set_accepts, current_user, store, method, state == "nyala")
    if ok:
        flash(_("Pengaturan pembayaran tersimpan."), "success")
    return redirect(url_for("manual_pay.settings", store_id=store.id))


def _order_by_token(token: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.token == token))
    if order is None:
        abort(404)
    return order


@bp.route("/pesanan/<token>/sudah-bayar", methods=["POST"])
def claim(token: str):
    order = _order_by_token(token)
    form = PaymentClaimForm()
    if form.validate_on_submit():
        ok, _result = run_service(
            manual.claim_paid, order, uploaded_file(form.proof), current_uploads().private()
        )
        if ok:
            flash(_("Terima kasih. Penjual akan memeriksa uang masuk."), "success")
    else:
        flash(_("Muat ulang halaman lalu coba lagi."), "error")
    return redirect(url_for("orders.show", token=order.token))


@bp.route("/pesanan/<token>/qris.png")
def qris_png(token: str):
    """The payment's QRIS as a picture: a buyer paying from the same phone saves it and opens
    it from the gallery in their bank or e-wallet app."""
    order = _order_by_token(token)
    payment = manual.payment_of(order)
    if payment is None or not payment.qris_payload:
        abort(404)
    return Response(
        qr_png(payment.qris_payload, scale=8),
        mimetype="image/png",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'inline; filename="qris-pesanan-{order.id}.png"',
        },
    )


def _own_order(order_id: int) -> Order:
    return get_owned_or_404(Order, order_id, "is_managed_by", current_user)


@bp.route("/toko-saya/pesanan/<int:order_id>/uang-masuk", methods=["POST"])
@login_required
def confirm(order_id: int):
    order = _own_order(order_id)
    ok, _result = run_service(manual.confirm_received, order, current_user)
    if ok:
        flash(
            _("Pembayaran pesanan #%(id)d dikonfirmasi; pesanan diterima.", id=order.id), "success"
        )
    if request.form.get("next") == "detail":
        return redirect(url_for("order_board.detail", order_id=order.id))
    return redirect(url_for("order_board.board", store_id=order.store_id))


@bp.route("/toko-saya/pesanan/<int:order_id>/bukti-bayar")
@login_required
def proof(order_id: int):
    order = _own_order(order_id)
    payment = manual.payment_of(order)
    name = None
    if payment is not None:
        name = payment.proof_large if request.args.get("besar") else payment.proof_thumb
    if not name:
        abort(404)
    return image_response(current_uploads().private(), name, public=False)
