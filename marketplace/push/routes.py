"""The installable app (manifest, service worker, offline page) and push subscriptions."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, send_from_directory
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.core.errors import DomainError
from marketplace.core.web import rollback
from marketplace.extensions import db
from marketplace.push import services

bp = Blueprint("push", __name__)


@bp.route("/sw.js")
def service_worker():
    """Served from the root so that it controls every page (its scope is "/")."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline")
def offline():
    return render_template("push/offline.html")


@bp.route("/push/langganan", methods=["POST"])
@login_required
def subscribe():
    try:
        services.subscribe(
            current_user, request.get_json(silent=True), request.headers.get("User-Agent", "")
        )
        db.session.commit()
    except DomainError as error:
        rollback()
        return {"status": "error", "message": error.message}, 400
    return {"status": "ok", "message": _("Notifikasi pesanan menyala di perangkat ini.")}


@bp.route("/push/berhenti", methods=["POST"])
@login_required
def unsubscribe():
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("endpoint"), str):
        return {"status": "error", "message": _("Permintaan tidak valid.")}, 400
    services.unsubscribe(current_user, payload["endpoint"])
    db.session.commit()
    return {"status": "ok", "message": _("Notifikasi pesanan dimatikan di perangkat ini.")}
