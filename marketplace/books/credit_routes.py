"""Receivables and payables pages, and the monthly statements."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.books import credit, statements
from marketplace.books.forms import CreditSaleForm, CustomerForm, DebtPaymentForm, SupplierDebtForm
from marketplace.books.models import CreditCustomer, Debt
from marketplace.core.errors import DomainError
from marketplace.core.permissions import get_owned_or_404
from marketplace.core.web import render_form, run_service
from marketplace.stores.models import Store

bp = Blueprint("credit", __name__, url_prefix="/toko-saya")


def _own_store(store_id: int) -> Store:
    return get_owned_or_404(Store, store_id, "is_managed_by", current_user)


def _page(store: Store, failed=None, **forms):
    blank = {
        "customer_form": CustomerForm(formdata=None),
        "sale_form": CreditSaleForm(formdata=None),
        "supplier_form": SupplierDebtForm(formdata=None),
    }
    blank.update(forms)
    owed = credit.outstanding_by_customer(store)
    return render_form(
        "books/credit.html",
        failed or blank["customer_form"],
        store=store,
        customers=[(c, owed.get(c.id, 0)) for c in credit.customers_of(store)],
        receivables=credit.debts_of(store, credit.RECEIVABLE),
        payables=credit.debts_of(store, credit.PAYABLE),
        payment_form=DebtPaymentForm(formdata=None),
        reminder=credit.reminder_text,
        **blank,
    )


@bp.route("/<int:store_id>/utang-piutang")
@login_required
def index(store_id: int):
    return _page(_own_store(store_id))


@bp.route("/<int:store_id>/pelanggan", methods=["POST"])
@login_required
def add_customer(store_id: int):
    store = _own_store(store_id)
    form = CustomerForm()
    if form.validate_on_submit():
        ok, customer = run_service(
            credit.save_customer,
            current_user,
            store,
            form.name.data,
            form.phone.data,
            form.credit_limit.data,
        )
        if ok:
            flash(_("Pelanggan %(name)s disimpan.", name=customer.name), "success")
            return redirect(url_for("credit.index", store_id=store.id))
    return _page(store, form, customer_form=form)


@bp.route("/pelanggan/<int:customer_id>/kasbon", methods=["POST"])
@login_required
def sell(customer_id: int):
    customer = get_owned_or_404(CreditCustomer, customer_id, "is_managed_by", current_user)
    form = CreditSaleForm()
    if form.validate_on_submit():
        data = credit.DebtData(form.amount.data, form.description.data or "", form.due_on.data)
        ok, _debt = run_service(credit.sell_on_credit, current_user, customer, data)
        if ok:
            flash(_("Kasbon %(name)s dicatat.", name=customer.name), "success")
            return redirect(url_for("credit.index", store_id=customer.store_id))
    return _page(customer.store, form, sale_form=form)


@bp.route("/<int:store_id>/utang", methods=["POST"])
@login_required
def buy(store_id: int):
    store = _own_store(store_id)
    form = SupplierDebtForm()
    if form.validate_on_submit():
        data = credit.DebtData(form.amount.data, form.description.data or "", form.due_on.data)
        ok, _debt = run_service(credit.buy_on_credit, current_user, store, form.supplier.data, data)
        if ok:
            flash(_("Utang ke pemasok dicatat."), "success")
            return redirect(url_for("credit.index", store_id=store.id))
    return _page(store, form, supplier_form=form)


@bp.route("/utang-piutang/<int:debt_id>/bayar", methods=["POST"])
@login_required
def pay(debt_id: int):
    debt = get_owned_or_404(Debt, debt_id, "is_managed_by", current_user)
    form = DebtPaymentForm()
    if form.validate_on_submit():
        ok, _payment = run_service(
            credit.pay_debt, current_user, debt, form.amount.data, form.method.data
        )
        if ok:
            flash(_("Pembayaran dicatat."), "success")
            return redirect(url_for("credit.index", store_id=debt.store_id))
    return _page(debt.store, form)


@bp.route("/<int:store_id>/laporan-bulanan")
@login_required
def statement(store_id: int):
    store = _own_store(store_id)
    try:
        period = statements.month_from(request.args.get("bulan"))
    except DomainError as error:
        flash(error.message, "error")
        period = statements.month_from(None)
    return render_template(
        "books/statement.html",
        store=store,
        st=statements.monthly_statement(store, period),
        month=f"{period.first.year:04d}-{period.first.month:02d}",
    )
