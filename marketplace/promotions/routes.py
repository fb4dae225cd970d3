"""A seller's discount codes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.core.db import to_jakarta
from marketplace.core.permissions import get_owned_or_404
from marketplace.core.web import render_form, run_service
from marketplace.promotions import services
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
    form = DiscountCodeForm(obj=code)
    if not form.is_submitted():
        for name in ("starts_at", "ends_at"):
            value = getattr(code, name)
            getattr(form, name).data = to_jakarta(value).replace(tzinfo=None) if value else None
    if form.validate_on_submit():
        ok, _result = run_service(services.save_code, code.store, form.to_data(), code)
        if ok:
            flash(_("Kode %(code)s disimpan.", code=code.code), "success")
            return redirect(url_for("promotions.index", store_id=code.store_id))
    return render_form("promotions/edit.html", form, code=code, store=code.store)
