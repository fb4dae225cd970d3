"""The impact dashboard of the KIM (its kelurahan) and the city (every kelurahan)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from marketplace.accounts.models import Role
from marketplace.books.statements import month_period
from marketplace.core.charts import bar_chart
from marketplace.core.db import jakarta_today
from marketplace.core.errors import DomainError
from marketplace.core.permissions import role_required
from marketplace.kim import impact

bp = Blueprint("impact", __name__, url_prefix="/kim")


def _month():
    today = jakarta_today()
    raw = request.args.get("bulan", f"{today.year:04d}-{today.month:02d}")
    try:
        year, month = (int(part) for part in raw.split("-", 1))
        return month_period(year, month)
    except (ValueError, DomainError):
        flash(_("Pilih bulan yang benar."), "error")
        return month_period(today.year, today.month)


@bp.route("/dampak")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def dashboard():
    period = _month()
    figures = impact.area_figures(current_user, period)
    trend = impact.monthly_sales(current_user, period)
    chart = (
        Markup(  # noqa: S704 - numbers and escaped labels only
            bar_chart(
                [f"{first.month}/{first.year % 100:02d}" for first, _v in trend],
                [(_("penjualan"), "#2e7d32", [value for _f, value in trend])],
                _("Penjualan per bulan"),
            )
        )
        if trend
        else None
    )
    return render_template(
        "kim/impact.html",
        impact=figures,
        chart=chart,
        effect=impact.training_effect(current_user),
        month=f"{period.first.year:04d}-{period.first.month:02d}",
        min_group=impact.MIN_GROUP,
    )


@bp.route("/dampak.csv")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def export():
    period = _month()
    body = impact.export_csv(impact.area_figures(current_user, period))
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="dampak-{period.first:%Y-%m}.csv"',
            "Cache-Control": "private, no-store",
        },
    )
