"""The seller's cash book, reports, exports and receipts; payouts for the city admin."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from marketplace.accounts.models import Role
from marketplace.books import credit, payouts, reports, services
from marketplace.books.forms import CategoryForm, EntryForm, NoteForm, PayoutForm, RangeForm
from marketplace.books.models import CashEntry, Channel, EntryKind, LedgerKind, Method
from marketplace.core.errors import DomainError
from marketplace.core.inputs import db_int
from marketplace.core.permissions import get_or_404, get_owned_or_404, role_required
from marketplace.core.web import (
    csv_response,
    current_uploads,
    image_response,
    render_form,
    run_service,
    uploaded_file,
)
from marketplace.stores.models import Store

bp = Blueprint("books", __name__)

LABELS = {
    EntryKind.INCOME: _l("pemasukan"),
    EntryKind.EXPENSE: _l("pengeluaran"),
    EntryKind.DRAWING: _l("prive"),
    EntryKind.CAPITAL: _l("modal"),
    Method.CASH: _l("tunai"),
    Method.TRANSFER: _l("transfer"),
    Method.CARD: _l("kartu"),
    Method.QRIS: _l("QRIS"),
    Channel.ONLINE_CARD: _l("online, kartu"),
    Channel.ONLINE_CASH: _l("online, tunai"),
    Channel.ONLINE_QRIS: _l("online, QRIS"),
    Channel.ONLINE_TRANSFER: _l("online, transfer"),
    Channel.STALL: _l("di tempat"),
    LedgerKind.CAPTURE: _l("pembayaran kartu"),
    LedgerKind.REFUND: _l("pengembalian dana"),
    LedgerKind.FEE: _l("biaya platform"),
    LedgerKind.FEE_REFUND: _l("biaya platform kembali"),
    LedgerKind.PAYOUT: _l("transfer ke penjual"),
    # the standard categories (a seller's own categories are shown as written)
    "bahan baku": _l("bahan baku"),
    "kemasan": _l("kemasan"),
    "gas & listrik": _l("gas & listrik"),
    "sewa tempat": _l("sewa tempat"),
    "gaji/upah": _l("gaji/upah"),
    "transport": _l("transport"),
    "lainnya": _l("lainnya"),
    "penjualan di tempat": _l("penjualan di tempat"),
    "penjualan online": _l("penjualan online"),
    "biaya platform": _l("biaya platform"),
}


@bp.app_template_global("book_label")
def book_label(value: str) -> str:
    return str(LABELS.get(value, value))


def _own_store(store_id: int) -> Store:
    return get_owned_or_404(Store, store_id, "is_managed_by", current_user)


def _period() -> tuple[RangeForm, reports.Period]:
    form = RangeForm(formdata=request.args)
    form.validate()
    try:
        period = reports.period_for(form.periode.data, form.dari.data, form.sampai.data)
    except DomainError as error:
        flash(error.message, "error")
        period = reports.period_for("bulan")
    return form, period


def _book_page(store: Store, entry_form: EntryForm, category_form: CategoryForm):
    range_form, period = _period()
    report = reports.build_report(store, period)
    return render_form(
        "books/index.html",
        entry_form,
        store=store,
        range_form=range_form,
        report=report,
        chart=Markup(reports.chart_svg(report)),  # noqa: S704 - built from numbers and escaped text
        entries=reports.entries_page(store, period, request.args.get("hal", 1, type=db_int)),
        categories={
            kind: services.categories(store, kind) for kind in (EntryKind.INCOME, EntryKind.EXPENSE)
        },
        category_form=category_form,
        note_form=NoteForm(),
        balance=payouts.balance(store),
        receivable=credit.outstanding_total(store, credit.RECEIVABLE),
        payable=credit.outstanding_total(store, credit.PAYABLE),
    )


@bp.route("/toko-saya/<int:store_id>/buku-kas")
@login_required
def index(store_id: int):
    store = _own_store(store_id)
    return _book_page(store, EntryForm(formdata=None), CategoryForm(formdata=None))


@bp.route("/toko-saya/<int:store_id>/buku-kas/catat", methods=["POST"])
@login_required
def record(store_id: int):
    store = _own_store(store_id)
    form = EntryForm()
    if form.validate_on_submit():
        ok, _entry = run_service(
            services.record_entry,
            current_user,
            store,
            form.to_data(),
            uploaded_file(form.receipt),
            current_uploads().private(),
        )
        if ok:
            flash(_("Catatan disimpan."), "success")
            return redirect(url_for("books.index", store_id=store.id))
    return _book_page(store, form, CategoryForm(formdata=None))


@bp.route("/toko-saya/<int:store_id>/buku-kas/kategori", methods=["POST"])
@login_required
def add_category(store_id: int):
    store = _own_store(store_id)
    form = CategoryForm()
    if form.validate_on_submit():
        ok, _category = run_service(
            services.add_category, current_user, store, form.kind.data, form.name.data
        )
        if ok:
            flash(_("Kategori ditambahkan."), "success")
            return redirect(url_for("books.index", store_id=store.id))
    return _book_page(store, EntryForm(formdata=None), form)


@bp.route("/toko-saya/buku-kas/<int:entry_id>/keterangan", methods=["POST"])
@login_required
def explain(entry_id: int):
    entry = get_owned_or_404(CashEntry, entry_id, "is_managed_by", current_user)
    form = NoteForm()
    form.validate()
    ok, _result = run_service(services.explain_entry, current_user, entry, form.note.data or "")
    if ok:
        flash(_("Keterangan disimpan."), "success")
    return redirect(url_for("books.index", store_id=entry.store_id))


@bp.route("/toko-saya/buku-kas/<int:entry_id>/hapus", methods=["POST"])
@login_required
def delete(entry_id: int):
    entry = get_owned_or_404(CashEntry, entry_id, "is_managed_by", current_user)
    store_id = entry.store_id
    ok, _result = run_service(
        services.delete_entry, current_user, entry, current_uploads().private()
    )
    if ok:
        flash(_("Catatan dihapus."), "success")
    return redirect(url_for("books.index", store_id=store_id))


@bp.route("/toko-saya/buku-kas/<int:entry_id>/nota")
@login_required
def receipt(entry_id: int):
    entry = get_owned_or_404(CashEntry, entry_id, "is_managed_by", current_user)
    name = entry.receipt_large if request.args.get("besar") else entry.receipt_thumb
    if not name:
        abort(404)
    return image_response(current_uploads().private(), name, public=False)


@bp.route("/toko-saya/<int:store_id>/buku-kas.csv")
@login_required
def export(store_id: int):
    store = _own_store(store_id)
    _form, period = _period()
    body = reports.export_csv(store, period)
    filename = f"buku-kas-{store.slug}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return csv_response(body, filename)


@bp.route("/toko-saya/<int:store_id>/saldo")
@login_required
def balance(store_id: int):
    store = _own_store(store_id)
    return render_template(
        "books/balance.html",
        store=store,
        balance=payouts.balance(store),
        movements=payouts.movements(store),
    )


@bp.route("/admin/pembayaran")
@role_required(Role.CITY_ADMIN)
def payout_overview():
    return render_template("books/payouts.html", rows=payouts.payout_overview())


@bp.route("/admin/pembayaran/<int:store_id>", methods=["GET", "POST"])
@role_required(Role.CITY_ADMIN)
def payout(store_id: int):
    store = get_or_404(Store, store_id)
    form = PayoutForm()
    if form.validate_on_submit():
        ok, _entry = run_service(
            payouts.record_payout,
            current_user,
            store,
            form.amount.data,
            form.reference.data,
            form.paid_on.data,
        )
        if ok:
            flash(_("Pembayaran ke %(store)s dicatat.", store=store.name), "success")
            return redirect(url_for("books.payout", store_id=store.id))
    return render_form(
        "books/payout.html",
        form,
        store=store,
        balance=payouts.balance(store),
        movements=payouts.movements(store),
    )
