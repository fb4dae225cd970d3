"""The impact dashboard of the KIM (its kelurahan) and the city (every kelurahan)."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from marketplace.accounts.models import Role
from marketplace.books.statements import month_from
from marketplace.core.charts import bar_chart
from marketplace.core.errors import DomainError
from marketplace.core.permissions import role_required
from marketplace.core.web import csv_response
from marketplace.kim import impact

bp = Blueprint("impact", __name__, url_prefix="/kim")


def _month():
    try:
        return month_from(request.args.get("bulan"))
    except DomainError as error:
        flash(error.message, "error")
        return month_from(None)


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
        mentoring=impact.mentoring_effect(current_user),
        mentored=impact.mentored_stores(current_user),
        month=f"{period.first.year:04d}-{period.first.month:02d}",
        min_group=impact.MIN_GROUP,
    )


@bp.route("/dampak.csv")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def export():
    period = _month()
    body = impact.export_csv(impact.area_figures(current_user, period))
    return csv_response(body, f"dampak-{period.first:%Y-%m}.csv")
