from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import Role
from marketplace.areas.forms import kelurahan_choices
from marketplace.catalog.services import low_stock
from marketplace.core.db import jakarta_today
from marketplace.core.inputs import db_int
from marketplace.core.pagecache import cached_page
from marketplace.core.permissions import get_or_404, get_owned_or_404, require, role_required
from marketplace.core.phone import display_phone
from marketplace.core.qr import qr_png, qr_svg
from marketplace.core.web import (
    current_uploads,
    public_url,
    render_form,
    run_service,
    uploaded_file,
)
from marketplace.extensions import db
from marketplace.kim import mentoring as mentoring_service
from marketplace.kim.models import MentoringVisit
from marketplace.orders.quality import quality_signals
from marketplace.promotions.followers import is_following
from marketplace.reviews.forms import ReportReviewForm
from marketplace.stores import services
from marketplace.stores.forms import (
    CREDENTIAL_KINDS,
    HoursForm,
    HoursPresetForm,
    PauseForm,
    StoreBasicsForm,
    StoreForm,
)
from marketplace.stores.hours import availability, week_hours
from marketplace.stores.link_markup import store_links
from marketplace.stores.models import Store
from marketplace.stores.storefront import storefront_view

bp = Blueprint("stores", __name__)
bp.add_app_template_global(week_hours, "week_hours")
bp.add_app_template_global(store_links, "store_links")


def _own_store(store_id: int) -> Store:
    return get_owned_or_404(Store, store_id, "is_managed_by", current_user)


def _store_form(store: Store) -> StoreForm:
    form = StoreForm(obj=store)
    form.delivery_kelurahan_ids.choices = kelurahan_choices()
    if not form.is_submitted():
        form.delivery_kelurahan_ids.data = [k.id for k in store.delivery_kelurahan]
        form.fill_credentials(store)
    return form


#: the three steps of opening a store, shown as a progress bar on each of their pages
ONBOARDING_STEPS = (_l("Toko"), _l("Jam buka"), _l("Produk pertama"))
#: A5 and A6 sheets (mm) the QR poster can be printed on
SHEETS = {"a5": (148, 210), "a6": (105, 148)}


def onboarding_step() -> int | None:
    """Which onboarding step the page is (``?langkah=2``), None outside the flow."""
    step = request.args.get("langkah", "")
    return int(step) if step in ("2", "3") else None


@bp.app_context_processor
def _onboarding():
    return {"onboarding_steps": ONBOARDING_STEPS}


@bp.route("/toko/<slug>")
@cached_page
def storefront(slug: str):
    today = jakarta_today()
    store = storefront_view(slug, today, request.args.get("ulasan", 1, type=db_int))
    if store is None or not store.is_visible_to(current_user):
        abort(404)
    return render_template(
        "stores/storefront.html",
        store=store,
        state=availability(store),
        products=store.products,
        today=today,
        trainings=store.trainings,
        following=is_following(current_user, store),
        reviews=store.reviews,
        report_form=ReportReviewForm() if current_user.is_authenticated else None,
    )


def _visible_store(slug: str) -> Store:
    store = db.session.scalar(
        select(Store).where(Store.slug == slug).options(joinedload(Store.kelurahan))
    )
    if store is None or not store.is_visible_to(current_user):
        abort(404)
    return store


@bp.route("/toko/<slug>/poster")
def poster(slug: str):
    """A poster to print (A5 or A6): the store's name and logo, "Pesan online", and a QR code
    that opens its page."""
    store = _visible_store(slug)
    sheet = request.args.get("ukuran", "a5")
    sheet = sheet if sheet in SHEETS else "a5"
    url = public_url("stores.storefront", slug=store.slug)
    return render_template(
        "stores/poster.html", store=store, url=url, qr=qr_svg(url), sheet=sheet, size=SHEETS[sheet]
    )


@bp.route("/toko/<slug>/qr.png")
def qr_image(slug: str):
    store = _visible_store(slug)
    response = Response(
        qr_png(public_url("stores.storefront", slug=store.slug)), mimetype="image/png"
    )
    response.headers["Content-Disposition"] = f'inline; filename="qr-{store.slug}.png"'
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/toko-saya")
@role_required(Role.SELLER, Role.CUSTOMER)
def dashboard():
    stores = services.stores_of(current_user)
    return render_template(
        "stores/dashboard.html",
        stores=stores,
        states={s.id: availability(s) for s in stores},
        quality=quality_signals([s.id for s in stores]),
        low_stock=low_stock([s.id for s in stores]),
        pause_form=PauseForm(),
    )


