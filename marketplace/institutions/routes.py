"""Office orders over the web: the office's pages, the stores' page of office orders, the
printable purchase order / invoice, verification and the spend figures."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.models import Role
from marketplace.areas.forms import kelurahan_choices
from marketplace.core.csvfile import csv_text
from marketplace.core.forms import choices
from marketplace.core.inputs import db_int
from marketplace.core.permissions import get_or_404, get_owned_or_404, require, role_required
from marketplace.core.web import csv_response, render_form, run_service
from marketplace.institutions import services
from marketplace.institutions.forms import (
    AddStoreForm,
    BulkOrderForm,
    InstitutionForm,
    MemberAddForm,
    PaymentReportForm,
    QuoteForm,
    ReasonForm,
)
from marketplace.institutions.models import BulkOrder, BulkShare, Institution
from marketplace.stores.models import Store

bp = Blueprint("institutions", __name__)


@bp.context_processor
def labels():
    return {"bulk_labels": services.BULK_LABELS, "share_labels": services.SHARE_LABELS}


def _member_institution(institution_id: int) -> Institution:
    institution = get_or_404(Institution, institution_id)
    require(institution.has_member(current_user))
    return institution


def _member_bulk(bulk_id: int) -> BulkOrder:
    bulk = get_or_404(BulkOrder, bulk_id)
    require(bulk.institution.has_member(current_user))
    return bulk


# --- the office ----------------------------------------------------------------------------


@bp.route("/instansi")
@login_required
def mine():
    return render_template(
        "institutions/mine.html", institutions=services.institutions_of(current_user)
    )


@bp.route("/instansi/daftar", methods=["GET", "POST"])
@login_required
def register():
    form = InstitutionForm()
    form.kelurahan_id.choices = kelurahan_choices()
    if form.validate_on_submit():
        ok, institution = run_service(services.register, current_user, form.to_data())
        if ok:
            flash(
                _(
                    "%(name)s terdaftar. Admin KIM atau kota akan memverifikasinya.",
                    name=institution.name,
                ),
                "success",
            )
            return redirect(url_for("institutions.show", institution_id=institution.id))
    return render_form("institutions/register.html", form)


@bp.route("/instansi/<int:institution_id>")
@login_required
def show(institution_id: int):
    institution = _member_institution(institution_id)
    return render_template(
        "institutions/show.html",
        institution=institution,
        orders=services.bulk_orders_of(institution),
        member_form=MemberAddForm(),
    )


@bp.route("/instansi/<int:institution_id>/pemesan", methods=["POST"])
@login_required
def add_member(institution_id: int):
    institution = _member_institution(institution_id)
    form = MemberAddForm()
    if form.validate_on_submit():
        ok, _member = run_service(services.add_member, current_user, institution, form.phone.data)
        if ok:
            flash(_("Pemesan ditambahkan."), "success")
    else:
        flash(_("Tulis nomor WhatsApp pemesan."), "error")
    return redirect(url_for("institutions.show", institution_id=institution.id))


@bp.route("/instansi/<int:institution_id>/pemesan/<int:member_id>/hapus", methods=["POST"])
@login_required
def remove_member(institution_id: int, member_id: int):
    institution = _member_institution(institution_id)
    ok, _result = run_service(services.remove_member, current_user, institution, member_id)
    if ok:
        flash(_("Pemesan dihapus."), "success")
    return redirect(url_for("institutions.show", institution_id=institution.id))


def _chosen_shares(stores: list[Store], boxes: int | None) -> dict[int, int]:
    """Store id → boxes from the form's ticked stores and the boxes typed for them."""
    ticked = [s.id for s in stores if request.form.get(f"toko-{s.id}")]
    typed: dict[int, int] = {}
    for store_id in ticked:
        raw = (request.form.get(f"kotak-{store_id}") or "").strip()
        if raw:
            try:
                typed[store_id] = db_int(raw)
            except ValueError:
                typed[store_id] = -1  # refused by the service with its message
    return services.share_out(boxes, ticked, typed)


