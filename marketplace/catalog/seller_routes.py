"""The seller's product dashboard: create, edit, photos, options, reorder, hide, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.catalog import services
from marketplace.catalog.forms import OptionGroupForm, PhotoForm, ProductForm
from marketplace.catalog.models import Option, OptionGroup, Product, ProductPhoto
from marketplace.core.forms import choices
from marketplace.core.permissions import get_owned_or_404
from marketplace.core.web import current_uploads, render_form, run_service, uploaded_file
from marketplace.stores.models import Store
from marketplace.stores.routes import onboarding_step

bp = Blueprint("products", __name__, url_prefix="/toko-saya")


def _own(model, ident):
    return get_owned_or_404(model, ident, "is_managed_by", current_user)


def _product_form(product: Product | None = None) -> ProductForm:
    form = ProductForm(obj=product) if product else ProductForm()
    if product is not None and not form.is_submitted():
        form.fill_sale(product)
    locale = str(get_locale())
    form.category_id.choices = choices((c.id, c.label(locale)) for c in services.category_refs())
    return form


@bp.route("/<int:store_id>/produk")
@login_required
def index(store_id: int):
    store = _own(Store, store_id)
    return render_template(
        "products/index.html",
        store=store,
        products=services.store_products(store, include_hidden=True),
    )


@bp.route("/<int:store_id>/produk/baru", methods=["GET", "POST"])
@login_required
def create(store_id: int):
    """A new product; as onboarding step 3 of 3, the store's first, then the dashboard."""
    store = _own(Store, store_id)
    step = onboarding_step()
    form = _product_form()
    if form.validate_on_submit():
        ok, product = run_service(
            services.create_product,
            store,
            form.to_data(),
            uploaded_file(form.photo),
            current_uploads(),
        )
        if ok:
            if step == 3:
                flash(
                    _(
                        "Toko Anda siap! KIM kelurahan akan memeriksanya; sambil menunggu, "
                        "tambah produk lain."
                    ),
                    "success",
                )
                return redirect(url_for("stores.dashboard"))
            flash(_("Produk %(name)s ditambahkan.", name=product.name), "success")
            return redirect(url_for("products.edit", product_id=product.id))
    return render_form("products/edit.html", form, store=store, product=None, step=step)


@bp.route("/produk/<int:product_id>", methods=["GET", "POST"])
@login_required
def edit(product_id: int):
    product = _own(Product, product_id)
    form = _product_form(product)
    if form.validate_on_submit():
        ok, _result = run_service(services.update_product, product, form.to_data())
        if ok:
            flash(_("Produk disimpan."), "success")
            return redirect(url_for("products.edit", product_id=product.id))
    return render_form(
        "products/edit.html",
        form,
        store=product.store,
        product=product,
        photo_form=PhotoForm(),
        group_form=OptionGroupForm(),
    )


@bp.route("/produk/<int:product_id>/foto", methods=["POST"])
@login_required
def add_photo(product_id: int):
    product = _own(Product, product_id)
    form = PhotoForm()
    stream = uploaded_file(form.photo)
    if form.validate_on_submit() and stream is not None:
        ok, _result = run_service(services.add_photo, product, stream, current_uploads())
        if ok:
            flash(_("Foto ditambahkan."), "success")
        return redirect(url_for("products.edit", product_id=product.id))
    flash(_("Pilih foto dulu."), "error")
    return redirect(url_for("products.edit", product_id=product.id))


@bp.route("/foto/<int:photo_id>/hapus", methods=["POST"])
@login_required
def delete_photo(photo_id: int):
    photo = _own(ProductPhoto, photo_id)
    product_id = photo.product_id
    run_service(services.delete_photo, photo, current_uploads())
    return redirect(url_for("products.edit", product_id=product_id))


@bp.route("/produk/<int:product_id>/habis", methods=["POST"])
@login_required
def toggle_sold_out(product_id: int):
    product = _own(Product, product_id)
    sold_out = request.form.get("sold_out") == "1"
    ok, _result = run_service(services.set_sold_out, product, sold_out)
    if ok:
        message = _("%(name)s ditandai habis.", name=product.name)
        if not sold_out:
            message = _("%(name)s tersedia lagi.", name=product.name)
        flash(message, "success")
    if request.form.get("back") == "edit":
        return redirect(url_for("products.edit", product_id=product.id))
    return redirect(url_for("products.index", store_id=product.store_id))


@bp.route("/produk/<int:product_id>/sembunyikan", methods=["POST"])
@login_required
def toggle_hidden(product_id: int):
    product = _own(Product, product_id)
    run_service(services.set_hidden, product, request.form.get("hidden") == "1")
    return redirect(url_for("products.index", store_id=product.store_id))


@bp.route("/produk/<int:product_id>/pindah", methods=["POST"])
@login_required
def move(product_id: int):
    product = _own(Product, product_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    run_service(services.move_product, product, direction)
    return redirect(url_for("products.index", store_id=product.store_id))


@bp.route("/produk/<int:product_id>/hapus", methods=["POST"])
@login_required
def delete(product_id: int):
    product = _own(Product, product_id)
    store_id, name = product.store_id, product.name
    ok, _result = run_service(services.delete_product, product, current_uploads())
    if ok:
        flash(_("Produk %(name)s dihapus.", name=name), "success")
    return redirect(url_for("products.index", store_id=store_id))


@bp.route("/produk/<int:product_id>/pilihan", methods=["POST"])
@login_required
def add_group(product_id: int):
    product = _own(Product, product_id)
    return _save_group(product, None)


@bp.route("/pilihan/<int:group_id>", methods=["POST"])
@login_required
def edit_group(group_id: int):
    group = _own(OptionGroup, group_id)
    return _save_group(group.product, group)


def _save_group(product: Product, group: OptionGroup | None):
    form = OptionGroupForm()
    if form.validate_on_submit():
        ok, _result = run_service(
            services.save_option_group,
            product,
            form.name.data,
            form.options.data,
            form.multiple.data,
            form.required_choice.data,
            group,
        )
        if ok:
            flash(_("Pilihan disimpan."), "success")
    else:
        flash(_("Isi nama kelompok dan minimal satu pilihan."), "error")
    return redirect(url_for("products.edit", product_id=product.id))


@bp.route("/pilihan/<int:group_id>/hapus", methods=["POST"])
@login_required
def delete_group(group_id: int):
    group = _own(OptionGroup, group_id)
    product_id = group.product_id
    run_service(services.delete_option_group, group)
    return redirect(url_for("products.edit", product_id=product_id))


@bp.route("/opsi/<int:option_id>/habis", methods=["POST"])
@login_required
def toggle_option(option_id: int):
    option = _own(Option, option_id)
    run_service(services.set_option_sold_out, option, request.form.get("sold_out") == "1")
    return redirect(url_for("products.edit", product_id=option.group.product_id))
