from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.areas import services
from marketplace.areas.forms import KelurahanForm, RenameKelurahanForm
from marketplace.areas.models import Kelurahan
from marketplace.areas.page import kelurahan_page
from marketplace.core.forms import choices
from marketplace.core.inputs import db_int
from marketplace.core.pagecache import cached_page
from marketplace.core.permissions import get_or_404, role_required
from marketplace.core.web import csv_response, render_form, run_service

bp = Blueprint("areas", __name__)


@bp.app_template_global("all_kelurahan")
def _all_kelurahan():
    return services.all_kelurahan()


@bp.route("/kelurahan")
@cached_page
def index():
    return render_template("areas/index.html", groups=services.kecamatan_groups())


@bp.route("/kelurahan/<slug>")
@cached_page
def kelurahan(slug: str):
    area = services.kelurahan_by_slug(slug)
    if area is None:
        abort(404)
    page = request.args.get("page", 1, type=db_int)
    shown = kelurahan_page(area.id, page, current_app.config["PAGE_SIZE"])
    return render_template(
        "areas/kelurahan.html",
        area=area,
        products=shown.products,
        stores=shown.stores,
        featured=shown.featured,
    )


@bp.route("/direktori-kim")
@cached_page
def kim_directory():
    """All kelurahan of the city and their KIM, for Diskominfo and residents: a table and a
    grid per kecamatan."""
    from marketplace.kim.public import directory

    rows = directory()
    by_kecamatan: dict[str, list] = {}
    for row in rows:
        by_kecamatan.setdefault(row.kecamatan, []).append(row)
    return render_template("areas/kim_directory.html", rows=rows, by_kecamatan=by_kecamatan)


@bp.route("/direktori-kim.csv")
def kim_directory_csv():
    from marketplace.kim.public import directory, directory_csv

    return csv_response(directory_csv(directory()), "direktori-kim-kota-tangerang.csv")


@bp.route("/kelurahan/<slug>/kim")
@cached_page
def kim(slug: str):
    """The kelurahan's KIM as residents see it: officers, contact, what it published, whom it
    features, how it answers Suara Warga."""
    from marketplace.kim.forms import ALL_KINDS, OFFICE_LABELS
    from marketplace.kim.public import kim_profile

    area = services.kelurahan_by_slug(slug)
    if area is None:
        abort(404)
    return render_template(
        "areas/kim.html",
        area=area,
        kim=kim_profile(area.id),
        offices=OFFICE_LABELS,
        kinds_map=dict(ALL_KINDS),
    )


@bp.route("/admin/wilayah", methods=["GET", "POST"])
@role_required(Role.CITY_ADMIN)
def manage():
    form = KelurahanForm()
    form.kecamatan_id.choices = choices((k.id, k.name) for k in services.all_kecamatan())
    if form.validate_on_submit():
        ok, created = run_service(
            services.add_kelurahan,
            current_user,
            form.kecamatan_id.data,
            form.name.data,
            form.postal_code.data or "",
        )
        if ok:
            flash(_("Kelurahan %(name)s ditambahkan.", name=created.name), "success")
            return redirect(url_for("areas.manage"))
    return render_form("areas/manage.html", form, kecamatan=services.all_kecamatan())


@bp.route("/admin/wilayah/<int:kelurahan_id>", methods=["GET", "POST"])
@role_required(Role.CITY_ADMIN)
def rename(kelurahan_id: int):
    area = get_or_404(Kelurahan, kelurahan_id)
    form = RenameKelurahanForm(obj=area)
    if form.validate_on_submit():
        ok, _result = run_service(
            services.rename_kelurahan,
            current_user,
            area,
            form.name.data,
            form.postal_code.data or "",
        )
        if ok:
            flash(_("Nama kelurahan disimpan."), "success")
            return redirect(url_for("areas.manage"))
    return render_form("areas/rename.html", form, area=area)