@bp.route("/toko-saya/baru", methods=["GET", "POST"])
@role_required(Role.SELLER, Role.CUSTOMER)
def create():
    """Onboarding step 1 of 3: the store, in the few inputs it needs to open."""
    form = StoreBasicsForm()
    if not form.is_submitted():
        form.whatsapp.data = display_phone(current_user.phone)  # the number from sign-up
    if form.validate_on_submit():
        ok, store = run_service(services.open_store, current_user, form.to_data())
        if ok:
            flash(_("Toko dibuat. Sekarang jam bukanya."), "success")
            return redirect(url_for("stores.hours", store_id=store.id, langkah=2))
    return render_form("stores/create.html", form)


@bp.route("/toko-saya/<int:store_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(store_id: int):
    store = _own_store(store_id)
    form = _store_form(store)
    if form.validate_on_submit():
        ok, _result = run_service(
            services.update_store,
            store,
            current_user,
            form.to_data(),
            list(form.credentials()),
            uploaded_file(form.logo),
            current_uploads(),
        )
        if ok:
            flash(_("Data toko disimpan."), "success")
            return redirect(url_for("stores.dashboard"))
    return render_form("stores/edit.html", form, store=store, kinds=CREDENTIAL_KINDS)


@bp.route("/toko-saya/<int:store_id>/jam", methods=["GET", "POST"])
@login_required
def hours(store_id: int):
    """Opening hours: the quick form (a preset, two times, closed dates), or day by day.
    Onboarding step 2 of 3 goes on to the first product."""
    store = _own_store(store_id)
    step = onboarding_step()
    if step == 2:
        done = url_for("products.create", store_id=store.id, langkah=3)
    else:
        done = url_for("stores.dashboard")
    is_quick = "cepat-preset" in request.form
    quick = HoursPresetForm(prefix="cepat", formdata=request.form if is_quick else None)
    full = HoursForm(formdata=None if is_quick else request.form or None)
    if not is_quick:
        quick.fill(store.periods, store.closed_dates)
    if is_quick or request.method != "POST":
        full.fill(store.periods, store.closed_dates)
    form = quick if is_quick else full
    if form.validate_on_submit():
        ok, _result = run_service(
            services.set_schedule, store, form.periods(), form.closed_dates.data or ""
        )
        if ok:
            flash(_("Jam buka disimpan."), "success")
            return redirect(done)
    return render_form("stores/hours.html", form, store=store, full=full, quick=quick, step=step)


@bp.route("/toko-saya/<int:store_id>/tutup-sementara", methods=["POST"])
@login_required
def pause(store_id: int):
    store = _own_store(store_id)
    form = PauseForm()
    if form.validate_on_submit():
        ok, _result = run_service(services.pause_store, store, form.reason.data, form.until.data)
        if ok:
            flash(_("Toko ditutup sementara."), "success")
    else:
        flash(_("Tuliskan alasan tutup sementara."), "error")
    return redirect(url_for("stores.dashboard"))


@bp.route("/toko-saya/<int:store_id>/buka", methods=["POST"])
@login_required
def resume(store_id: int):
    store = _own_store(store_id)
    ok, _result = run_service(services.resume_store, store)
    if ok:
        flash(_("Toko dibuka kembali."), "success")
    return redirect(url_for("stores.dashboard"))


@bp.route("/toko-saya/<int:store_id>/riwayat")
@login_required
def history(store_id: int):
    store = _own_store(store_id)
    require(store.is_managed_by(current_user))
    return render_template("stores/history.html", store=store)


@bp.route("/toko-saya/<int:store_id>/pendampingan")
@login_required
def mentoring(store_id: int):
    """The KIM's visits and advice to the seller's store, to read and confirm."""
    store = _own_store(store_id)
    return render_template(
        "stores/mentoring.html",
        store=store,
        visits=mentoring_service.visits_of(store),
        topics=mentoring_service.TOPICS,
    )


@bp.route("/toko-saya/pendampingan/<int:visit_id>/konfirmasi", methods=["POST"])
@login_required
def confirm_mentoring(visit_id: int):
    visit = get_or_404(MentoringVisit, visit_id)
    require(visit.store.is_managed_by(current_user))
    ok, _result = run_service(mentoring_service.confirm, current_user, visit)
    if ok:
        flash(_("Terima kasih, catatan pendampingan dikonfirmasi."), "success")
    return redirect(url_for("stores.mentoring", store_id=visit.store_id))
