"""A seller's discount codes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.core.db import jakarta_wall_clock
from marketplace.core.permissions import get_owned_or_404
from marketplace.core.web import public_url, render_form, run_service
from marketplace.extensions import db
from marketplace.kim.announcements import published_for_stores
from marketplace.promotions import campaigns, followers, services
from marketplace.promotions.forms import DiscountCodeForm
from marketplace.promotions.models import DiscountCode
from marketplace.stores.models import Store

bp = Blueprint("promotions", __name__, url_prefix="/toko-saya")


@bp.route("/<int:store_id>/promo", methods=["GET", "POST"])
@login_required
def index(store_id: int):
    store = get_owned_or_404(Store, store_id, "is_managed_by", current_user)
    form = DiscountCodeForm()
    if form.validate_on_submit():
        ok, code = run_service(services.save_code, store, form.to_data())
        if ok:
            flash(_("Kode %(code)s disimpan.", code=code.code), "success")
            return redirect(url_for("promotions.index", store_id=store.id))
    return render_form(
        "promotions/index.html", form, store=store, codes=services.store_codes(store)
    )


@bp.route("/promo/<int:code_id>", methods=["GET", "POST"])
@login_required
def edit(code_id: int):
    code = get_owned_or_404(DiscountCode, code_id, "is_managed_by", current_user)
    if code.store is None:  # a campaign code is edited on the campaign's page
        abort(404)
    form = DiscountCodeForm(obj=code)
    if not form.is_submitted():
        for name in ("starts_at", "ends_at"):
            getattr(form, name).data = jakarta_wall_clock(getattr(code, name))
    if form.validate_on_submit():
        ok, _result = run_service(services.save_code, code.store, form.to_data(), code)
        if ok:
            flash(_("Kode %(code)s disimpan.", code=code.code), "success")
            return redirect(url_for("promotions.index", store_id=code.store_id))
    return render_form("promotions/edit.html", form, code=code, store=code.store)


@bp.route("/<int:store_id>/siaran")
@login_required
def broadcast(store_id: int):
    store = get_owned_or_404(Store, store_id, "is_managed_by", current_user)
    link = public_url("stores.storefront", slug=store.slug)
    return render_template(
        "promotions/broadcast.html",
        store=store,
        text=followers.broadcast_text(store, link),
        followers=followers.follower_count(store),
        link=link,
    )


follow_bp = Blueprint("follows", __name__)


@follow_bp.route("/toko/<slug>/ikuti", methods=["POST"])
@login_required
def follow(slug: str):
    store = _public_store(slug)
    if request.form.get("stop") == "1":
        run_service(followers.unfollow, current_user, store)
    else:
        ok, _result = run_service(followers.follow, current_user, store)
        if ok:
            flash(_("Anda mengikuti %(name)s.", name=store.name), "success")
    return redirect(url_for("stores.storefront", slug=store.slug))


@follow_bp.route("/diikuti")
@login_required
def following():
    stores = followers.followed_stores(current_user)
    ids = [s.id for s in stores]
    return render_template(
        "promotions/following.html",
        stores=stores,
        pre_orders=followers.pre_orders(ids),
        campaigns=campaigns.running_for_stores(ids),
        news=published_for_stores(ids),
    )


def _public_store(slug: str) -> Store:
    store = db.session.scalar(select(Store).where(Store.slug == slug))
    if store is None or not store.is_public:
        abort(404)
    return store
