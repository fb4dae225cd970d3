"""Reviews: writing one from the order's page, seller replies, reports and KIM moderation."""

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
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.core.errors import DomainError
from marketplace.core.inputs import db_int
from marketplace.core.permissions import get_or_404, get_owned_or_404, require, role_required
from marketplace.core.web import current_uploads, render_form, run_service, uploaded_file
from marketplace.extensions import db, limiter
from marketplace.orders.models import Order
from marketplace.reviews import services
from marketplace.reviews.forms import ModerationForm, ReplyForm, ReportReviewForm, ReviewForm
from marketplace.reviews.models import Review
from marketplace.stores.models import Store

bp = Blueprint("reviews", __name__)


def _rate_limit():
    return current_app.config["REVIEW_RATE_LIMIT"]


def _actor():
    return current_user if current_user.is_authenticated else None


def _product_ratings(products) -> dict[int, int]:
    """The stars chosen per product (``produk_<id>``); an unrated product is left out."""
    ratings = {}
    for product in products:
        raw = request.form.get(f"produk_{product.id}", "")
        if not raw:
            continue
        try:
            ratings[product.id] = db_int(raw)
        except ValueError as exc:
            raise DomainError(_("Pilih bintang 1 sampai 5.")) from exc
    return ratings


@bp.route("/pesanan/<token>/ulasan", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def write(token: str):
    order = db.session.scalar(select(Order).where(Order.token == token))
    if order is None:
        abort(404)
    ok, _result = run_service(services.check_can_review, order, _actor())
    if not ok:
        return redirect(url_for("orders.show", token=order.token))
    products = services.reviewable_products(order)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            ratings = _product_ratings(products)
        except DomainError as error:
            flash(error.message, "error")
            g.service_failed = True
        else:
            ok, _review = run_service(
                services.write_review,
                order,
                _actor(),
                services.ReviewData(int(form.rating.data), ratings, form.text.data or ""),
                uploaded_file(form.photo),
                current_uploads(),
            )
            if ok:
                flash(_("Terima kasih atas ulasan Anda."), "success")
                return redirect(url_for("stores.storefront", slug=order.store.slug))
    return render_form("reviews/write.html", form, order=order, products=products)


@bp.route("/ulasan/<int:review_id>/lapor", methods=["POST"])
@login_required
@limiter.limit(_rate_limit)
def report(review_id: int):
    review = get_or_404(Review, review_id)
    if review.hidden:
        abort(404)
    form = ReportReviewForm()
    if form.validate_on_submit():
        ok, _entry = run_service(
            services.report, current_user, review, form.reason.data, form.note.data or ""
        )
        if ok:
            flash(_("Terima kasih. Laporan Anda diperiksa KIM."), "success")
    else:
        flash(_("Pilih alasan laporan."), "error")
    return redirect(url_for("stores.storefront", slug=review.store.slug))


@bp.route("/toko-saya/<int:store_id>/ulasan")
@login_required
def seller_reviews(store_id: int):
    store = get_owned_or_404(Store, store_id, "is_managed_by", current_user)
    return render_template(
        "reviews/seller.html", store=store, reviews=services.store_reviews(store), form=ReplyForm()
    )


@bp.route("/toko-saya/ulasan/<int:review_id>/balas", methods=["POST"])
@login_required
@limiter.limit(_rate_limit)
def reply(review_id: int):
    review = get_owned_or_404(Review, review_id, "is_managed_by", current_user)
    form = ReplyForm()
    form.validate()
    ok, _result = run_service(services.reply, current_user, review, form.text.data or "")
    if ok:
        flash(_("Balasan disimpan."), "success")
    return redirect(url_for("reviews.seller_reviews", store_id=review.store_id))


@bp.route("/kim/ulasan")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def queue():
    return render_template(
        "reviews/queue.html",
        reports=services.moderation_queue(current_user),
        hidden=services.hidden_reviews(current_user),
        form=ModerationForm(),
    )


def _moderate(review_id: int, service):
    review = get_or_404(Review, review_id)
    require(review.can_be_moderated_by(current_user))
    form = ModerationForm()
    form.validate()
    ok, _result = run_service(service, current_user, review, form.reason.data or "")
    if ok:
        flash(_("Keputusan moderasi dicatat."), "success")
    return redirect(url_for("reviews.queue"))


@bp.route("/kim/ulasan/<int:review_id>/sembunyikan", methods=["POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def hide(review_id: int):
    return _moderate(review_id, services.hide_review)


@bp.route("/kim/ulasan/<int:review_id>/tampilkan", methods=["POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def restore(review_id: int):
    return _moderate(review_id, services.restore_review)
