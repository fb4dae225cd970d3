"""Events: the public list and page, booth applications, KIM scheduling, decisions and recap."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from marketplace.accounts.models import Role
from marketplace.catalog.services import products_by_store
from marketplace.core.db import jakarta_today
from marketplace.core.inputs import db_int
from marketplace.core.permissions import get_or_404, get_owned_or_404, require, role_required
from marketplace.core.web import render_form, run_service
from marketplace.events import services
from marketplace.events.forms import BoothRejectForm, EventForm
from marketplace.events.models import BoothApplication, BoothStatus, Event
from marketplace.stores.models import Store
from marketplace.stores.services import stores_of

bp = Blueprint("events", __name__)

STATUS_LABELS = {
    BoothStatus.PENDING: _l("Menunggu keputusan"),
    BoothStatus.WAITLISTED: _l("Daftar tunggu"),
    BoothStatus.ACCEPTED: _l("Diterima"),
    BoothStatus.REJECTED: _l("Ditolak"),
    BoothStatus.WITHDRAWN: _l("Dibatalkan"),
}


@bp.app_template_global("booth_status_label")
def booth_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@bp.route("/acara")
def index():
    return render_template("events/index.html", items=services.upcoming())


@bp.route("/acara/<int:event_id>")
def show(event_id: int):
    event = get_or_404(Event, event_id)
    stores = services.participants(event)
    mine = services.applications_of(current_user, event)
    applied = {a.store_id for a in mine}
    own_stores = (
        [s for s in stores_of(current_user) if s.is_public and s.id not in applied]
        if current_user.is_authenticated and current_user.is_seller
        else []
    )
    return render_template(
        "events/show.html",
        event=event,
        stores=stores,
        products=products_by_store([s.id for s in stores]),
        mine=mine,
        own_stores=own_stores,
        over=event.is_over(jakarta_today()),
        today=jakarta_today(),
    )


@bp.route("/acara/<int:event_id>/booth", methods=["POST"])
@role_required(Role.SELLER)
def apply(event_id: int):
    event = get_or_404(Event, event_id)
    store = get_owned_or_404(
        Store, request.form.get("store_id", type=db_int) or 0, "is_managed_by", current_user
    )
    ok, application = run_service(services.apply_for_booth, current_user, event, store)
    if ok:
        if application.status == BoothStatus.WAITLISTED:
            flash(_("Kuota booth penuh: %(store)s masuk daftar tunggu.", store=store.name), "info")
        else:
            flash(
                _("Pendaftaran booth %(store)s terkirim ke panitia.", store=store.name), "success"
            )
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/acara/booth/<int:application_id>/batal", methods=["POST"])
@login_required
def withdraw(application_id: int):
    application = get_owned_or_404(BoothApplication, application_id, "is_managed_by", current_user)
    ok, _result = run_service(services.withdraw_booth, current_user, application)
    if ok:
        flash(_("Pendaftaran booth dibatalkan."), "success")
    return redirect(url_for("events.show", event_id=application.event_id))


@bp.route("/kim/acara", methods=["GET", "POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def manage():
    form = EventForm()
    if form.validate_on_submit():
        ok, event = run_service(services.save_event, current_user, form.to_data())
        if ok:
            flash(_("Acara %(title)s dijadwalkan.", title=event.title), "success")
            return redirect(url_for("events.manage_one", event_id=event.id))
    return render_form("events/manage.html", form, items=services.managed(current_user))


@bp.route("/kim/acara/<int:event_id>", methods=["GET", "POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def manage_one(event_id: int):
    event = get_owned_or_404(Event, event_id, "is_managed_by", current_user)
    form = EventForm(obj=event)
    if form.validate_on_submit():
        ok, _result = run_service(services.save_event, current_user, form.to_data(), event)
        if ok:
            flash(_("Acara disimpan."), "success")
            return redirect(url_for("events.manage_one", event_id=event.id))
    return render_form(
        "events/manage_one.html",
        form,
        event=event,
        applications=services.load_applications(event),
        recap=services.sales_recap(event),
        reject_form=BoothRejectForm(),
    )


def _managed_application(application_id: int) -> BoothApplication:
    application = get_or_404(BoothApplication, application_id)
    require(application.event.is_managed_by(current_user))
    return application


@bp.route("/kim/acara/booth/<int:application_id>/terima", methods=["POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def accept(application_id: int):
    application = _managed_application(application_id)
    ok, _result = run_service(services.accept_booth, current_user, application)
    if ok:
        flash(_("Booth untuk %(store)s diterima.", store=application.store.name), "success")
    return redirect(url_for("events.manage_one", event_id=application.event_id))


@bp.route("/kim/acara/booth/<int:application_id>/tolak", methods=["POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def reject(application_id: int):
    application = _managed_application(application_id)
    form = BoothRejectForm()
    form.validate()
    ok, _result = run_service(
        services.reject_booth, current_user, application, form.reason.data or ""
    )
    if ok:
        flash(_("Pendaftaran %(store)s ditolak.", store=application.store.name), "success")
    return redirect(url_for("events.manage_one", event_id=application.event_id))
