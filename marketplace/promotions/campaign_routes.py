"""Campaigns: the public pages, stores joining, and the KIM's campaigns and campaign codes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.catalog.services import products_by_store
from marketplace.core.db import jakarta_today, jakarta_wall_clock, utcnow
from marketplace.core.inputs import db_int
from marketplace.core.permissions import get_or_404, get_owned_or_404, role_required
from marketplace.core.web import render_form, run_service
from marketplace.promotions import campaigns as service
from marketplace.promotions import services as codes
from marketplace.promotions.forms import CampaignForm, DiscountCodeForm
from marketplace.promotions.models import Campaign, DiscountCode
from marketplace.stores.models import Store
from marketplace.stores.services import stores_of

bp = Blueprint("campaigns", __name__)


@bp.route("/kampanye")
def index():
    return render_template("campaigns/index.html", items=service.current(), now=utcnow())


@bp.route("/kampanye/<int:campaign_id>")
def show(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    stores = service.member_stores(campaign)
    own = []
    if current_user.is_authenticated and current_user.is_seller:
        own = [s for s in stores_of(current_user) if s.is_public and service.can_join(s, campaign)]
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        stores=stores,
        products=products_by_store([s.id for s in stores]),
        codes=[c for c in service.campaign_codes(campaign) if c.is_active],
        own=own,
        joined=service.joined_store_ids(campaign, own),
        now=utcnow(),
        today=jakarta_today(),
    )


@bp.route("/kampanye/<int:campaign_id>/ikut", methods=["POST"])
@role_required(Role.SELLER)
def join(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    store = get_owned_or_404(
        Store, request.form.get("store_id", type=db_int) or 0, "is_managed_by", current_user
    )
    if request.form.get("stop") == "1":
        ok, _result = run_service(service.leave_campaign, current_user, campaign, store)
        message = _("%(store)s keluar dari kampanye.", store=store.name)
    else:
        ok, _result = run_service(service.join_campaign, current_user, campaign, store)
        message = _("%(store)s ikut kampanye ini.", store=store.name)
    if ok:
        flash(message, "success")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.route("/kim/kampanye", methods=["GET", "POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def manage():
    form = CampaignForm()
    if form.validate_on_submit():
        ok, campaign = run_service(service.save_campaign, current_user, form.to_data())
        if ok:
            flash(_("Kampanye %(title)s dibuat.", title=campaign.title), "success")
            return redirect(url_for("campaigns.manage_one", campaign_id=campaign.id))
    return render_form("campaigns/manage.html", form, items=service.managed(current_user))


def _campaign_form(campaign: Campaign, from_request: bool = True) -> CampaignForm:
    form = CampaignForm(obj=campaign) if from_request else CampaignForm(formdata=None, obj=campaign)
    if not from_request or not form.is_submitted():
        form.starts_at.data = jakarta_wall_clock(campaign.starts_at)
        form.ends_at.data = jakarta_wall_clock(campaign.ends_at)
    return form


def _manage_page(campaign: Campaign, failed_form, campaign_form, code_form):
    return render_form(
        "campaigns/manage_one.html",
        failed_form,
        campaign_form=campaign_form,
        code_form=code_form,
        campaign=campaign,
        stores=service.member_stores(campaign),
        codes=service.campaign_codes(campaign),
    )


@bp.route("/kim/kampanye/<int:campaign_id>", methods=["GET", "POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def manage_one(campaign_id: int):
    campaign = get_owned_or_404(Campaign, campaign_id, "is_managed_by", current_user)
    form = _campaign_form(campaign)
    if form.validate_on_submit():
        ok, _result = run_service(service.save_campaign, current_user, form.to_data(), campaign)
        if ok:
            flash(_("Kampanye disimpan."), "success")
            return redirect(url_for("campaigns.manage_one", campaign_id=campaign.id))
    return _manage_page(campaign, form, form, DiscountCodeForm(prefix="code", formdata=None))


@bp.route("/kim/kampanye/<int:campaign_id>/kode", methods=["POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def add_code(campaign_id: int):
    campaign = get_owned_or_404(Campaign, campaign_id, "is_managed_by", current_user)
    code_form = DiscountCodeForm(prefix="code")
    if code_form.validate_on_submit():
        ok, code = run_service(codes.save_code, campaign, code_form.to_data())
        if ok:
            flash(_("Kode %(code)s disimpan.", code=code.code), "success")
            return redirect(url_for("campaigns.manage_one", campaign_id=campaign.id))
    return _manage_page(campaign, code_form, _campaign_form(campaign, False), code_form)


@bp.route("/kim/kampanye/kode/<int:code_id>", methods=["GET", "POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def edit_code(code_id: int):
    code = get_owned_or_404(DiscountCode, code_id, "is_managed_by", current_user)
    if code.campaign is None:
        abort(404)
    form = DiscountCodeForm(obj=code)
    if not form.is_submitted():
        form.starts_at.data = jakarta_wall_clock(code.starts_at)
        form.ends_at.data = jakarta_wall_clock(code.ends_at)
    if form.validate_on_submit():
        ok, _result = run_service(codes.save_code, code.campaign, form.to_data(), code)
        if ok:
            flash(_("Kode %(code)s disimpan.", code=code.code), "success")
            return redirect(url_for("campaigns.manage_one", campaign_id=code.campaign_id))
    return render_form("campaigns/edit_code.html", form, code=code)
