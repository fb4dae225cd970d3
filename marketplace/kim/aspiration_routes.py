"""Suara Warga pages: send, follow, answer, and the published answers."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.models import Role
from marketplace.areas.forms import kelurahan_choices
from marketplace.areas.services import all_kelurahan
from marketplace.core.db import jakarta_today, utcnow
from marketplace.core.inputs import db_int
from marketplace.core.permissions import get_or_404, require, role_required
from marketplace.core.web import (
    csv_response,
    current_uploads,
    render_form,
    run_service,
    uploaded_file,
)
from marketplace.extensions import limiter
from marketplace.kim import aspirations as service
from marketplace.kim.forms import AspirationForm, AspirationResponseForm
from marketplace.kim.models import Aspiration

bp = Blueprint("aspirations", __name__)


@bp.app_template_global("aspiration_target")
def aspiration_target(code: str) -> str:
    return str(service.TARGETS.get(code, code))


@bp.route("/suara-warga")
def index():
    return render_template("aspirations/index.html", items=service.public())


@bp.route("/suara-warga/kirim", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["ASPIRATION_RATE_LIMIT"], methods=["POST"])
def send():
    form = AspirationForm()
    form.kelurahan_id.choices = kelurahan_choices()
    if form.validate_on_submit():
        ok, _item = run_service(
            service.send,
            current_user,
            form.kelurahan_id.data,
            form.category.data,
            form.text.data,
            uploaded_file(form.photo),
            current_uploads(),
        )
        if ok:
            flash(_("Terima kasih. Pesan Anda sudah diterima KIM."), "success")
            return redirect(url_for("aspirations.mine"))
    return render_form("aspirations/send.html", form)


@bp.route("/suara-warga/saya")
@login_required
def mine():
    return render_template("aspirations/mine.html", items=service.mine(current_user))


@bp.route("/kim/suara-warga")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def queue():
    return render_template(
        "aspirations/queue.html", items=service.queue(current_user), form=AspirationResponseForm()
    )


@bp.route("/kim/suara-warga/<int:aspiration_id>", methods=["POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def respond(aspiration_id: int):
    item = get_or_404(Aspiration, aspiration_id)
    require(service.can_handle(current_user, item))
    form = AspirationResponseForm()
    if form.validate_on_submit():
        ok, _result = run_service(
            service.respond,
            current_user,
            item,
            form.status.data,
            form.note.data or "",
            form.publish.data,
            form.target.data or "",
        )
        if ok:
            flash(_("Tanggapan disimpan."), "success")
    return redirect(url_for("aspirations.queue"))


@bp.route("/admin/suara-warga/diteruskan")
@role_required(Role.CITY_ADMIN)
def forwarded():
    """What the KIMs forwarded to the city's offices, oldest first, with its age."""
    return render_template(
        "aspirations/forwarded.html",
        items=service.forwarded(current_user),
        targets=service.TARGETS,
        now=utcnow(),
        form=AspirationResponseForm(),
    )


def _recap():
    try:
        month = datetime.strptime(request.args.get("bulan", ""), "%Y-%m").date()
    except ValueError:
        month = jakarta_today()
    return service.month_recap(current_user, month, request.args.get("kelurahan", type=db_int))


@bp.route("/kim/suara-warga/rekap")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def recap():
    """A month of Suara Warga by kind and state, for the Musrenbang."""
    return render_template(
        "aspirations/recap.html",
        recap=_recap(),
        categories=service.CATEGORY_LABELS,
        statuses=service.STATUS_LABELS,
        kelurahan=all_kelurahan() if current_user.is_city_admin else [],
    )


@bp.route("/kim/suara-warga/rekap.csv")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def recap_csv():
    recap = _recap()
    place = recap.kelurahan.slug if recap.kelurahan else "kota-tangerang"
    return csv_response(service.recap_csv(recap), f"suara-warga-{place}-{recap.month:%Y-%m}.csv")
