"""Trainings: the public list, seller registration, KIM scheduling and attendance."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.core.permissions import get_or_404, require, role_required
from marketplace.core.web import render_form, run_service
from marketplace.kim import trainings as service
from marketplace.kim.forms import TrainingForm
from marketplace.kim.models import Training, TrainingRegistration

bp = Blueprint("trainings", __name__)


@bp.route("/pelatihan")
def index():
    registered = set()
    if current_user.is_authenticated:
        registered = {
            r.training_id
            for t in service.upcoming()
            for r in t.registrations
            if r.user_id == current_user.id
        }
    return render_template("trainings/index.html", items=service.upcoming(), registered=registered)


@bp.route("/pelatihan/<int:training_id>/daftar", methods=["POST"])
@role_required(Role.SELLER, Role.CUSTOMER)
def register(training_id: int):
    training = get_or_404(Training, training_id)
    ok, _result = run_service(service.register, current_user, training)
    if ok:
        flash(_("Anda terdaftar di %(title)s.", title=training.title), "success")
    return redirect(url_for("trainings.index"))


@bp.route("/kim/pelatihan", methods=["GET", "POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def manage():
    form = TrainingForm()
    if form.validate_on_submit():
        ok, _training = run_service(
            service.create_training,
            current_user,
            form.title.data,
            form.topic.data,
            form.place.data,
            form.starts_at.data,
            form.capacity.data,
            form.description.data or "",
        )
        if ok:
            flash(_("Pelatihan dijadwalkan."), "success")
            return redirect(url_for("trainings.manage"))
    return render_form("trainings/manage.html", form, items=service.managed(current_user))


@bp.route("/kim/pelatihan/<int:training_id>")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def attendees(training_id: int):
    training = get_or_404(Training, training_id)
    require(service.can_manage(current_user, training))
    return render_template("trainings/attendees.html", training=training)


@bp.route("/kim/pelatihan/peserta/<int:registration_id>", methods=["POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def attendance(registration_id: int):
    registration = get_or_404(TrainingRegistration, registration_id)
    require(service.can_manage(current_user, registration.training))
    run_service(
        service.mark_attendance, current_user, registration, request.form.get("attended") == "1"
    )
    return redirect(url_for("trainings.attendees", training_id=registration.training_id))
