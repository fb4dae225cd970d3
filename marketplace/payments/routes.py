"""The pay page, its return, and Stripe's webhook (the only route exempt from CSRF)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role
from marketplace.core.errors import DomainError
from marketplace.core.jobs import run_after_commit
from marketplace.core.metrics import WEBHOOK_FAILURES
from marketplace.core.permissions import get_or_404, role_required
from marketplace.core.web import rollback, run_service
from marketplace.extensions import csrf, db
from marketplace.orders.cart import restore_order
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.routes import current_cart
from marketplace.payments import services, stripe_client
from marketplace.payments.forms import HeldRejectForm
from marketplace.payments.gateway import payment_of
from marketplace.payments.messages import card_error_messages, generic_failure

bp = Blueprint("payments", __name__)


def _order(token: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.token == token))
    if order is None:
        abort(404)
    return order


@bp.route("/pesanan/<token>/bayar")
def pay(token: str):
    order = _order(token)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return redirect(url_for("orders.show", token=order.token))
    try:
        secret = services.payment_page_secret(order)
    except (DomainError, stripe_client.StripeError) as error:
        flash(getattr(error, "message", None) or _("Layanan pembayaran sedang gangguan."), "error")
        return redirect(url_for("orders.show", token=order.token))
    g.csp_stripe = True
    return render_template(
        "payments/pay.html",
        order=order,
        setup_secret=secret,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"] or "pk_test_local",
        card_errors=card_error_messages(),
        generic_failure=generic_failure(),
        stripe_js=current_app.config["STRIPE_JS_URL"],
    )


@bp.route("/pesanan/<token>/bayar", methods=["POST"])
def confirm(token: str):
    order = _order(token)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return {"status": "error", "message": _("Permintaan tidak valid.")}, 400
    try:
        if payload.get("declined"):
            declined = services.record_decline(order)
            result = {"status": "failed" if declined else order.status}
        else:
            result = services.pay_with_method(order, payload.get("payment_method"))
        db.session.commit()
    except DomainError as error:
        rollback()
        return {"status": "error", "message": error.message}, 400
    except stripe_client.StripeError:
        rollback()
        current_app.logger.exception("Stripe call failed for order %s", order.id)
        return {
            "status": "error",
            "message": _("Layanan pembayaran sedang gangguan. Coba lagi."),
        }, 502
    run_after_commit()
    if result["status"] == "failed":
        restore_order(current_cart(), order)
        db.session.commit()
        flash(_("Kartu ditolak bank. Barang dikembalikan ke keranjang."), "error")
        result["redirect"] = url_for("orders.cart")
    elif result.get("client_secret"):
        result["return_url"] = url_for("payments.finished", token=order.token)
    else:
        result["redirect"] = url_for("payments.finished", token=order.token)
    return result


@bp.route("/pesanan/<token>/bayar/selesai")
def finished(token: str):
    order = _order(token)
    try:
        services.refresh_from_stripe(order)
        db.session.commit()
        run_after_commit()
    except stripe_client.StripeError:
        rollback()
        flash(_("Status pembayaran belum bisa dicek. Halaman ini akan diperbarui."), "info")
    if order.status == OrderStatus.CANCELLED:
        flash(_("Pembayaran gagal. Pesanan dibatalkan."), "error")
    elif order.status == OrderStatus.NEW:
        flash(_("Pembayaran disetujui. Pesanan diteruskan ke penjual."), "success")
    return redirect(url_for("orders.show", token=order.token))


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def webhook():
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        WEBHOOK_FAILURES.labels("not_configured").inc()
        return {"error": "webhook secret not configured"}, 400
    payload = request.get_data(cache=False)
    try:
        event = stripe_client.construct_event(
            payload, request.headers.get("Stripe-Signature", ""), secret
        )
    except ValueError:
        WEBHOOK_FAILURES.labels("invalid_signature").inc()
        return {"error": "invalid signature"}, 400
    try:
        handled = services.handle_event(event)
        db.session.commit()
    except IntegrityError:
        rollback()
        return {"status": "duplicate"}
    run_after_commit()
    return {"status": "handled" if handled else "ignored"}


# --- the city admin's review queue for held card payments --------------------------------------


@bp.route("/admin/pembayaran-ditahan")
@role_required(Role.CITY_ADMIN)
def held():
    return render_template(
        "payments/held.html",
        orders=services.held_orders(),
        payment_of=payment_of,
        reject_form=HeldRejectForm(),
    )


@bp.route("/admin/pembayaran-ditahan/<int:order_id>/teruskan", methods=["POST"])
@role_required(Role.CITY_ADMIN)
def release_held(order_id: int):
    order = get_or_404(Order, order_id)
    if _review_step(services.release_held, order, current_user):
        flash(_("Pesanan #%(id)d diteruskan ke penjual.", id=order.id), "success")
    return redirect(url_for("payments.held"))


@bp.route("/admin/pembayaran-ditahan/<int:order_id>/tolak", methods=["POST"])
@role_required(Role.CITY_ADMIN)
def reject_held(order_id: int):
    order = get_or_404(Order, order_id)
    form = HeldRejectForm()
    if not form.validate_on_submit():
        flash(_("Tuliskan alasan penolakan."), "error")
    elif _review_step(services.reject_held, order, current_user, form.reason.data):
        flash(
            _("Pesanan #%(id)d dibatalkan; uang kartu dikembalikan ke pembeli.", id=order.id),
            "success",
        )
    return redirect(url_for("payments.held"))


def _review_step(service, *args) -> bool:
    try:
        ok, _result = run_service(service, *args)
    except stripe_client.StripeError:
        rollback()
        current_app.logger.exception("Stripe call failed in the review queue")
        flash(_("Layanan pembayaran sedang gangguan. Coba lagi."), "error")
        return False
    return ok
