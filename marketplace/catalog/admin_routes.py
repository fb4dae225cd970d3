"""The city admin manages the catalog's categories."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.catalog import services
from marketplace.catalog.forms import CategoryForm
from marketplace.catalog.models import Category
from marketplace.core.permissions import get_or_404, role_required
from marketplace.core.web import render_form, run_service

bp = Blueprint("categories", __name__, url_prefix="/admin/kategori")


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.CITY_ADMIN)
def index():
    form = CategoryForm()
    if form.validate_on_submit():
        ok, category = run_service(
            services.create_category,
            current_user,
            form.name.data,
            form.name_en.data or "",
            form.slug.data or "",
        )
        if ok:
            flash(_("Kategori %(name)s ditambahkan.", name=category.name), "success")
            return redirect(url_for("categories.index"))
    return render_form("categories/index.html", form, categories=services.categories())


@bp.route("/<int:category_id>", methods=["GET", "POST"])
@role_required(Role.CITY_ADMIN)
def edit(category_id: int):
    category = get_or_404(Category, category_id)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        ok, _result = run_service(
            services.update_category,
            current_user,
            category,
            form.name.data,
            form.name_en.data or "",
            form.slug.data or "",
        )
        if ok:
            flash(_("Kategori disimpan."), "success")
            return redirect(url_for("categories.index"))
    return render_form("categories/edit.html", form, category=category)


@bp.route("/<int:category_id>/pindah", methods=["POST"])
@role_required(Role.CITY_ADMIN)
def move(category_id: int):
    category = get_or_404(Category, category_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    run_service(services.move_category, current_user, category, direction)
    return redirect(url_for("categories.index"))


@bp.route("/<int:category_id>/hapus", methods=["POST"])
@role_required(Role.CITY_ADMIN)
def delete(category_id: int):
    category = get_or_404(Category, category_id)
    ok, _result = run_service(services.delete_category, current_user, category)
    if ok:
        flash(_("Kategori dihapus."), "success")
    return redirect(url_for("categories.index"))
