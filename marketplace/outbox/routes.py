"""The city admin sees what the outbox delivered, what waits and what failed, and may send a
failed message again."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.accounts.models import Role
from marketplace.core.permissions import get_or_404, role_required
from marketplace.core.web import run_service
from marketplace.orders.models import DeliveryStatus, Notification
from marketplace.outbox import services

bp = Blueprint("outbox", __name__, url_prefix="/admin/pesan")
FILTERS = (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SENT)


@bp.route("/")
@role_required(Role.CITY_ADMIN)
def index():
    status = request.args.get("status", "")
    status = status if status in FILTERS else None
    return render_template(
        "outbox/index.html",
        messages=services.recent(status),
        counts=services.counts(),
        status=status,
        filters=FILTERS,
    )


@bp.route("/<int:message_id>/kirim-ulang", methods=["POST"])
@role_required(Role.CITY_ADMIN)
def retry(message_id: int):
    message = get_or_404(Notification, message_id)
    if message.status != DeliveryStatus.FAILED:
        flash(_("Hanya pesan yang gagal yang dapat dikirim ulang."), "error")
    else:
        ok, _result = run_service(services.retry, message)
        if ok:
            flash(_("Pesan dikirim ulang."), "success")
    return redirect(url_for("outbox.index", status=DeliveryStatus.FAILED))