@bp.route("/instansi/<int:institution_id>/pesan", methods=["GET", "POST"])
@login_required
def new_order(institution_id: int):
    institution = _member_institution(institution_id)
    form = BulkOrderForm()
    form.kelurahan_id.choices = kelurahan_choices()
    if not form.is_submitted():
        form.kelurahan_id.data = request.args.get("kelurahan", type=db_int) or (
            institution.kelurahan_id
        )
    stores = services.local_stores(form.kelurahan_id.data or institution.kelurahan_id)
    if request.method == "POST" and request.form.get("lihat"):
        pass  # the kelurahan changed: show its stores, keep what was typed
    elif form.validate_on_submit():
        shares = _chosen_shares(stores, form.boxes.data)
        ok, bulk = run_service(services.request, current_user, institution, form.to_data(), shares)
        if ok:
            flash(_("Permintaan %(number)s terkirim ke toko.", number=bulk.number), "success")
            return redirect(url_for("institutions.bulk", bulk_id=bulk.id))
    return render_form("institutions/new_order.html", form, institution=institution, stores=stores)


@bp.route("/instansi/pesanan/<int:bulk_id>")
@login_required
def bulk(bulk_id: int):
    order = _member_bulk(bulk_id)
    add_form = AddStoreForm()
    taken = {s.store_id for s in order.shares if s.status not in ("declined", "cancelled")}
    add_form.store_id.choices = choices(
        (s.id, s.name) for s in services.local_stores(order.kelurahan_id) if s.id not in taken
    )
    add_form.boxes.data = services.unassigned(order) or None
    return render_template(
        "institutions/bulk.html",
        order=order,
        add_form=add_form,
        unassigned=services.unassigned(order),
        cancel_form=ReasonForm(),
        pay_form=PaymentReportForm(),
    )


def _bulk_action(bulk_id: int, service, message: str, *args):
    order = _member_bulk(bulk_id)
    ok, _result = run_service(service, current_user, order, *args)
    if ok:
        flash(message, "success")
    return redirect(url_for("institutions.bulk", bulk_id=order.id))


@bp.route("/instansi/pesanan/<int:bulk_id>/surat-pesanan", methods=["POST"])
@login_required
def purchase_order(bulk_id: int):
    return _bulk_action(
        bulk_id, services.place_purchase_order, _("Surat pesanan terkirim ke setiap toko.")
    )


@bp.route("/instansi/pesanan/<int:bulk_id>/tambah-toko", methods=["POST"])
@login_required
def add_store(bulk_id: int):
    form = AddStoreForm()
    form.store_id.choices = []
    form.validate()
    if form.boxes.errors or not form.store_id.data:
        flash(_("Pilih toko dan jumlah kotaknya."), "error")
        return redirect(url_for("institutions.bulk", bulk_id=bulk_id))
    return _bulk_action(
        bulk_id,
        services.add_store,
        _("Toko ditambahkan dan diminta penawarannya."),
        form.store_id.data,
        form.boxes.data,
    )


@bp.route("/instansi/pesanan/<int:bulk_id>/batal", methods=["POST"])
@login_required
def cancel(bulk_id: int):
    form = ReasonForm()
    form.validate()
    return _bulk_action(bulk_id, services.cancel, _("Pesanan dibatalkan."), form.reason.data or "")


@bp.route("/instansi/tagihan/<int:share_id>/dibayar", methods=["POST"])
@login_required
def report_payment(share_id: int):
    share = get_or_404(BulkShare, share_id)
    require(share.bulk_order.institution.has_member(current_user))
    form = PaymentReportForm()
    form.validate()
    ok, _result = run_service(
        services.report_payment, current_user, share, form.reference.data or ""
    )
    if ok:
        flash(_("Terima kasih. Toko akan mengonfirmasi uang masuk."), "success")
    return redirect(url_for("institutions.bulk", bulk_id=share.bulk_order_id))


@bp.route("/instansi/dokumen/<int:share_id>")
@login_required
def invoice(share_id: int):
    """The share's printable purchase order (once ordered) or invoice (once delivered), with
    the office's and the store's details."""
    share = get_or_404(BulkShare, share_id)
    require(services.may_see_invoice(current_user, share))
    if share.status not in ("ordered", "delivered", "paid"):
        abort(404)
    return render_template("institutions/document.html", share=share, order=share.bulk_order)


# --- the store -----------------------------------------------------------------------------


def _own_share(share_id: int) -> BulkShare:
    return get_owned_or_404(BulkShare, share_id, "is_managed_by", current_user)


@bp.route("/toko-saya/<int:store_id>/pesanan-instansi")
@login_required
def store_orders(store_id: int):
    store = get_owned_or_404(Store, store_id, "is_managed_by", current_user)
    return render_template(
        "institutions/store_orders.html",
        store=store,
        shares=services.shares_of(store),
        quote_form=QuoteForm(),
        decline_form=ReasonForm(),
    )


def _share_action(share_id: int, service, message: str, *args):
    share = _own_share(share_id)
    ok, _result = run_service(service, current_user, share, *args)
    if ok:
        flash(message, "success")
    return redirect(url_for("institutions.store_orders", store_id=share.store_id))


@bp.route("/toko-saya/pesanan-instansi/<int:share_id>/penawaran", methods=["POST"])
@login_required
def quote(share_id: int):
    form = QuoteForm()
    if not form.validate_on_submit():
        share = _own_share(share_id)
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("institutions.store_orders", store_id=share.store_id))
    return _share_action(
        share_id,
        services.quote,
        _("Penawaran terkirim ke instansi."),
        form.price_per_box.data,
        form.day_capacity.data,
        form.menu.data,
    )


@bp.route("/toko-saya/pesanan-instansi/<int:share_id>/tolak", methods=["POST"])
@login_required
def decline(share_id: int):
    form = ReasonForm()
    form.validate()
    return _share_action(
        share_id, services.decline, _("Permintaan ditolak."), form.reason.data or ""
    )


@bp.route("/toko-saya/pesanan-instansi/<int:share_id>/diantar", methods=["POST"])
@login_required
def delivered(share_id: int):
    return _share_action(
        share_id,
        services.deliver,
        _("Ditandai diantar; tagihan dibuat dan dicatat sebagai piutang."),
    )


@bp.route("/toko-saya/pesanan-instansi/<int:share_id>/lunas", methods=["POST"])
@login_required
def paid(share_id: int):
    return _share_action(
        share_id, services.receive_payment, _("Tagihan lunas; uang masuk tercatat di buku kas.")
    )


# --- admins --------------------------------------------------------------------------------


@bp.route("/admin/instansi")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def verification():
    return render_template(
        "institutions/verification.html", institutions=services.to_verify(current_user)
    )


@bp.route("/admin/instansi/<int:institution_id>/verifikasi", methods=["POST"])
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def verify(institution_id: int):
    institution = get_or_404(Institution, institution_id)
    ok, _result = run_service(services.verify, current_user, institution)
    if ok:
        flash(_("%(name)s terverifikasi.", name=institution.name), "success")
    return redirect(url_for("institutions.verification"))


def _spend_scope() -> int | None:
    if current_user.role == Role.CITY_ADMIN:
        return None
    group = current_user.kim_group
    return group.kelurahan_id if group is not None else -1


@bp.route("/kim/belanja-instansi")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def spend():
    rows = services.spend_by_month(_spend_scope())
    return render_template("institutions/spend.html", rows=rows, total=sum(r.amount for r in rows))


@bp.route("/kim/belanja-instansi.csv")
@role_required(Role.KIM_ADMIN, Role.CITY_ADMIN)
def spend_csv():
    rows = services.spend_by_month(_spend_scope())
    body = csv_text(
        ["bulan", "kecamatan", "kelurahan", "toko", "kotak", "belanja_rupiah"],
        [[r.month, r.kecamatan, r.kelurahan, r.stores, r.boxes, r.amount] for r in rows],
    )
    return csv_response(body, "belanja-instansi.csv")
